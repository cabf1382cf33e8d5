package output

import (
	"bytes"
	"strings"
	"testing"
)

// A warning a rule cannot make exact is one users turn off by its ID
// (--disable RULE, # kubelb-ai:ignore=RULE), so every format names it: the
// warning of the sample report is of rule no-schema.
func TestEveryFormatNamesTheRuleOfAWarning(t *testing.T) {
	want := map[string]string{
		"text":   "a,b [no-schema]",
		"json":   `"rule": "no-schema"`,
		"sarif":  `"ruleId": "no-schema"`,
		"junit":  "a,b [no-schema]",
		"github": "title=kubelb-ai no-schema::",
	}
	for _, format := range Formats {
		var b bytes.Buffer
		if err := Write(&b, format, sample(t), Options{}); err != nil {
			t.Fatal(err)
		}
		w, ok := want[format]
		if !ok {
			t.Errorf("format %s: no expectation; add one", format)
			continue
		}
		if !strings.Contains(b.String(), w) {
			t.Errorf("%s output lacks %q:\n%s", format, w, b.String())
		}
	}
}
