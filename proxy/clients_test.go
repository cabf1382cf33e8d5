package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

const (
	aliceKey = "sk-client-alice-0123456789abcdef"
	bobKey   = "sk-client-bob-fedcba9876543210"
)

// clientsSpec is an OpenAI and an Anthropic route whose callers must show
// one of two API keys, read from the environment.
func clientsSpec(t *testing.T, header string, allow ...string) *spec.AIGateway {
	t.Helper()
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai", "anthropic"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.KubeLB = "1.5" // keys read from a header need agentgateway v1.3.1
	g.Spec.Clients = &spec.Clients{Header: header, Allow: allow, APIKeys: []spec.APIKey{
		{Name: "alice", Env: "ALICE_KEY", Metadata: map[string]string{"tier": "gold"}},
		{Name: "bob", Env: "BOB_KEY", Metadata: map[string]string{"tier": "free"}},
	}}
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	return g
}

type sent struct {
	status int
	header http.Header
	body   map[string]any
}

func sendWith(t *testing.T, url, body string, header map[string]string) sent {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := sent{status: resp.StatusCode, header: resp.Header}
	_ = json.Unmarshal(b, &out.body)
	return out
}

// Only a known key gets through, on every route; a missing or wrong one
// gets 401 with a challenge, in the format of the route's clients; no
// client key ever reaches a provider, which gets the gateway's own key.
func TestClientAPIKeys(t *testing.T) {
	g := clientsSpec(t, "")
	oa := fakeprovider.New(t, fakeprovider.OpenAI, "sk-provider-openai")
	an := fakeprovider.New(t, fakeprovider.Anthropic, "sk-provider-anthropic")
	base, _, logs := serveMapsWith(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": oa, "anthropic": an}, func(o *Options) {
		lookup := o.Lookup
		o.Lookup = func(k string) (string, bool) {
			return clientKeyEnv(lookup, k)
		}
	})
	chatURL := base + "/openai/v1/chat/completions"
	msgURL := base + "/anthropic/v1/messages"
	const msg = `{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`
	for _, c := range []struct {
		name   string
		url    string
		body   string
		header map[string]string
		status int
	}{
		{"no key", chatURL, chat, nil, http.StatusUnauthorized},
		{"wrong key", chatURL, chat, map[string]string{"Authorization": "Bearer sk-wrong"}, http.StatusUnauthorized},
		{"another scheme", chatURL, chat, map[string]string{"Authorization": "Basic " + aliceKey}, http.StatusUnauthorized},
		{"a key's prefix", chatURL, chat, map[string]string{"Authorization": "Bearer " + aliceKey[:len(aliceKey)-1]}, http.StatusUnauthorized},
		{"the provider's own key", chatURL, chat, map[string]string{"Authorization": "Bearer sk-provider-openai"}, http.StatusUnauthorized},
		{"alice", chatURL, chat, map[string]string{"Authorization": "Bearer " + aliceKey}, http.StatusOK},
		{"bob", chatURL, chat, map[string]string{"Authorization": "Bearer " + bobKey}, http.StatusOK},
		{"alice on the Anthropic route", msgURL, msg, map[string]string{"Authorization": "Bearer " + aliceKey}, http.StatusOK},
		{"x-api-key is not where keys are read", msgURL, msg, map[string]string{"x-api-key": aliceKey}, http.StatusUnauthorized},
	} {
		got := sendWith(t, c.url, c.body, c.header)
		if got.status != c.status {
			t.Errorf("%s: %d, want %d (%v)", c.name, got.status, c.status, got.body)
			continue
		}
		if c.status != http.StatusUnauthorized {
			continue
		}
		if !strings.HasPrefix(got.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", c.name, got.header.Get("WWW-Authenticate"))
		}
		// The error is in the route's client format: OpenAI's error
		// object, Anthropic's {"type":"error"}.
		if c.url == msgURL && got.body["type"] != "error" || c.url == chatURL && got.body["error"] == nil {
			t.Errorf("%s: error body %v is not in the route's format", c.name, got.body)
		}
	}
	for _, f := range []*fakeprovider.Server{oa, an} {
		for _, r := range f.Requests() {
			var all bytes.Buffer
			_ = r.Header.Write(&all)
			all.Write(r.Body)
			if s := all.String(); strings.Contains(s, aliceKey) || strings.Contains(s, bobKey) {
				t.Errorf("a client key reached the provider: %s", s)
			}
		}
	}
	if n := len(oa.Requests()) + len(an.Requests()); n != 3 {
		t.Errorf("the providers got %d requests, want 3", n)
	}
	// The log names the client, never its key.
	if !strings.Contains(logs.String(), `"client":"alice"`) || !strings.Contains(logs.String(), `"client":"bob"`) ||
		strings.Contains(logs.String(), aliceKey) || strings.Contains(logs.String(), bobKey) {
		t.Errorf("access log: %s", logs.String())
	}
}

// Keys read from another header (agentgateway v1.3.1+ location): an
// Anthropic SDK's x-api-key. The header is taken off before the provider.
func TestClientAPIKeyHeader(t *testing.T) {
	g := clientsSpec(t, "x-api-key")
	an := fakeprovider.New(t, fakeprovider.Anthropic, "sk-provider-anthropic")
	oa := fakeprovider.New(t, fakeprovider.OpenAI, "sk-provider-openai")
	base, _, _ := serveMapsWith(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": oa, "anthropic": an}, func(o *Options) {
		lookup := o.Lookup
		o.Lookup = func(k string) (string, bool) {
			return clientKeyEnv(lookup, k)
		}
	})
	const msg = `{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`
	if got := sendWith(t, base+"/anthropic/v1/messages", msg, map[string]string{"x-api-key": aliceKey}); got.status != http.StatusOK {
		t.Errorf("x-api-key alice: %d %v", got.status, got.body)
	}
	if got := sendWith(t, base+"/anthropic/v1/messages", msg, map[string]string{"Authorization": "Bearer " + aliceKey}); got.status != http.StatusUnauthorized {
		t.Errorf("a key in Authorization where keys are read from x-api-key: %d", got.status)
	}
	for _, r := range an.Requests() {
		if got := r.Header.Get("x-api-key"); got != "sk-provider-anthropic" {
			t.Errorf("the provider got x-api-key %q, want its own key", got)
		}
	}
}

// Allow rules see the key's metadata: only gold-tier clients may call,
// except on the model list.
func TestClientAllowRules(t *testing.T) {
	g := clientsSpec(t, "", `apiKey.tier == "gold" || request.path.endsWith("/models")`)
	oa := fakeprovider.New(t, fakeprovider.OpenAI, "sk-provider-openai")
	an := fakeprovider.New(t, fakeprovider.Anthropic, "sk-provider-anthropic")
	base, _, _ := serveMapsWith(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": oa, "anthropic": an}, func(o *Options) {
		lookup := o.Lookup
		o.Lookup = func(k string) (string, bool) {
			return clientKeyEnv(lookup, k)
		}
	})
	url := base + "/openai/v1/chat/completions"
	if got := sendWith(t, url, chat, map[string]string{"Authorization": "Bearer " + aliceKey}); got.status != http.StatusOK {
		t.Errorf("gold alice: %d", got.status)
	}
	if got := sendWith(t, url, chat, map[string]string{"Authorization": "Bearer " + bobKey}); got.status != http.StatusForbidden {
		t.Errorf("free bob: %d, want 403", got.status)
	}
}

// A key read from an unset variable is a configuration error, not a check
// that lets nobody (or anybody) in.
func TestClientKeyFromUnsetVariable(t *testing.T) {
	g := clientsSpec(t, "")
	in := renderMaps(t, g)
	_, err := buildObjs(in, Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Lookup: func(k string) (string, bool) {
		return "sk", k != "ALICE_KEY"
	}})
	if err == nil || !strings.Contains(err.Error(), "$ALICE_KEY, which is not set") {
		t.Errorf("err = %v", err)
	}
}

// clientKeyEnv adds the clients' keys to an environment.
func clientKeyEnv(lookup func(string) (string, bool), k string) (string, bool) {
	switch k {
	case "ALICE_KEY":
		return aliceKey, true
	case "BOB_KEY":
		return bobKey, true
	}
	return lookup(k)
}

// Keys as hand-written manifests hold them: a plain literal entry, and a
// digest with metadata (agentgateway v1.4.1's keyHash), both accepted, and
// the literal named in a warning.
func TestClientKeysFromHandWrittenSecret(t *testing.T) {
	g := clientsSpec(t, "", `apiKey.tier == "free" && apiKey.n == 3 || !has(apiKey.tier)`)
	maps := renderMaps(t, g)
	sum := sha256.Sum256([]byte(bobKey))
	for _, m := range maps {
		if m["kind"] == "Secret" && m["metadata"].(map[string]any)["name"] == "ai-gateway-client-keys" {
			m["stringData"] = map[string]any{
				"alice": aliceKey,
				"bob":   `{"keyHash":"sha256:` + hex.EncodeToString(sum[:]) + `","metadata":{"client":"bob","tier":"free","n":3}}`,
			}
		}
	}
	cfg, err := buildObjs(maps, Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Lookup: func(string) (string, bool) { return "sk", true }})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(cfg.Warnings, "\n"); !strings.Contains(w, "is written in the manifests") || strings.Contains(w, aliceKey) {
		t.Errorf("warnings: %s", w)
	}
	oa := fakeprovider.New(t, fakeprovider.OpenAI, "sk")
	an := fakeprovider.New(t, fakeprovider.Anthropic, "sk")
	base, _, _ := serveMapsWith(t, maps, map[string]*fakeprovider.Server{"openai": oa, "anthropic": an}, nil)
	url := base + "/openai/v1/chat/completions"
	for key, want := range map[string]int{aliceKey: http.StatusOK, bobKey: http.StatusOK, "sk-other": http.StatusUnauthorized} {
		if got := sendWith(t, url, chat, map[string]string{"Authorization": "Bearer " + key}); got.status != want {
			t.Errorf("key %.8s...: %d, want %d", key, got.status, want)
		}
	}
}

// An agentgateway CEL function serve does not implement is refused when
// the configuration loads, naming the function, never at request time.
func TestClientRuleWithUnsupportedFunction(t *testing.T) {
	g := clientsSpec(t, "", `json(request.headers["x-claims"]).tier == "gold"`)
	_, err := buildObjs(renderMaps(t, g), Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Lookup: func(string) (string, bool) { return "sk", true }})
	if err == nil || !strings.Contains(err.Error(), "json") {
		t.Errorf("err = %v", err)
	}
}
