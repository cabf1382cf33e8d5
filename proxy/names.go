package proxy

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/mcp"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/internal/suggest"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// UnknownNameError is a name given to serve (--listen, --upstream) that
// the manifests do not define: a typo would otherwise be ignored and, for
// --upstream, send prompts and the real key to the provider's public host.
type UnknownNameError struct {
	Flag, Name, What string
	Known            []string
}

func (e *UnknownNameError) Error() string {
	known := "none"
	if len(e.Known) > 0 {
		known = strings.Join(e.Known, ", ")
	}
	return fmt.Sprintf("%s %s: the manifests have no %s named %q%s; known: %s", e.Flag, e.Name, e.What, e.Name, suggest.DidYouMean(e.Name, e.Known), known)
}

// CheckNames holds the names opts gives (--listen, --upstream) against
// what the manifests define; serve checks them when it starts (a reload
// may drop a provider that --upstream still names: that is no typo).
func (c *Config) CheckNames(opts Options) error {
	if err := known("--listen", "listener", keysOf(opts.Listen), c.names["--listen"]); err != nil {
		return err
	}
	return known("--upstream", "provider, Service, guard webhook, rate-limit service, JWT key set or tracing collector", keysOf(opts.Upstreams), c.names["--upstream"])
}

// definedNames are the names the manifests define for each flag: the
// Gateway's listeners; the providers, the Services routes send to and the
// guard webhooks' hosts.
func definedNames(g *spec.AIGateway, gateway *gwv1.Gateway, routes []*gwv1.HTTPRoute) map[string][]string {
	var listeners, upstreams []string
	for _, l := range gateway.Spec.Listeners {
		listeners = append(listeners, string(l.Name))
	}
	for _, p := range g.Spec.Providers {
		upstreams = append(upstreams, p.Name)
	}
	for _, r := range routes {
		for _, rule := range r.Spec.Rules {
			for _, ref := range rule.BackendRefs {
				if ref.Kind == nil || *ref.Kind == "Service" {
					upstreams = append(upstreams, string(ref.Name))
				}
			}
		}
	}
	for _, host := range webhookHosts(g) {
		upstreams = append(upstreams, host, strings.SplitN(host, ".", 2)[0])
	}
	// The Services global limits and JWT key sets are asked of, and the
	// trace collector.
	var services []string
	if r := g.Spec.RateLimitService; r != nil && g.Spec.HasGlobalLimit() {
		services = append(services, r.Service)
	}
	if c := g.Spec.Clients; c != nil && c.JWT != nil && c.JWT.JWKS.Service != "" {
		services = append(services, c.JWT.JWKS.Service)
	}
	if o := g.Spec.Observability; o != nil && o.Tracing != nil && o.Tracing.Service != "" {
		services = append(services, o.Tracing.Service)
	}
	for _, svc := range services {
		if name, _, _, ok := spec.ServiceAddress(svc); ok {
			upstreams = append(upstreams, name)
		}
	}
	return map[string][]string{"--listen": listeners, "--upstream": upstreams}
}

// known reports the first of names that is not among valid.
func known(flag, what string, names, valid []string) error {
	slices.Sort(valid)
	valid = slices.Compact(valid)
	slices.Sort(names)
	for _, n := range names {
		if !slices.Contains(valid, n) {
			return &UnknownNameError{Flag: flag, Name: n, What: what, Known: valid}
		}
	}
	return nil
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// webhookHosts are the hosts of the Spec's guard webhooks, as --upstream
// may name them.
func webhookHosts(g *spec.AIGateway) []string {
	var hosts []string
	for _, hooks := range guardWebhooks(g, nil) {
		for _, h := range hooks {
			if h != nil {
				host, _, err := net.SplitHostPort(h.url.Host)
				if err != nil {
					host = h.url.Host
				}
				hosts = append(hosts, host)
			}
		}
	}
	return hosts
}

// localWarnings are what in the manifests cannot work on this machine: no
// HTTPRoute on any listener, a route to a backend the manifests do not
// hold, a route to a Service no --upstream gives an address.
func localWarnings(routes []*gwv1.HTTPRoute, chains map[string]*Chain, mcps map[string]*mcp.Gateway, upstreams map[string]*url.URL, listeners []any) []string {
	var out []string
	attached := 0
	for _, l := range listeners {
		if m, ok := l.(map[string]any); ok {
			if names, ok := m["routes"].([]string); ok {
				attached += len(names)
			}
		}
	}
	if attached == 0 {
		out = append(out, "no HTTPRoute attaches to the Gateway's listeners: every request will get 404")
	}
	for _, r := range routes {
		for _, rule := range r.Spec.Rules {
			for _, ref := range rule.BackendRefs {
				name := string(ref.Name)
				switch {
				case ref.Kind == nil || *ref.Kind == "Service":
					if upstreams[name] == nil {
						out = append(out, fmt.Sprintf("HTTPRoute %s/%s sends to Service %s, which has no local address: give one with --upstream %s=URL", r.Namespace, r.Name, name, name))
					}
				case chains[name] == nil && mcps[name] == nil:
					out = append(out, fmt.Sprintf("HTTPRoute %s/%s sends to %s %s, which is not among the manifests: those requests will fail", r.Namespace, r.Name, *ref.Kind, name))
				}
			}
		}
	}
	for name, ch := range chains {
		out = append(out, ch.clusterDifferences(name)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// clusterDifferences are what serve answers on backend name that
// agentgateway on the cluster refuses: a Responses route to a provider
// that speaks Anthropic's Messages only (agentgateway v1.4.1 answers 503
// "unsupported conversion"; serve translates).
func (c *Chain) clusterDifferences(name string) []string {
	var out []string
	for _, rt := range c.RouteTypes {
		if rt.Type != "Responses" {
			continue
		}
		for _, up := range c.Upstreams {
			if up.Format == wire.Anthropic {
				out = append(out, fmt.Sprintf("backend %s maps %s to Responses for Anthropic provider %s: serve translates it, agentgateway on the cluster refuses it (503)", name, rt.Suffix, up.Name))
			}
		}
	}
	return out
}
