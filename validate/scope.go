package validate

import (
	"regexp"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// This file holds what decides whether a rule applies at all: the scope of
// the rules that would otherwise cry wolf on manifests that work.

// tenantClass is KubeLB's tenant Gateway class, which propagates routes to
// Services and nothing else.
const tenantClass = "kubelb"

// placeholderRE matches a value that is a shell variable, as docs write
// Secrets in heredocs (`Authorization: $OPENAI_API_KEY`), optionally after
// an HTTP authentication scheme of letters and spaces (`Bearer
// ${OPENAI_API_KEY}`, Basic, Token): $NAME or ${NAME}, NAME being a shell
// variable name (a letter or underscore, then letters, digits,
// underscores), and nothing else. A real key that holds a `$` (`sk-a$b`,
// `$2y$10$...`, `$abc$def`, `Bearer sk-a$B`) is not one; nor is a
// default (`${KEY:-sk-...}`), which carries a key.
var placeholderRE = regexp.MustCompile(`^(?:[A-Za-z]+ +)?\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$`)

// isPlaceholder reports whether a Secret value is filled when applying
// (a shell or envsubst variable) rather than a credential.
func isPlaceholder(value string) bool {
	return placeholderRE.MatchString(strings.TrimSpace(value))
}

// setScope is what the rules whose scope is the whole set learn while the
// documents are read, and the findings they hold until the end.
type setScope struct {
	classes map[objKey]string // Gateways' spec.gatewayClassName
	ai      bool              // an AI object is among the inputs
	// plain are the data planes' backends among the inputs that are not
	// AI objects: a route to one reaches no LLM.
	plain map[objKey]bool
	held  []heldFinding
}

type heldFinding struct {
	f Finding
	o *object
}

func newSetScope() *setScope {
	return &setScope{classes: map[objKey]string{}, plain: map[objKey]bool{}}
}

// scopedRule reports whether a rule's findings wait for the whole set.
func scopedRule(rule string) bool { return rule == RuleTenantGateway || rule == RuleFailoverMixed }

// note records what d, summarized as o, tells the scoped rules.
func (s *setScope) note(d *loader.Document, o *object) {
	if o.gateway != nil {
		spec, _ := d.Object["spec"].(map[string]any)
		s.classes[o.key], _ = spec["gatewayClassName"].(string)
	}
	ai := aiObject(d)
	s.ai = s.ai || ai
	if !ai && dataplane.IsBackendKind(o.key.kind) && slices.Contains(dataplane.Groups(), o.key.group) {
		s.plain[o.key] = true
	}
}

// aiObject reports whether d is an AI object: an object of a data plane's
// group (a Backend, AgentgatewayBackend, TrafficPolicy, AgentgatewayPolicy
// ...) with an ai or mcp section, at the top of its spec or under
// spec.backend (agentgateway's policies), or an Inference Extension
// InferencePool. A Static or DynamicForwardProxy backend, a policy of
// plain traffic fields, Gateway API kinds and core kinds are not.
func aiObject(d *loader.Document) bool {
	av, kind := d.Kind()
	group := groupOf(av)
	if kind == "InferencePool" && strings.HasPrefix(group, "inference.networking.") {
		return true
	}
	if !slices.Contains(dataplane.Groups(), group) {
		return false
	}
	spec, _ := d.Object["spec"].(map[string]any)
	backend, _ := spec["backend"].(map[string]any)
	for _, m := range []map[string]any{spec, backend} {
		for _, field := range []string{"ai", "mcp"} {
			if _, ok := m[field].(map[string]any); ok {
				return true
			}
		}
	}
	return false
}

// decide returns the held findings whose rule applies to the set, with
// their severity.
func (v *Validator) decide(s *setScope, objs []*object) []Finding {
	keys := map[objKey]bool{}
	for _, o := range objs {
		keys[o.key] = true
	}
	ai := s.ai
	for _, o := range objs {
		if o.route == nil {
			continue
		}
		for _, b := range o.route.backends {
			// A route to a data plane's backend kind defined elsewhere (on
			// the management cluster) is AI traffic; to one among the
			// inputs, that object says.
			ai = ai || dataplane.IsBackendKind(b.kind) && !keys[objKey{b.group, b.kind, b.ns, b.name}]
		}
	}
	alt, hasAlt := v.dp.OtherClass()
	var out []Finding
	for _, h := range s.held {
		f := h.f
		switch f.Rule {
		case RuleTenantGateway:
			if !ai {
				continue
			}
		case RuleFailoverMixed:
			if hasAlt && alt.Translates {
				classes := servingClasses(s, objs, h.o.key)
				if len(classes) > 0 && !slices.ContainsFunc(classes, func(c string) bool { return c != alt.Class }) {
					continue // served by the class that translates
				}
				if len(classes) == 0 {
					// No route and Gateway among the inputs says which
					// class serves the Backend: assume the Envoy class,
					// kgateway's own and the only one KubeLB 1.3 deploys.
					f = assume(f)
					f.Message += "; assuming the Backend is served by class " + v.target.GatewayClass + " (no HTTPRoute and Gateway among the inputs says)"
					f.Fix += "; on class " + alt.Class + ", which translates between providers, the chain works: --disable " + RuleFailoverMixed
				}
			}
		}
		f.Severity = v.severity(f)
		out = append(out, f)
	}
	return out
}

// servingClasses returns the classes of the Gateways among objs that are
// parents of an HTTPRoute with a backendRef to backend, each once.
func servingClasses(s *setScope, objs []*object, backend objKey) []string {
	var out []string
	for _, o := range objs {
		if o.route == nil || !slices.ContainsFunc(o.route.backends, func(b backendRef) bool {
			return objKey{b.group, b.kind, b.ns, b.name} == backend
		}) {
			continue
		}
		for _, p := range o.route.parents {
			if !p.isObject || p.group != gatewayGroup || p.kind != "Gateway" {
				continue
			}
			if c, ok := s.classes[objKey{gatewayGroup, "Gateway", p.ns, p.name}]; ok && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}
