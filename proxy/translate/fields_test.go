package translate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// The three provider translations with their rules.
var providers = []struct {
	format string
	rules  rules
}{
	{"anthropic", anthropicRules},
	{"gemini", geminiRules},
	{"bedrock", bedrockRules},
}

// chatMembers are the top-level members of OpenAI's
// CreateChatCompletionRequest in the published spec, $refs and allOfs
// resolved.
func chatMembers(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.SharedDir(t), "specs", "openai-openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Components struct {
			Schemas map[string]map[string]any `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	schemas := spec.Components.Schemas
	members := map[string]bool{}
	var walk func(s map[string]any, depth int)
	walk = func(s map[string]any, depth int) {
		if depth > 10 {
			t.Fatal("the request schema's allOf/$ref nest too deep")
		}
		if ref, ok := s["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/components/schemas/")
			target, ok := schemas[name]
			if !ok {
				t.Fatalf("$ref %s names no schema", ref)
			}
			walk(target, depth+1)
		}
		all, _ := s["allOf"].([]any)
		for _, a := range all {
			if m, ok := a.(map[string]any); ok {
				walk(m, depth+1)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for name := range props {
			members[name] = true
		}
	}
	root, ok := schemas["CreateChatCompletionRequest"]
	if !ok {
		t.Fatal("the spec has no CreateChatCompletionRequest")
	}
	walk(root, 0)
	out := slices.Sorted(func(yield func(string) bool) {
		for m := range members {
			if !yield(m) {
				return
			}
		}
	})
	// A walk that missed allOf would find only the request's own members.
	for _, m := range []string{"messages", "model", "temperature", "metadata", "user"} {
		if !members[m] {
			t.Fatalf("the walk found no %q among %v", m, out)
		}
	}
	return out
}

// Every member of the spec's request has an entry in each table, and each
// entry is a member of the spec's request.
func TestFieldTablesCoverSpec(t *testing.T) {
	members := chatMembers(t)
	tables := map[string]FieldTable{"anthropic": anthropic{}.Fields(), "gemini": gemini{}.Fields(), "bedrock": bedrock{}.Fields()}
	for format, table := range tables {
		for _, m := range members {
			if table[m] == "" {
				t.Errorf("%s: no entry for %q", format, m)
			}
		}
		for m := range table {
			if !slices.Contains(members, m) {
				t.Errorf("%s: entry for %q, which the spec's request lacks", format, m)
			}
		}
	}
}

// Some entries as they read.
func TestFieldTableEntries(t *testing.T) {
	for _, c := range []struct {
		table         FieldTable
		member, entry string
	}{
		{anthropic{}.Fields(), "logprobs", "accepted only when false, else refused: Anthropic's Messages API has no log probabilities"},
		{anthropic{}.Fields(), "stop", "→ stop_sequences"},
		{anthropic{}.Fields(), "seed", "refused: Anthropic's Messages API has no seed"},
		{gemini{}.Fields(), "seed", "→ generationConfig.seed"},
		{gemini{}.Fields(), "n", "→ generationConfig.candidateCount"},
		{bedrock{}.Fields(), "n", "accepted only when 1, else refused: Bedrock's Converse API answers with one choice"},
		{bedrock{}.Fields(), "user", "ignored: an end-user id for OpenAI's abuse monitoring; Bedrock's Converse API has none, and the answer is the same without it"},
	} {
		if got := c.table[c.member]; got != c.entry {
			t.Errorf("%s: %q, want %q", c.member, got, c.entry)
		}
	}
}

// Values that a refused or accepted-only-when member cannot take, and the
// harmless values of the accepted-only-when ones.
var (
	offending = map[string]string{
		"logprobs": `true`, "top_logprobs": `3`, "logit_bias": `{"50256":-100}`, "store": `true`,
		"modalities": `["text","audio"]`, "audio": `{"voice":"alloy","format":"wav"}`, "verbosity": `"low"`,
		"service_tier": `"flex"`, "web_search_options": `{}`, "moderation": `{"model":"omni-moderation-latest"}`,
		"functions": `[{"name":"f"}]`, "function_call": `"auto"`, "n": `2`, "seed": `7`,
		"presence_penalty": `0.5`, "frequency_penalty": `-1`, "parallel_tool_calls": `false`, "reasoning_effort": `"high"`,
	}
	noops = map[string][]string{
		"logprobs": {`false`}, "top_logprobs": {`0`}, "logit_bias": {`{}`}, "store": {`false`}, "modalities": {`["text"]`},
		"verbosity": {`"medium"`}, "service_tier": {`"auto"`, `"default"`}, "n": {`1`}, "presence_penalty": {`0`, `0.0`},
		"frequency_penalty": {`0`}, "parallel_tool_calls": {`true`},
	}
)

// withMember is a minimal request with member set to value.
func withMember(member, value string) []byte {
	return []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"` + member + `":` + value + `}`)
}

// Each refused member, and each accepted-only-when member with another
// value, is an UnsupportedError naming it and the provider; the harmless
// values and null pass.
func TestRefusedMembers(t *testing.T) {
	for _, p := range providers {
		tr, _ := For(p.format)
		for name, r := range p.rules.members {
			if r.kind != refused && r.kind != onlyWhen {
				continue
			}
			bad, ok := offending[name]
			if !ok {
				t.Errorf("%s: no offending value of %s to test", p.format, name)
				continue
			}
			_, err := tr.Request(withMember(name, bad), "")
			var ue *UnsupportedError
			if !errors.As(err, &ue) || !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s %s=%s: %v, want an UnsupportedError", p.format, name, bad, err)
				continue
			}
			if ue.Member != name || ue.Provider != p.rules.provider || !strings.HasPrefix(err.Error(), name+": ") || !strings.Contains(err.Error(), p.rules.provider) {
				t.Errorf("%s %s=%s: %+v (%q), want it named with the provider", p.format, name, bad, ue, err)
			}
			values := append([]string{`null`}, noops[name]...)
			if r.kind == onlyWhen && len(values) == 1 {
				t.Errorf("%s: no harmless value of %s to test", p.format, name)
			}
			for _, v := range values {
				if _, err := tr.Request(withMember(name, v), ""); err != nil {
					t.Errorf("%s %s=%s: %v, want it accepted", p.format, name, v, err)
				}
			}
		}
	}
}

// The errors read as they are meant to; unknown members are refused too,
// and tools that are not functions.
func TestUnsupportedErrors(t *testing.T) {
	for _, c := range []struct{ format, body, want string }{
		{"anthropic", string(withMember("logprobs", "true")), "logprobs: Anthropic's Messages API has no log probabilities (accepted only when false)"},
		{"gemini", string(withMember("audio", `{"voice":"alloy"}`)), "audio: Gemini's generateContent answers with no audio"},
		{"bedrock", string(withMember("seed", "1")), "seed: Bedrock's Converse API has no seed"},
		{"anthropic", string(withMember("frobnicate", "1")), "frobnicate: not a chat completion member the translation to Anthropic knows"},
		{"gemini", string(withMember("Temperature", "1")), "Temperature: not a chat completion member the translation to Gemini knows"},
		{"gemini", string(withMember("reasoning_effort", `"low"`)), "reasoning_effort: Gemini's thinking settings differ by model"},
		{"anthropic", string(withMember("tools", `[{"type":"custom","custom":{"name":"x"}}]`)), `tools: tools[0] is a "custom" tool; the translation to Anthropic carries functions only`},
		{"bedrock", string(withMember("tool_choice", `{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}}`)), `tool_choice: a "allowed_tools" tool choice`},
		{"anthropic", string(withMember("reasoning_effort", `"high"`)), "reasoning_effort: high: its thinking budget of 4096 tokens must be below max_tokens (4096)"},
		{"anthropic", string(withMember("reasoning_effort", `"extreme"`)), `reasoning_effort: "extreme" is not an effort`},
	} {
		tr, _ := For(c.format)
		_, err := tr.Request([]byte(c.body), "")
		if !errors.Is(err, ErrUnsupported) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want an ErrUnsupported starting %q", c.format, c.body, err, c.want)
		}
	}
	// Malformed requests stay errors of another kind.
	tr, _ := For("anthropic")
	if _, err := tr.Request(withMember("response_format", `{"type":"yaml"}`), ""); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("response_format yaml: %v, want a plain error", err)
	}
}

// sameJSON fails unless got and want are the same JSON value.
func sameJSON(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: the want is not JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got: %s\nwant: %s", what, got, want)
	}
}

// The translations of response_format and the other sampling members,
// whole requests as literal JSON.
func TestTranslatedMembers(t *testing.T) {
	const schema = `{"type":"object","properties":{"colour":{"type":"string"}},"required":["colour"],"additionalProperties":false}`
	const jsonSchema = `{"type":"json_schema","json_schema":{"name":"pick","description":"One colour","strict":true,"schema":` + schema + `}}`
	const anthropicBase = `"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096`
	const geminiBase = `"contents":[{"role":"user","parts":[{"text":"hi"}]}]`
	const bedrockBase = `"messages":[{"role":"user","content":[{"text":"hi"}]}]`
	for _, c := range []struct{ format, member, value, want string }{
		{"anthropic", "response_format", jsonSchema, `{` + anthropicBase + `,"output_config":{"format":{"type":"json_schema","schema":` + schema + `}}}`},
		{"anthropic", "response_format", `{"type":"json_object"}`, `{` + anthropicBase + `,"output_config":{"format":{"type":"json_schema","schema":{"type":"object","additionalProperties":true}}}}`},
		{"anthropic", "response_format", `{"type":"text"}`, `{` + anthropicBase + `}`},
		{"gemini", "response_format", jsonSchema, `{` + geminiBase + `,"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"colour":{"type":"STRING"}},"required":["colour"]}}}`},
		{"gemini", "response_format", `{"type":"json_object"}`, `{` + geminiBase + `,"generationConfig":{"responseMimeType":"application/json"}}`},
		{"gemini", "response_format", `{"type":"text"}`, `{` + geminiBase + `}`},
		{"bedrock", "response_format", jsonSchema, `{` + bedrockBase + `,"outputConfig":{"textFormat":{"type":"json_schema","structure":{"jsonSchema":{"schema":` + jsonString(schema) + `,"name":"pick","description":"One colour"}}}}}`},
		{"bedrock", "response_format", `{"type":"json_object"}`, `{` + bedrockBase + `,"outputConfig":{"textFormat":{"type":"json_schema","structure":{"jsonSchema":{"schema":"{\"type\":\"object\",\"additionalProperties\":true}"}}}}}`},
		{"bedrock", "response_format", `{"type":"text"}`, `{` + bedrockBase + `}`},
		{"gemini", "seed", `42`, `{` + geminiBase + `,"generationConfig":{"seed":42}}`},
		{"gemini", "presence_penalty", `0.5`, `{` + geminiBase + `,"generationConfig":{"presencePenalty":0.5}}`},
		{"gemini", "frequency_penalty", `-0.25`, `{` + geminiBase + `,"generationConfig":{"frequencyPenalty":-0.25}}`},
		{"gemini", "n", `3`, `{` + geminiBase + `,"generationConfig":{"candidateCount":3}}`},
		{"anthropic", "safety_identifier", `"h-7"`, `{` + anthropicBase + `,"metadata":{"user_id":"h-7"}}`},
		{"anthropic", "reasoning_effort", `"none"`, `{` + anthropicBase + `}`},
		{"anthropic", "reasoning_effort", `"medium"`, `{` + anthropicBase + `,"thinking":{"type":"enabled","budget_tokens":2048}}`},
		{"bedrock", "reasoning_effort", `"low"`, `{` + bedrockBase + `,"additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":1024}}}`},
		{"anthropic", "metadata", `{"run":"7"}`, `{` + anthropicBase + `}`},
		{"gemini", "user", `"u-1"`, `{` + geminiBase + `}`},
	} {
		tr, _ := For(c.format)
		out, err := tr.Request(withMember(c.member, c.value), "")
		if err != nil {
			t.Errorf("%s %s=%s: %v", c.format, c.member, c.value, err)
			continue
		}
		sameJSON(t, c.format+" "+c.member+"="+c.value, out, c.want)
	}
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Anthropic's thinking budget with the request's own max tokens.
func TestThinkingBudget(t *testing.T) {
	out, err := anthropic{}.Request([]byte(`{"messages":[{"role":"user","content":"hi"}],"reasoning_effort":"xhigh","max_completion_tokens":9000}`), "m")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "xhigh", out, `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":9000,"thinking":{"type":"enabled","budget_tokens":8192}}`)
}

// JSON Schemas in Gemini's responseSchema subset: rewritten where they
// say the same thing otherwise, refused by keyword where they cannot.
func TestGeminiResponseSchema(t *testing.T) {
	for _, c := range []struct{ name, schema, want, err string }{
		{"pydantic", `{"$defs":{"Pet":{"title":"Pet","type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}},
			"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
			"properties":{"pet":{"$ref":"#/$defs/Pet"},"nick":{"anyOf":[{"type":"string","maxLength":9},{"type":"null"}],"default":null,"title":"Nick"},
				"kind":{"const":"dog"},"tags":{"type":["array","null"],"items":{"type":"string","enum":["a","b"]}},"age":{"type":"integer","minimum":0,"description":"years"}},
			"required":["pet","kind"]}`,
			`{"type":"OBJECT","properties":{"pet":{"title":"Pet","type":"OBJECT","properties":{"name":{"type":"STRING"}},"required":["name"]},
				"nick":{"type":"STRING","maxLength":9,"nullable":true,"default":null,"title":"Nick"},"kind":{"enum":["dog"]},
				"tags":{"type":"ARRAY","nullable":true,"items":{"type":"STRING","enum":["a","b"]}},"age":{"type":"INTEGER","minimum":0,"description":"years"}},
			"required":["pet","kind"]}`, ""},
		{"anyOf kept", `{"anyOf":[{"type":"string"},{"type":"number"},{"type":"null"}]}`, `{"nullable":true,"anyOf":[{"type":"STRING"},{"type":"NUMBER"}]}`, ""},
		{"refused", `{"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]},"b":{"type":"object","additionalProperties":{"type":"string"}},"c":{"type":["string","number"]},"d":{"not":{}}}}`,
			"", "response_format: Gemini's responseSchema has no a type other than one name (and null) (at #/properties/c/type), additionalProperties other than false (at #/properties/b/additionalProperties), not (at #/properties/d/not), oneOf (at #/properties/a/oneOf)"},
		{"recursive", `{"$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"}}}},"$ref":"#/$defs/Node"}`, "", "recursive $ref #/$defs/Node (at #/$defs/Node/properties/next)"},
		{"dangling", `{"$ref":"#/$defs/Gone"}`, "", "$ref #/$defs/Gone (at #)"},
		{"numbers enum", `{"enum":[1,2]}`, "", "enum of non-strings (at #/enum)"},
	} {
		body := withMember("response_format", `{"type":"json_schema","json_schema":{"name":"x","schema":`+c.schema+`}}`)
		out, err := gemini{}.Request(body, "")
		if c.err != "" {
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want an ErrUnsupported with %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var r struct {
			GenerationConfig struct {
				ResponseSchema json.RawMessage `json:"responseSchema"`
			} `json:"generationConfig"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		sameJSON(t, c.name, r.GenerationConfig.ResponseSchema, c.want)
	}
}
