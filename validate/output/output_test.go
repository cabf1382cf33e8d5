package output

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

func sample(t *testing.T) *validate.Report {
	file := filepath.Join(t.TempDir(), "m.yaml")
	return &validate.Report{Target: "kgateway-v2.1", Documents: 2, Skipped: []loader.Skipped{{File: file, Line: 9, Reason: "not a Kubernetes object (no kind)"}},
		Findings: []validate.Finding{
			{File: file, Line: 4, Column: 3, Object: "Secret Bad_Name", Path: "metadata.name", Severity: validate.SeverityError, Rule: validate.RuleSchema, Message: "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", Fix: "rename it\nto bad-name", Excerpt: "  name: Bad_Name"},
			{File: file, Line: 2, Column: 1, Severity: validate.SeverityWarning, Rule: validate.RuleNotValidated, Message: "50%, not validated: a,b", Excerpt: "kind:\tSecret"},
			{File: file, Line: 7, Column: 1, Severity: validate.SeverityWarning, Rule: validate.RuleNotValidated, Message: "no excerpt"},
		}}
}

func TestText(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	if err := Write(&b, "text", r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"m.yaml:4:3: error: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain [schema]\n  " + "  name: Bad_Name\n    ^\n",
		"  Secret Bad_Name metadata.name\n  fix: rename it\n    to bad-name\n",
		"m.yaml:2:1: warning: 50%, not validated: a,b [no-schema]\n  kind: Secret\n  ^\n",
		"m.yaml:7:1: warning: no excerpt [no-schema]\n2 documents",
		"2 documents invalid for target kgateway-v2.1: 1 errors, 2 warnings, 1 non-Kubernetes documents skipped\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without a terminal")
	}
	b.Reset()
	Write(&b, "text", r, Options{Color: true})
	if !strings.Contains(b.String(), "\x1b[31m") {
		t.Error("no colour with Color set")
	}
}

func TestJSON(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	Write(&b, "json", r, Options{})
	var got struct {
		Version          string
		Errors, Warnings int
		Findings         []validate.Finding
		Skipped          []map[string]any
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != JSONVersion || got.Errors != 1 || got.Warnings != 2 || len(got.Findings) != 3 || got.Findings[0].Path != "metadata.name" || len(got.Skipped) != 1 {
		t.Fatalf("%+v", got)
	}
}

func TestSARIF(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	Write(&b, "sarif", r, Options{Version: "1.2.3"})
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || run.Tool.Driver.Version != "1.2.3" || len(run.Results) != 3 {
		t.Fatalf("%s", b.String())
	}
	for _, res := range run.Results {
		rule := run.Tool.Driver.Rules[res.RuleIndex]
		if rule.ID != res.RuleID || !strings.HasPrefix(rule.HelpURI, "https://") || res.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %+v does not match its rule %+v", res, rule)
		}
	}
	if run.Results[0].Level != "error" || run.Results[1].Level != "warning" || !strings.Contains(run.Results[0].Message.Text, "Fix: rename it") {
		t.Errorf("%+v", run.Results)
	}
}

func TestJUnit(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	Write(&b, "junit", r, Options{})
	var got junitSuites
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	s := got.Suites[0]
	if s.Tests != 1 || s.Failures != 1 || len(s.Cases[0].Failures) != 1 || !strings.Contains(s.Cases[0].SystemOut, "warning:") {
		t.Fatalf("%s", b.String())
	}
}

func TestGitHubEscapes(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	Write(&b, "github", r, Options{})
	out := b.String()
	if !strings.Contains(out, "::error file=") || !strings.Contains(out, ",line=4,col=3,title=kubelb-ai schema::") || !strings.Contains(out, "Fix: rename it%0Ato bad-name") && !strings.Contains(out, "fix: rename it%0Ato bad-name") {
		t.Errorf("annotation:\n%s", out)
	}
	if !strings.Contains(out, "::warning ") || !strings.Contains(out, "50%25, not validated: a,b") {
		t.Errorf("escaping:\n%s", out)
	}
	if strings.Count(out, "\n") != 4 {
		t.Errorf("want three annotations and a summary, one per line:\n%s", out)
	}
}

func TestUnknownFormat(t *testing.T) {
	r := sample(t)
	if err := Write(&bytes.Buffer{}, "xml", r, Options{}); err == nil || !strings.Contains(err.Error(), "text, json, sarif, junit, github") {
		t.Fatal(err)
	}
}

// TestSARIFMatchesTheSchema validates the SARIF report against the OASIS
// SARIF 2.1.0 JSON schema.
func TestSARIFMatchesTheSchema(t *testing.T) {
	compiler := jsonschema.NewCompiler()
	compiler.Draft = jsonschema.Draft4
	schema, err := compiler.Compile("testdata/sarif-2.1.0-rtm.5.json")
	if err != nil {
		t.Fatal(err)
	}
	r := sample(t)
	for _, report := range []*validate.Report{r, {Target: "agentgateway", Findings: []validate.Finding{}}} {
		var b bytes.Buffer
		if err := Write(&b, "sarif", report, Options{Version: "1.2.3"}); err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Errorf("SARIF report does not match the SARIF 2.1.0 schema: %#v\n%s", err, b.String())
		}
	}
	// The check can fail: a result without a message is invalid SARIF.
	var broken any
	json.Unmarshal([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"}]}]}`), &broken)
	if schema.Validate(broken) == nil {
		t.Error("the schema accepted a result without a message")
	}
}
