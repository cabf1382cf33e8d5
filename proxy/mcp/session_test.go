package mcp

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, SessionKeySize) }

func mustSealer(t testing.TB, key []byte, scope string) *sealer {
	t.Helper()
	s, err := newSealer(key, scope)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	s := mustSealer(t, testKey(1), "gw")
	rec := record{Version: "2025-06-18", Targets: []targetSession{{Name: "a", ID: "sid-a", Version: "2025-06-18"}, {Name: "b"}}}
	id := s.seal(rec)
	if strings.ContainsAny(id, "+/=") {
		t.Errorf("id %q is not URL-safe unpadded base64", id)
	}
	got, ok := s.open(id)
	if !ok {
		t.Fatal("a sealed id does not open")
	}
	if !reflect.DeepEqual(got, rec) {
		t.Fatalf("opened %+v, sealed %+v", got, rec)
	}
	// A second process with the same key and scope resumes the session.
	if _, ok := mustSealer(t, testKey(1), "gw").open(id); !ok {
		t.Fatal("another sealer with the same key and scope cannot open the id")
	}
	if strings.Contains(id, "sid-a") {
		t.Fatal("the id shows a target's session id in clear")
	}
}

func TestSealRandomNonce(t *testing.T) {
	s := mustSealer(t, testKey(1), "gw")
	rec := record{Version: "v", Targets: []targetSession{{Name: "a"}}}
	seen := map[string]bool{}
	for range 20 {
		id := s.seal(rec)
		if seen[id] {
			t.Fatal("two ids of the same record are equal: the nonce is not random")
		}
		seen[id] = true
	}
}

func TestOpenRefuses(t *testing.T) {
	s := mustSealer(t, testKey(1), "gw")
	id := s.seal(record{Version: "2025-06-18", Targets: []targetSession{{Name: "a", ID: "x"}}})
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		if _, ok := s.open(base64.RawURLEncoding.EncodeToString(b)); ok {
			t.Fatalf("an id with byte %d flipped opens", i)
		}
	}
	for _, n := range []int{0, 1, 10, len(id) / 2, len(id) - 1} {
		if _, ok := s.open(id[:n]); ok {
			t.Fatalf("the id truncated to %d characters opens", n)
		}
	}
	if _, ok := s.open(id + "A"); ok {
		t.Fatal("an id with a character more opens")
	}
	if _, ok := s.open("!!!" + id); ok {
		t.Fatal("an id that is not base64 opens")
	}
	if _, ok := mustSealer(t, testKey(1), "other-gw").open(id); ok {
		t.Fatal("an id of one gateway opens at another sharing the key")
	}
	if _, ok := mustSealer(t, testKey(2), "gw").open(id); ok {
		t.Fatal("an id opens under another key")
	}
	if _, ok := s.open(strings.Repeat("A", maxSessionID+4)); ok {
		t.Fatal("an oversized id opens")
	}
}

func TestNewSealerKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := newSealer(make([]byte, n), "gw"); err == nil {
			t.Errorf("a %d-byte key is accepted", n)
		}
	}
}

func FuzzOpenSession(f *testing.F) {
	s := mustSealer(f, testKey(3), "gw")
	f.Add(s.seal(record{Version: "2025-06-18", Targets: []targetSession{{Name: "a", ID: "1"}}}))
	f.Add("")
	f.Add("AAAA")
	f.Add(strings.Repeat("_", 64))
	f.Fuzz(func(t *testing.T, id string) {
		rec, ok := s.open(id)
		if ok {
			// Only ids this sealer made open; re-sealing what opened must
			// open to the same record.
			back, ok2 := s.open(s.seal(rec))
			if !ok2 || !reflect.DeepEqual(back, rec) {
				t.Fatalf("a record that opened does not round-trip: %+v", rec)
			}
		}
	})
}
