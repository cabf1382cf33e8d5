package validate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
	"github.com/kubelb-ai/kubelb-ai/validate/output"
)

// leakRules are the findings each canary must produce, so that one that
// stops producing them cannot pass for having nothing to show.
var leakRules = map[string][]string{
	"one-line.json":            {"unknown-field", "inline-key"},
	"multi-line.json":          {"unknown-field"},
	"flow-wrong-type.yaml":     {"schema", "inline-key"},
	"enum-on-key-field.yaml":   {"schema"},
	"syntax-error.yaml":        {"yaml"},
	"agentgateway-bearer.yaml": {"inline-key", "bearer-prefix", "schema"},
	"duplicate.yaml":           {"duplicate-object"},
}

// No format shows a credential, whatever the finding; and without the
// masking the same check sees it, so it is not vacuous.
func TestNoFormatShowsACredential(t *testing.T) {
	files, _ := filepath.Glob("../testdata/leaks/*.*")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, ".md") })
	if len(files) != len(leakRules) {
		t.Fatalf("%d canaries in ../testdata/leaks, %d in leakRules", len(files), len(leakRules))
	}
	validators := map[string]*validate.Validator{}
	run := func(t *testing.T, file string) *validate.Report {
		target := templates.KgatewayV21
		if strings.HasPrefix(filepath.Base(file), "agentgateway-") {
			target = templates.Agentgateway
		}
		v, ok := validators[target]
		if !ok {
			var err error
			if v, err = validate.New(validate.Options{Target: target}); err != nil {
				t.Fatal(err)
			}
			validators[target] = v
		}
		return v.Validate(context.Background(), loader.Load([]string{file}, nil))
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(data), "\n")
			r := run(t, file)
			for _, rule := range leakRules[name] {
				if !slices.ContainsFunc(r.Findings, func(f validate.Finding) bool { return f.Rule == rule }) {
					t.Errorf("no %s finding: %+v", rule, r.Findings)
				}
			}
			if !slices.ContainsFunc(r.Findings, func(f validate.Finding) bool {
				return f.Excerpt != "" && f.Line >= 1 && f.Line <= len(lines) && strings.Contains(lines[f.Line-1], testenv.LeakKey)
			}) {
				t.Errorf("no finding shows an excerpt of the key's line: %+v", r.Findings)
			}
			for _, format := range output.Formats {
				var b bytes.Buffer
				if err := output.Write(&b, format, r, output.Options{}); err != nil {
					t.Fatal(err)
				}
				if shown := testenv.Leaks(b.String()); len(shown) > 0 {
					t.Errorf("-o %s shows %q:\n%s", format, shown, b.String())
				}
			}
			if name == "syntax-error.yaml" {
				return // masked by the loader, which WithoutMasking leaves alone
			}
			validate.WithoutMasking(t)
			var b bytes.Buffer
			output.Write(&b, "text", run(t, file), output.Options{})
			if len(testenv.Leaks(b.String())) == 0 {
				t.Errorf("without masking the key does not show either, so the check above proves nothing:\n%s", b.String())
			}
		})
	}
}
