package dataplane

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ClientKey is one API key an apiKeyAuthentication policy accepts, read
// from a Secret or ConfigMap entry as agentgateway reads it. Exactly one of
// Value and Hash is set.
type ClientKey struct {
	// Value is the key as written: a literal key or a ${VAR} marker. A
	// plain-string entry is kept whole, surrounding whitespace included,
	// as agentgateway hashes it that way.
	Value string
	// Hash is the key's digest, "sha256:<lowercase hex>".
	Hash string
	// Metadata is the entry's metadata object (nil: none), exposed to CEL
	// as apiKey.<field>. Numbers are json.Number, so that integers stay
	// integers as in agentgateway's serde_json values.
	Metadata map[string]any
	// Source says where the key is: "Secret ns/name entry".
	Source string
}

// String never prints the key: a stray %v must not leak a credential.
func (k ClientKey) String() string { return "API key from " + k.Source }

// GoString keeps %#v from printing the key too.
func (k ClientKey) GoString() string { return k.String() }

// Kinds of object client keys are read from.
const (
	KeySourceSecret    = "Secret"
	KeySourceConfigMap = "ConfigMap"
)

// KeySource is where a policy's API keys are: the Secret it names, or
// the Secrets or ConfigMaps of its namespace whose labels match.
type KeySource struct {
	Kind        string // KeySourceSecret or KeySourceConfigMap
	Name        string // by name (secretRef); "" when by labels
	MatchLabels map[string]string
}

// Matches reports whether an object of kind, name and labels is one the
// source reads keys from (both in the policy's namespace).
func (s KeySource) Matches(kind, name string, labels map[string]string) bool {
	if kind != s.Kind {
		return false
	}
	if s.Name != "" {
		return name == s.Name
	}
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// String describes the source for messages: "Secret x" or "Secrets
// labelled a=b".
func (s KeySource) String() string {
	if s.Name != "" {
		return s.Kind + " " + s.Name
	}
	var sel []string
	for _, k := range slices.Sorted(maps.Keys(s.MatchLabels)) {
		sel = append(sel, k+"="+s.MatchLabels[k])
	}
	return s.Kind + "s labelled " + strings.Join(sel, ",")
}

// ReadClientKeys reads every entry of one Secret's or ConfigMap's data as
// agentgateway's controller does (an entry it rejects is left out and
// described in problems, which never hold a key). source names the object
// ("ns/name"), kind is KeySourceSecret or KeySourceConfigMap.
func ReadClientKeys(kind, source string, data map[string]string) (keys []ClientKey, problems []string) {
	for _, entry := range slices.Sorted(maps.Keys(data)) {
		k, err := ParseClientKey(data[entry], kind == KeySourceConfigMap)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %s entry %s is not an API key agentgateway accepts (%v); left out", kind, source, entry, err))
			continue
		}
		k.Source = kind + " " + source + " " + entry
		keys = append(keys, k)
	}
	return keys, problems
}

// ParseClientKey reads one data entry of an API-key Secret (or, hashes
// only, ConfigMap) as agentgateway v1.4.1's controller does: a value not
// starting with "{" is the key itself; otherwise a JSON object with
// exactly one of key and keyHash ("sha256:<hex>" of 32 bytes) and an
// optional metadata object. Errors never hold the key.
func ParseClientKey(value string, hashOnly bool) (ClientKey, error) {
	trimmed := bytes.TrimSpace([]byte(value))
	if len(trimmed) == 0 {
		return ClientKey{}, errors.New("empty value")
	}
	if trimmed[0] != '{' {
		if hashOnly {
			return ClientKey{}, errors.New("a ConfigMap holds key hashes only")
		}
		return ClientKey{Value: value}, nil
	}
	// The controller's own shape, decoded as it decodes it (field names
	// case-insensitive, other fields ignored).
	var e struct {
		Key      string          `json:"key"`
		KeyHash  string          `json:"keyHash"`
		Metadata json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(trimmed, &e); err != nil {
		return ClientKey{}, errors.New("not a JSON object with key or keyHash and metadata")
	}
	if (e.Key == "") == (e.KeyHash == "") {
		return ClientKey{}, errors.New("exactly one of key or keyHash must be set")
	}
	if hashOnly && e.Key != "" {
		return ClientKey{}, errors.New("a ConfigMap holds key hashes only")
	}
	k := ClientKey{Value: e.Key}
	if e.KeyHash != "" {
		h, err := parseKeyHash(e.KeyHash)
		if err != nil {
			return ClientKey{}, err
		}
		k.Hash = h
	}
	if md := bytes.TrimSpace(e.Metadata); len(md) > 0 && !bytes.Equal(md, []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(md))
		dec.UseNumber()
		if err := dec.Decode(&k.Metadata); err != nil || k.Metadata == nil {
			return ClientKey{}, errors.New("metadata is not a JSON object")
		}
	}
	return k, nil
}

// parseKeyHash checks a keyHash as agentgateway does and returns it with
// its hex in lower case (the data plane's form).
func parseKeyHash(h string) (string, error) {
	digest, ok := strings.CutPrefix(h, "sha256:")
	if !ok {
		return "", errors.New("keyHash must use the sha256:<hex> format")
	}
	b, err := hex.DecodeString(digest)
	if err != nil {
		return "", errors.New("keyHash must contain a valid sha256 hex digest")
	}
	if len(b) != 32 {
		return "", errors.New("keyHash sha256 digest must decode to 32 bytes")
	}
	return "sha256:" + strings.ToLower(digest), nil
}
