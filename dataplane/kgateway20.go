package dataplane

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	kgw "github.com/kubelb-ai/kubelb-ai/api/kgatewayv20"
	kgw21 "github.com/kubelb-ai/kubelb-ai/api/kgatewayv21"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// kgateway20 renders for kgateway v2.0 (KubeLB 1.2): providers nested under
// llm.provider, multipool priorities, hostOverride.
type kgateway20 struct{}

func (kgateway20) BackendRef() (gwv1.Group, gwv1.Kind) { return kgatewayGroup, "Backend" }

// parameters, rateLimit and aiPolicy: GatewayParameters and TrafficPolicy
// have the same JSON shape in v2.0 and v2.1 for everything kubelb-ai
// renders, so v2.0 takes v2.1's objects through JSON into its own types.
func (kgateway20) Parameters(s *spec.Spec, meta metav1.ObjectMeta) (Object, gwv1.LocalParametersReference) {
	obj, ref := kgateway21{target: templates.KgatewayV20}.Parameters(s, meta)
	return convertTo(obj, &kgw.GatewayParameters{}), ref
}

func (kgateway20) RateLimit(r *spec.Route, meta metav1.ObjectMeta) Object {
	return convertTo(kgateway21{}.RateLimit(r, meta), &kgw.TrafficPolicy{})
}

// AIPolicy: v2.0 calls a webhook's header matches forwardHeaders, v2.1
// forwardHeaderMatches; the rest is the same.
func (kgateway20) AIPolicy(r *spec.Route, meta metav1.ObjectMeta) Object {
	obj := kgateway21{}.AIPolicy(r, meta)
	if obj == nil {
		return nil
	}
	tp21 := obj.(*kgw21.TrafficPolicy)
	tp := convertTo(tp21, &kgw.TrafficPolicy{}).(*kgw.TrafficPolicy)
	if g21, g := tp21.Spec.AI.PromptGuard, tp.Spec.AI.PromptGuard; g21 != nil {
		if g21.Request != nil && g21.Request.Webhook != nil {
			convertJSON(g21.Request.Webhook.ForwardHeaderMatches, &g.Request.Webhook.ForwardHeaders)
		}
		if g21.Response != nil && g21.Response.Webhook != nil {
			convertJSON(g21.Response.Webhook.ForwardHeaderMatches, &g.Response.Webhook.ForwardHeaders)
		}
	}
	return tp
}

// CORS is nil: kgateway v2.0 has no CORS policy (spec.Check says so).
func (kgateway20) CORS(*spec.Route, metav1.ObjectMeta) Object { return nil }

func (kgateway20) Backend(s *spec.Spec, b spec.Backend, _ *spec.Route, meta metav1.ObjectMeta) (Object, error) {
	ps, err := failoverProviders(s, b)
	if err != nil {
		return nil, err
	}
	ai := &kgw.AIBackend{}
	if len(ps) == 1 {
		ai.LLM = ptr.To(llm20(ps[0]))
	} else {
		ai.MultiPool = &kgw.MultiPoolConfig{}
		for _, p := range ps {
			ai.MultiPool.Priorities = append(ai.MultiPool.Priorities, kgw.Priority{Pool: []kgw.LLMProvider{llm20(p)}})
		}
	}
	return &kgw.Backend{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "Backend"),
		ObjectMeta: meta,
		Spec:       kgw.BackendSpec{Type: "AI", AI: ai},
	}, nil
}

// llm20 nests v2.1's provider block under llm.provider (same JSON shape)
// and moves the host to hostOverride.
func llm20(p *spec.Provider) kgw.LLMProvider {
	l21 := llm21(p)
	var l kgw.LLMProvider
	if l21.Host != "" {
		l.HostOverride = &kgw.Host{Host: l21.Host, Port: l21.Port}
	}
	l21.Host, l21.Port, l21.Path = "", 0, nil
	convertJSON(l21, &l.Provider)
	return l
}

// Traffic and RateLimitService are nil: kgateway v2.0 has neither client
// checks nor global limits (spec.Check says so).
func (kgateway20) Traffic(*spec.Spec, *spec.Route, metav1.ObjectMeta) Object { return nil }
func (kgateway20) RateLimitService(*spec.Spec, metav1.ObjectMeta) Object     { return nil }
func (kgateway20) ParseExtension([]byte) (*spec.RateLimitService, []string, error) {
	return nil, []string{"extensions are not represented on kgateway v2.0"}, nil
}
