package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/templates"
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
)

// LintRules lists the lint rules; all are on unless disabled.
var LintRules = []string{RuleInlineKey, RuleDevImage, RuleNoRateLimit, RuleBearerPrefix, RuleGatewayClass, RuleTenantGateway}

// credentialKeys are the Secret keys the data planes read credentials from,
// in lower case: a literal under any spelling of them is a committed key.
var credentialKeys = map[string]bool{"authorization": true, "accesskey": true, "secretkey": true, "sessiontoken": true}

var devTagRE = regexp.MustCompile(`(^|[-.])(main|master|dev|latest|nightly|snapshot)([-.]|$)`)

// lint runs the enabled lint rules over the whole input.
func (v *Validator) lint(docs []*loader.Document, enabled func(string) bool) []Finding {
	var out []Finding
	limited := rateLimitedRoutes(docs)
	for _, d := range docs {
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
					if _, placeholder := generate.ParseEnvMarker(strings.TrimPrefix(val, "Bearer ")); placeholder {
						continue
					}
					f(RuleInlineKey, field+"["+key+"]", fmt.Sprintf("the Secret holds a literal credential in %s; manifests end up in git and CI logs", key),
						"replace the value with a ${VARIABLE} placeholder filled when applying (kubelb-ai generate --api-key-env P=VAR writes one), or create the Secret outside the manifests")
					if v.target.Name == templates.Agentgateway && key == "Authorization" && strings.HasPrefix(val, "Bearer ") {
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
			if group == "agentgateway.dev" && strings.HasSuffix(path, "auth") {
				if s, ok := m["key"].(string); ok && s != "" {
					f(RuleInlineKey, join(path, "key"), "auth.key puts the API key in the manifest", "use auth.secretRef with a Secret holding key Authorization")
				}
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
		if group == gatewayGroup && kind == "Gateway" {
			spec, _ := d.Object["spec"].(map[string]any)
			class, _ := spec["gatewayClassName"].(string)
			switch {
			case class == "kubelb":
				f(RuleTenantGateway, "spec.gatewayClassName", "class kubelb is KubeLB's tenant Gateway, which only propagates routes to Services; AI backends are configured on the management cluster",
					fmt.Sprintf("use gatewayClassName: %s in namespace kubelb of the management cluster", v.target.GatewayClass))
			case class != "" && class != v.target.GatewayClass && (class == "kgateway" || class == "agentgateway"):
				f(RuleGatewayClass, "spec.gatewayClassName", fmt.Sprintf("class %s does not serve target %s's AI kinds", class, v.target.Name),
					fmt.Sprintf("use gatewayClassName: %s, or validate with the target the cluster runs", v.target.GatewayClass))
			}
		}
		if group == gatewayGroup && kind == "HTTPRoute" && routesToAI(d) {
			ns, name := d.Name()
			if !limited[ns+"/"+name] {
				f(RuleNoRateLimit, "metadata.name", "this route to an LLM has no rate limit: one client can spend the whole provider quota",
					fmt.Sprintf("add a rate-limit policy targeting HTTPRoute %s (kubelb-ai generate rate-limit --rate-limit 100/hour renders one)", name))
			}
		}
	}
	return out
}

// routesToAI reports whether an HTTPRoute sends traffic to an AI backend.
func routesToAI(d *loader.Document) bool {
	spec, _ := d.Object["spec"].(map[string]any)
	for _, r := range asList(spec["rules"]) {
		for _, b := range asList(r["backendRefs"]) {
			if k := b["kind"]; k == "Backend" || k == "AgentgatewayBackend" {
				return true
			}
		}
	}
	return false
}

// rateLimitedRoutes returns the routes (namespace/name) a rate-limit policy
// targets directly or through their Gateway.
func rateLimitedRoutes(docs []*loader.Document) map[string]bool {
	limitedGateways, limited := map[string]bool{}, map[string]bool{}
	for _, d := range docs {
		_, kind := d.Kind()
		spec, _ := d.Object["spec"].(map[string]any)
		has := false
		switch kind {
		case "TrafficPolicy":
			_, has = spec["rateLimit"]
		case "AgentgatewayPolicy":
			t, _ := spec["traffic"].(map[string]any)
			_, has = t["rateLimit"]
		}
		if !has {
			continue
		}
		ns, _ := d.Name()
		for _, ref := range asList(spec["targetRefs"]) {
			switch ref["kind"] {
			case "HTTPRoute":
				limited[fmt.Sprintf("%s/%v", ns, ref["name"])] = true
			case "Gateway":
				limitedGateways[fmt.Sprintf("%s/%v", ns, ref["name"])] = true
			}
		}
	}
	for _, d := range docs {
		if _, kind := d.Kind(); kind != "HTTPRoute" {
			continue
		}
		ns, name := d.Name()
		spec, _ := d.Object["spec"].(map[string]any)
		for _, p := range asList(spec["parentRefs"]) {
			pns := ns
			if n, ok := p["namespace"].(string); ok {
				pns = n
			}
			if limitedGateways[fmt.Sprintf("%s/%v", pns, p["name"])] {
				limited[ns+"/"+name] = true
			}
		}
	}
	return limited
}

// suppressed reports whether a "# kubelb-ai:ignore=rule[,rule]" comment on
// the finding's line or the line above names its rule.
func suppressed(d *loader.Document, f Finding) bool {
	lines := strings.Split(string(d.Raw), "\n")
	for _, ln := range []int{f.Line, f.Line - 1} {
		i := ln - d.Line
		if i < 0 || i >= len(lines) {
			continue
		}
		_, comment, ok := strings.Cut(lines[i], "# kubelb-ai:ignore=")
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
