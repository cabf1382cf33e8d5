package wire

import (
	"strings"
	"testing"
)

// The strict reading refuses what a lenient decoder would read otherwise.
func TestDecodeStrict(t *testing.T) {
	for body, want := range map[string]string{
		`{"messages":[],"messages":[]}`: "duplicate",
		"{\"a\":\"\xff\"}":              "UTF-8",
		`{"a":1} {"b":2}`:               "after",
		`{"a":1}x`:                      "after",
		`{"a":`:                         "JSON",
		`[1]`:                           "not a JSON object",
		strings.Repeat("[", 200) + strings.Repeat("]", 200): "deeper",
	} {
		if _, err := DecodeObject([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q: got %v, want an error with %q", body, err, want)
		}
	}
	doc, err := DecodeObject([]byte(`{"n":12345678901234567890,"s":"a\u00e9<b>","l":[true,null]}`))
	if err != nil {
		t.Fatal(err)
	}
	if doc["n"] != Number("12345678901234567890") || doc["s"] != "aé<b>" {
		t.Errorf("decoded %#v", doc)
	}
	out, _ := Encode(doc)
	if string(out) != `{"l":[true,null],"n":12345678901234567890,"s":"aé<b>"}` {
		t.Errorf("encoded %s", out)
	}
}

// A member that differs from a field only in case, or a protobuf field
// written in both spellings, is refused.
func TestCheckCaseAndSpellings(t *testing.T) {
	for format, body := range map[string]string{
		OpenAI:    `{"Messages":[{"role":"user","content":"x"}]}`,
		Anthropic: `{"messages":[{"role":"user","content":[{"type":"text","TEXT":"x"}]}]}`,
		Gemini:    `{"contents":[],"systemInstruction":{},"system_instruction":{}}`,
	} {
		f, _ := Lookup(format)
		doc, err := DecodeObject([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Request.Check(doc); err == nil {
			t.Errorf("%s: %s passed", format, body)
		}
	}
	// Free JSON (a tool's schema) may name properties as it likes.
	doc, _ := DecodeObject([]byte(`{"tools":[{"type":"function","function":{"name":"f","parameters":{"properties":{"Content":{"type":"string"}}}}}]}`))
	if err := openAIRequest.Check(doc); err != nil {
		t.Error(err)
	}
}

// Texts finds every text of a request, with its role, including the
// places guards used to miss, and leaves identifiers alone.
func TestTexts(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		OpenAI: {`{"model":"gpt","messages":[{"role":"system","content":"S"},{"role":"user","name":"N","content":[{"type":"text","text":"U"},{"type":"image_url","image_url":{"url":"http://x"}}]},
			{"role":"assistant","refusal":"R","tool_calls":[{"id":"c1","type":"function","function":{"name":"F","arguments":"{\"q\":\"A\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"T"}],
			"tools":[{"type":"function","function":{"name":"F","description":"D","parameters":{"type":"object","properties":{"q":{"type":"string","description":"P"}}}}}],"stop":["X"]}`,
			"system:S user:U user:N assistant:R assistant:{\"q\":\"A\"} assistant:F tool:T system:X system:D system:F system:~properties system:~q system:~description system:P system:~type system:~type"},
		Anthropic: {`{"model":"c","system":[{"type":"text","text":"S"}],"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"TR"}]},{"type":"document","source":{"type":"text","media_type":"text/plain","data":"B"},"title":"DT"}]}],"tools":[{"name":"F","description":"D","input_schema":{"type":"object"}}]}`,
			"user:TR user:B user:DT system:S system:D system:~type system:F"},
		Gemini: {`{"system_instruction":{"parts":[{"text":"S"}]},"contents":[{"role":"model","parts":[{"functionCall":{"name":"F","args":{"k":"A"}}}]},{"parts":[{"function_response":{"name":"F","response":{"r":"R"}}}]}]}`,
			"assistant:~k assistant:A assistant:F user:F user:~r user:R system:S"},
	}
	for format, c := range cases {
		f, _ := Lookup(format)
		doc, err := DecodeObject([]byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Request.Check(doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		f.Request.Texts(doc, func(s *Slot) {
			v := s.Value
			if s.Class == Name {
				v = "~" + v
			}
			got = append(got, s.Role+":"+v)
		})
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s:\n got %s\nwant %s", format, strings.Join(got, " "), c.want)
		}
	}
}
