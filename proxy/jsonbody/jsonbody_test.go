package jsonbody

import (
	"encoding/json"
	"maps"
	"testing"
)

func TestSet(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"model":"a","messages":[]}`, `{"model":"m","messages":[]}`},
		{`{"messages":[{"model":"inner"}], "model" : "a" }`, `{"messages":[{"model":"inner"}], "model" : "m" }`},
		{`{"messages":[]}`, `{"model":"m","messages":[]}`},
		{` { } `, ` {"model":"m" } `},
		{`{"model":{"x":["}"]},"n":1}`, `{"model":"m","n":1}`},
		{`{"model":"a","model":"b"}`, `{"model":"m","model":"m"}`},
		{`{"mod\u0065l":"a"}`, `{"mod\u0065l":"m"}`},
		{`{"s":"a\"model\":1","model":null}`, `{"s":"a\"model\":1","model":"m"}`},
		{`["model"]`, `["model"]`},
		{`{"model":`, `{"model":`},
		{``, ``},
	} {
		if got := string(SetString([]byte(c.in), "model", "m")); got != c.want {
			t.Errorf("Set(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFields(t *testing.T) {
	got := Fields([]byte(`{"model":"m","usage":{"a":1},"x":[1,{"usage":2}],"model":"n"}`), "model", "usage", "none")
	if len(got) != 2 || string(got["model"]) != `"n"` || string(got["usage"]) != `{"a":1}` {
		t.Errorf("Fields: %q", got)
	}
	if Fields([]byte(`{"model":`), "model") != nil || Fields([]byte(`[1]`), "model") != nil {
		t.Error("Fields of a non-object")
	}
}

func TestFind(t *testing.T) {
	body := []byte(`{"stream": true, "n": [1,{"stream":false}], "stream":false }`)
	if v, ok := Find(body, "stream"); !ok || string(v) != "false" {
		t.Errorf("Find(stream) = %s %v, want the last one", v, ok)
	}
	if _, ok := Find(body, "model"); ok {
		t.Error("Find(model) found a member that is not there")
	}
	if _, ok := Find([]byte(`{"stream":tru`), "stream"); ok {
		t.Error("Find in invalid JSON")
	}
}

// Setting a member of any valid object leaves a valid object with that
// member set and every other member as it was (compared decoded, as a
// provider reads it); anything else passes unchanged.
func FuzzSet(f *testing.F) {
	for _, s := range []string{`{"model":"a","messages":[{"role":"user","content":"hi"}]}`, `{}`, `{"a":{"model":1}}`, `[1]`, `"x"`, `{"model":"a","model":2}`, `{"\u006dodel":3}`} {
		f.Add([]byte(s), "m")
	}
	f.Fuzz(func(t *testing.T, body []byte, value string) {
		out := SetString(body, "model", value)
		var before map[string]any
		if json.Unmarshal(body, &before) != nil || before == nil {
			if string(out) != string(body) {
				t.Fatalf("not an object, yet changed: %q -> %q", body, out)
			}
			return
		}
		var after map[string]any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("%q -> invalid %q: %v", body, out, err)
		}
		want, _ := json.Marshal(value)
		var wantValue any
		json.Unmarshal(want, &wantValue)
		before["model"] = wantValue
		if !maps.EqualFunc(before, after, func(a, b any) bool { x, _ := json.Marshal(a); y, _ := json.Marshal(b); return string(x) == string(y) }) {
			t.Fatalf("%q -> %q: members differ", body, out)
		}
		if v, ok := Find(out, "model"); !ok || string(v) != string(want) {
			t.Fatalf("Find after Set: %s %v", v, ok)
		}
	})
}

func TestElements(t *testing.T) {
	var got []string
	ok := Elements([]byte(` [ {"a":[1,"]"]} , "x",3,null ] `), func(e []byte) { got = append(got, string(e)) })
	if !ok || len(got) != 4 || got[0] != `{"a":[1,"]"]}` || got[1] != `"x"` || got[2] != "3" || got[3] != "null" {
		t.Errorf("Elements = %q %v", got, ok)
	}
	if Elements([]byte(`{"a":1}`), func([]byte) {}) || !Elements([]byte(`[]`), func([]byte) { t.Error("an element of []") }) {
		t.Error("Elements of a non-array, or of []")
	}
}

// Elements of any bytes ends (no panic, no endless loop), and of a valid
// array gives the elements encoding/json finds, in order.
func FuzzElements(f *testing.F) {
	for _, s := range []string{`[1,2]`, `[{"a":"]"},[3]]`, `[}`, `[1,`, `["`, `[,]`, `[1 2]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got []json.RawMessage
		ok := Elements(raw, func(e []byte) { got = append(got, e) })
		var want []json.RawMessage
		if json.Unmarshal(raw, &want) != nil || want == nil {
			return
		}
		if !ok || len(got) != len(want) {
			t.Fatalf("%q: %d elements (%v), want %d", raw, len(got), ok, len(want))
		}
		for i := range want {
			var a, b any
			if json.Unmarshal(got[i], &a) != nil || json.Unmarshal(want[i], &b) != nil {
				t.Fatalf("%q: element %d %q", raw, i, got[i])
			}
		}
	})
}
