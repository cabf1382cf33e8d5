package dataplane

import (
	"strings"
	"testing"
)

// Any Secret or ConfigMap entry is read or refused without a panic, and a
// refusal never quotes the entry (it may hold a key).
func FuzzParseClientKey(f *testing.F) {
	f.Add(`{"key":"${ALICE_KEY}","metadata":{"client":"alice","tier":"gold"}}`, false)
	f.Add(`{"keyHash":"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}`, true)
	f.Add("sk-literal-key-0123456789", false)
	f.Add(`{"key":1}`, false)
	f.Fuzz(func(t *testing.T, value string, hashOnly bool) {
		k, err := ParseClientKey(value, hashOnly)
		if err != nil {
			if secret := strings.TrimSpace(value); len(secret) >= 8 && strings.Contains(err.Error(), secret) {
				t.Fatalf("the error quotes the entry: %v", err)
			}
			return
		}
		if (k.Value == "") == (k.Hash == "") {
			t.Fatalf("a key with value %t and hash %t", k.Value != "", k.Hash != "")
		}
		if hashOnly && k.Value != "" {
			t.Fatal("a hash-only source gave a key value")
		}
		if len(k.Value) >= 8 && strings.Contains(k.String()+k.GoString(), k.Value) {
			t.Fatal("String prints the key")
		}
	})
}
