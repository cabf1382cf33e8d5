package agreement

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Environment knobs.
const (
	// envAPIServer=1 starts a kube-apiserver per target with hack/testcluster.
	envAPIServer = testenv.APIServerEnv
	// envKubeconfig reuses a running (throw-away!) cluster instead: the test
	// installs each target's CRDs into it in turn, replacing what is there.
	envKubeconfig = "KUBELB_AI_TEST_KUBECONFIG"
	// envOut, if set, receives every case and each disagreement as files.
	envOut = "KUBELB_AI_AGREEMENT_OUT"
	// envLimit > 0 samples that many generated mutations per target (every
	// class keeps a share), seeded with envSeed. The corpus is deterministic
	// either way: same inputs, same documents in the same order.
	envSeed  = "KUBELB_AI_AGREEMENT_SEED"
	envLimit = "KUBELB_AI_AGREEMENT_LIMIT"
)

const (
	defaultSeed = 20261124
	// defaultLimit caps the generated mutations per target (the seeds and
	// the hand-written edits come on top); 0 keeps every candidate.
	defaultLimit = 0
	workers      = 4
)

// run is one cluster of the agreement test: a target's manifests judged by
// the CRD releases one cluster runs.
type run struct {
	name     string // e.g. kubelb-1.5, agentgateway-v1.4.1
	target   string
	versions templates.CRDVersions
}

// runs lists the CRD sets to agree on: those each target pairs with
// (templates.Pairings), one cluster each.
func runs(t *testing.T) []run {
	var out []run
	for _, tg := range templates.Targets() {
		pairs, err := templates.Pairings(tg.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range pairs {
			name := tg.CRDs.Project + "-" + v.DataPlane
			if !v.Overridden() {
				name = "kubelb-" + v.KubeLB
			}
			out = append(out, run{name, tg.Name, v})
		}
	}
	return out
}

// dirs returns the Gateway API bundle (embedded: it is copied as shipped)
// and the upstream data-plane CRDs (shared) that r's cluster runs.
func (r run) dirs(root, shared string) (gatewayAPI, upstream string) {
	return filepath.Join(root, "schemas", "crds", filepath.FromSlash(schemas.GatewayAPISet(r.versions.GatewayAPI, r.versions.Channel))),
		filepath.Join(shared, "crds", filepath.FromSlash(schemas.DataPlaneSet(r.versions.Project, r.versions.DataPlane)))
}

func TestAgreement(t *testing.T) {
	kubeconfig := os.Getenv(envKubeconfig)
	if os.Getenv(envAPIServer) != "1" && kubeconfig == "" {
		t.Skipf("agreement with a real kube-apiserver is off: set %s=1 (builds and starts one per KubeLB release with hack/testcluster; a cold build takes ~10 min) or %s=KUBECONFIG of a throw-away cluster; `make test-apiserver` does the former", envAPIServer, envKubeconfig)
	}
	shared := testenv.SharedDir(t)
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs(t) {
		t.Run(r.name, func(t *testing.T) {
			gatewayAPI, upstreamDir := r.dirs(root, shared)
			kc := kubeconfig
			if kc == "" {
				kc = testenv.StartCluster(t, gatewayAPI, upstreamDir).Kubeconfig
			}
			runRelease(t, root, r, kc, gatewayAPI, upstreamDir, kubeconfig != "")
		})
	}
}

type result struct {
	c         Case
	server    verdict
	validator verdict
}

func runRelease(t *testing.T, root string, r run, kubeconfig, gatewayAPI, upstreamDir string, reuse bool) {
	ctx := context.Background()
	ns := namespaceFor(r.name)

	cfg := releaseCorpus(t, root, r, ns, gatewayAPI, upstreamDir)
	upstream := cfg.upstream

	srv, err := newServer(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if reuse {
		var files []string
		for _, dir := range []string{gatewayAPI, upstreamDir} {
			fs, err := crdFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, fs...)
		}
		changed, err := srv.applyCRDs(ctx, files)
		if err != nil {
			t.Fatal(err)
		}
		if changed {
			// The API server switches to a changed schema asynchronously.
			time.Sleep(3 * time.Second)
		}
	}
	var kinds []schema.GroupVersionKind
	for gvk := range upstream.kinds {
		kinds = append(kinds, gvk)
	}
	if err := srv.waitForKinds(ctx, kinds); err != nil {
		t.Fatal(err)
	}
	if err := srv.ensureNamespace(ctx, ns); err != nil {
		t.Fatalf("creating namespace %s: %v", ns, err)
	}

	cases, err := buildCorpus(cfg)
	if err != nil {
		t.Fatal(err)
	}

	v, err := validate.New(validate.Options{Target: r.target, Versions: r.versions})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				c := cases[i]
				results[i] = result{c: c, server: srv.dryRun(ctx, c.Doc, ns), validator: runValidator(ctx, v, c.Doc)}
			}
		})
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()

	report(t, r.name+" ("+r.versions.String()+")", results, time.Since(started))
	for _, res := range results {
		// generate's output must be accepted by every release its target
		// pairs with, whatever kubelb-ai thinks of it (manifests for a
		// KubeLB release, spec.kubelb, by its data plane or a newer one).
		if res.c.Class == "valid" && strings.HasPrefix(res.c.Source, "golden/") && isVerdict(res.server) && !res.server.accepted && meets(t, root, r, res.c.Source) {
			t.Errorf("%s refuses generate's output %s: %s", r.name, res.c, res.server.message)
		}
	}
}

// meets reports whether a golden manifest (golden/TARGET/NAME.yaml#N) is
// for a release r runs: its Spec (testdata/specs/NAME.yaml) names no KubeLB
// release, or one whose data plane is r's or older.
func meets(t *testing.T, root string, r run, source string) bool {
	name := strings.TrimSuffix(filepath.Base(strings.Split(source, "#")[0]), ".yaml")
	data, err := os.ReadFile(filepath.Join(root, "testdata", "specs", name+".yaml"))
	if err != nil {
		t.Fatalf("the Spec of %s: %v", source, err)
	}
	var g struct {
		Spec struct {
			KubeLB string `json:"kubelb"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &g); err != nil || g.Spec.KubeLB == "" {
		return true
	}
	want, err := templates.ReleaseForKubeLB(g.Spec.KubeLB)
	tg, _ := templates.LookupTarget(r.target)
	return err != nil || slices.Index(tg.CRDs.Releases, r.versions.DataPlane) >= slices.Index(tg.CRDs.Releases, want.DataPlane)
}

// releaseCorpus loads the schemas of r's releases and the seed files of
// its target.
func releaseCorpus(t *testing.T, root string, r run, ns, gatewayAPI, upstreamDir string) corpusConfig {
	target := r.target
	t.Helper()
	upstream, embedded := newSchemaSet(), newSchemaSet()
	for _, dir := range []string{gatewayAPI, upstreamDir} {
		if err := upstream.addDir(dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, group := range []string{schemas.GatewayAPISet(r.versions.GatewayAPI, r.versions.Channel), schemas.DataPlaneSet(r.versions.Project, r.versions.DataPlane)} {
		docs, err := schemas.CRDs(group)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range docs {
			if err := embedded.addDocs(fmt.Sprintf("embedded %s #%d", group, i), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg := corpusConfig{
		target:    target,
		namespace: ns,
		upstream:  upstream,
		embedded:  embedded,
		seed:      envUint(t, envSeed, defaultSeed),
		limit:     int(envUint(t, envLimit, defaultLimit)),
	}
	golden, _ := filepath.Glob(filepath.Join(root, "testdata", "golden", target, "*.yaml"))
	if len(golden) == 0 {
		t.Fatalf("no golden manifests in testdata/golden/%s", target)
	}
	seedsCommon, _ := filepath.Glob(filepath.Join(root, "testdata", "agreement", "seeds", "common", "*.yaml"))
	seedsTarget, _ := filepath.Glob(filepath.Join(root, "testdata", "agreement", "seeds", target, "*.yaml"))
	cfg.seedFiles = append(append(golden, seedsCommon...), seedsTarget...)
	return cfg
}

func namespaceFor(target string) string {
	return "agreement-" + strings.ReplaceAll(target, ".", "-")
}

// TestCorpus checks the generated corpus offline (size, reproducibility)
// and, with KUBELB_AI_AGREEMENT_OUT, writes it out. It runs when the
// agreement test does or when KUBELB_AI_AGREEMENT_OUT is set.
func TestCorpus(t *testing.T) {
	if os.Getenv(envAPIServer) != "1" && os.Getenv(envKubeconfig) == "" && os.Getenv(envOut) == "" {
		t.Skipf("set %s=1 or %s=DIR to check the agreement corpus", envAPIServer, envOut)
	}
	shared := testenv.SharedDir(t)
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs(t) {
		gatewayAPI, upstreamDir := r.dirs(root, shared)
		cfg := releaseCorpus(t, root, r, namespaceFor(r.name), gatewayAPI, upstreamDir)
		a, err := buildCorpus(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := buildCorpus(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("%s: corpus not reproducible: %d vs %d cases", r.name, len(a), len(b))
		}
		classes := map[string]int{}
		for i := range a {
			if a[i].String() != b[i].String() || !bytes.Equal(a[i].Doc, b[i].Doc) {
				t.Fatalf("%s: corpus not reproducible at case %d: %s vs %s", r.name, i, a[i], b[i])
			}
			classes[a[i].Class]++
		}
		if len(a) < 400 {
			t.Errorf("%s: only %d cases, want at least 400", r.name, len(a))
		}
		var names []string
		for c, n := range classes {
			names = append(names, fmt.Sprintf("%s=%d", c, n))
		}
		sort.Strings(names)
		t.Logf("%s: %d cases: %s", r.name, len(a), strings.Join(names, " "))
		if out := os.Getenv(envOut); out != "" {
			dir := filepath.Join(out, r.name, "corpus")
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for i, c := range a {
				doc := append([]byte("# "+oneLine(c.String())+"\n"), c.Doc...)
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.yaml", i)), doc, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// runValidator is `kubelb-ai validate` on one document: only findings of
// severity error decide (warnings, reference and lint findings do not).
func runValidator(ctx context.Context, v *validate.Validator, doc []byte) verdict {
	in := loader.Load([]string{"-"}, bytes.NewReader(doc))
	rep := v.Validate(ctx, in)
	var errs, warnings []string
	for _, f := range rep.Findings {
		m := f.Rule + ": " + f.Message
		if f.Path != "" {
			m = f.Rule + ": " + f.Path + ": " + f.Message
		}
		if f.Severity == validate.SeverityError {
			errs = append(errs, m)
		} else {
			warnings = append(warnings, m)
		}
	}
	if len(errs) == 0 {
		// Accepted; the warnings explain it when the server disagrees.
		return verdict{accepted: true, message: strings.Join(warnings, " | ")}
	}
	return verdict{message: strings.Join(errs, " | ")}
}

func report(t *testing.T, target string, results []result, took time.Duration) {
	type tally struct{ n, agree, serverRejected, validatorRejected int }
	byClass := map[string]*tally{}
	var all tally
	var disagree []result
	var notVerdict []result
	for _, r := range results {
		if !isVerdict(r.server) {
			notVerdict = append(notVerdict, r)
			continue
		}
		tl := byClass[r.c.Class]
		if tl == nil {
			tl = &tally{}
			byClass[r.c.Class] = tl
		}
		for _, x := range []*tally{tl, &all} {
			x.n++
			if !r.server.accepted {
				x.serverRejected++
			}
			if !r.validator.accepted {
				x.validatorRejected++
			}
			if r.server.accepted == r.validator.accepted {
				x.agree++
			}
		}
		if r.server.accepted != r.validator.accepted {
			disagree = append(disagree, r)
		}
	}
	var classes []string
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d documents in %s; server rejected %d, kubelb-ai rejected %d; agreement %d/%d (%.1f%%)\n",
		target, all.n, took.Round(100*time.Millisecond), all.serverRejected, all.validatorRejected, all.agree, all.n, pct(all.agree, all.n))
	fmt.Fprintf(&b, "  %-16s %6s %8s %8s %8s\n", "class", "cases", "agree", "srv-rej", "ours-rej")
	for _, c := range classes {
		x := byClass[c]
		fmt.Fprintf(&b, "  %-16s %6d %8d %8d %8d\n", c, x.n, x.agree, x.serverRejected, x.validatorRejected)
	}
	t.Log(b.String())

	out := os.Getenv(envOut)
	if out != "" {
		writeOut(t, filepath.Join(out, target), results, disagree, b.String())
	}
	for _, r := range notVerdict {
		t.Errorf("no verdict from the server for %s: %s", r.c, r.server.message)
	}
	for _, r := range disagree {
		t.Errorf("DISAGREE %s\n    server:    %s\n    kubelb-ai: %s", r.c, side(r.server), side(r.validator))
	}
	if len(disagree) > 0 && out == "" {
		t.Logf("set %s=DIR to get each disagreeing document as a file", envOut)
	}
}

func side(v verdict) string {
	if v.accepted {
		if v.message != "" {
			return "accepted (warning: " + v.message + ")"
		}
		return "accepted"
	}
	return "rejected: " + v.message
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// writeOut stores the corpus and the disagreements for inspection:
// DIR/<target>/cases/NNNN.yaml and DIR/<target>/disagree/NNNN.yaml, each
// document headed by comments with the case and both verdicts.
func writeOut(t *testing.T, dir string, results []result, disagree []result, summary string) {
	for _, sub := range []string{"cases", "disagree"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(sub string, i int, r result) {
		var b bytes.Buffer
		fmt.Fprintf(&b, "# case: %s\n# server:    %s\n# kubelb-ai: %s\n", oneLine(r.c.String()), oneLine(side(r.server)), oneLine(side(r.validator)))
		b.Write(r.c.Doc)
		if err := os.WriteFile(filepath.Join(dir, sub, fmt.Sprintf("%04d.yaml", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range results {
		write("cases", i, r)
	}
	for i, r := range disagree {
		write("disagree", i, r)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.txt"), []byte(summary), 0o644); err != nil {
		t.Fatal(err)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func envUint(t *testing.T, name string, def uint64) uint64 {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}
