// Package wire is serve's one reading of a request or an answer in each
// provider wire format (OpenAI chat completions, Anthropic Messages, Gemini
// generateContent, Amazon Bedrock Converse): a strict JSON decoder, and per
// format a shape that says which strings carry text (prompts, tool
// arguments and results, descriptions), which are identifiers and which
// are binary. Guards, masks, webhooks, enrichment, the token estimate and
// translation all read the document this package decoded, so that nothing
// the provider reads escapes them.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Number is a JSON number as it was written (no float rounding).
type Number = json.Number

// maxDepth bounds a document's nesting: deeper JSON is refused rather than
// walked (no provider accepts anything near it).
const maxDepth = 128

// Decode reads body as one JSON value, strictly: object member names are
// exact (no case folding), a name may appear once per object, strings must
// be valid UTF-8, and nothing may follow the value. Objects become
// map[string]any, arrays []any, numbers Number. These are the rules the
// strictest provider applies; a body that a lenient provider would read
// differently from serve is refused instead of guessed at.
func Decode(body []byte) (any, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("the body is not valid UTF-8")
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	v, err := readValue(dec, 0)
	if err != nil {
		return nil, describe(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		if err == nil {
			return nil, fmt.Errorf("the body has data after its JSON value (offset %d)", dec.InputOffset())
		}
		return nil, describe(err)
	}
	return v, nil
}

// DecodeObject is Decode for a body that must be a JSON object.
func DecodeObject(body []byte) (map[string]any, error) {
	v, err := Decode(body)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the body is not a JSON object")
	}
	return m, nil
}

func readValue(dec *jsontext.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("the body nests deeper than %d levels", maxDepth)
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '{':
		m := map[string]any{}
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			name := tok.String() // before the next read invalidates tok
			v, err := readValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			m[name] = v
		}
		_, err := dec.ReadToken()
		return m, err
	case '[':
		l := []any{}
		for dec.PeekKind() != ']' {
			v, err := readValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.ReadToken()
		return l, err
	case '"':
		return tok.String(), nil
	case '0':
		return Number(tok.String()), nil
	case 't', 'f':
		return tok.Bool(), nil
	case 'n':
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected %s", tok.Kind())
}

// describe turns the decoder's error into a sentence for the client.
func describe(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return fmt.Errorf("the body is not valid JSON: %s", err.Error())
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("the body is not valid JSON: it ends early")
	}
	return fmt.Errorf("the body is not valid JSON: %w", err)
}

// Encode writes a decoded document back as compact JSON: object members
// in name order, strings with <, > and & as they are.
func Encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Strings are the strings and member names of the JSON text s (a tool
// call's arguments), decoded: a guard reads what the escapes spell. A text
// that is not JSON has none.
func Strings(s string) []string {
	v, err := Decode([]byte(s))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			for _, k := range sortedKeys(v) {
				out = append(out, k)
				walk(v[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// MapStrings applies f to the strings of the JSON text s and returns it
// encoded again when f changed any; a text that is not JSON gets f whole.
func MapStrings(s string, f func(string) string) string {
	v, err := Decode([]byte(s))
	if err != nil {
		return f(s)
	}
	changed := false
	var walk func(any, func(string))
	walk = func(v any, set func(string)) {
		switch v := v.(type) {
		case string:
			if out := f(v); out != v {
				set(out)
				changed = true
			}
		case map[string]any:
			for k := range v {
				walk(v[k], func(s string) { v[k] = s })
			}
		case []any:
			for i := range v {
				walk(v[i], func(s string) { v[i] = s })
			}
		}
	}
	walk(v, func(out string) { v, changed = out, true })
	if !changed {
		return s
	}
	b, err := Encode(v)
	if err != nil {
		return s
	}
	return string(b)
}

// Opaque reports whether s is encoded data (base64 in either alphabet,
// or a data: URL of it): bytes a guard cannot read as text. Anything else
// in a field meant for data is read as text. It looks at the characters
// only (a megabyte image is not decoded to be told apart).
func Opaque(s string) bool {
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		meta, data, found := strings.Cut(rest, ",")
		if !found || !strings.HasSuffix(meta, ";base64") {
			return false
		}
		s = data
	}
	s = strings.TrimRight(s, "=")
	if len(s) < 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
