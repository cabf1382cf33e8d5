package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// The requests serve sends upstream, checked against each provider's
// published OpenAPI description by Stoplight Prism in proxy mode: Prism
// sits between serve and a fake provider, validates the request (path,
// headers, authentication, body) and the fake's answer, and with --errors
// answers a violation itself (422 for the request, 500 for the answer)
// instead of passing it on. Prism comes from npm (make test-prism installs
// the version pinned in hack/prism); without KUBELB_AI_PRISM the test
// skips. Prism cannot check SSE, so these are non-streaming calls.
func TestUpstreamRequestsMatchProviderSpecs(t *testing.T) {
	prism := os.Getenv("KUBELB_AI_PRISM")
	if prism == "" {
		t.Skip("KUBELB_AI_PRISM is not set: make test-prism installs Prism and runs this test")
	}
	specs := filepath.Join(testenv.SharedDir(t), "specs")
	// An OpenAI request with what translation maps: a system prompt, an
	// image, sampling, stops, tools and a tool round trip.
	const openAIRequest = `{"model":"any","messages":[{"role":"system","content":"Be brief."},` +
		`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"logo\"}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","content":"a logo"},{"role":"user","content":"And now?"}],` +
		`"temperature":0.5,"top_p":0.9,"max_tokens":50,"stop":["END"],"tool_choice":"auto",` +
		`"tools":[{"type":"function","function":{"name":"lookup","description":"Look up","parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}}}]}`
	cases := []struct {
		provider string
		fake     fakeprovider.Kind
		spec     string
		path     string
		body     string
		bad      string // a request the provider's API refuses (native cases)
		target   string // default kgateway-v2.1; agentgateway translates OpenAI's format
		root     string // the path the spec's paths are under (default: its server's)
		routes   bool   // the backend maps each API path to its route type
	}{
		{"anthropic", fakeprovider.Anthropic, "anthropic-openapi.prism.yaml", "/anthropic/v1/chat/completions", openAIRequest, "", templates.Agentgateway, "", false},
		// agentgateway calls Gemini's v1beta API, whose generateContent
		// is the published v1 one's superset.
		{"gemini", fakeprovider.Gemini, "gemini-openapi.curated.yaml", "/gemini/v1/chat/completions", openAIRequest, "", templates.Agentgateway, "/v1beta", false},
		{"openai", fakeprovider.OpenAI, "openai-openapi.prism.yaml", "/openai/v1/chat/completions",
			`{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],"max_tokens":20,"temperature":0.2}`,
			`{"model":"gpt-4o-mini","max_tokens":20}`, "", "", false},
		{"anthropic", fakeprovider.Anthropic, "anthropic-openapi.prism.yaml", "/anthropic/v1/messages",
			`{"model":"claude-3-5-haiku-latest","max_tokens":20,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]}`,
			`{"model":"claude-3-5-haiku-latest","messages":[{"role":"user","content":"hi"}]}`, "", "", false},
		{"gemini", fakeprovider.Gemini, "gemini-openapi.curated.yaml", "/gemini",
			`{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":20}}`,
			`{"contents":"hi"}`, "", "", false},
		{"mistral", fakeprovider.OpenAI, "mistral-openapi.curated.yaml", "/mistral/v1/chat/completions",
			`{"model":"mistral-small-latest","messages":[{"role":"user","content":"hi"}],"max_tokens":20}`,
			`{"model":"mistral-small-latest","messages":"hi"}`, "", "", false},
		// agentgateway's route types: each API to the provider as it takes it.
		{provider: "openai", fake: fakeprovider.OpenAI, spec: "openai-openapi.prism.yaml", path: "/openai/v1/responses", target: templates.Agentgateway, routes: true,
			body: `{"model":"gpt-4o-mini","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}],"max_output_tokens":20}`},
		{provider: "openai", fake: fakeprovider.OpenAI, spec: "openai-openapi.prism.yaml", path: "/openai/v1/embeddings", target: templates.Agentgateway, routes: true,
			body: `{"model":"text-embedding-3-small","input":["hi","there"],"dimensions":8}`},
		{provider: "openai", fake: fakeprovider.OpenAI, spec: "openai-openapi.prism.yaml", path: "/openai/v1/messages", target: templates.Agentgateway, routes: true,
			body: `{"model":"gpt-4o-mini","max_tokens":20,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]}`},
		{provider: "anthropic", fake: fakeprovider.Anthropic, spec: "anthropic-openapi.prism.yaml", path: "/anthropic/v1/responses", target: templates.Agentgateway, routes: true,
			body: `{"model":"m","instructions":"Be brief.","input":"hi","max_output_tokens":20}`},
		{provider: "anthropic", fake: fakeprovider.Anthropic, spec: "anthropic-openapi.prism.yaml", path: "/anthropic/v1/messages/count_tokens", target: templates.Agentgateway, routes: true,
			body: `{"model":"claude-3-5-haiku-latest","system":"Be brief.","messages":[{"role":"user","content":"hi"}]}`},
		{provider: "gemini", fake: fakeprovider.Gemini, spec: "gemini-openapi.curated.yaml", path: "/gemini/v1/embeddings", target: templates.Agentgateway, routes: true, root: "/v1beta",
			body: `{"model":"text-embedding-004","input":["hi","there"]}`},
		{provider: "gemini", fake: fakeprovider.Gemini, spec: "gemini-openapi.curated.yaml", path: "/gemini/v1/responses", target: templates.Agentgateway, routes: true, root: "/v1beta",
			body: `{"model":"m","input":"hi"}`},
	}
	for _, c := range cases {
		name := c.provider
		switch {
		case c.target == "":
			c.target = templates.KgatewayV21
		case c.routes:
			name += " " + strings.TrimPrefix(c.path, "/"+c.provider+"/v1/")
		default:
			name += " translated"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fake := fakeprovider.New(t, c.fake, "sk-"+c.provider+"-secret")
			prismURL := startPrism(t, prism, rootedSpec(t, filepath.Join(specs, c.spec), c.root), fake.URL)

			g, err := spec.Options{Target: c.target, Providers: []string{c.provider}}.Build()
			if err != nil {
				t.Fatal(err)
			}
			if c.provider == "gemini" && c.root == "" {
				// The published description is of Gemini's v1 API.
				g.Spec.Providers[0].APIVersion = "v1"
			}
			up, _ := url.Parse(prismURL)
			c8, _ := templates.LookupProvider(c.provider)
			maps := renderMaps(t, g)
			if c.routes {
				maps = withRouteTypes(maps, c.provider, sdkRoutes)
			}
			cfg, err := buildObjs(maps, Options{Listen: map[string]string{"http": "127.0.0.1:0"},
				Upstreams: map[string]*url.URL{c.provider: up},
				Lookup: func(k string) (string, bool) {
					return fake.Key, k == c8.APIKeyEnv
				},
				Client: NewClient(5*time.Second, 30*time.Second), Metrics: NewMetrics(), Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			base, _ := serveConfig(t, cfg)

			// The client's own key is replaced; Prism checks the provider's.
			resp, out := post(t, base, c.path, c.body, map[string]string{"Authorization": "Bearer client-key", "Content-Type": "application/json"})
			if resp.StatusCode != 200 || resp.Header.Get("sl-violations") != "" {
				t.Fatalf("through Prism: %d %s\nviolations: %s", resp.StatusCode, out, resp.Header.Get("sl-violations"))
			}
			if n := len(fake.Requests()); n != 1 {
				t.Fatalf("the fake saw %d requests, want 1", n)
			}

			// The check can fail: a request the provider's API refuses is
			// stopped by Prism with its violations and never reaches the
			// fake.
			if c.bad == "" {
				return
			}
			resp, out = post(t, base, c.path, c.bad, map[string]string{"Content-Type": "application/json"})
			if resp.StatusCode != 422 || !strings.Contains(out, `"location":["body"`) {
				t.Errorf("a malformed request through Prism: %d %s", resp.StatusCode, out)
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("the malformed request reached the fake (%d requests)", n)
			}
		})
	}
}

// rootedSpec returns an OpenAPI description Prism can check requests
// against: its paths carry the path of its first server, or root
// (https://host/v1 + /messages -> /v1/messages), since Prism matches the
// request path against the paths alone; "nullable" without a "type" is
// dropped, since Prism's schema compiler refuses it and Prism then checks
// nothing, silently; and each discriminator's mapping is made a rule (the
// schema it names takes only its value), since Prism ignores
// discriminators and a oneOf whose members differ only by them matches
// more than one member.
func rootedSpec(t *testing.T, path, root string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	dropUntypedNullable(doc)
	enforceDiscriminators(doc)
	if servers, _ := doc["servers"].([]any); len(servers) > 0 {
		u, err := url.Parse(servers[0].(map[string]any)["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if root == "" {
			root = u.Path
		}
		paths := map[string]any{}
		for p, v := range doc["paths"].(map[string]any) {
			paths[strings.TrimSuffix(root, "/")+p] = v
		}
		doc["paths"] = paths
		u.Path = ""
		doc["servers"] = []any{map[string]any{"url": u.String()}}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	rooted := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(path), ".yaml")+".json")
	if err := os.WriteFile(rooted, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return rooted
}

func enforceDiscriminators(doc map[string]any) {
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if d, ok := v["discriminator"].(map[string]any); ok {
				prop, _ := d["propertyName"].(string)
				mapping, _ := d["mapping"].(map[string]any)
				for value, ref := range mapping {
					name := strings.TrimPrefix(fmt.Sprint(ref), "#/components/schemas/")
					if s, ok := schemas[name].(map[string]any); ok {
						props, _ := s["properties"].(map[string]any)
						if p, ok := props[prop].(map[string]any); ok {
							p["enum"] = []any{value}
						}
					}
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
}

func dropUntypedNullable(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, typed := v["type"]; !typed {
			delete(v, "nullable")
		}
		for _, e := range v {
			dropUntypedNullable(e)
		}
	case []any:
		for _, e := range v {
			dropUntypedNullable(e)
		}
	}
}

// startPrism runs `prism proxy --errors` for spec in front of upstream on a
// loopback port until the test ends, and returns its base URL. Ready means
// Prism said it listens on that port, not that the port accepts: while
// Prism loads a large spec (seconds), another parallel test's listener can
// take the port.
func startPrism(t *testing.T, bin, spec, upstream string) string {
	t.Helper()
	addr := testenv.StartServer(t, "prism", 90*time.Second, func(port int) (*exec.Cmd, testenv.Ready) {
		listening := fmt.Sprintf("Prism is listening on http://127.0.0.1:%d", port)
		cmd := exec.Command(bin, "proxy", "--errors", "-h", "127.0.0.1", "-p", fmt.Sprint(port), spec, upstream)
		return cmd, func(_ context.Context, output string) error {
			if !strings.Contains(output, listening) {
				return errors.New("not listening yet")
			}
			return nil
		}
	})
	return "http://" + addr
}
