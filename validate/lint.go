package validate

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Lint rule IDs: warnings about what the API server accepts but a
// production AI gateway should not run with.
const (
	RuleInlineKey     = "inline-key"
	RuleDevImage      = "dev-image"
	RuleNoRateLimit   = "no-rate-limit"
	RuleBearerPrefix  = "bearer-prefix"
	RuleGatewayClass  = "gateway-class"
	RuleTenantGateway = "tenant-gateway"
	RuleNoRouteTypes  = "no-route-types"
)

// LintRules lists the lint rules; all are on unless disabled.
var LintRules = []string{RuleInlineKey, RuleDevImage, RuleNoRateLimit, RuleBearerPrefix, RuleGatewayClass, RuleTenantGateway, RuleNoRouteTypes,
	RuleAuthHeaderClash, RuleFailClosedSingle, RuleKeyHash, RuleDescriptorMatch, RuleTokenNoUsage, RuleMCPAuthForwarded}

// credentialKeys are the Secret keys the data planes read credentials from,
// in lower case: a literal under any spelling of them is a committed key.
var credentialKeys = map[string]bool{"authorization": true, "accesskey": true, "secretkey": true, "sessiontoken": true}

var devTagRE = regexp.MustCompile(`(^|[-.])(main|master|dev|latest|nightly|snapshot)([-.]|$)`)

// lintDocument runs the enabled lint rules that look at one object.
func (v *Validator) lintDocument(d *loader.Document, enabled func(string) bool) []Finding {
	var out []Finding
	av, kind := d.Kind()
	group := groupOf(av)
	f := func(rule, path, msg, fix string) {
		if !enabled(rule) {
			return
		}
		line, col := d.Position(path)
		out = append(out, Finding{File: d.File, Line: line, Column: col, Object: objectName(d), Path: path, Severity: SeverityWarning, Rule: rule, Message: msg, Fix: fix})
	}
	// Committed credentials. The value itself is never repeated.
	if group == "" && kind == "Secret" {
		for _, field := range []string{"stringData", "data"} {
			m, _ := d.Object[field].(map[string]any)
			for _, key := range sortedKeys(m) {
				val, ok := m[key].(string)
				if !ok || val == "" || !credentialKeys[strings.ToLower(key)] {
					continue
				}
				if field == "data" {
					val = decodeBase64(val)
				}
				if isPlaceholder(val) {
					continue
				}
				f(RuleInlineKey, field+"["+key+"]", fmt.Sprintf("the Secret holds a literal credential in %s; manifests end up in git and CI logs", key),
					"replace the value with a ${VARIABLE} placeholder filled when applying (kubelb-ai generate --api-key-env P=VAR writes one), or create the Secret outside the manifests")
				if v.target.AddsBearer && key == dataplane.KeyAuthorization && strings.HasPrefix(val, "Bearer ") {
					f(RuleBearerPrefix, field+"["+key+"]", "agentgateway adds \"Bearer \" itself; a key stored with the prefix is sent as \"Bearer Bearer ...\"",
						"store the raw key in Authorization")
				}
			}
		}
	}
	walkMaps(d.Object, "", func(path string, m map[string]any) {
		if kind, _ := m["kind"].(string); kind == "Inline" {
			if s, ok := m["inline"].(string); ok && s != "" {
				f(RuleInlineKey, join(path, "inline"), "an inline auth token puts the API key in the manifest",
					"use kind: SecretRef with a Secret holding key Authorization")
			}
		}
		if field, ok := dataplane.InlineKey(group, path, m); ok {
			f(RuleInlineKey, join(path, field), "auth.key puts the API key in the manifest", "use auth.secretRef with a Secret holding key Authorization")
		}
		if img, ok := m["image"].(map[string]any); ok {
			if tag, _ := img["tag"].(string); devTagRE.MatchString(tag) {
				fix := "pin a release tag"
				if t := v.target; t.AIExtensionImage != nil {
					fix = fmt.Sprintf("pin the release %s ships: tag: %s", t.Name, t.AIExtensionImage.Tag)
				}
				f(RuleDevImage, join(path, "image.tag"), fmt.Sprintf("image tag %q is a development build, not a release", tag), fix)
			}
		}
	})
	v.lintClientDocument(d, f)
	if group == gatewayGroup && kind == "Gateway" {
		spec, _ := d.Object["spec"].(map[string]any)
		class, _ := spec["gatewayClassName"].(string)
		alt, hasAlt := v.dp.OtherClass()
		switch {
		case class == tenantClass:
			// Held until the set is read: reported only if it holds an AI object
			// (Validator.decide).
			f(RuleTenantGateway, "spec.gatewayClassName", "class kubelb is KubeLB's tenant Gateway, which only propagates routes to Services; AI backends are configured on the management cluster",
				fmt.Sprintf("use gatewayClassName: %s in namespace kubelb of the management cluster", v.target.GatewayClass))
		case hasAlt && class == alt.Class:
			f(RuleGatewayClass, "spec.gatewayClassName", alt.Message, alt.Fix)
		case class != "" && class != v.target.GatewayClass && slices.Contains(dataplane.GatewayClasses(), class):
			f(RuleGatewayClass, "spec.gatewayClassName", fmt.Sprintf("class %s does not serve target %s's AI kinds", class, v.target.Name),
				fmt.Sprintf("use gatewayClassName: %s, or validate with the target the cluster runs", v.target.GatewayClass))
		}
	}
	return out
}

// lintSet runs the enabled lint rules that need the whole set.
func (v *Validator) lintSet(objs []*object, scope *setScope, enabled func(string) bool) []Finding {
	var out []Finding
	if enabled(RuleNoRateLimit) {
		limited := rateLimitedRoutes(objs)
		// MCP backends of the input reach no LLM: a route to those alone
		// spends no provider quota. Nor do the data planes' backends
		// without an AI section (kgateway's Static, DynamicForwardProxy,
		// AWS Lambda Backends; agentgateway's static ones).
		noLLM := map[string]bool{}
		for _, o := range objs {
			if o.mcp != nil && o.mcp.Backend != nil && o.aiBack == nil {
				noLLM[o.key.namespace+"/"+o.key.name] = true
			}
		}
		toLLM := func(rt *routeFacts) bool {
			for _, b := range rt.backends {
				if dataplane.IsBackendKind(b.kind) && !noLLM[b.ns+"/"+b.name] && !scope.plain[objKey{b.group, b.kind, b.ns, b.name}] {
					return true
				}
			}
			return false
		}
		for _, o := range objs {
			if o.key.group != gatewayGroup || o.route == nil || !o.route.toAI || !toLLM(o.route) {
				continue
			}
			if !limited[o.key.namespace+"/"+o.key.name] {
				out = append(out, o.report("metadata.name", RuleNoRateLimit, "this route to an LLM has no rate limit: one client can spend the whole provider quota",
					fmt.Sprintf("add a rate-limit policy targeting HTTPRoute %s (kubelb-ai generate rate-limit --rate-limit 100/hour renders one)", o.key.name)))
			}
		}
	}
	if enabled(RuleNoRouteTypes) {
		mapped := routeTypedBackends(objs)
		for _, o := range objs {
			if o.aiBack != nil && !o.aiBack.routes && !mapped[o.key.namespace+"/"+o.key.name] {
				out = append(out, o.report("spec.ai", RuleNoRouteTypes,
					"every path is handled as chat completions: Responses, embeddings, token counting and model list calls fail",
					"map them in policies.ai.routes, e.g. /responses: Responses, /embeddings: Embeddings, /models: Passthrough (kubelb-ai generate does)"))
			}
		}
	}
	out = append(out, lintClients(objs, enabled)...)
	return append(out, lintMCP(objs, enabled)...)
}

// routeTypedBackends returns the backends (namespace/name) of a kind whose
// route types a policy maps (dataplane.RouteTypedBackend) that a policy
// mapping them reaches: directly, or through an HTTPRoute that references
// them or that route's Gateway.
func routeTypedBackends(objs []*object) map[string]bool {
	backends, routes, gateways := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, o := range objs {
		if o.policy == nil || !o.policy.aiRoutes {
			continue
		}
		for _, t := range o.policy.targets {
			key := o.key.namespace + "/" + t.nameText
			switch {
			case dataplane.RouteTypedBackend(t.kind):
				backends[key] = true
			case t.kind == "HTTPRoute":
				routes[key] = true
			case t.kind == "Gateway":
				gateways[key] = true
			}
		}
	}
	for _, o := range objs {
		if o.route == nil {
			continue
		}
		covered := routes[o.key.namespace+"/"+o.key.name]
		for _, p := range o.route.parents {
			covered = covered || p.isObject && gateways[p.explicitNS+"/"+p.nameText]
		}
		if !covered {
			continue
		}
		for _, b := range o.route.backends {
			if dataplane.RouteTypedBackend(b.kind) {
				backends[b.ns+"/"+b.name] = true
			}
		}
	}
	return backends
}

// rateLimitedRoutes returns the routes (namespace/name) a rate-limit policy
// targets directly or through their Gateway.
func rateLimitedRoutes(objs []*object) map[string]bool {
	limitedGateways, limited := map[string]bool{}, map[string]bool{}
	for _, o := range objs {
		if o.policy == nil || !o.policy.rateLimit {
			continue
		}
		for _, t := range o.policy.targets {
			switch t.kind {
			case "HTTPRoute":
				limited[o.key.namespace+"/"+t.nameText] = true
			case "Gateway":
				limitedGateways[o.key.namespace+"/"+t.nameText] = true
			}
		}
	}
	for _, o := range objs {
		if o.route == nil {
			continue
		}
		for _, p := range o.route.parents {
			if p.isObject && limitedGateways[p.explicitNS+"/"+p.nameText] {
				limited[o.key.namespace+"/"+o.key.name] = true
			}
		}
	}
	return limited
}

// ignoreComment starts a comment that suppresses findings:
// "# kubelb-ai:ignore=rule[,rule]" or "...=all".
const ignoreComment = "# kubelb-ai:ignore="

// suppressed reports whether an ignoreComment on the finding's line or the
// line above names its rule.
func suppressed(d *loader.Document, f Finding) bool {
	text := d.Text()
	if !bytes.Contains(text, []byte(ignoreComment)) {
		return false
	}
	lines := strings.Split(string(text), "\n")
	for _, ln := range []int{f.Line, f.Line - 1} {
		i := ln - d.Line
		if i < 0 || i >= len(lines) {
			continue
		}
		_, comment, ok := strings.Cut(lines[i], ignoreComment)
		if !ok {
			continue
		}
		rules := strings.FieldsFunc(strings.Fields(comment + " ")[0], func(r rune) bool { return r == ',' })
		if slices.Contains(rules, f.Rule) || slices.Contains(rules, "all") {
			return true
		}
	}
	return false
}
