package spec

import (
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

func tracingSpec(target string, t Tracing) *AIGateway {
	g := &AIGateway{Spec: Spec{Target: target, Providers: []Provider{{Kind: "openai"}},
		Observability: &Observability{Tracing: &t}}}
	Default(g)
	return g
}

func TestTracingDefaults(t *testing.T) {
	g := tracingSpec(templates.Agentgateway, Tracing{Service: "c:4317"})
	tr := g.Spec.Observability.Tracing
	if tr.Protocol != OTLPGRPC || tr.Sampling == nil || *tr.Sampling != 1 || tr.Content {
		t.Errorf("defaults: %+v", tr)
	}
	if err := Check(g); err != nil {
		t.Error(err)
	}
}

func TestTracingCheck(t *testing.T) {
	r := func(v float64) *float64 { return &v }
	cases := []struct {
		target string
		tr     Tracing
		want   string // "" is valid
	}{
		{templates.Agentgateway, Tracing{Service: "otel.obs:4318", Protocol: "HTTP", Sampling: r(0.001)}, ""},
		{templates.KgatewayV21, Tracing{Service: "otel:4317", Sampling: r(0.25)}, ""},
		{templates.KgatewayV21, Tracing{Service: "otel:4317", Sampling: r(0.001)}, "spec.observability.tracing.sampling: target kgateway-v2.1 samples whole percents"},
		{templates.KgatewayV21, Tracing{Service: "otel:4318", Protocol: "http"}, "spec.observability.tracing.protocol: target kgateway-v2.1 exports spans over gRPC only; targets that can use http: agentgateway"},
		{templates.KgatewayV20, Tracing{Service: "otel:4317"}, "spec.observability.tracing: target kgateway-v2.0 cannot export traces; targets that can: kgateway-v2.1, agentgateway"},
		{templates.Agentgateway, Tracing{}, "spec.observability.tracing: set service"},
		{templates.Agentgateway, Tracing{Service: "otel:4317", URL: "http://otel:4317"}, "spec.observability.tracing: set service"},
		{templates.Agentgateway, Tracing{Service: "otel"}, "spec.observability.tracing.service: \"otel\" is not NAME[.NAMESPACE]:PORT"},
		{templates.Agentgateway, Tracing{URL: "http://otel.example.com:4318/v1/traces"}, "spec.observability.tracing.url: target agentgateway sends spans only to a Service"},
		{templates.Agentgateway, Tracing{URL: "ftp://otel:1"}, "spec.observability.tracing.url: \"ftp://otel:1\" is not http(s)"},
		{templates.Agentgateway, Tracing{Service: "otel:4317", Protocol: "thrift"}, "spec.observability.tracing.protocol: \"thrift\" is not grpc or http"},
		{templates.Agentgateway, Tracing{Service: "otel:4317", Sampling: r(1.5)}, "spec.observability.tracing.sampling: 1.5 is not a share from 0 to 1"},
		{templates.Agentgateway, Tracing{Service: "otel:4317", Sampling: r(-0.1)}, "is not a share from 0 to 1"},
	}
	for _, c := range cases {
		err := Check(tracingSpec(c.target, c.tr))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %+v: %v", c.target, c.tr, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %+v: got %v, want %q", c.target, c.tr, err, c.want)
		}
	}
}

func TestTracingOptions(t *testing.T) {
	g, err := Options{Target: templates.Agentgateway, TracingOptions: TracingOptions{TracingEndpoint: "otel.obs:4318", TracingSampling: "0.1", TracingProtocol: "HTTP"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	tr := g.Spec.Observability.Tracing
	if tr.Service != "otel.obs:4318" || tr.Protocol != OTLPHTTP || tr.SamplingRatio() != 0.1 {
		t.Errorf("built %+v", tr)
	}
	g, err = Options{TracingOptions: TracingOptions{TracingEndpoint: "https://otel.example.com/v1/traces"}}.Build()
	if err != nil || g.Spec.Observability.Tracing.URL != "https://otel.example.com/v1/traces" {
		t.Errorf("a URL endpoint: %v %+v", err, g)
	}
	for _, o := range []TracingOptions{{TracingSampling: "0.1"}, {TracingProtocol: "grpc"}} {
		if _, err := (Options{TracingOptions: o}).Build(); err == nil || !strings.Contains(err.Error(), "needs a collector") {
			t.Errorf("%+v without an endpoint: %v", o, err)
		}
	}
	if _, err := (Options{TracingOptions: TracingOptions{TracingEndpoint: "c:1", TracingSampling: "ten"}}).Build(); err == nil || !strings.Contains(err.Error(), "--tracing-sampling") {
		t.Errorf("a bad share: %v", err)
	}
}

func TestFormatSampling(t *testing.T) {
	for r, want := range map[float64]string{1: "1.0", 0: "0.0", 0.1: "0.1", 0.25: "0.25", 0.001: "0.001"} {
		if got := FormatSampling(r); got != want {
			t.Errorf("FormatSampling(%v) = %q, want %q", r, got, want)
		}
	}
}
