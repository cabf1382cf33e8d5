// Package jsonbody reads and edits the top-level members of a JSON object
// without decoding it, so that a request goes upstream byte for byte except
// for what the gateway changes, and so that a request costs no more than a
// scan of its body.
package jsonbody

import (
	"bytes"
	"encoding/json"
)

// Find returns the raw value of top-level member key of the JSON object
// body (the last one, as encoding/json and the providers read duplicates),
// and whether body is a valid object holding it.
func Find(body []byte, key string) ([]byte, bool) {
	if !json.Valid(body) {
		return nil, false
	}
	var found []byte
	ok := members(body, func(k []byte, start, end int) {
		if keyIs(k, key) {
			found = body[start:end]
		}
	})
	return found, ok && found != nil
}

// Fields returns the raw values of the named top-level members of the
// JSON object body (the last of duplicates), in one scan; a body that is
// not a valid object gives nil.
func Fields(body []byte, keys ...string) map[string][]byte {
	if !json.Valid(body) {
		return nil
	}
	out := map[string][]byte{}
	if !members(body, func(k []byte, start, end int) {
		for _, key := range keys {
			if keyIs(k, key) {
				out[key] = body[start:end]
			}
		}
	}) {
		return nil
	}
	return out
}

// Elements calls f with each element of the JSON array raw, a value
// Fields returned (so known to be valid); it reports whether raw is an
// array.
func Elements(raw []byte, f func(elem []byte)) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return false
	}
	for i++; ; {
		i = skipSpace(raw, i)
		if i >= len(raw) || raw[i] == ']' {
			return i < len(raw)
		}
		if raw[i] == ',' {
			if i = skipSpace(raw, i+1); i >= len(raw) {
				return false
			}
		}
		end := skipValue(raw, i)
		if end == i {
			return false // not JSON after all: never loop on it
		}
		f(raw[i:end])
		i = end
	}
}

// Set returns body with every top-level member key set to the JSON value
// raw, or with the member added first when body has none. A body that is
// not a valid JSON object is returned as it is.
func Set(body []byte, key string, raw []byte) []byte {
	if !json.Valid(body) {
		return body
	}
	type span struct{ start, end int }
	var spans []span
	if !members(body, func(k []byte, start, end int) {
		if keyIs(k, key) {
			spans = append(spans, span{start, end})
		}
	}) {
		return body
	}
	if len(spans) == 0 {
		open := bytes.IndexByte(body, '{')
		name, _ := json.Marshal(key)
		member := append(append(name, ':'), raw...)
		rest := bytes.TrimLeft(body[open+1:], " \t\r\n")
		if len(rest) > 0 && rest[0] != '}' {
			member = append(member, ',')
		}
		out := make([]byte, 0, len(body)+len(member))
		out = append(append(append(out, body[:open+1]...), member...), body[open+1:]...)
		return out
	}
	same := true
	for _, s := range spans {
		same = same && bytes.Equal(body[s.start:s.end], raw)
	}
	if same {
		return body // already so: no copy
	}
	out := make([]byte, 0, len(body)+len(spans)*len(raw))
	last := 0
	for _, s := range spans {
		out = append(append(out, body[last:s.start]...), raw...)
		last = s.end
	}
	return append(out, body[last:]...)
}

// SetString is Set with a string value.
func SetString(body []byte, key, value string) []byte {
	raw, _ := json.Marshal(value)
	return Set(body, key, raw)
}

// members calls f with each top-level member's raw key (without quotes)
// and its value's span, for a body known to be valid JSON; it reports
// whether the body is an object.
func members(body []byte, f func(key []byte, start, end int)) bool {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i++
	for {
		i = skipSpace(body, i)
		if body[i] == '}' {
			return true
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		keyEnd := skipString(body, i)
		key := body[i+1 : keyEnd-1]
		i = skipSpace(body, keyEnd)
		i = skipSpace(body, i+1) // the colon
		end := skipValue(body, i)
		f(key, i, end)
		i = end
	}
}

// keyIs compares a raw JSON key with name, unescaping only when needed.
func keyIs(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name
	}
	var s string
	return json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) == nil && s == name
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
