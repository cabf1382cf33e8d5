package dataplane

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	agw "github.com/kubelb-ai/kubelb-ai/api/agentgateway"
	kgw "github.com/kubelb-ai/kubelb-ai/api/kgatewayv21"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// TracingName names the gateway-wide policy that sends spans to the
// collector.
func TracingName(gateway string) string { return gateway + "-tracing" }

// gatewayGroup and gatewayKind are how policies refer to the Gateway.
const (
	gatewayGroup = "gateway.networking.k8s.io"
	gatewayKind  = "Gateway"
)

// tracingOf is s's tracing, or nil.
func tracingOf(s *spec.Spec) *spec.Tracing {
	if s.Observability == nil {
		return nil
	}
	return s.Observability.Tracing
}

// Tracing is an error: kgateway v2.0's listener policy has no tracing
// (spec.Check says so first, naming the targets that can).
func (kgateway20) Tracing(s *spec.Spec, _ metav1.ObjectMeta) (Object, error) {
	if tracingOf(s) == nil {
		return nil, nil
	}
	return nil, fmt.Errorf("spec.observability.tracing: target %s cannot export traces", kgateway20{}.Facts().Name)
}

// Tracing renders an HTTPListenerPolicy on the Gateway whose Envoy sends
// spans over OTLP/gRPC to the collector Service, sampling whole percents.
func (k kgateway21) Tracing(s *spec.Spec, meta metav1.ObjectMeta) (Object, error) {
	t := tracingOf(s)
	if t == nil {
		return nil, nil
	}
	if t.Service == "" || t.Protocol != spec.OTLPGRPC {
		return nil, fmt.Errorf("spec.observability.tracing: target %s sends spans over gRPC to a Service only", k.Facts().Name)
	}
	return &kgw.HTTPListenerPolicy{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "HTTPListenerPolicy"),
		ObjectMeta: meta,
		Spec: kgw.HTTPListenerPolicySpec{
			TargetRefs: []kgw.LocalPolicyTargetReference{{Group: gatewayGroup, Kind: gatewayKind, Name: s.Gateway.Name}},
			Tracing: &kgw.Tracing{
				Provider: kgw.TracingProvider{OpenTelemetry: &kgw.OpenTelemetryTracingConfig{
					GrpcService: kgw.CommonGrpcService{BackendRef: gwv1.BackendRef{BackendObjectReference: serviceRef(t.Service)}},
				}},
				RandomSampling: ptr.To(int32(percent(t.SamplingRatio()))),
			},
		},
	}, nil
}

// aiExtensionTracing is the AI extension's own exporter: the same collector
// and share, parent-based as the Envoy's, by the collector's cluster DNS
// name.
func aiExtensionTracing(s *spec.Spec) *kgw.AIExtensionTrace {
	t := tracingOf(s)
	if t == nil || t.Service == "" {
		return nil
	}
	name, ns, port, _ := spec.ServiceAddress(t.Service)
	if ns == "" {
		ns = s.Gateway.Namespace
	}
	proto := kgw.OTLPTracesProtocolType("grpc")
	if t.Protocol == spec.OTLPHTTP {
		proto = "http/protobuf"
	}
	return &kgw.AIExtensionTrace{
		Endpoint: fmt.Sprintf("http://%s.%s.svc.cluster.local:%d", name, ns, port),
		Protocol: &proto,
		Sampler: &kgw.OTelTracesSampler{
			Type: ptr.To(kgw.OTelTracesSamplerType("parentbasedTraceidratio")),
			Arg:  ptr.To(spec.FormatSampling(t.SamplingRatio())),
		},
	}
}

// percent is ratio r as a whole percentage.
func percent(r float64) int {
	return int(r*100 + 0.5)
}

// agwProtocols maps Spec OTLP transports to agentgateway's.
var agwProtocols = map[string]agw.OTLPProtocol{spec.OTLPGRPC: "GRPC", spec.OTLPHTTP: "HTTP"}

// Tracing renders an AgentgatewayPolicy on the Gateway whose frontend
// sends spans to the collector Service. randomSampling is a CEL
// expression that evaluates to a share (or a boolean): the share is
// written as a float literal. clientSampling is left to its default, so
// a caller's sampled trace is always continued.
func (agentgateway) Tracing(s *spec.Spec, meta metav1.ObjectMeta) (Object, error) {
	t := tracingOf(s)
	if t == nil {
		return nil, nil
	}
	if t.Service == "" {
		return nil, fmt.Errorf("spec.observability.tracing.url: agentgateway sends spans to a Service only: set service")
	}
	return &agw.AgentgatewayPolicy{
		TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayPolicy"),
		ObjectMeta: meta,
		Spec: agw.AgentgatewayPolicySpec{
			TargetRefs: []agw.PolicyTargetReference{{Group: gatewayGroup, Kind: gatewayKind, Name: s.Gateway.Name}},
			Frontend: &agw.FrontendPolicy{Tracing: &agw.Tracing{
				BackendRef:     serviceRef(t.Service),
				Protocol:       agwProtocols[t.Protocol],
				RandomSampling: spec.FormatSampling(t.SamplingRatio()),
			}},
		},
	}, nil
}

// parseAgwTracing reads frontend.tracing back; the fields the Spec does
// not carry are reported.
func parseAgwTracing(tr *agw.Tracing) (*spec.Tracing, []string) {
	var issues []string
	out := &spec.Tracing{Protocol: spec.OTLPGRPC}
	addr, ok := serviceAddress(tr.BackendRef)
	if !ok {
		return nil, []string{"frontend.tracing to a collector other than a Service with a port is not represented"}
	}
	out.Service = addr
	for p, v := range agwProtocols {
		if v == tr.Protocol {
			out.Protocol = p
		}
	}
	// Without randomSampling, agentgateway starts no trace of its own.
	r, ok := 0.0, true
	if tr.RandomSampling != "" {
		r, ok = samplingLiteral(tr.RandomSampling)
	}
	if !ok {
		issues = append(issues, fmt.Sprintf("randomSampling %q is not a constant share; sampling %s is assumed", tr.RandomSampling, spec.FormatSampling(spec.DefaultSampling)))
		r = spec.DefaultSampling
	}
	out.Sampling = &r
	rest := *tr
	rest.BackendRef, rest.Protocol, rest.RandomSampling = gwv1.BackendObjectReference{}, "", ""
	if rest.Path == "/v1/traces" {
		rest.Path = "" // agentgateway's default path for HTTP
	}
	if !reflect.ValueOf(rest).IsZero() {
		issues = append(issues, "frontend.tracing fields other than backendRef, protocol and randomSampling are not represented")
	}
	return out, issues
}

// samplingLiteral reads a CEL sampling expression that is a constant: a
// number from 0 to 1, or true or false.
func samplingLiteral(expr string) (float64, bool) {
	switch e := strings.TrimSpace(expr); e {
	case "true":
		return 1, true
	case "false":
		return 0, true
	default:
		r, err := strconv.ParseFloat(e, 64)
		return r, err == nil && r >= 0 && r <= 1
	}
}

// parseListenerPolicy reads an HTTPListenerPolicy back: its tracing is the
// Spec's; everything else it sets is reported.
func parseListenerPolicy(lp *kgw.HTTPListenerPolicy) (ParsedPolicy, []string) {
	var out ParsedPolicy
	var issues []string
	gateways := 0
	for _, ref := range lp.Spec.TargetRefs {
		if ref.Kind == gatewayKind {
			gateways++
		}
	}
	if gateways != 1 || len(lp.Spec.TargetSelectors) > 0 {
		issues = append(issues, "a listener policy on other than one Gateway is not represented")
	}
	rest := lp.Spec
	rest.TargetRefs, rest.TargetSelectors, rest.Tracing = nil, nil, nil
	if !reflect.ValueOf(rest).IsZero() {
		issues = append(issues, "listener settings other than tracing are not represented")
	}
	tr := lp.Spec.Tracing
	if tr == nil {
		return out, issues
	}
	otel := tr.Provider.OpenTelemetry
	if otel == nil {
		return out, append(issues, "tracing to a provider other than OpenTelemetry is not represented")
	}
	addr, ok := serviceAddress(otel.GrpcService.BackendRef.BackendObjectReference)
	if !ok {
		return out, append(issues, "tracing to a collector other than a Service with a port is not represented")
	}
	r := spec.DefaultSampling
	if tr.RandomSampling != nil {
		r = float64(*tr.RandomSampling) / 100
	}
	out.Tracing = &spec.Tracing{Service: addr, Protocol: spec.OTLPGRPC, Sampling: &r}
	restT := *tr
	restT.Provider, restT.RandomSampling = kgw.TracingProvider{}, nil
	restO := *otel
	restO.GrpcService = kgw.CommonGrpcService{BackendRef: otel.GrpcService.BackendRef}
	if !reflect.ValueOf(restT).IsZero() || !reflect.DeepEqual(restO, kgw.OpenTelemetryTracingConfig{GrpcService: restO.GrpcService}) ||
		!reflect.DeepEqual(otel.GrpcService, kgw.CommonGrpcService{BackendRef: otel.GrpcService.BackendRef}) {
		issues = append(issues, "tracing fields other than the collector and randomSampling are not represented")
	}
	return out, issues
}

// onGatewayOnly reports whether refs name one whole Gateway and nothing
// else.
func onGatewayOnly(refs []agw.PolicyTargetReference) bool {
	return len(refs) == 1 && refs[0].Kind == gatewayKind && refs[0].Group == gatewayGroup && refs[0].SectionName == ""
}
