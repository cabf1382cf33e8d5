// Command benchapply times `kubelb-ai apply` side by side with
// `kubectl apply --server-side` on one real kube-apiserver (hack/testcluster,
// loopback, no controllers): the same 300 objects (50 copies of a gateway
// with its Secret, parameters, Backend, route and rate-limit policy, each
// copy in its own namespace), created in fresh namespaces and applied again
// unchanged, the two tools interleaved, several times. It reports wall and
// CPU time medians and their ratio.
//
// Usage (from the repository root; `make bench-apply` runs it):
//
//	go run ./hack/benchapply [-copies 50] [-reps 5] [-shared ../shared] [-out FILE] -- path/to/kubelb-ai
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	copies := flag.Int("copies", 50, "gateways in the corpus (6 objects each)")
	reps := flag.Int("reps", 5, "interleaved runs per tool and scenario")
	shared := flag.String("shared", "../shared", "the shared directory (upstream CRDs)")
	out := flag.String("out", "", "also write the report to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fatalf("usage: benchapply [-copies N] [-reps N] [-shared DIR] [-out FILE] -- path/to/kubelb-ai")
	}
	kubelbAI, err := filepath.Abs(flag.Arg(0))
	check(err)
	tmp, err := os.MkdirTemp("", "benchapply-")
	check(err)
	defer os.RemoveAll(tmp)

	// The cluster: stopped when this process ends, whatever happens.
	state := filepath.Join(tmp, "cluster")
	start := exec.Command("bash", "hack/testcluster/start.sh", "", state)
	start.Env = append(os.Environ(), "CRD_DIRS="+filepath.Join(*shared, "crds/kgateway/v2.1.2"), fmt.Sprintf("TESTCLUSTER_WATCH_PID=%d", os.Getpid()))
	start.Stderr = os.Stderr
	kc, err := start.Output()
	check(err)
	kubeconfig := strings.TrimSpace(string(kc))
	defer func() { _ = exec.Command("bash", "hack/testcluster/stop.sh", state).Run() }()
	kubectl := kubectlOf(state)
	logf("cluster up; kubectl %s", kubectl)

	// One corpus per tool and run: each create goes to fresh namespaces.
	env := append(os.Environ(), "KUBECONFIG="+kubeconfig, "OPENAI_API_KEY=sk-bench-0123456789abcdef")
	type tool struct {
		name string
		argv func(dir string) []string
		// resolved: kubectl gets the Secrets' keys already filled in
		// (envsubst's job); kubelb-ai fills them itself.
		resolved bool
	}
	tools := []tool{
		{"kubelb-ai apply", func(dir string) []string {
			return []string{kubelbAI, "apply", "-f", dir, "--applyset", filepath.Base(dir)}
		}, false},
		{"kubectl apply --server-side", func(dir string) []string { return []string{kubectl, "apply", "--server-side", "-f", dir} }, true},
	}
	type sample struct{ wall, cpu time.Duration }
	results := map[string][]sample{}
	for rep := 0; rep < *reps; rep++ {
		for ti, t := range tools {
			dir := filepath.Join(tmp, fmt.Sprintf("corpus-%d-%d", ti, rep))
			prefix := fmt.Sprintf("b%d%d", ti, rep)
			check(writeCorpus(dir, prefix, *copies, kubelbAI, t.resolved, env))
			var nsYAML bytes.Buffer
			for i := 0; i < *copies; i++ {
				fmt.Fprintf(&nsYAML, "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: %s-%03d}\n", prefix, i)
			}
			nsFile := filepath.Join(tmp, prefix+"-namespaces.yaml")
			check(os.WriteFile(nsFile, nsYAML.Bytes(), 0o644))
			run(env, []string{kubectl, "create", "-f", nsFile}) // not timed
			for _, scenario := range []string{"create", "re-apply"} {
				wall, cpu := timed(env, t.argv(dir))
				key := t.name + " / " + scenario
				results[key] = append(results[key], sample{wall, cpu})
				logf("run %d/%d %-45s wall %6.2fs cpu %6.2fs", rep+1, *reps, key, wall.Seconds(), cpu.Seconds())
			}
		}
	}

	var rep bytes.Buffer
	fmt.Fprintf(&rep, "command: benchapply %s\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&rep, "benchapply: %s/%s, %d CPUs, %s, %d objects (%d gateways x 6), %d interleaved runs, kube-apiserver from hack/testcluster on loopback\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"), *copies*6, *copies, *reps)
	fmt.Fprintf(&rep, "%-45s %12s %12s\n", "tool / scenario", "wall median", "CPU median")
	med := func(key string, f func(sample) time.Duration) time.Duration {
		var d []time.Duration
		for _, s := range results[key] {
			d = append(d, f(s))
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	for _, scenario := range []string{"create", "re-apply"} {
		for _, t := range tools {
			key := t.name + " / " + scenario
			fmt.Fprintf(&rep, "%-45s %11.2fs %11.2fs\n", key, med(key, func(s sample) time.Duration { return s.wall }).Seconds(), med(key, func(s sample) time.Duration { return s.cpu }).Seconds())
		}
	}
	fmt.Fprintln(&rep)
	for _, scenario := range []string{"create", "re-apply"} {
		a := med(tools[0].name+" / "+scenario, func(s sample) time.Duration { return s.wall })
		b := med(tools[1].name+" / "+scenario, func(s sample) time.Duration { return s.wall })
		fmt.Fprintf(&rep, "%s: kubelb-ai wall / kubectl wall = %.2f (goal <= 0.5)\n", scenario, a.Seconds()/b.Seconds())
	}
	_, _ = io.Copy(os.Stdout, bytes.NewReader(rep.Bytes()))
	if *out != "" {
		check(os.MkdirAll(filepath.Dir(*out), 0o755))
		check(os.WriteFile(*out, rep.Bytes(), 0o644))
	}
}

// writeCorpus writes copies gateways, one file each, into dir with
// kubelb-ai generate; resolved fills the Secrets' placeholders.
func writeCorpus(dir, prefix string, copies int, kubelbAI string, resolved bool, env []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < copies; i++ {
		ns := fmt.Sprintf("%s-%03d", prefix, i)
		cmd := exec.Command(kubelbAI, "generate", "--provider", "openai", "--rate-limit", "100/hour", "-n", ns)
		data, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		if resolved {
			data = bytes.ReplaceAll(data, []byte("${OPENAI_API_KEY}"), []byte(lookup(env, "OPENAI_API_KEY")))
		}
		if err := os.WriteFile(filepath.Join(dir, ns+".yaml"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func lookup(env []string, name string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, name+"="); ok {
			return v
		}
	}
	return ""
}

// timed runs argv and returns its wall and CPU (user+sys) time; it stops
// the benchmark if the command fails.
func timed(env, argv []string) (time.Duration, time.Duration) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fatalf("%s: %v\n%s", strings.Join(argv, " "), err, tail(out.String()))
	}
	return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func run(env, argv []string) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		fatalf("%s: %v\n%s", strings.Join(argv, " "), err, tail(string(out)))
	}
}

// kubectlOf finds the kubectl the harness built (its env file puts it on
// PATH).
func kubectlOf(state string) string {
	env, err := os.ReadFile(filepath.Join(state, "env"))
	check(err)
	for _, line := range strings.Split(string(env), "\n") {
		if v, ok := strings.CutPrefix(line, "export PATH="); ok {
			dir, _, _ := strings.Cut(strings.Trim(v, `"'`), ":")
			return filepath.Join(dir, "kubectl")
		}
	}
	fatalf("no kubectl in %s/env", state)
	return ""
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "benchapply: "+format+"\n", args...) }

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(1)
}

func check(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}
