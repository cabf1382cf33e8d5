package objpath

import "testing"

func TestGet(t *testing.T) {
	o := map[string]any{"metadata": map[string]any{"name": "a", "labels": "not an object"}}
	if got := Get(o, "metadata", "name"); got != "a" {
		t.Errorf("metadata.name = %v", got)
	}
	for _, path := range [][]string{{"spec"}, {"metadata", "labels", "x"}, {"metadata", "name", "x"}} {
		if got := Get(o, path...); got != nil {
			t.Errorf("%v = %v, want nil", path, got)
		}
	}
	if got := Get(o); got == nil {
		t.Error("the empty path is the object itself")
	}
}
