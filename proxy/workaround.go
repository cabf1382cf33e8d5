package proxy

import "strings"

// Workaround says how serve runs manifests despite a validation finding
// (the defects of KubeLB's v1.2/v1.3 tutorial that the cluster would
// refuse but serve can honour or ignore), or "" when it cannot: such a
// finding stops serve, at start and at every reload alike.
func Workaround(rule, object, path string) string {
	kind, _, _ := strings.Cut(object, " ")
	switch {
	case rule == "unknown-kind" && kind == "RateLimitPolicy":
		return "serve enforces the tutorial's RateLimitPolicy as the target's local rate limit"
	case rule == "unknown-field" && strings.HasSuffix(path, ".secretRef.namespace"):
		return "serve ignores secretRef.namespace: the Secret is the one in the backend's namespace"
	case kind == "GatewayParameters" || kind == "AgentgatewayParameters" || kind == "GatewayClass":
		return "serve does not use " + kind
	}
	return ""
}
