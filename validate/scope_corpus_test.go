package validate

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

var corpusHeader = regexp.MustCompile(`(?m)^# (target|want): (\S+)$`)

// The scope corpus (testdata/scope) holds sets shaped like the data planes'
// documented examples that the scoped rules once cried wolf on (heredoc
// Secrets, tenant Gateways without AI, kgateway v2.1's agentgateway class)
// and a faulty twin of each. Under --strict a valid set has no finding at
// all, and a faulty one exactly the planted problem ("# want: RULE").
func TestScopeCorpus(t *testing.T) {
	for _, kind := range []string{"valid", "faulty"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "scope", kind, "*.yaml"))
		if len(files) < 3 {
			t.Fatalf("testdata/scope/%s: %d sets", kind, len(files))
		}
		for _, file := range files {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			header := map[string]string{}
			for _, m := range corpusHeader.FindAllStringSubmatch(string(text), -1) {
				header[m[1]] = m[2]
			}
			v, err := New(Options{Target: header["target"], Strict: true})
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			r := v.Validate(context.Background(), loader.Load([]string{file}, nil))
			switch want := header["want"]; {
			case kind == "valid" && len(r.Findings) > 0:
				t.Errorf("%s: a valid set has findings under --strict:\n%s", file, findingsText(r))
			case kind == "faulty" && (want == "" || len(r.Findings) != 1 || r.Findings[0].Rule != want):
				t.Errorf("%s: want exactly one %s finding:\n%s", file, want, findingsText(r))
			}
		}
	}
}
