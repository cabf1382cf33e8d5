package proxy

import (
	"net/http"

	"github.com/kubelb-ai/kubelb-ai/proxy/expr"
)

// identityKey holds a request's identity in its context.
type identityKey struct{}

// identity is who sent a request, as the client checks found: the CEL
// variables policies read (request, source, apiKey.*, jwt.*) and the
// client's name for metrics and the log (never its credential).
type identity struct {
	vars   *expr.Vars
	client string
}

// varsOf are the CEL variables of r: its identity's, or the request's
// own where no client check ran.
func varsOf(r *http.Request) *expr.Vars {
	if id, ok := r.Context().Value(identityKey{}).(*identity); ok && id.vars != nil {
		return id.vars
	}
	return expr.NewVars(r, r.RemoteAddr)
}
