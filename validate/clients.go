package validate

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/quota"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Lint rule IDs about client authentication and global rate limits.
const (
	RuleAuthHeaderClash  = "auth-header-clash"
	RuleFailClosedSingle = "rate-limit-fail-closed"
	RuleKeyHash          = "key-hash"
	RuleDescriptorMatch  = "rate-limit-descriptor"
	RuleTokenNoUsage     = "token-limit-no-usage"
)

// lintClientDocument runs the client rules that look at one object: the
// key hashes of a Secret's or ConfigMap's API-key entries.
func (v *Validator) lintClientDocument(d *loader.Document, f func(rule, path, msg, fix string)) {
	av, kind := d.Kind()
	if groupOf(av) != "" || (kind != "Secret" && kind != "ConfigMap") {
		return
	}
	for _, is := range dataplane.KeyEntryIssues(v.dp, d.Object) {
		f(RuleKeyHash, is.Path, is.Message, is.Fix)
	}
}

// lintClients runs the client rules that need the whole set.
func lintClients(objs []*object, enabled func(string) bool) []Finding {
	var out []Finding
	idx := newRefIndex(objs)
	if enabled(RuleAuthHeaderClash) {
		out = append(out, authHeaderClashes(idx, objs)...)
	}
	if enabled(RuleFailClosedSingle) {
		out = append(out, failClosedSingles(idx, objs)...)
	}
	if enabled(RuleDescriptorMatch) {
		out = append(out, unmatchedDescriptors(idx, objs)...)
	}
	if enabled(RuleTokenNoUsage) {
		out = append(out, tokenLimitsWithoutUsage(idx, objs)...)
	}
	return out
}

// tokenLimitsWithoutUsage finds token limits on a route none of whose
// backends reports token usage to the data plane (a Service, a backend that
// is no LLM backend, or one whose route types parse nothing): the limit
// never counts a token. A route with a backend not among the inputs, or of
// a kind no data plane describes, or whose route types a policy maps (the
// data plane merges them with the backend's), is left alone.
func tokenLimitsWithoutUsage(idx *refIndex, objs []*object) []Finding {
	var out []Finding
	var mapped map[string]bool // routeTypedBackends, computed when needed
	for _, o := range objs {
		if o.clients == nil || len(o.clients.TokenLimits) == 0 {
			continue
		}
		if mapped == nil {
			mapped = routeTypedBackends(objs)
		}
		for _, rt := range routesOf(objs, o) {
			why := noTokenUsage(idx, rt, mapped)
			if why == "" {
				continue
			}
			for _, path := range o.clients.TokenLimits {
				out = append(out, o.report(path, RuleTokenNoUsage,
					fmt.Sprintf("this limit counts LLM tokens, but no backend of route %s reports token usage (%s): the limit never counts anything", rt.key.name, why),
					"limit requests instead (requests: on a local limit, unit: Requests on a descriptor), or map the paths to a route type the gateway parses (e.g. Completions, Messages, Responses) instead of Passthrough"))
			}
		}
	}
	return out
}

// noTokenUsage says why no backend of route rt reports token usage, or ""
// when one may.
func noTokenUsage(idx *refIndex, rt *object, mapped map[string]bool) string {
	var reasons []string
	for _, b := range rt.route.backends {
		back := idx.get(b.group, b.kind, b.ns, b.name)
		switch {
		case back == nil, mapped[b.ns+"/"+b.name]:
			return ""
		case b.group == "" && b.kind == "Service":
			reasons = append(reasons, fmt.Sprintf("Service %s/%s is no LLM backend", b.ns, b.name))
		case back.clients == nil || back.clients.Backend == nil || back.clients.Backend.NoTokenUsage == "":
			return ""
		default:
			reasons = append(reasons, fmt.Sprintf("%s %s/%s %s", b.kind, b.ns, b.name, back.clients.Backend.NoTokenUsage))
		}
	}
	return strings.Join(reasons, "; ")
}

// resolved returns l with the service, failure mode and domain of the
// object its Extension names, when it names one among the inputs.
func resolved(idx *refIndex, o *object, l dataplane.PolicyGlobalLimit) dataplane.PolicyGlobalLimit {
	if l.Extension == nil {
		return l
	}
	ns := l.Extension.Namespace
	if ns == "" {
		ns = o.key.namespace
	}
	ext := idx.get(l.Extension.Group, l.Extension.Kind, ns, l.Extension.Name)
	if ext == nil || ext.clients == nil || len(ext.clients.Global) != 1 {
		return l
	}
	l.Domain = ext.clients.Global[0].Domain
	return l
}

// authHeaderClashes finds API-key authentication reading Authorization on a
// route to a backend that passes the client's Authorization to the
// provider: the client cannot send both the gateway key and the provider's
// in one header.
func authHeaderClashes(idx *refIndex, objs []*object) []Finding {
	var out []Finding
	for _, o := range objs {
		if o.clients == nil || o.clients.APIKeyAuthorization == "" {
			continue
		}
		seen := map[string]bool{} // a route naming one backend twice is one finding
		for _, rt := range routesOf(objs, o) {
			for _, b := range rt.route.backends {
				back := idx.get(b.group, b.kind, b.ns, b.name)
				key := rt.key.name + "/" + b.ns + "/" + b.name
				if back == nil || !back.passthrough || seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, o.report(o.clients.APIKeyAuthorization, RuleAuthHeaderClash,
					fmt.Sprintf("API keys are read from the Authorization header, and backend %s/%s (route %s) passes the client's Authorization to the provider (policies.auth.passthrough): both want the header, so the provider receives the gateway key", b.ns, b.name, rt.key.name),
					"read the client key from another header (location.header.name: x-api-key, agentgateway v1.3.1+), or give the backend its own credential (policies.auth.secretRef)"))
			}
		}
	}
	return out
}

// routesOf returns the HTTPRoutes a policy targets directly or through
// their Gateway, in input order, each once.
func routesOf(objs []*object, p *object) []*object {
	if p.policy == nil {
		return nil
	}
	routes, gateways := map[string]bool{}, map[string]bool{}
	for _, t := range p.policy.targets {
		switch {
		case t.group == gatewayGroup && t.kind == "HTTPRoute":
			routes[t.name] = true
		case t.group == gatewayGroup && t.kind == "Gateway":
			gateways[t.name] = true
		}
	}
	var out []*object
	for _, o := range objs {
		if o.route == nil || o.key.group != gatewayGroup {
			continue
		}
		hit := o.key.namespace == p.key.namespace && routes[o.key.name]
		for _, pr := range o.route.parents {
			hit = hit || pr.isObject && pr.group == gatewayGroup && pr.kind == "Gateway" && pr.ns == p.key.namespace && gateways[pr.name]
		}
		if hit {
			out = append(out, o)
		}
	}
	return out
}

// failClosedSingles finds global limits that fail closed on a rate-limit
// service run by one replica (a Deployment of the input whose pods the
// Service selects): every restart or eviction of that pod fails every
// request of the route.
func failClosedSingles(idx *refIndex, objs []*object) []Finding {
	var out []Finding
	for _, o := range objs {
		if o.clients == nil {
			continue
		}
		for _, l := range o.clients.Global {
			if !l.FailClosed || l.Service == "" {
				continue
			}
			ns := l.Namespace
			if ns == "" {
				ns = o.key.namespace
			}
			svc := idx.get("", "Service", ns, l.Service)
			if svc == nil || len(svc.selector) == 0 {
				continue
			}
			for _, d := range objs {
				if d.deploy == nil || d.key.namespace != ns || d.deploy.replicas != 1 || !selects(svc.selector, d.deploy.labels) {
					continue
				}
				path := l.FailurePath
				if path == "" {
					path = l.Path
				}
				out = append(out, o.report(path, RuleFailClosedSingle,
					fmt.Sprintf("%s with rate-limit Service %s/%s run by one replica (Deployment %s): while that pod restarts every request this limit covers fails", l.FailClosedText, ns, l.Service, d.key.name),
					fmt.Sprintf("run at least 2 replicas of Deployment %s, or %s", d.key.name, l.FailOpenFix)))
				break
			}
		}
	}
	return out
}

// selects reports whether selector matches labels.
func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// unmatchedDescriptors finds global limit descriptors that no descriptor of
// the rate-limit service's configuration for their domain matches, when the
// input holds that configuration: the service answers OK and nothing is
// ever limited. An entry with a literal value must match that value (or a
// value-less or wildcard descriptor); any other entry only a value-less or
// wildcard one.
func unmatchedDescriptors(idx *refIndex, objs []*object) []Finding {
	configs := map[string]*quota.Config{}
	for _, o := range objs {
		for _, c := range o.rateLimitConfigs {
			if _, dup := configs[c.Domain]; !dup {
				configs[c.Domain] = c
			}
		}
	}
	if len(configs) == 0 {
		return nil
	}
	var out []Finding
	for _, o := range objs {
		if o.clients == nil {
			continue
		}
		for _, l := range o.clients.Global {
			l = resolved(idx, o, l)
			cfg := configs[l.Domain]
			if cfg == nil {
				continue
			}
			for _, d := range l.Descriptors {
				if len(d.Entries) == 0 || limited(cfg, d) {
					continue
				}
				out = append(out, o.report(d.Path, RuleDescriptorMatch,
					fmt.Sprintf("descriptor %s matches no descriptor of the rate-limit configuration for domain %q: the service answers OK and this limit never applies", describe(d), l.Domain),
					"add a descriptor with these keys, nested in this order, to the rate-limit ConfigMap (value-less where the entry is not a literal), or correct the entries' names"))
			}
		}
	}
	return out
}

// dynamicValue stands for an entry's computed value: it equals no literal
// value of a configuration, as no value is known before a request.
const dynamicValue = "\x00"

// limited asks a fresh in-memory rate-limit engine of cfg whether a limit
// applies to d, so that matching is the service's own.
func limited(cfg *quota.Config, d dataplane.LimitDescriptor) bool {
	var entries []quota.Entry
	for _, e := range d.Entries {
		v := dynamicValue
		if e.Fixed {
			v = e.Value
		}
		entries = append(entries, quota.Entry{Key: e.Key, Value: v})
	}
	res, err := quota.NewMemory(cfg, nil).ShouldRateLimit(context.Background(), cfg.Domain, [][]quota.Entry{entries}, 0)
	if err != nil || len(res.Statuses) == 0 {
		return true // no verdict: say nothing
	}
	st := res.Statuses[0]
	return st.Limit != nil || st.Remaining == math.MaxUint32
}

// describe writes a descriptor's entries as key=value, key=<expression>.
func describe(d dataplane.LimitDescriptor) string {
	var parts []string
	for _, e := range d.Entries {
		v := "<expression>"
		if e.Fixed {
			v = fmt.Sprintf("%q", e.Value)
		}
		parts = append(parts, e.Key+"="+v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// rateLimitConfigs parses the YAML files of a ConfigMap as rate-limit
// service configurations, keeping those that are one.
func rateLimitConfigs(obj map[string]any) []*quota.Config {
	data, _ := obj["data"].(map[string]any)
	var out []*quota.Config
	for _, k := range sortedKeys(data) {
		s, ok := data[k].(string)
		if !ok || !(strings.HasSuffix(k, ".yaml") || strings.HasSuffix(k, ".yml")) {
			continue
		}
		if c, err := quota.ParseConfig([]byte(s)); err == nil && c.Domain != "" {
			out = append(out, c)
		}
	}
	return out
}

// stringMap returns the string values of a decoded map.
func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out
}
