package proxy

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// A name serve is given that the manifests do not define is refused
// before anything listens: a typo in --upstream would send the prompts
// and the real key to the provider's public host.
func TestUnknownNamesRefused(t *testing.T) {
	g, err := spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	maps := renderMaps(t, g)
	u, _ := url.Parse("http://127.0.0.1:1")
	lookup := func(string) (string, bool) { return "sk-0123456789", true }
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Upstreams: map[string]*url.URL{"openia": u}, Lookup: lookup}, `--upstream openia: the manifests have no provider, Service, guard webhook, rate-limit service, JWT key set or tracing collector named "openia" (did you mean "openai"?); known: openai`},
		{Options{Listen: map[string]string{"htp": "127.0.0.1:0"}, Lookup: lookup}, `--listen htp: the manifests have no listener named "htp" (did you mean "http"?); known: http`},
		{Options{Target: templates.Agentgateway, Lookup: lookup}, "--target agentgateway: the manifests are written for kgateway-v2.1"},
	} {
		cfg, err := buildObjs(maps, c.opts)
		if err == nil {
			err = cfg.CheckNames(c.opts)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
		var unknown *UnknownNameError
		if strings.HasPrefix(c.want, "--upstream") && !errors.As(err, &unknown) {
			t.Errorf("%v is not an UnknownNameError", err)
		}
	}
	opts := Options{Upstreams: map[string]*url.URL{"openai": u}, Listen: map[string]string{"http": "127.0.0.1:0"}, Lookup: lookup}
	if cfg, err := buildObjs(maps, opts); err != nil || cfg.CheckNames(opts) != nil {
		t.Errorf("known names: %v", err)
	}
}

// What cannot work locally is warned about when the configuration is
// built: a route to a Service without --upstream, a route to a backend
// the manifests do not hold.
func TestLocalWarnings(t *testing.T) {
	g, err := spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	maps := renderMaps(t, g)
	extra := map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": map[string]any{"name": "extra", "namespace": "kubelb"},
		"spec": map[string]any{"parentRefs": []any{map[string]any{"name": "ai-gateway"}}, "rules": []any{
			map[string]any{"backendRefs": []any{map[string]any{"name": "svc", "port": int64(80)}}},
			map[string]any{"backendRefs": []any{map[string]any{"group": "gateway.kgateway.dev", "kind": "Backend", "name": "gone"}}},
		}}}
	cfg, err := buildObjs(append(maps, extra), Options{Lookup: func(string) (string, bool) { return "sk-0123456789", true }})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(cfg.Warnings, "\n")
	for _, want := range []string{"sends to Service svc, which has no local address: give one with --upstream svc=URL", "sends to Backend gone, which is not among the manifests"} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q:\n%s", want, got)
		}
	}
}

// A Secret that holds a literal key in the manifests is used, as a
// cluster would use it, with a warning that names the Secret and never
// the key.
func TestLiteralSecretKeyUsed(t *testing.T) {
	const key = "sk-literal-0123456789"
	openai := fakeprovider.New(t, fakeprovider.OpenAI, key)
	g, err := spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	maps := renderMaps(t, g)
	for _, o := range maps {
		if o["kind"] == "Secret" {
			o["stringData"] = map[string]any{"Authorization": "Bearer " + key}
		}
	}
	u, _ := url.Parse(openai.URL)
	cfg, err := buildObjs(maps, Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"openai": u},
		Lookup: func(string) (string, bool) { return "", false }, Client: NewClient(time.Second, 2*time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	warnings := strings.Join(cfg.Warnings, "\n")
	if !strings.Contains(warnings, "literal value Secret openai-secret holds") || strings.Contains(warnings, key) {
		t.Errorf("warnings: %s", warnings)
	}
	base, _ := serveConfig(t, cfg)
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 200 {
		t.Errorf("with the Secret's key: %d %s", resp.StatusCode, out)
	}
}
