package generate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// manifests renders o for target and decodes the result as a user's files.
func manifests(t *testing.T, o spec.Options, target string) []map[string]any {
	t.Helper()
	o.Target = target
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Check(g); err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	data, err := generate.Encode(objs, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := generate.DecodeManifests(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// meaning is a Spec as JSON without its target: what the gateway does.
func meaning(t *testing.T, g *spec.AIGateway) string {
	t.Helper()
	c := *g
	c.Spec.Target = ""
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A multi-provider gateway with failover, a request limit and a prompt guard
// survives migrate between every pair of targets, and migrating back, with
// its meaning intact; the output validates for the new target.
func TestMigrateKeepsMeaning(t *testing.T) {
	o := spec.Options{
		Providers: []string{"openai", "mistral", "anthropic", "gemini"},
		Failover:  []string{"openai", "mistral"},
		RateLimit: "100/hour",
		Guards:    []string{"mask=CREDIT_CARD,EMAIL"},
		Models:    map[string]string{"anthropic": "claude-3-5-haiku-latest"},
	}
	for _, from := range templates.TargetNames() {
		original, err := func() (*spec.AIGateway, error) { o := o; o.Target = from; return o.Build() }()
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range templates.TargetNames() {
			if to == from {
				continue
			}
			t.Run(from+"->"+to, func(t *testing.T) {
				m, err := generate.Migrate(manifests(t, o, from), "", to)
				if err != nil {
					t.Fatal(err)
				}
				if m.From != from {
					t.Errorf("detected %s, want %s", m.From, from)
				}
				if got, want := meaning(t, m.Gateway), meaning(t, original); got != want {
					t.Errorf("the gateway changed:\n got %s\nwant %s", got, want)
				}
				assertValid(t, to, m.Objects)
				data, _ := generate.Encode(m.Objects, "yaml")
				objs, _ := generate.DecodeManifests(data)
				back, err := generate.Migrate(objs, "", from)
				if err != nil {
					t.Fatalf("back to %s: %v", from, err)
				}
				if got, want := meaning(t, back.Gateway), meaning(t, original); got != want {
					t.Errorf("back to %s, the gateway changed:\n got %s\nwant %s", from, got, want)
				}
			})
		}
	}
}

// What one target cannot express is an error naming the object and the
// field, and nothing is rendered.
func TestMigrateRefusesWhatTheTargetLacks(t *testing.T) {
	o := spec.Options{Providers: []string{"openai", "anthropic"}, Failover: []string{"openai", "anthropic"}, TokenLimit: "50000/hour"}
	_, err := generate.Migrate(manifests(t, o, templates.Agentgateway), "", templates.KgatewayV21)
	var me *generate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("want a MigrationError, got %v", err)
	}
	for _, want := range []string{"AgentgatewayBackend/openai: spec.routes[0].backends[0].providers[1]: target kgateway-v2.1 cannot fail over from openai to anthropic",
		"HTTPRoute/openai: spec.routes[0].policies.tokenLimit: token-based rate limits are not supported by target kgateway-v2.1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no %q in\n%v", want, err)
		}
	}
	// A hand-written object the Spec does not model is not dropped either.
	objs := manifests(t, spec.Options{Providers: []string{"openai"}}, templates.KgatewayV21)
	objs = append(objs, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "extra", "namespace": "kubelb"}})
	if _, err := generate.Migrate(objs, "", templates.Agentgateway); err == nil || !strings.Contains(err.Error(), "ConfigMap/extra") {
		t.Errorf("an unmodelled ConfigMap: %v", err)
	}
}

func assertValid(t *testing.T, target string, objs []generate.Object) {
	t.Helper()
	data, err := generate.Encode(objs, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	v, err := validate.New(validate.Options{Target: target, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	r := v.Validate(context.Background(), loader.Load([]string{"-"}, bytes.NewReader(data)))
	for _, f := range r.Findings {
		if f.Severity == validate.SeverityError {
			t.Errorf("%s: line %d: %s: %s [%s]", target, f.Line, f.Path, f.Message, f.Rule)
		}
	}
}
