package mcp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// A stateful client session lives in its id, not on the gateway: the id is
// the record of the targets' own sessions, sealed with AES-256-GCM under
// the gateway's session key. Any process holding the key (a second
// replica, this one after a restart) resumes the session from the id
// alone, and a client can neither read nor forge one. The key is used as
// it is, with a random nonce per id: deriving a key per session (PBKDF2,
// as one peer does) would cost tens of milliseconds per session for
// nothing a random nonce does not already give.

// record is what a session id holds.
type record struct {
	// Version is the protocol version agreed with the client.
	Version string `json:"v"`
	// Targets are the targets in the session (those that failed to
	// initialize under FailOpen are not), with their own session ids.
	Targets []targetSession `json:"t"`
}

type targetSession struct {
	Name    string `json:"n"`
	ID      string `json:"s,omitempty"`
	Version string `json:"v,omitempty"`
}

// sealer seals and opens session ids.
type sealer struct {
	aead cipher.AEAD
	// scope is bound into every id as associated data: an id of one MCP
	// gateway is not valid at another sharing the key.
	scope []byte
}

// SessionKeySize is the size of a session key: AES-256.
const SessionKeySize = 32

func newSealer(key []byte, scope string) (*sealer, error) {
	if len(key) != SessionKeySize {
		return nil, errors.New("a session key is 32 bytes (64 hex digits)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, scope: []byte(scope)}, nil
}

func (s *sealer) seal(r record) string {
	plain, _ := json.Marshal(r)
	out := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(out)
	out = s.aead.Seal(out, out, plain, s.scope)
	return base64.RawURLEncoding.EncodeToString(out)
}

// maxSessionID bounds the ids opened: 32 targets' ids fit well within it.
const maxSessionID = 16 << 10

func (s *sealer) open(id string) (record, bool) {
	var r record
	if len(id) > maxSessionID {
		return r, false
	}
	// Strict: the last character's unused bits must be zero, so an id has
	// one spelling only (a lenient decode takes several spellings of one
	// id, each a session of its own to what is keyed by the id).
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil || len(b) < s.aead.NonceSize()+s.aead.Overhead() {
		return r, false
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], s.scope)
	if err != nil || json.Unmarshal(plain, &r) != nil {
		return r, false
	}
	return r, true
}
