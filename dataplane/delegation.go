package dataplane

// Delegation is how a data plane lets an HTTPRoute hand its requests to
// other HTTPRoutes (route delegation): a backendRef to HTTPRoutes selects
// child routes, which attach through their own parentRefs.
type Delegation struct {
	// Wildcards are the backendRef names that select every HTTPRoute of
	// the reference's namespace.
	Wildcards []string
	// NameLabels: a backendRef name key=value selects the HTTPRoutes of
	// the namespace labelled so.
	NameLabels bool
	// LabelGroup and LabelKind name a second kind of reference whose name
	// is the value of the label LabelKey on the child routes; AllNamespaces
	// is the namespace that means any namespace. Empty: none.
	LabelGroup, LabelKind, LabelKey, AllNamespaces string
	// ParentlessGrant: a child route without parentRefs in another
	// namespace than its parent needs a ReferenceGrant in its namespace
	// from HTTPRoutes of the parent's namespace. A child that names its
	// parent in parentRefs never does.
	ParentlessGrant bool
	// GatewayParentsExclude: a route whose parentRefs name only Gateways
	// is attached directly and is nobody's child.
	GatewayParentsExclude bool
}

// kgatewayDelegation is kgateway's: an HTTPRoute backendRef named "" or
// "*" selects every HTTPRoute of the namespace, another name that route
// (internal/kgateway/query/httproute.go, fetchChildRoutes); a
// delegation.kgateway.dev/label reference selects the routes labelled
// delegation.kgateway.dev/label with its name, "all" standing for every
// namespace (api/labels/delegation.go). No ReferenceGrant is consulted.
var kgatewayDelegation = Delegation{
	Wildcards:  []string{"", "*"},
	LabelGroup: "delegation.kgateway.dev", LabelKind: "label", LabelKey: "delegation.kgateway.dev/label", AllNamespaces: "all",
}

// agentgatewayDelegation is agentgateway's route groups
// (controller/pkg/agentgateway/translator/route_collections.go): "*"
// selects every HTTPRoute of the namespace, key=value those labelled so,
// another name that route; a child has no parentRefs or names an
// HTTPRoute among them; a parentless child in another namespace needs a
// ReferenceGrant (references_collection.go, ParentlessHTTPRouteAllowed,
// under the default grant mode).
var agentgatewayDelegation = Delegation{Wildcards: []string{"*"}, NameLabels: true, ParentlessGrant: true, GatewayParentsExclude: true}

func (kgateway20) RouteDelegation() Delegation   { return kgatewayDelegation }
func (kgateway21) RouteDelegation() Delegation   { return kgatewayDelegation }
func (agentgateway) RouteDelegation() Delegation { return agentgatewayDelegation }
