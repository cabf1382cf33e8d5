// Package dataplane is the one home of what tells the data planes apart.
// Each target (kgateway v2.0, kgateway v2.1, agentgateway) is one Adapter:
// it renders and parses its own kinds, recognises its manifests and its
// CRDs, and reads its policies into the neutral model. The facts that are
// data (groups, kinds, readiness, limits, releases) live in
// templates/targets.yaml; the Adapter reads them through Facts.
//
// Everything else asks the registry (Lookup, All, Detect, ...) and never
// compares target names, API groups or data-plane kinds itself; a test in
// this package greps the tree to keep it so.
package dataplane

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Object is a typed Kubernetes object: Gateway API, core or one of the
// project's own API types.
type Object interface {
	metav1.Object
	runtime.Object
}

// Adapter is one data plane: what render, parse, detection, validate and
// serve need to know of it beyond the Gateway API.
type Adapter interface {
	Checker // what validate asks of it (validate.go)
	// Facts are the target's data from templates/targets.yaml.
	Facts() templates.Target

	// Parameters renders the gateway-parameters object and how the
	// Gateway refers to it.
	Parameters(s *spec.Spec, meta metav1.ObjectMeta) (Object, gwv1.LocalParametersReference)
	// Backend renders one failover chain as the target's backend kind.
	Backend(s *spec.Spec, b spec.Backend, route *spec.Route, meta metav1.ObjectMeta) (Object, error)
	// BackendRef is the group and kind HTTPRoutes use to reach a backend.
	BackendRef() (gwv1.Group, gwv1.Kind)
	// RateLimit renders the route's rate-limit policy, or nil.
	RateLimit(route *spec.Route, meta metav1.ObjectMeta) Object
	// AIPolicy renders the route's AI policy object (guards, enrichment,
	// defaults), or nil.
	AIPolicy(route *spec.Route, meta metav1.ObjectMeta) Object
	// CORS renders the route's CORS policy, or nil.
	CORS(route *spec.Route, meta metav1.ObjectMeta) Object
	// Traffic renders the one policy that holds all of the route's
	// traffic fields (clients, local and global limits, CORS) when
	// MergedTraffic says so, or nil; RateLimit and CORS are then not
	// rendered. Data planes drop a singular field two policies on one
	// target set, so a route never gets two.
	Traffic(s *spec.Spec, route *spec.Route, meta metav1.ObjectMeta) Object
	// RateLimitService renders the gateway-wide object that points the
	// data plane at the rate-limit service, or nil where policies name it
	// themselves.
	RateLimitService(s *spec.Spec, meta metav1.ObjectMeta) Object
	// MCPBackend renders an MCP gateway's backend object (its servers);
	// an error where the data plane has none (spec.Check says so first).
	MCPBackend(s *spec.Spec, m *spec.MCPGateway, meta metav1.ObjectMeta) (Object, error)
	// MCPAuthorization renders the policy of an MCP gateway's allow
	// rules on its backend, or nil.
	MCPAuthorization(m *spec.MCPGateway, meta metav1.ObjectMeta) Object
	// Tracing renders the gateway-wide policy that sends spans to the
	// Spec's collector, or nil without tracing; an error where the data
	// plane cannot (spec.Check says so first).
	Tracing(s *spec.Spec, meta metav1.ObjectMeta) (Object, error)

	// ParseParameters reads the gateway-parameters object back.
	ParseParameters(obj []byte) (serviceType string, issues []string, err error)
	// ParseBackend reads one backend object back as a failover chain.
	ParseBackend(obj []byte) (ParsedBackend, []string, error)
	// ParsePolicy reads a policy object back: what it attaches to and
	// what it sets.
	ParsePolicy(obj []byte) (ParsedPolicy, []string, error)
	// ParseExtension reads a gateway-wide extension object (a parameters
	// kind other than Parameters) back: the rate-limit service it names,
	// or nil with issues.
	ParseExtension(obj []byte) (*spec.RateLimitService, []string, error)
}

// claim is how surely an object names its target.
type claim int

const (
	claimNone claim = iota
	// claimFamily: the object belongs to the target's project but not
	// only to this release (a kgateway kind both releases have).
	claimFamily
	// claimRelease: the object has a shape only this release has.
	claimRelease
)

// adapters are the registered data planes, in the order of targets.yaml.
var adapters = []Adapter{kgateway20{}, kgateway21{}, agentgateway{}}

// All returns every adapter, oldest data plane first.
func All() []Adapter { return adapters }

// Lookup returns the adapter of the target called name.
func Lookup(name string) (Adapter, error) {
	for _, a := range adapters {
		if a.Facts().Name == name {
			return a, nil
		}
	}
	_, err := templates.LookupTarget(name)
	if err == nil {
		err = fmt.Errorf("target %q has no adapter", name)
	}
	return nil, err
}

// Default is the adapter of the default target.
func Default() Adapter {
	a, err := Lookup(templates.DefaultTarget().Name)
	if err != nil {
		panic(err) // the registry and targets.yaml are tested to agree
	}
	return a
}

// IsBackend reports whether group/kind is a data plane's backend kind: where
// routes send AI traffic.
func IsBackend(group, kind string) bool {
	for _, a := range adapters {
		t := a.Facts()
		if group == t.API.Group && slices.Contains(t.Kinds.Backends, kind) {
			return true
		}
	}
	return false
}

// IsTutorialRateLimit reports whether an object of apiVersion and kind is
// the rate-limit kind KubeLB's tutorial wrote, which no release has.
func IsTutorialRateLimit(apiVersion, kind string) bool {
	for _, a := range adapters {
		t := a.Facts()
		if t.Kinds.TutorialRateLimit != "" && kind == t.Kinds.TutorialRateLimit && groupOf(apiVersion) == t.API.Group {
			return true
		}
	}
	return false
}

// Role is the part a data plane's kind plays for apply and wait.
type Role int

const (
	// RoleNone: not a kind of any data plane.
	RoleNone Role = iota
	// RoleParameters: applied before the Gateway that refers to it.
	RoleParameters
	// RoleBackend: applied before the routes that refer to it; reports
	// Accepted in status.conditions.
	RoleBackend
	// RolePolicy: reports Accepted per ancestor (status.ancestors).
	RolePolicy
)

// RoleOf is the role of group/kind in whichever data plane has it.
func RoleOf(group, kind string) Role {
	for _, a := range adapters {
		t := a.Facts()
		if group != t.API.Group {
			continue
		}
		switch {
		case slices.Contains(t.Kinds.Parameters, kind):
			return RoleParameters
		case slices.Contains(t.Kinds.Backends, kind):
			return RoleBackend
		case slices.Contains(t.Kinds.Policies, kind):
			return RolePolicy
		}
	}
	return RoleNone
}
