package loader

import (
	"encoding/base64"
	"strings"
	"testing"
)

const key = "sk-live-Zq3xV9"

// excerpts returns every line of doc as Document.Excerpt shows it.
func excerpts(t *testing.T, doc string) []string {
	t.Helper()
	d := &Document{Raw: []byte(doc), Line: 1, ListItem: -1}
	var out []string
	for n := 1; ; n++ {
		line, ok := d.Excerpt(n)
		if !ok {
			return out
		}
		out = append(out, line)
	}
}

// Every YAML and JSON style a credential can be written in: the excerpt of
// every line masks it, keeps the columns of the rest, and keeps what is not
// a credential.
func TestExcerptsMaskCredentials(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(key))
	for _, c := range []struct {
		name, doc string
		want      map[int]string // line -> excerpt
	}{
		{"block Secret", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai # a name\nstringData:\n  Authorization: " + key + "  # was " + key + "\n  other: 'x" + key + "'\ndata:\n  token: " + b64 + "\ntype: Opaque\n",
			map[int]string{4: "  name: openai # a name", 6: "  Authorization: " + strings.Repeat("*", 2*len(key)+8), 7: "  other: " + strings.Repeat("*", len(key)+3), 9: "  token: " + strings.Repeat("*", len(b64)), 10: "type: Opaque"}},
		{"one-line JSON", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k"},"stringData":{"Authorization":"` + key + `"},"bogus":1}`,
			map[int]string{1: `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k"},"stringData":{"Authorization":` + strings.Repeat("*", len(key)+2) + `},"bogus":1}`}},
		{"one-line JSON, key last", `{"kind":"Secret","apiVersion":"v1","data":{"a":"` + b64 + `"}}`,
			map[int]string{1: `{"kind":"Secret","apiVersion":"v1","data":{"a":` + strings.Repeat("*", len(b64)+2) + `}}`}},
		{"multi-line JSON", "{\n  \"kind\": \"Secret\",\n  \"apiVersion\": \"v1\",\n  \"stringData\": {\n    \"x-api-key\": \"" + key + "\",\n    \"b\": \"c\"\n  }\n}\n",
			map[int]string{5: `    "x-api-key": ` + strings.Repeat("*", len(key)+2) + ",", 6: `    "b": ***`}},
		{"flow style", "kind: Secret\napiVersion: v1\nstringData: {Authorization: " + key + ", other: \"a,b\"}\n",
			map[int]string{3: "stringData: {Authorization: " + strings.Repeat("*", len(key)) + ", other: *****}"}},
		{"block scalar", "kind: Secret\nstringData:\n  tls.key: |\n    -----BEGIN-----\n    " + key + "\n  other: x\n",
			map[int]string{3: "  tls.key: *", 4: "    " + strings.Repeat("*", 15), 5: "    " + strings.Repeat("*", len(key)), 6: "  other: *"}},
		{"multi-line quoted", "kind: Secret\nstringData:\n  Authorization: \"Bearer\n    " + key + "\"\n  b: c\n",
			map[int]string{3: "  Authorization: *******", 4: "    " + strings.Repeat("*", len(key)+1), 5: "  b: *"}},
		{"kgateway inline token", "kind: Backend\nspec:\n  ai:\n    llm:\n      openai:\n        authToken: {kind: Inline, inline: " + key + "}\n        model: gpt-4o\n",
			map[int]string{6: "        authToken: {kind: ******, inline: " + strings.Repeat("*", len(key)) + "}", 7: "        model: gpt-4o"}},
		{"kgateway secretRef", "kind: Backend\nspec:\n  authToken: {kind: SecretRef, secretRef: {name: keys}}\n",
			map[int]string{3: "  authToken: {kind: *********, secretRef: {name: keys}}"}},
		{"agentgateway auth.key", "kind: AgentgatewayBackend\nspec:\n  ai:\n    provider: {openai: {model: gpt-4o}}\n  policies:\n    auth:\n      key: " + key + "\n",
			map[int]string{4: "    provider: {openai: {model: gpt-4o}}", 7: "      key: " + strings.Repeat("*", len(key))}},
		{"env var and header", "kind: Deployment\nspec:\n  env:\n  - {name: OPENAI_API_KEY, value: " + key + "}\n  - name: LOG_LEVEL\n    value: debug\n  set: [{name: Authorization, value: \"Bearer " + key + "\"}]\n",
			map[int]string{4: "  - {name: OPENAI_API_KEY, value: " + strings.Repeat("*", len(key)) + "}", 6: "    value: debug", 7: "  set: [{name: Authorization, value: " + strings.Repeat("*", len(key)+9) + "}]"}},
		{"bearer anywhere", "kind: Job\nargs: [\"--header\", \"Bearer " + key + "\"]\n",
			map[int]string{2: `args: ["--header", ` + strings.Repeat("*", len(key)+9) + "]"}},
		{"credential-named fields", "kind: Thing\nspec:\n  password: " + key + "\n  clientSecret: \"" + key + "\"\n  maxTokens: 100\n  automountServiceAccountToken: false\n  tokenizer: cl100k\n  secretRef: {name: openai}\n",
			map[int]string{3: "  password: " + strings.Repeat("*", len(key)), 4: "  clientSecret: " + strings.Repeat("*", len(key)+2), 5: "  maxTokens: 100", 6: "  automountServiceAccountToken: false", 7: "  tokenizer: cl100k", 8: "  secretRef: {name: openai}"}},
		{"numeric", "kind: Secret\nstringData:\n  pin: 98765432\n",
			map[int]string{3: "  pin: ********"}},
		{"alias", "kind: Secret\nx-template: &k " + key + "\nstringData: {Authorization: *k}\n",
			map[int]string{2: "x-template: &k " + strings.Repeat("*", len(key)), 3: "stringData: {Authorization: *k}"}},
		{"List item", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {token: " + key + "}}\n",
			map[int]string{4: "- {apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {token: " + strings.Repeat("*", len(key)) + "}}"}},
		{"not YAML to the indexer", "kind: Secret\nstringData:\n  Authorization: " + key + ": x\n\t- {\n",
			map[int]string{1: "kind: ******", 3: "  Authorization: " + strings.Repeat("*", len(key)+1) + " *"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := excerpts(t, c.doc)
			for i, line := range got {
				if strings.Contains(line, key) || strings.Contains(line, b64) || strings.Contains(line, key[3:]) {
					t.Errorf("line %d shows the credential: %q", i+1, line)
				}
				if want, ok := c.want[i+1]; ok && line != want {
					t.Errorf("line %d:\n got %q\nwant %q", i+1, line, want)
				}
			}
			if len(got) != strings.Count(c.doc+"\n", "\n")-strings.Count(c.doc, "\n\n")-boolInt(strings.HasSuffix(c.doc, "\n")) {
				t.Errorf("%d excerpt lines for %q", len(got), c.doc)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Messages may quote a credential however they like: as written, %q or
// JSON-escaped, decoded from base64, without its "Bearer ". Soft
// credentials (other values right inside a credential's object) are masked
// only in findings about that field.
func TestRedactMessages(t *testing.T) {
	odd := key + "\"<&"
	soft := "pk-other-9Yt2"
	doc := "kind: Secret\napiVersion: v1\nmetadata: {name: openai}\ndata:\n  a: " + base64.StdEncoding.EncodeToString([]byte("decoded-"+key)) +
		"\nstringData:\n  b: 'Bearer " + key + "'\n  c: '" + odd + "'\n  d: on\n" +
		"spec:\n  authToken: {kind: " + soft + ", secretRef: {name: openai}}\n"
	d := &Document{Raw: []byte(doc), Line: 1, ListItem: -1}
	for _, c := range []struct{ at, msg, want string }{
		{"", "Invalid value: \"decoded-" + key + "\"", "Invalid value: \"" + strings.Repeat("*", len(key)+8) + "\""},
		{"stringData[b]", "uses " + key + " and " + key, "uses " + strings.Repeat("*", len(key)) + " and " + strings.Repeat("*", len(key))},
		{"", "got \"Bearer " + key + "\"", "got \"" + strings.Repeat("*", len(key)+7) + "\""},
		{"", "%q: " + `"sk-live-Zq3xV9\"<&"`, "%q: \"" + strings.Repeat("*", len(key)+4) + "\""},
		{"", "JSON: " + `"sk-live-Zq3xV9\"\u003c\u0026"`, "JSON: \"" + strings.Repeat("*", len(key)+14) + "\""},
		{"", `short values only where quoted: on, "on"`, `short values only where quoted: on, "**"`},
		{"spec.authToken.kind", `Unsupported value: "` + soft + `": supported values: "Inline"`, `Unsupported value: "` + strings.Repeat("*", len(soft)) + `": supported values: "Inline"`},
		{"spec.authToken", `Secret openai, value "` + soft + `"`, `Secret openai, value "` + soft + `"`},
		{"metadata.name", `Secret openai is fine, ` + soft + ` is soft here`, `Secret openai is fine, ` + soft + ` is soft here`},
	} {
		if got := d.Redact(c.at, c.msg); got != c.want {
			t.Errorf("Redact(%q, %q)\n got %q\nwant %q", c.at, c.msg, got, c.want)
		}
	}
}

// A List item's findings carry paths relative to the item.
func TestRedactListItem(t *testing.T) {
	doc := "apiVersion: v1\nkind: List\nitems:\n- {kind: Backend, spec: {authToken: {kind: " + key + "}}}\n"
	d := &Document{Raw: []byte(doc), Line: 1, ListItem: 0}
	if got := d.Redact("spec.authToken.kind", "Unsupported value: "+key); strings.Contains(got, key) {
		t.Errorf("%q", got)
	}
}
