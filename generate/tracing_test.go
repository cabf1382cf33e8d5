package generate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Tracing survives migrate between agentgateway and kgateway v2.1 both
// ways, collector and share intact, and the output validates.
func TestMigrateKeepsTracing(t *testing.T) {
	o := spec.Options{Providers: []string{"openai"},
		TracingOptions: spec.TracingOptions{TracingEndpoint: "otel-collector.observability:4317", TracingSampling: "0.05"}}
	pairs := [][2]string{{templates.Agentgateway, templates.KgatewayV21}, {templates.KgatewayV21, templates.Agentgateway}}
	for _, p := range pairs {
		from, to := p[0], p[1]
		t.Run(from+"->"+to, func(t *testing.T) {
			m, err := generate.Migrate(manifests(t, o, from), "", to)
			if err != nil {
				t.Fatal(err)
			}
			tr := m.Gateway.Spec.Observability.Tracing
			if tr.Service != "otel-collector.observability:4317" || tr.Protocol != spec.OTLPGRPC || tr.SamplingRatio() != 0.05 {
				t.Errorf("tracing became %+v (sampling %v)", tr, tr.SamplingRatio())
			}
			assertValid(t, to, m.Objects)
			if len(generate.Select(m.Objects, generate.CategoryTracing)) != 1 {
				t.Errorf("no tracing policy rendered for %s", to)
			}
		})
	}
}

// OTLP/HTTP is agentgateway's alone: migrating it to kgateway v2.1 is an
// error naming the field and agentgateway; kgateway v2.0 has no tracing.
func TestMigrateRefusesTracingTheTargetLacks(t *testing.T) {
	o := spec.Options{Providers: []string{"openai"},
		TracingOptions: spec.TracingOptions{TracingEndpoint: "collector:4318", TracingProtocol: "http"}}
	_, err := generate.Migrate(manifests(t, o, templates.Agentgateway), "", templates.KgatewayV21)
	var me *generate.MigrationError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "spec.observability.tracing.protocol") || !strings.Contains(err.Error(), "agentgateway") {
		t.Errorf("http to kgateway v2.1: %v", err)
	}
	o.TracingProtocol = ""
	_, err = generate.Migrate(manifests(t, o, templates.Agentgateway), "", templates.KgatewayV20)
	if err == nil || !strings.Contains(err.Error(), "targets that can: kgateway-v2.1, agentgateway") {
		t.Errorf("tracing to kgateway v2.0: %v", err)
	}
}

// What the Spec's tracing cannot carry is reported, not dropped silently.
func TestParseTracingReportsTheRest(t *testing.T) {
	o := spec.Options{Providers: []string{"openai"}, TracingOptions: spec.TracingOptions{TracingEndpoint: "collector:4317"}}
	objs := manifests(t, o, templates.Agentgateway)
	for _, obj := range objs {
		if md := obj["metadata"].(map[string]any); md["name"] == "ai-gateway-tracing" {
			tr := obj["spec"].(map[string]any)["frontend"].(map[string]any)["tracing"].(map[string]any)
			tr["randomSampling"] = `request.headers["x-trace"] == "1"`
			tr["clientSampling"] = "false"
		}
	}
	g, issues, err := generate.Parse(templates.Agentgateway, objs)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, is := range issues {
		msgs = append(msgs, is.Object+": "+is.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"is not a constant share", "fields other than backendRef, protocol and randomSampling"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in issues:\n%s", want, all)
		}
	}
	if g.Spec.Observability == nil || g.Spec.Observability.Tracing.SamplingRatio() != 1 {
		t.Errorf("tracing read as %+v", g.Spec.Observability)
	}
}
