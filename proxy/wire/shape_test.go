package wire

import (
	"strings"
	"testing"
)

// "*" in a rule's path stands for the members of a map that no rule names;
// a named member keeps its own rule, and a map's keys may differ in case.
func TestMapValuesRule(t *testing.T) {
	shape := &Shape{Rules: map[string]Class{"labels.*": ID, "notes.*[]": ID, "notes.summary": Text}}
	doc, err := DecodeObject([]byte(`{"labels":{"team":"L1","Team":"L2"},"notes":{"a":["N1"],"summary":"S"},"other":"O"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := shape.Check(doc); err != nil {
		t.Errorf("Check: %v", err)
	}
	var got []string
	shape.Texts(doc, func(s *Slot) { got = append(got, s.Value) })
	if strings.Join(got, " ") != "S other O" { // "other" is a member the shape does not know: its name is read too
		t.Errorf("Texts: got %q, want the summary, the unknown member's name and its value", got)
	}
}
