package spec

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/internal/suggest"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Route types: the API format agentgateway handles on a path (its
// AIPolicy routes values). A path no key matches is chat completions.
const (
	RouteCompletions         = "Completions"
	RouteMessages            = "Messages"
	RouteResponses           = "Responses"
	RouteAnthropicTokenCount = "AnthropicTokenCount"
	RouteEmbeddings          = "Embeddings"
	RouteRerank              = "Rerank"
	RouteRealtime            = "Realtime"
	RouteDetect              = "Detect"
	RoutePassthrough         = "Passthrough"
	RouteModels              = "Models"
)

// RouteTypes lists the route type names agentgateway knows.
var RouteTypes = []string{RouteCompletions, RouteMessages, RouteResponses, RouteAnthropicTokenCount, RouteEmbeddings,
	RouteRerank, RouteRealtime, RouteDetect, RoutePassthrough, RouteModels}

// CatchAll is the routes key that matches a path no suffix matched.
const CatchAll = "*"

// routeTypeDefault is one entry of the default route-type map.
type routeTypeDefault struct {
	suffix, routeType string
	// rerank: only where the KubeLB release's agentgateway knows Rerank.
	rerank bool
	// unread: the request is forwarded without being read, so the entry is
	// left out on routes whose policies read request bodies.
	unread bool
}

// routeTypeDefaults is what a route maps unless it sets routeTypes.
// agentgateway matches keys as suffixes of the request path, longest first,
// and no URL rewrite strips the route's prefix, so keys leave out the
// version: an SDK with base URL http://HOST/openai posts to
// /openai/chat/completions, one with .../openai/v1 to
// /openai/v1/chat/completions, and both must match. Typed requests go to
// the provider's own path whatever the client's.
var routeTypeDefaults = []routeTypeDefault{
	// OpenAI chat completions: what every OpenAI-compatible SDK calls.
	{suffix: "/chat/completions", routeType: RouteCompletions},
	// Anthropic Messages clients; translated for non-Anthropic providers.
	{suffix: "/messages", routeType: RouteMessages},
	// Anthropic token counting: longer than /messages, so it wins there,
	// and answered by the provider or estimated by the gateway.
	{suffix: "/messages/count_tokens", routeType: RouteAnthropicTokenCount},
	// OpenAI Responses API (the OpenAI SDKs' and agents' newer API).
	{suffix: "/responses", routeType: RouteResponses},
	// OpenAI embeddings.
	{suffix: "/embeddings", routeType: RouteEmbeddings},
	// The model list, forwarded: the Models type makes agentgateway answer
	// 501 itself. A GET without a prompt, so no policy has anything to read
	// and it is mapped on guarded routes too.
	{suffix: "/models", routeType: RoutePassthrough},
	// Cohere-style rerank (/v1/rerank, /v2/rerank), a route type since
	// agentgateway v1.3.1.
	{suffix: "/rerank", routeType: RouteRerank, rerank: true},
	// Every other provider path (files, batches, audio, ...) is forwarded
	// unread, which would bypass the route's body policies.
	{suffix: CatchAll, routeType: RoutePassthrough, unread: true},
}

// DefaultRouteTypes is the route-type map of route r when it sets none.
func DefaultRouteTypes(s *Spec, r *Route) map[string]string {
	rerank := RerankSupported(s.KubeLB)
	bodyRead := len(BodyPolicies(r.Policies)) > 0
	out := map[string]string{}
	for _, d := range routeTypeDefaults {
		if d.rerank && !rerank || d.unread && bodyRead {
			continue
		}
		out[d.suffix] = d.routeType
	}
	return out
}

// RouteTypesOf is the route-type map generate renders for route r: its
// own routeTypes, else the default.
func RouteTypesOf(s *Spec, r *Route) map[string]string {
	if len(r.RouteTypes) > 0 {
		return maps.Clone(r.RouteTypes)
	}
	return DefaultRouteTypes(s, r)
}

// BodyPolicies names the policies of p that read the request body: a
// request forwarded unread (Passthrough, Realtime) escapes them.
func BodyPolicies(p *Policies) []string {
	if p == nil {
		return nil
	}
	var out []string
	if !p.PromptGuard.Empty() {
		out = append(out, "promptGuard")
	}
	if pr := p.Prompt; pr != nil && (len(pr.Prepend) > 0 || len(pr.Append) > 0) {
		out = append(out, "prompt")
	}
	if len(p.Defaults) > 0 {
		out = append(out, "defaults")
	}
	if p.TokenLimit != nil {
		out = append(out, "tokenLimit")
	}
	return out
}

// RerankSupported reports whether KubeLB release kubelb runs an
// agentgateway that knows the Rerank route type. Empty is every release of
// the target, so no.
func RerankSupported(kubelb string) bool { return dataPlaneSince(kubelb, rerankSince) }

// RerankKubeLB is the oldest KubeLB release whose agentgateway knows Rerank.
func RerankKubeLB() string { return kubelbFor(rerankSince) }

func rerankSince(t templates.Target) string { return t.RerankSince }

// versionAtLeast compares vMAJOR.MINOR.PATCH release names.
func versionAtLeast(have, want string) bool {
	var h, w [3]int
	fmt.Sscanf(strings.TrimPrefix(have, "v"), "%d.%d.%d", &h[0], &h[1], &h[2])
	fmt.Sscanf(strings.TrimPrefix(want, "v"), "%d.%d.%d", &w[0], &w[1], &w[2])
	return slices.Compare(h[:], w[:]) >= 0
}

// unreadRouteTypes are the types whose requests reach the provider without
// the gateway reading the body.
var unreadRouteTypes = []string{RoutePassthrough, RouteRealtime}

// isModelList reports whether a routes key is a model-list path, which
// carries no body and may pass through on any route.
func isModelList(suffix string) bool { return strings.HasSuffix(suffix, "/models") }

// checkRouteTypes reports unknown names, Rerank where the KubeLB release
// lacks it, and unread types on routes whose policies read bodies.
func checkRouteTypes(e *errs, path string, s *Spec, r *Route, t templates.Target) {
	if len(r.RouteTypes) == 0 {
		return
	}
	path += ".routeTypes"
	if !t.Features.RouteTypes {
		e.add(path, "target %s handles every request as chat completions and has no route types; targets that have them: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.RouteTypes }))
		return
	}
	body := BodyPolicies(r.Policies)
	for _, suffix := range slices.Sorted(maps.Keys(r.RouteTypes)) {
		rt := r.RouteTypes[suffix]
		switch {
		case suffix != CatchAll && !strings.HasPrefix(suffix, "/"):
			e.add(path, "key %q must be a path suffix starting with / (e.g. /v1/embeddings) or %q for every other path", suffix, CatchAll)
		case strings.Contains(suffix, "*") && suffix != CatchAll:
			e.add(path, "key %q: %q is only a key of its own; agentgateway matches keys as literal path suffixes", suffix, CatchAll)
		}
		switch {
		case !slices.Contains(RouteTypes, rt):
			e.add(path, "%q: unknown route type %q%s: use one of %s", suffix, rt, suggest.DidYouMean(rt, RouteTypes), strings.Join(RouteTypes, ", "))
		case rt == RouteRerank && !RerankSupported(s.KubeLB):
			e.add(path, "%q: route type Rerank needs %s %s or later (KubeLB %s+); set spec.kubelb to the release the manifests are for, e.g. kubelb: %q",
				suffix, t.CRDs.Project, t.RerankSince, RerankKubeLB(), RerankKubeLB())
		case slices.Contains(unreadRouteTypes, rt) && len(body) > 0 && (suffix == CatchAll || !isModelList(suffix)):
			e.add(path, "%q: %s forwards requests without reading them, so they would bypass this route's %s; map the path to a type the gateway parses or drop the entry",
				suffix, rt, strings.Join(body, ", "))
		}
	}
}
