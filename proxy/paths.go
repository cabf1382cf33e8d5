package proxy

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Request paths are normalised before anything reads them (route matching,
// rewrites, a Service upstream's URL), as the Gateway API data planes do
// with Envoy's normalize_path: a client cannot match one route and reach
// another place upstream.
//
//   - Percent-encoded unreserved characters are decoded (RFC 3986 6.2.2.2),
//     so %2e is a dot, and the other escapes are written in upper case.
//   - Dot segments are removed (RFC 3986 5.2.4): /openai/../admin is /admin,
//     and /a/b/.. is /a/.
//   - Encoded slashes and backslashes (%2F, %5C), a literal backslash and an
//     encoded NUL are refused with 400: whether they separate segments
//     depends on who reads the path, and a gateway that reads them one way
//     in front of a backend that reads them another is how paths escape.
//     (Envoy keeps %2F unchanged by default; Envoy Gateway redirects to the
//     decoded path; refusing is the one reading that cannot disagree.)
//   - Repeated slashes are kept (Envoy's merge_slashes is off by default).

// errPath is a path serve refuses to read.
type errPath string

func (e errPath) Error() string { return string(e) }

// normalizePath returns the normalised form of an escaped request path
// (as url.URL.EscapedPath gives it).
func normalizePath(escaped string) (string, error) {
	if !strings.HasPrefix(escaped, "/") {
		return "", errPath("the request target must be a path starting with /")
	}
	if !strings.ContainsAny(escaped, "%.\\") {
		return escaped, nil // the common case: nothing to do
	}
	var b strings.Builder
	b.Grow(len(escaped))
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		switch {
		case c == '\\':
			return "", errPath("a backslash in the path is ambiguous (some servers read it as /): send it as a plain /")
		case c != '%':
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(escaped) || !isHex(escaped[i+1]) || !isHex(escaped[i+2]) {
			return "", errPath("the path has a malformed percent-encoding")
		}
		v := unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
		switch {
		case v == '/' || v == '\\':
			return "", errPath("an encoded slash (%2F) or backslash (%5C) in the path is ambiguous (backends disagree on whether it separates segments): send a plain / or leave it out")
		case v == 0:
			return "", errPath("the path holds an encoded NUL (%00)")
		case unreserved(v):
			b.WriteByte(v)
		default:
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(escaped[i+1 : i+3]))
		}
		i += 2
	}
	return removeDotSegments(b.String()), nil
}

// removeDotSegments is RFC 3986's remove_dot_segments for an absolute path:
// "." segments go, ".." removes the segment before it (never above the
// root), and a path ending in either ends with a slash.
func removeDotSegments(p string) string {
	if !strings.Contains(p, "/.") {
		return p
	}
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "") // "/a/b/.." is "/a/"
		}
	}
	return "/" + strings.Join(out, "/")
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// withNormalPath returns r with its path normalised: r itself when it
// already was, else a shallow copy (the server's request, which the access
// log reads, keeps the path as the client sent it).
func withNormalPath(r *http.Request) (*http.Request, error) {
	escaped := r.URL.EscapedPath()
	norm, err := normalizePath(escaped)
	if err != nil {
		return nil, err
	}
	if norm == escaped {
		return r, nil
	}
	decoded, err := url.PathUnescape(norm)
	if err != nil {
		return nil, errors.New("the path has a malformed percent-encoding") // not reached: normalizePath checked every escape
	}
	u := *r.URL
	u.Path, u.RawPath = decoded, ""
	if u.EscapedPath() != norm {
		u.RawPath = norm
	}
	out := new(http.Request)
	*out = *r
	out.URL = &u
	return out, nil
}
