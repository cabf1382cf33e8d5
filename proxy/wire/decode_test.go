package wire

import (
	"maps"
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
	if err := openAIRequestShape().Check(doc); err != nil {
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

// The guards of the Responses, embeddings and token count routes read
// every text of their documents (instructions, a string input, input
// parts, a tool's output, embeddings' inputs), with its role, and no
// identifier or encoded data: "~" marks a member name, "json " JSON text.
// Members that hold numbers mostly have no rule, as in the chat formats:
// their names are read like any member the shape does not know.
func TestTextsOtherRoutes(t *testing.T) {
	for _, c := range []struct {
		name, format, doc, body, want string
	}{
		{"responses string input", Responses, "request",
			`{"model":"gpt-5","instructions":"I","input":"U","previous_response_id":"resp_1","user":"u1"}`,
			"user:U system:I"},
		{"responses items", Responses, "request",
			`{"model":"gpt-5","instructions":"I","input":[
				{"role":"user","content":[{"type":"input_text","text":"U"},{"type":"input_image","image_url":"https://x/i.png","detail":"auto"},{"type":"input_file","file_data":"data:application/pdf;base64,QUJD","filename":"FN"}]},
				{"role":"developer","content":"DEV"},
				{"type":"function_call","call_id":"c1","name":"F","arguments":"{\"q\":\"A\"}"},
				{"type":"function_call_output","call_id":"c1","output":"O"},
				{"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"OT"}]},
				{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"R"}],"encrypted_content":"gAAAAB"},
				{"type":"tool_search_call","arguments":{"k":"V"}},
				{"type":"image_generation_call","id":"ig_1","result":"iVBORw0KGgo="},
				{"type":"program_output","call_id":"p1","result":"PR"},
				{"type":"item_reference","id":"msg_1"}],
			"tools":[{"type":"function","name":"F","description":"D","parameters":{"type":"object"}},{"type":"mcp","server_label":"s","server_url":"https://mcp","authorization":"tok","server_description":"SD"}],
			"text":{"format":{"type":"json_schema","name":"N","schema":{"type":"object"}}},"tool_choice":"auto","metadata":{"k":"M"}}`,
			"user:U user:FN developer:DEV assistant:json {\"q\":\"A\"} assistant:F tool:O tool:OT assistant:R assistant:~k assistant:V " +
				"assistant:PR system:I system:~k system:M system:N system:~type system:D system:F system:~type system:SD"},
		{"responses answer", Responses, "answer",
			`{"id":"resp_1","object":"response","status":"completed","model":"gpt-5","instructions":"I","output":[
				{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"A","annotations":[{"type":"url_citation","url":"https://x","title":"T","start_index":0,"end_index":1}]},{"type":"refusal","refusal":"RF"}]},
				{"type":"function_call","id":"fc_1","call_id":"c","name":"F","arguments":"{}","status":"completed"}],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}`,
			"system:I assistant:~end_index assistant:~start_index assistant:T assistant:A assistant:RF assistant:json {} assistant:F " +
				"assistant:~usage assistant:~input_tokens assistant:~output_tokens assistant:~total_tokens"},
		{"responses text delta", Responses, "event",
			`{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"D","sequence_number":3}`,
			"assistant:~content_index assistant:D assistant:~output_index"},
		{"responses arguments delta", Responses, "event",
			`{"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":1,"delta":"{\"q\":","sequence_number":4}`,
			`assistant:{"q": assistant:~output_index`},
		{"responses arguments done", Responses, "event",
			`{"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":1,"name":"F","arguments":"{\"q\":1}","sequence_number":5}`,
			`assistant:json {"q":1} assistant:F assistant:~output_index`},
		{"responses completed", Responses, "event",
			`{"type":"response.completed","sequence_number":9,"response":{"id":"r","object":"response","status":"completed","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"W"}]}]}}`,
			"assistant:W"},
		{"responses item done", Responses, "event",
			`{"type":"response.output_item.done","output_index":0,"sequence_number":6,"item":{"type":"function_call","id":"fc_1","call_id":"c","name":"F","arguments":"{\"a\":\"B\"}"}}`,
			`assistant:json {"a":"B"} assistant:F assistant:~output_index`},
		{"embeddings string", Embeddings, "request",
			`{"model":"text-embedding-3-small","input":"E1","encoding_format":"float","user":"u1","dimensions":256}`,
			"system:~dimensions user:E1"},
		{"embeddings strings", Embeddings, "request",
			`{"model":"text-embedding-3-small","input":["E1","E2"]}`,
			"user:E1 user:E2"},
		{"embeddings tokens", Embeddings, "request",
			`{"model":"text-embedding-3-small","input":[[1,2],[3]]}`,
			""},
		{"embeddings answer", Embeddings, "answer",
			`{"object":"list","model":"text-embedding-3-small","data":[{"object":"embedding","index":0,"embedding":"AAAAAAAAgD8AAABA"},{"object":"embedding","index":1,"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":2,"total_tokens":2}}`,
			"assistant:~index assistant:~index assistant:~usage assistant:~prompt_tokens assistant:~total_tokens"},
		{"count tokens", AnthropicCountTokens, "request",
			`{"model":"claude-sonnet-4-5","system":"S","messages":[{"role":"user","content":[{"type":"text","text":"U"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}],
			"tools":[{"name":"F","description":"D","input_schema":{"type":"object"}}],"thinking":{"type":"enabled","budget_tokens":1024}}`,
			"user:U system:S system:~budget_tokens system:D system:~type system:F"},
		// Generation's settings are not the token count's: a stop sequence
		// is read as a member the format does not know.
		{"count tokens stop sequences", AnthropicCountTokens, "request",
			`{"model":"claude-sonnet-4-5","messages":[],"stop_sequences":["X"]}`,
			"system:~stop_sequences system:X"},
		{"count tokens answer", AnthropicCountTokens, "answer", `{"input_tokens":12}`, "assistant:~input_tokens"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, ok := Lookup(c.format)
			if !ok {
				t.Fatalf("format %s is not registered", c.format)
			}
			shape := map[string]*Shape{"request": f.Request, "answer": f.Answer, "event": f.Event}[c.doc]
			doc, err := DecodeObject([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if err := shape.Check(doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			shape.Texts(doc, func(s *Slot) {
				v := s.Value
				switch s.Class {
				case Name:
					v = "~" + v
				case JSONText:
					v = "json " + v
				}
				got = append(got, s.Role+":"+v)
			})
			if strings.Join(got, " ") != c.want {
				t.Errorf("\n got %s\nwant %s", strings.Join(got, " "), c.want)
			}
		})
	}
}

// The embeddings' vectors, base64, are data: a reject guard reads them as
// Binary, and the answer holds no text.
func TestEmbeddingsBinary(t *testing.T) {
	doc, err := DecodeObject([]byte(`{"object":"list","model":"m","data":[{"object":"embedding","index":0,"embedding":"AAAAAAAAgD8AAABA"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := Lookup(Embeddings)
	classes := map[string]Class{}
	f.Answer.Strings(doc, func(s *Slot) { classes[s.Value] = s.Class })
	want := map[string]Class{"list": ID, "m": ID, "embedding": ID, "AAAAAAAAgD8AAABA": Binary, "index": Name}
	if !maps.Equal(classes, want) {
		t.Errorf("got %v, want %v", classes, want)
	}
}

// The new formats refuse a member that differs from a field only in case.
func TestCheckCaseOtherRoutes(t *testing.T) {
	for format, body := range map[string]string{
		Responses:            `{"model":"m","input":[{"type":"function_call_output","call_id":"c","Output":"x"}]}`,
		Embeddings:           `{"model":"m","Input":"x"}`,
		AnthropicCountTokens: `{"model":"m","messages":[],"System":"x"}`,
	} {
		f, _ := Lookup(format)
		doc, err := DecodeObject([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Request.Check(doc); err == nil || !strings.Contains(err.Error(), "case-sensitive") {
			t.Errorf("%s: %s: got %v, want a refusal of the member's case", format, body, err)
		}
	}
}
