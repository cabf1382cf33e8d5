package dataplane

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// ClientChecker is the part of a data plane's Checker about client
// authentication and global rate limits, asked by validate's lint rules. A
// data plane without these features does not implement it; the registry
// functions below then answer nothing.
type ClientChecker interface {
	// ObjectClients reads spec of one of the data plane's objects of kind:
	// a policy's client authentication, global limits and token limits, a
	// rate-limit extension's service (as a global limit), a backend's
	// token reporting. ok is false for kinds with none of these.
	ObjectClients(kind string, spec map[string]any) (p PolicyClients, ok bool)
	// AuthPassthrough reports whether spec, of one of the data plane's
	// objects of kind, sends the client's own Authorization header to the
	// provider instead of a credential of its own.
	AuthPassthrough(kind string, spec map[string]any) bool
	// KeyEntryIssues finds the API-key entries of a Secret or ConfigMap
	// (obj, decoded) whose key hash the data plane cannot read.
	KeyEntryIssues(obj map[string]any) []Issue
}

// PolicyClients are what an object sets of client authentication, global
// rate limits and token limits, for validate's checks over a set.
type PolicyClients struct {
	// APIKeyAuthorization is the path of an API-key authentication that
	// reads the client's key from the Authorization header, or "".
	APIKeyAuthorization string
	Global              []PolicyGlobalLimit
	// TokenLimits are the paths of the limits that count LLM tokens.
	TokenLimits []string
	// Backend is set on a backend object: whether traffic to it reports
	// token usage.
	Backend *BackendUsage
}

// BackendUsage says whether the data plane learns the token usage of a
// backend's traffic, and if not why (a phrase following the object's name).
type BackendUsage struct {
	NoTokenUsage string
}

// ObjectRef names another object; Namespace "" is the referrer's.
type ObjectRef struct {
	Group, Kind, Namespace, Name string
}

// PolicyGlobalLimit is one global rate limit of a policy.
type PolicyGlobalLimit struct {
	Path string // field path of the limit, e.g. spec.traffic.rateLimit.global
	// Service and Namespace name the rate-limit Service (Namespace "" for
	// the policy's own).
	Service, Namespace string
	// FailClosed is true when requests fail while the service is down,
	// with the data plane's default applied; FailurePath is the field that
	// says so ("" when the default decides).
	FailClosed  bool
	FailurePath string
	// FailClosedText says how the limit fails closed, FailOpenFix how to
	// make it fail open, in the data plane's fields.
	FailClosedText, FailOpenFix string
	Domain                      string
	// Extension, when set, names the object holding the service, the
	// failure mode and the domain (the fields above are then unset).
	Extension   *ObjectRef
	Descriptors []LimitDescriptor
}

// LimitDescriptor is one descriptor a global limit sends: its entries in
// order.
type LimitDescriptor struct {
	Path    string
	Entries []DescriptorEntry
}

// DescriptorEntry is one entry of a descriptor: its key, and its value
// when the expression is a literal (Fixed).
type DescriptorEntry struct {
	Key, Value string
	Fixed      bool
}

// ReadPolicyClients reads spec of an object of apiVersion and kind if it is
// one of a data plane, of its group, with client authentication, global or
// token limits, a rate-limit service or token reporting (ObjectClients).
func ReadPolicyClients(apiVersion, kind string, spec map[string]any) (PolicyClients, bool) {
	if c := clientCheckerOfGroup(groupOf(apiVersion)); c != nil {
		return c.ObjectClients(kind, spec)
	}
	return PolicyClients{}, false
}

// clientCheckerOfGroup returns the first data plane of group that has
// client checks: kgateway v2.0 and v2.1 share a group, and only v2.1 has
// global limits.
func clientCheckerOfGroup(group string) ClientChecker {
	for _, a := range adapters {
		if c, ok := a.(ClientChecker); ok && a.Facts().API.Group == group {
			return c
		}
	}
	return nil
}

// AuthPassthrough asks the data plane of apiVersion's group whether spec,
// of an object of kind, passes the client's Authorization to the provider.
func AuthPassthrough(apiVersion, kind string, spec map[string]any) bool {
	if c := clientCheckerOfGroup(groupOf(apiVersion)); c != nil {
		return c.AuthPassthrough(kind, spec)
	}
	return false
}

// KeyEntryIssues asks target's data plane (a Secret or ConfigMap is of no
// data plane's group) about the API-key entries of obj.
func KeyEntryIssues(target Adapter, obj map[string]any) []Issue {
	if c, ok := target.(ClientChecker); ok {
		return c.KeyEntryIssues(obj)
	}
	return nil
}

// celLiteral returns the value of a CEL expression that is a plain string
// literal ('"openai"' or "'openai'"), which the data plane sends as is.
func celLiteral(expr string) (string, bool) {
	s := strings.TrimSpace(expr)
	if len(s) < 2 || (s[0] != '"' && s[0] != '\'') || s[len(s)-1] != s[0] {
		return "", false
	}
	inner := s[1 : len(s)-1]
	if strings.ContainsAny(inner, "\\\"'") {
		return "", false // escapes or quotes: not worth evaluating here
	}
	return inner, true
}

// keyHashRE is the form a stored API-key hash must have.
var keyHashRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func keyHashIssue(path, hash string) Issue {
	return Issue{Path: path,
		Message: fmt.Sprintf("keyHash %q is not \"sha256:\" followed by 64 lowercase hex digits: no key matches it, so this client is always refused", hash),
		Fix:     "write sha256: and the hex SHA-256 of the key in lower case, e.g. printf %s \"$KEY\" | sha256sum"}
}

// sortedMapKeys returns m's keys in order, for findings in a stable order.
func sortedMapKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
