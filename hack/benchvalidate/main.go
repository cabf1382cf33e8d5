// Command benchvalidate measures `kubelb-ai validate` side by side with its
// peers kubeconform and kubectl-validate on one generated corpus of
// Gateway API and kgateway documents, and prints CPU time, peak memory and
// what each tool caught.
//
// It generates the corpus (copies of testdata/golden/kgateway-v2.1 without
// Secrets, one namespace per copy, some copies with one planted fault),
// converts the same CRDs kubelb-ai embeds into the JSON schemas kubeconform
// needs, installs the peers with `go install` into a cache directory, and
// runs the three tools interleaved, several times, all offline. CPU is
// user+sys from the child's rusage, memory its peak RSS.
//
// It also measures kubelb-ai alone on larger corpora (-big) for its peak
// memory, and optionally another kubelb-ai build (-baseline) and kubelb-ai
// under other runtime settings (-env 'GOGC=200') in the same interleaved run.
//
// Usage (from the repository root; `make bench-validate` runs it):
//
//	go run ./hack/benchvalidate [-docs 5000] [-reps 3] [-slow-reps 1] [-big 20000,50000]
//	    [-baseline OLD-KUBELB-AI] [-env 'GOGC=200']... [-out FILE] -- path/to/kubelb-ai
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	kubeconformPkg      = "github.com/yannh/kubeconform/cmd/kubeconform"
	kubeconformVersion  = "v0.8.0"
	kubectlValidatePkg  = "sigs.k8s.io/kubectl-validate"
	kubectlValidateVers = "v0.0.4"
	target              = "kgateway-v2.1"
)

// The CRDs all three tools validate against: what kubelb-ai embeds for the
// target, as KubeLB 1.3 runs it.
var crdDirs = []string{"schemas/crds/gateway-api/v1.4.1/standard", "schemas/crds/kgateway/v2.1.2"}

func main() {
	docs := flag.Int("docs", 5000, "documents in the comparison corpus")
	reps := flag.Int("reps", 3, "interleaved runs of kubelb-ai and kubeconform")
	slowReps := flag.Int("slow-reps", 1, "runs of the slow commands, kubectl-validate (0: skip it) and kubelb-ai's text output, ~1-2 min each")
	var envs []string
	flag.Func("env", "also measure kubelb-ai -o json with these environment variables, e.g. -env 'GOGC=200'; repeatable", func(s string) error {
		envs = append(envs, s)
		return nil
	})
	bigFlag := flag.String("big", "20000,50000", "comma-separated larger corpus sizes to measure kubelb-ai's peak memory on (empty: skip)")
	faultEvery := flag.Int("fault-every", 10, "plant one fault in every N-th file (0: none)")
	peers := flag.String("peers", "", "directory for the peer binaries (default: the user cache dir's kubelb-ai/peers)")
	out := flag.String("out", "", "also write the report to this file")
	keep := flag.Bool("keep", false, "keep the scratch directory (corpus, schemas, outputs) and print its path")
	baseline := flag.String("baseline", "", "another kubelb-ai binary (e.g. built from the previous commit) to measure in the same run")
	only := flag.String("corpus-only", "", "only write the corpora (DIR/corpus, DIR/corpus-distinct, DIR/corpus-gateway-httproute) and kubeconform's schemas (DIR/jsonschemas) into DIR, for profiling; run nothing")
	flag.Parse()
	if *only != "" {
		templates, err := loadTemplates("testdata/golden/" + target)
		check(err)
		for _, c := range []struct {
			dir       string
			templates []template
			distinct  bool
		}{{"corpus", templates, false}, {"corpus-distinct", templates, true}, {"corpus-gateway-httproute", onlyKinds(templates, "Gateway", "HTTPRoute"), true}} {
			dir := filepath.Join(*only, c.dir)
			check(os.MkdirAll(dir, 0o755))
			w, err := writeCorpus(dir, c.templates, *docs, *faultEvery, c.distinct)
			check(err)
			logf("wrote %d documents in %d files to %s", w.docs, w.files, dir)
		}
		_, err = writeJSONSchemas(filepath.Join(*only, "jsonschemas"), crdDirs...)
		check(err)
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchvalidate [flags] -- path/to/kubelb-ai")
		os.Exit(2)
	}
	kubelbAI, err := filepath.Abs(flag.Arg(0))
	check(err)
	var big []int
	for _, s := range strings.Split(*bigFlag, ",") {
		if s = strings.TrimSpace(s); s != "" {
			n, err := strconv.Atoi(s)
			check(err)
			big = append(big, n)
		}
	}

	if *peers == "" {
		cache, err := os.UserCacheDir()
		check(err)
		*peers = filepath.Join(cache, "kubelb-ai", "peers")
	}
	kubeconform := install(*peers, kubeconformPkg, kubeconformVersion)
	kubectlValidate := ""
	if *slowReps > 0 {
		kubectlValidate = install(*peers, kubectlValidatePkg, kubectlValidateVers)
	}

	tmp, err := os.MkdirTemp("", "benchvalidate-")
	check(err)
	if *keep {
		logf("scratch directory: %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	templates, err := loadTemplates("testdata/golden/" + target)
	check(err)
	corpusDir := filepath.Join(tmp, "corpus")
	check(os.Mkdir(corpusDir, 0o755))
	c, err := writeCorpus(corpusDir, templates, *docs, *faultEvery, false)
	check(err)
	logf("corpus: %d documents in %d files (%.1f MB), %d files with a fault", c.docs, c.files, float64(c.bytes)/1e6, len(c.faulty))
	distinctDir := filepath.Join(tmp, "corpus-distinct")
	check(os.Mkdir(distinctDir, 0o755))
	_, err = writeCorpus(distinctDir, templates, *docs, *faultEvery, true)
	check(err)
	// Distinct Gateways and HTTPRoutes alone: the kinds with the most CEL
	// rules (HTTPRoute has 77), where CEL's cost shows most.
	gwDir := filepath.Join(tmp, "corpus-gateway-httproute")
	check(os.Mkdir(gwDir, 0o755))
	gw, err := writeCorpus(gwDir, onlyKinds(templates, "Gateway", "HTTPRoute"), *docs, *faultEvery, true)
	check(err)
	logf("distinct Gateway/HTTPRoute corpus: %d documents in %d files", gw.docs, gw.files)
	// One small file, as a pre-commit hook or an editor validates it: what
	// generate writes for OpenAI.
	smallFile := filepath.Join(tmp, "single-openai.yaml")
	data, err := os.ReadFile(filepath.Join("testdata/golden", target, "single-openai.yaml"))
	check(err)
	check(os.WriteFile(smallFile, data, 0o644))

	schemaDir := filepath.Join(tmp, "jsonschemas")
	ns, err := writeJSONSchemas(schemaDir, crdDirs...)
	check(err)
	logf("kubeconform schemas: %d files from %s", ns, strings.Join(crdDirs, ", "))
	outDir := filepath.Join(tmp, "out")
	check(os.Mkdir(outDir, 0o755))

	var crdArgs []string
	for _, d := range crdDirs {
		abs, err := filepath.Abs(d)
		check(err)
		crdArgs = append(crdArgs, "--local-crds", abs)
	}
	// No kubeconfig and no home: kubectl-validate must not find a cluster to
	// ask (it would try one even with --local-crds, kubectl-validate#152).
	kvEnv := []string{"KUBECONFIG=" + filepath.Join(tmp, "no-kubeconfig"), "HOME=" + tmp}
	kcArgs := []string{kubeconform, "-strict", "-output", "json",
		"-schema-location", filepath.Join(schemaDir, "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")}
	oneFile := filepath.Join(corpusDir, firstFile(corpusDir))
	tools := []*tool{
		{name: "kubelb-ai validate -o json", short: "kubelb-ai", argv: []string{kubelbAI, "validate", "--target", target, "-o", "json", corpusDir}, parse: parseKubelbAI},
		{name: "kubelb-ai validate (text output)", short: "kubelb-ai-text", runs: max(*slowReps, 1), argv: []string{kubelbAI, "validate", "--target", target, corpusDir}},
		{name: "kubeconform -strict -output json", short: "kubeconform", argv: append(slices.Clone(kcArgs), corpusDir), parse: parseKubeconform},
		{name: "kubelb-ai -o json, distinct documents", short: "kubelb-ai-distinct", group: "distinct", argv: []string{kubelbAI, "validate", "--target", target, "-o", "json", distinctDir}},
		{name: "kubeconform, distinct documents", short: "kubeconform-distinct", group: "distinct", argv: append(slices.Clone(kcArgs), distinctDir)},
		{name: "kubelb-ai -o json, distinct Gateway/HTTPRoute", short: "kubelb-ai-gw", group: "gw", argv: []string{kubelbAI, "validate", "--target", target, "-o", "json", gwDir}},
		{name: "kubeconform, distinct Gateway/HTTPRoute", short: "kubeconform-gw", group: "gw", argv: append(slices.Clone(kcArgs), gwDir)},
	}
	for i, e := range envs {
		tools = append(tools, &tool{name: "kubelb-ai -o json, " + e, short: fmt.Sprintf("env-%d", i), env: strings.Fields(e),
			argv: []string{kubelbAI, "validate", "--target", target, "-o", "json", corpusDir}})
	}
	if *baseline != "" {
		b, err := filepath.Abs(*baseline)
		check(err)
		tools = append(tools, &tool{name: "kubelb-ai (-baseline) -o json", short: "baseline", argv: []string{b, "validate", "--target", target, "-o", "json", corpusDir}, parse: parseKubelbAI})
	}
	if kubectlValidate != "" {
		tools = append(tools, &tool{name: "kubectl-validate -o json", short: "kubectl-validate", runs: *slowReps, env: kvEnv,
			argv: append(append([]string{kubectlValidate}, crdArgs...), "-o", "json", corpusDir), parse: parseKubectlValidate})
	}
	// Start-up: one file of the corpus, and generate's OpenAI file, each
	// run at least 10 times (they are short).
	perRep := (10 + *reps - 1) / *reps
	tools = append(tools,
		&tool{name: "kubelb-ai, 1 file (start-up)", short: "kubelb-ai-1", group: "single", argv: []string{kubelbAI, "validate", "--target", target, "-o", "json", oneFile}},
		&tool{name: "kubeconform, 1 file (start-up)", short: "kubeconform-1", group: "single", argv: append(slices.Clone(kcArgs), oneFile)},
		&tool{name: "kubelb-ai, generate's OpenAI file", short: "kubelb-ai-small", group: "small", perRep: perRep, argv: []string{kubelbAI, "validate", "--target", target, "-o", "json", smallFile}},
		// Its Secret is a core kind with no local schema: skipped.
		&tool{name: "kubeconform, generate's OpenAI file", short: "kubeconform-small", group: "small", perRep: perRep, argv: append(slices.Clone(kcArgs), "-ignore-missing-schemas", smallFile)},
	)
	if *baseline != "" {
		b, _ := filepath.Abs(*baseline)
		tools = append(tools, &tool{name: "kubelb-ai (-baseline), 1 file", short: "baseline-1", group: "single", argv: []string{b, "validate", "--target", target, "-o", "json", oneFile}},
			&tool{name: "kubelb-ai (-baseline), generate's OpenAI file", short: "baseline-small", group: "small", perRep: perRep, argv: []string{b, "validate", "--target", target, "-o", "json", smallFile}})
	}

	// Warm the page cache and the binaries once; not counted.
	for _, t := range tools {
		if t.short != "kubelb-ai-text" && t.short != "kubectl-validate" {
			runOne(t, filepath.Join(outDir, "warm-"+t.short))
		}
	}
	for i := 0; i < *reps; i++ {
		for _, t := range tools {
			if t.runs > 0 && len(t.results) >= t.runs {
				continue
			}
			if t.runs > 0 && i != *reps/2 && *reps-i > t.runs-len(t.results) {
				continue // spread the slow tool's few runs around the middle
			}
			for k := 0; k < max(t.perRep, 1); k++ {
				r := runOne(t, filepath.Join(outDir, fmt.Sprintf("%s-%d", t.short, i)))
				logf("run %d/%d %-46s cpu %6.2fs  wall %6.2fs  rss %4.0f MiB  exit %d", i+1, *reps, t.name, r.cpu.Seconds(), r.wall.Seconds(), r.rssMiB, r.exit)
				t.results = append(t.results, r)
			}
		}
	}

	// Peak memory of kubelb-ai as the corpus grows.
	var growth []growthRow
	growth = append(growth, growthRow{docs: c.docs, files: c.files, res: tools[0].results})
	for _, n := range big {
		dir := filepath.Join(tmp, fmt.Sprintf("corpus-%d", n))
		check(os.Mkdir(dir, 0o755))
		bc, err := writeCorpus(dir, templates, n, *faultEvery, false)
		check(err)
		t := &tool{name: fmt.Sprintf("kubelb-ai -o json, %d docs", n), argv: []string{kubelbAI, "validate", "--target", target, "-o", "json", dir}}
		r := runOne(t, filepath.Join(outDir, fmt.Sprintf("big-%d", n)))
		logf("%-46s cpu %6.2fs  wall %6.2fs  rss %4.0f MiB  exit %d", t.name, r.cpu.Seconds(), r.wall.Seconds(), r.rssMiB, r.exit)
		growth = append(growth, growthRow{docs: bc.docs, files: bc.files, res: []result{r}})
		check(os.RemoveAll(dir))
	}

	var rep bytes.Buffer
	fmt.Fprintf(&rep, "command: benchvalidate %s\n", strings.Join(os.Args[1:], " "))
	if v, err := exec.Command(kubelbAI, "version").Output(); err == nil {
		fmt.Fprintf(&rep, "kubelb-ai: %s\n", strings.TrimSpace(strings.SplitN(string(v), "\n", 2)[0]))
	}
	report(&rep, c, tools, growth, *reps)
	_, _ = io.Copy(os.Stdout, bytes.NewReader(rep.Bytes()))
	if *out != "" {
		check(os.MkdirAll(filepath.Dir(*out), 0o755))
		check(os.WriteFile(*out, rep.Bytes(), 0o644))
	}
}

type tool struct {
	name, short string
	argv, env   []string
	// runs caps the measured runs (0: one per repetition).
	runs int
	// group is what the tool runs on, compared with kubeconform's run on
	// the same: "" the corpus, "distinct" the corpus whose documents all
	// differ, "gw" its distinct Gateways and HTTPRoutes, "single" one file
	// of the corpus, "small" generate's OpenAI file.
	group string
	// perRep is how many runs each repetition makes (0: one).
	perRep  int
	parse   func(out []byte) (map[string]bool, error)
	results []result
	// output is the standard output of the last measured run.
	output string
}

type result struct {
	wall, cpu time.Duration
	rssMiB    float64
	exit      int
}

type growthRow struct {
	docs, files int
	res         []result
}

// runOne runs t once with standard output to outPath and measures it.
func runOne(t *tool, outPath string) result {
	f, err := os.Create(outPath)
	check(err)
	defer f.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(t.argv[0], t.argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, &stderr
	cmd.Env = append(os.Environ(), t.env...)
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !asExit(err, &exitErr) {
		fatalf("%s: %v", t.name, err)
	}
	if cmd.ProcessState.ExitCode() > 1 {
		fatalf("%s: exit %d: %s", t.name, cmd.ProcessState.ExitCode(), tail(stderr.String()))
	}
	cpu, rss := usage(cmd.ProcessState)
	t.output = outPath
	return result{wall: wall, cpu: cpu, rssMiB: rss, exit: cmd.ProcessState.ExitCode()}
}

func asExit(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

// install returns the path of pkg@version in dir, building it with
// `go install` (through the Go module proxy) the first time.
func install(dir, pkg, version string) string {
	name := filepath.Base(pkg)
	bin := filepath.Join(dir, name+"-"+version, name)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	logf("installing %s@%s into %s (kubectl-validate takes several minutes to build)", pkg, version, filepath.Dir(bin))
	cmd := exec.Command("go", "install", pkg+"@"+version)
	cmd.Dir = os.TempDir() // outside this module: a plain `go install pkg@version`
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Dir(bin), "GOFLAGS=-buildvcs=false")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fatalf("go install %s@%s: %v", pkg, version, err)
	}
	return bin
}

// Findings per tool: the set of corpus files (base names) with an error.

func parseKubelbAI(out []byte) (map[string]bool, error) {
	var r struct {
		Findings []struct {
			File     string `json:"file"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for _, f := range r.Findings {
		if f.Severity == "error" {
			files[filepath.Base(f.File)] = true
		}
	}
	return files, nil
}

func parseKubeconform(out []byte) (map[string]bool, error) {
	var r struct {
		Resources []struct {
			Filename string `json:"filename"`
			Status   string `json:"status"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for _, res := range r.Resources {
		if res.Status == "statusInvalid" || res.Status == "statusError" {
			files[filepath.Base(res.Filename)] = true
		}
	}
	return files, nil
}

func parseKubectlValidate(out []byte) (map[string]bool, error) {
	var r map[string][]struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for f, statuses := range r {
		for _, s := range statuses {
			if s.Status != "Success" {
				files[filepath.Base(f)] = true
			}
		}
	}
	return files, nil
}

func report(w io.Writer, c *corpus, tools []*tool, growth []growthRow, reps int) {
	fmt.Fprintf(w, "benchvalidate: %s/%s, %d CPUs, %s, %d interleaved repetitions\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"), reps)
	kinds := make([]string, 0, len(c.kinds))
	for k := range c.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var kindList []string
	for _, k := range kinds {
		kindList = append(kindList, fmt.Sprintf("%d %s", c.kinds[k], k))
	}
	fmt.Fprintf(w, "corpus: %d documents in %d files, %.1f MB (%s); %d files with one fault each\n",
		c.docs, c.files, float64(c.bytes)/1e6, strings.Join(kindList, ", "), len(c.faulty))
	fmt.Fprintf(w, "peers: kubeconform %s, kubectl-validate %s (go install); target %s\n\n", kubeconformVersion, kubectlValidateVers, target)

	// Each group's kubeconform run is the reference of the group's others.
	ref := map[string]*tool{}
	for _, t := range tools {
		if strings.HasPrefix(t.short, "kubeconform") {
			ref[t.group] = t
		}
	}
	fmt.Fprintf(w, "%-46s %5s %16s %8s %16s %16s %9s %9s %9s\n", "tool", "runs", "CPU median", "per doc", "CPU min-max", "wall median", "peak RSS", "CPU vs kc", "wall vs kc")
	for _, t := range tools {
		kc := ref[t.group]
		if len(t.results) == 0 || kc == nil || len(kc.results) == 0 {
			continue
		}
		cpu := medianDur(t.results, func(r result) time.Duration { return r.cpu })
		lo, hi := minMax(t.results, func(r result) time.Duration { return r.cpu })
		wall := medianDur(t.results, func(r result) time.Duration { return r.wall })
		rss := medianF(t.results, func(r result) float64 { return r.rssMiB })
		perDoc := fmt.Sprintf("%6.2fms", float64(cpu.Microseconds())/1000/float64(c.docs))
		if t.group == "single" || t.group == "small" {
			perDoc = "       -"
		}
		ratio := float64(cpu) / float64(medianDur(kc.results, cpuOf))
		wallRatio := float64(wall) / float64(medianDur(kc.results, func(r result) time.Duration { return r.wall }))
		fmt.Fprintf(w, "%-46s %5d %15.2fs %s %7.2f-%6.2fs %15.3fs %5.0f MiB %8.2fx %8.2fx\n", t.name, len(t.results), cpu.Seconds(),
			perDoc, lo.Seconds(), hi.Seconds(), wall.Seconds(), rss, ratio, wallRatio)
	}
	ratio := func(a, b string, f func(result) time.Duration) float64 {
		var ta, tb *tool
		for _, t := range tools {
			switch t.short {
			case a:
				ta = t
			case b:
				tb = t
			}
		}
		if ta == nil || tb == nil || len(ta.results) == 0 || len(tb.results) == 0 {
			return math.NaN()
		}
		return float64(medianDur(ta.results, f)) / float64(medianDur(tb.results, f))
	}
	wallOf := func(r result) time.Duration { return r.wall }
	fmt.Fprintf(w, "\nkubelb-ai CPU / kubeconform CPU = %.2f (goal <= 1.0)\n", ratio("kubelb-ai", "kubeconform", cpuOf))
	fmt.Fprintf(w, "the same with every document distinct (a label per copy, so no result is reused) = %.2f (goal <= 1.0)\n", ratio("kubelb-ai-distinct", "kubeconform-distinct", cpuOf))
	fmt.Fprintf(w, "distinct Gateways and HTTPRoutes = %.2f (goal <= 1.0)\n", ratio("kubelb-ai-gw", "kubeconform-gw", cpuOf))
	for _, t := range tools {
		if t.short == "kubelb-ai-small" && len(t.results) > 0 {
			fmt.Fprintf(w, "generate's OpenAI file: wall %.2fx kubeconform's (goal <= 1.5), peak RSS %.0f MiB (goal <= 40)\n",
				ratio("kubelb-ai-small", "kubeconform-small", wallOf), medianF(t.results, func(r result) float64 { return r.rssMiB }))
		}
	}

	// What each tool caught.
	fmt.Fprintf(w, "\nfiles flagged, by planted fault (files with that fault / flagged by each tool):\n")
	caught := map[string]map[string]bool{}
	var names []string
	for _, t := range tools {
		if t.parse == nil || t.output == "" {
			continue
		}
		data, err := os.ReadFile(t.output)
		check(err)
		files, err := t.parse(data)
		if err != nil {
			fmt.Fprintf(w, "  %s: cannot read its output: %v\n", t.short, err)
			continue
		}
		caught[t.short] = files
		names = append(names, t.short)
	}
	fmt.Fprintf(w, "%-16s %-58s %6s", "fault", "", "files")
	for _, n := range names {
		fmt.Fprintf(w, " %16s", n)
	}
	fmt.Fprintln(w)
	byFault := map[string][]string{}
	for f, name := range c.faulty {
		byFault[name] = append(byFault[name], f)
	}
	rows := append(slices.Clone(faults), fault{name: "(none)", what: "valid files flagged (false positives)"})
	for _, ft := range rows {
		files := byFault[ft.name]
		if ft.name == "(none)" {
			files = nil
			for _, name := range allFiles(c) {
				if _, bad := c.faulty[name]; !bad {
					files = append(files, name)
				}
			}
		}
		fmt.Fprintf(w, "%-16s %-58s %6d", ft.name, ft.what, len(files))
		for _, n := range names {
			k := 0
			for _, f := range files {
				if caught[n][f] {
					k++
				}
			}
			fmt.Fprintf(w, " %16d", k)
		}
		fmt.Fprintln(w)
	}

	if len(growth) > 0 {
		fmt.Fprintf(w, "\nkubelb-ai peak memory as the corpus grows (goal <= 200 MB, flat):\n")
		fmt.Fprintf(w, "%10s %8s %12s %10s %12s\n", "documents", "files", "CPU", "per doc", "peak RSS")
		for _, g := range growth {
			cpu := medianDur(g.res, cpuOf)
			fmt.Fprintf(w, "%10d %8d %11.2fs %8.2fms %8.0f MiB\n", g.docs, g.files, cpu.Seconds(), float64(cpu.Microseconds())/1000/float64(g.docs), medianF(g.res, func(r result) float64 { return r.rssMiB }))
		}
	}
}

// onlyKinds is templates with only the documents of the given kinds.
func onlyKinds(templates []template, kinds ...string) []template {
	var out []template
	for _, t := range templates {
		k := template{name: t.name}
		for _, d := range t.docs {
			if slices.Contains(kinds, d["kind"].(string)) {
				k.docs = append(k.docs, d)
			}
		}
		if len(k.docs) > 0 {
			out = append(out, k)
		}
	}
	return out
}

func firstFile(dir string) string {
	entries, err := os.ReadDir(dir)
	check(err)
	return entries[0].Name()
}

func allFiles(c *corpus) []string {
	entries, err := os.ReadDir(c.dir)
	check(err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func cpuOf(r result) time.Duration { return r.cpu }

func medianDur(rs []result, f func(result) time.Duration) time.Duration {
	v := make([]time.Duration, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
}

func minMax(rs []result, f func(result) time.Duration) (time.Duration, time.Duration) {
	v := make([]time.Duration, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return slices.Min(v), slices.Max(v)
}

func medianF(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchvalidate: "+format+"\n", args...)
}

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(1)
}

func check(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}
