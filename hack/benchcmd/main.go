// Command benchcmd times kubelb-ai's short commands side by side with a bare
// Go binary (the floor of process start-up on this machine), interleaving the
// runs so machine noise hits every command alike, and prints medians and
// ratios. Usage: go run ./hack/benchcmd [-runs N] [-out FILE] -- path/to/kubelb-ai
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
	runs := flag.Int("runs", 41, "runs per command")
	out := flag.String("out", "", "also write the report to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchcmd [-runs N] [-out FILE] -- path/to/kubelb-ai")
		os.Exit(2)
	}
	bin := flag.Arg(0)
	tmp, err := os.MkdirTemp("", "benchcmd")
	check(err)
	defer os.RemoveAll(tmp)
	bare := buildBare(tmp)

	cmds := []struct {
		name, goal string
		argv       []string
	}{
		{"bare Go binary (start-up floor)", "", []string{bare}},
		{"kubelb-ai version", "25 ms", []string{bin, "version"}},
		{"kubelb-ai generate (10 providers, agentgateway)", "50 ms", []string{bin, "generate", "--from", "testdata/bench/ten-providers.yaml"}},
		{"kubelb-ai generate (10 providers, kgateway-v2.1)", "50 ms", []string{bin, "generate", "--from", "testdata/bench/ten-providers.yaml", "--target", "kgateway-v2.1"}},
	}
	times := make([][]time.Duration, len(cmds))
	for i := 0; i < *runs; i++ {
		for j, c := range cmds {
			times[j] = append(times[j], timeOne(c.argv))
		}
	}
	var rep bytes.Buffer
	fmt.Fprintf(&rep, "benchcmd: %d interleaved runs each, %s/%s, %d CPUs, %s\n", *runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&rep, "%-52s %10s %10s %12s %8s\n", "command", "median", "p90", "vs floor", "goal")
	floor := median(times[0])
	for j, c := range cmds {
		m := median(times[j])
		fmt.Fprintf(&rep, "%-52s %10s %10s %11.2fx %8s\n", c.name, round(m), round(pct(times[j], 0.9)), float64(m)/float64(floor), c.goal)
	}
	io.Copy(os.Stdout, bytes.NewReader(rep.Bytes()))
	if *out != "" {
		check(os.WriteFile(*out, rep.Bytes(), 0o644))
	}
}

// buildBare compiles a program that does nothing, the cost of exec alone.
func buildBare(dir string) string {
	src := filepath.Join(dir, "bare.go")
	check(os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644))
	bin := filepath.Join(dir, "bare")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, src)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
	return bin
}

func timeOne(argv []string) time.Duration {
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
		os.Exit(1)
	}
	return time.Since(start)
}

func median(d []time.Duration) time.Duration { return pct(d, 0.5) }

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1)+0.5)]
}

func round(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
