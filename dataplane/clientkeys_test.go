package dataplane

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// An entry reads as agentgateway v1.4.1's controller reads it: the
// expected JSON is the ClientKey (or the error), and no error holds the key.
func TestParseClientKey(t *testing.T) {
	const hash = "sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
	for _, tc := range []struct {
		value    string
		hashOnly bool
		want     string // JSON of the ClientKey, or "error: ..."
	}{
		{"k-456", false, `{"Value":"k-456","Hash":"","Metadata":null,"Source":""}`},
		// A plain entry is kept whole: the data plane hashes the newline too.
		{"k-456\n", false, `{"Value":"k-456\n","Hash":"","Metadata":null,"Source":""}`},
		{"${APP_KEY}", false, `{"Value":"${APP_KEY}","Hash":"","Metadata":null,"Source":""}`},
		{` {"key":"k-123","metadata":{"group":"sales","n":12345678901234567890,"ok":true,"tags":["a"]}} `, false,
			`{"Value":"k-123","Hash":"","Metadata":{"group":"sales","n":12345678901234567890,"ok":true,"tags":["a"]},"Source":""}`},
		{`{"keyHash":"` + hash + `","metadata":null}`, false,
			`{"Value":"","Hash":"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","Metadata":null,"Source":""}`},
		{`{"keyHash":"` + hash + `"}`, true,
			`{"Value":"","Hash":"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","Metadata":null,"Source":""}`},
		// Go's encoding/json, which the controller uses, ignores case and
		// unknown fields.
		{`{"KEY":"k-1","extra":1}`, false, `{"Value":"k-1","Hash":"","Metadata":null,"Source":""}`},
		{"  \n", false, "error: empty value"},
		{`{"key":"k-1","keyHash":"` + hash + `"}`, false, "error: exactly one of key or keyHash must be set"},
		{`{"metadata":{"a":"b"}}`, false, "error: exactly one of key or keyHash must be set"},
		{`{"key":"k-1"`, false, "error: not a JSON object with key or keyHash and metadata"},
		{`{"key":7}`, false, "error: not a JSON object with key or keyHash and metadata"},
		{`{"keyHash":"md5:abcd"}`, false, "error: keyHash must use the sha256:<hex> format"},
		{`{"keyHash":"sha256:zz"}`, false, "error: keyHash must contain a valid sha256 hex digest"},
		{`{"keyHash":"sha256:abcd"}`, false, "error: keyHash sha256 digest must decode to 32 bytes"},
		{`{"key":"k-1","metadata":["a"]}`, false, "error: metadata is not a JSON object"},
		{`{"key":"k-1","metadata":"a"}`, false, "error: metadata is not a JSON object"},
		{`k-plain`, true, "error: a ConfigMap holds key hashes only"},
		{`{"key":"k-1"}`, true, "error: a ConfigMap holds key hashes only"},
	} {
		k, err := ParseClientKey(tc.value, tc.hashOnly)
		var got string
		if err != nil {
			got = "error: " + err.Error()
			if strings.Contains(err.Error(), "k-") {
				t.Errorf("%q: error %q holds the key", tc.value, err)
			}
		} else {
			b, _ := json.Marshal(k)
			got = string(b)
		}
		if got != tc.want {
			t.Errorf("%q (hash only %v):\n got %s\nwant %s", tc.value, tc.hashOnly, got, tc.want)
		}
	}
}

// Every entry of an object is read in order; a bad one is left out and
// described by name, never by value; printing a key never shows it.
func TestReadClientKeys(t *testing.T) {
	keys, problems := ReadClientKeys(KeySourceSecret, "ai/keys", map[string]string{
		"b": `{"key":"sk-b","metadata":{"client":"b"}}`, "a": "sk-a", "bad": `{"key":"sk-bad","keyHash":"sha256:00"}`,
	})
	var got []string
	for _, k := range keys {
		got = append(got, k.Source+"="+k.Value)
	}
	if want := []string{"Secret ai/keys a=sk-a", "Secret ai/keys b=sk-b"}; !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "Secret ai/keys entry bad is not an API key agentgateway accepts (exactly one of key or keyHash must be set)") || strings.Contains(problems[0], "sk-") {
		t.Errorf("problems %q", problems)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", keys[0], keys[0], keys[0], keys); strings.Contains(s, "sk-") {
		t.Errorf("a key prints: %s", s)
	}
}

func TestKeySourceMatches(t *testing.T) {
	byName := KeySource{Kind: KeySourceSecret, Name: "keys"}
	byLabels := KeySource{Kind: KeySourceConfigMap, MatchLabels: map[string]string{"team": "ml", "tier": "gold"}}
	for _, tc := range []struct {
		src         KeySource
		kind, name  string
		labels      map[string]string
		want        bool
		description string
	}{
		{byName, KeySourceSecret, "keys", nil, true, "Secret keys"},
		{byName, KeySourceSecret, "other", nil, false, "Secret keys"},
		{byName, KeySourceConfigMap, "keys", nil, false, "Secret keys"},
		{byLabels, KeySourceConfigMap, "x", map[string]string{"team": "ml", "tier": "gold", "more": "1"}, true, "ConfigMaps labelled team=ml,tier=gold"},
		{byLabels, KeySourceConfigMap, "x", map[string]string{"team": "ml"}, false, "ConfigMaps labelled team=ml,tier=gold"},
		{byLabels, KeySourceConfigMap, "x", map[string]string{"team": "ml", "tier": "free"}, false, "ConfigMaps labelled team=ml,tier=gold"},
		{byLabels, KeySourceSecret, "x", map[string]string{"team": "ml", "tier": "gold"}, false, "ConfigMaps labelled team=ml,tier=gold"},
	} {
		if got := tc.src.Matches(tc.kind, tc.name, tc.labels); got != tc.want || tc.src.String() != tc.description {
			t.Errorf("%s matches %s %s %v: %v, want %v", tc.src, tc.kind, tc.name, tc.labels, got, tc.want)
		}
	}
}
