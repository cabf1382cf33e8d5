package proxy

import (
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
)

// Workaround says how serve runs manifests despite a validation finding
// (the defects of KubeLB's v1.2/v1.3 tutorial that the cluster would
// refuse but serve can honour or ignore), or "" when it cannot: such a
// finding stops serve, at start and at every reload alike.
func Workaround(rule, object, path string) string {
	kind, _, _ := strings.Cut(object, " ")
	switch {
	case rule == "unknown-kind" && isKind(kind, func(k dataplane.Adapter) []string { return []string{k.Facts().Kinds.TutorialRateLimit} }):
		return "serve enforces the tutorial's " + kind + " as the target's local rate limit"
	case rule == "unknown-field" && strings.HasSuffix(path, ".secretRef.namespace"):
		return "serve ignores secretRef.namespace: the Secret is the one in the backend's namespace"
	case kind == "GatewayClass" || isKind(kind, func(k dataplane.Adapter) []string { return []string{k.Facts().API.Parameters} }):
		return "serve does not use " + kind
	}
	return ""
}

// isKind reports whether kind is among the kinds of any data plane.
func isKind(kind string, kinds func(dataplane.Adapter) []string) bool {
	return kind != "" && slices.ContainsFunc(dataplane.All(), func(a dataplane.Adapter) bool { return slices.Contains(kinds(a), kind) })
}
