package proxy

import (
	"bytes"
	"net/http"
)

// redactor takes the keys serve injects out of what goes back to clients.
type redactor interface {
	Header(http.Header)
	Bytes([]byte) []byte
	Stream() streamFilter
}

// plainRedactor is a placeholder: plain forms only, whole bodies only.
type plainRedactor struct{ secrets [][]byte }

func (p plainRedactor) Header(h http.Header) {
	for k, vs := range h {
		for i := range vs {
			vs[i] = string(p.Bytes([]byte(vs[i])))
		}
		h[k] = vs
	}
}

func (p plainRedactor) Bytes(b []byte) []byte {
	for _, s := range p.secrets {
		b = bytes.ReplaceAll(b, s, []byte("[REDACTED]"))
	}
	return b
}

func (p plainRedactor) Stream() streamFilter { return passFilter{} }

type passFilter struct{}

func (passFilter) Feed(p []byte) []byte { return p }
func (passFilter) End() []byte          { return nil }

func newRedactor(secrets []string) redactor {
	var p plainRedactor
	for _, s := range secrets {
		if s != "" {
			p.secrets = append(p.secrets, []byte(s))
		}
	}
	return p
}
