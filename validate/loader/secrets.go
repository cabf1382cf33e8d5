package loader

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// What counts as a credential, and how a finding's excerpt and message are
// masked so that none is ever shown, whatever the finding is about.
//
// A credential is a value that is
//   - under a Secret's data or stringData (any key: the API server treats
//     them all alike),
//   - the value of a field whose name looks like one (credentialName:
//     authorization, x-api-key, token, secret, password, accessKey, ...),
//   - the inline, key or value field of such a field's object (kgateway's
//     authToken.inline, agentgateway's auth.key), inline next to
//     kind: Inline, or value next to a credential-looking name (an env var
//     or a header: {name: Authorization, value: ...}),
//   - or any string that starts with "Bearer ".
//
// Numbers count too (a PIN, a numeric token); booleans and nulls do not.
// The other values right inside such a field's object (authToken.kind) are
// soft credentials: a key written there by mistake must not show either,
// but they are masked only in excerpts and in findings about that very
// field, so that other messages keep naming what they name ("Inline").
// Deeper values (authToken.secretRef.name) are references, not secrets.
//
// They are found while the position index is built, which happens only for
// documents with findings, so clean documents pay nothing for masking.

// mask is what a masked character becomes; one per character, so that the
// columns of the rest of an excerpt line, and its caret, stay right.
const mask = '*'

// minScrub is the shortest credential replaced wherever it appears in a
// message; a shorter one is replaced only where it is quoted, so that a
// Secret value such as "on" does not blank out every "on" of a message.
const minScrub = 3

// secret is one credential written in the document.
type secret struct {
	// start is where the value is written (its tag or anchor included) and
	// end where the next node starts (zero: the document's end). Values
	// reached through an alias have no span: they are written at the anchor,
	// which the scrubbing of the text catches.
	start, end pos
	hasSpan    bool
	// trim allows trailing ",}]" to be left unmasked: the value is quoted
	// or in a flow collection, so those characters cannot belong to it.
	trim  bool
	value string
	// base64 marks a Secret's data value, whose decoded form is secret too.
	base64 bool
	// soft: masked in messages only of findings at path.
	soft bool
	path string
}

// credentialSuffixes end the (normalized) names of fields holding
// credentials: xApiKey, openai_api_key, authToken, clientSecret, ...
var credentialSuffixes = []string{"authorization", "apikey", "token", "secret", "password", "passwd", "accesskey", "secretkey", "privatekey", "credential", "credentials"}

// credentialName reports whether a field or header name looks like it holds
// a credential. Names are compared in lower case without - _ and .
func credentialName(name string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.':
			return -1
		}
		return unicode.ToLower(r)
	}, name)
	for _, s := range credentialSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// isBearer reports whether s is an HTTP bearer credential.
func isBearer(s string) bool {
	return len(s) > 7 && strings.EqualFold(s[:7], "bearer ")
}

// scope is what the walk knows about the mapping or sequence it is in.
type scope struct {
	// secretData: the values here are a Secret's data or stringData.
	secretData bool
	// base64: they are data, base64-encoded.
	base64 bool
	// field is the name of the field whose value this is.
	field string
	// alias: walking an alias's target, whose text is at the anchor.
	alias bool
	// flow: the collection is written in flow style ({...} or [...]).
	flow bool
	// soft: right inside the object of a field named like a credential.
	soft bool
	// cred: the value walked is a credential (credentialField).
	cred bool
}

// mappingFacts are what decides which of a mapping's values are credentials.
type mappingFacts struct {
	secret     bool // kind: Secret
	inlineKind bool // kind: Inline (kgateway's authToken)
	credName   bool // name: <a credential-looking name>, as env vars and headers
}

func factsOf(m *yaml.Node) mappingFacts {
	var f mappingFacts
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			continue
		}
		switch k.Value {
		case "kind":
			f.secret = f.secret || v.Value == "Secret"
			f.inlineKind = f.inlineKind || v.Value == "Inline"
		case "name":
			f.credName = f.credName || credentialName(v.Value)
		}
	}
	return f
}

// credentialField reports whether the value of field key, in a mapping
// with facts f reached in scope sc, is a credential.
func credentialField(sc scope, f mappingFacts, key string) bool {
	switch {
	case sc.secretData, credentialName(key):
		return true
	case key == "inline" || key == "key" || key == "value":
		return credentialName(sc.field) || sc.field == "auth" || (key == "inline" && f.inlineKind) || (key == "value" && f.credName)
	}
	return false
}

// mark notes that a node starts at n: it ends the span of the credential
// written before it. Nodes reached through an alias are written elsewhere.
func (p *positions) mark(n *yaml.Node, sc scope) {
	if sc.alias || p.pending < 0 {
		return
	}
	p.secrets[p.pending].end = pos{n.Line, n.Column}
	p.pending = -1
}

// scalar records the scalar n, at path, if it is a credential (sc.cred, or
// a bearer token anywhere) or a soft one. Cheap tests first: every scalar
// of a document with findings comes here.
func (p *positions) scalar(n *yaml.Node, path string, sc scope) {
	if n.Value == "" {
		return
	}
	cred := sc.cred || isBearer(n.Value)
	if !cred && !sc.soft {
		return
	}
	if t := n.ShortTag(); t == "!!bool" || t == "!!null" {
		return // no credential
	}
	sec := secret{value: n.Value, base64: cred && sc.base64, soft: !cred, path: normPath(path)}
	if !sc.alias {
		// Written here; an alias's value is written at its anchor, which
		// scrubbing the line catches.
		sec.start, sec.hasSpan = pos{n.Line, n.Column}, true
		sec.trim = sc.flow || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
		p.pending = len(p.secrets)
	}
	p.secrets = append(p.secrets, sec)
}

// maskLine masks every credential written on line n (1-based, in the
// document) of text.
func (p *positions) maskLine(text string, n int) string {
	if !p.complete {
		return maskValues(text)
	}
	runes := []rune(text)
	for _, s := range p.secrets {
		if s.hasSpan {
			maskSpan(runes, n, s)
		}
	}
	return p.scrub("", string(runes))
}

// maskSpan masks the part of line n (runes) that s's span covers.
func maskSpan(runes []rune, n int, s secret) {
	end := s.end
	if end.line == 0 {
		end = pos{line: int(^uint(0) >> 1)} // the document's end
	}
	if n < s.start.line || n > end.line || (n == end.line && end.col <= 1) {
		return
	}
	from, to := 0, len(runes)
	if n == s.start.line {
		from = s.start.col - 1
	} else {
		for from < to && (runes[from] == ' ' || runes[from] == '\t') {
			from++
		}
	}
	if n == end.line {
		to = min(to, end.col-1)
	}
	if from >= to {
		return
	}
	for to > from && strings.ContainsRune(" \t", runes[to-1]) || s.trim && to > from && strings.ContainsRune(",}]", runes[to-1]) {
		to--
	}
	if n != s.start.line && strings.Trim(string(runes[from:to]), "-?: \t") == "" {
		return // only the indicators before the next node
	}
	for i := max(from, 0); i < to; i++ {
		runes[i] = mask
	}
}

// maskValues masks a line of a document that could not be indexed: all but
// its indentation, a "- " and its first key, so it still shows where.
func maskValues(line string) string {
	runes := []rune(line)
	from := 0
	for from < len(runes) && strings.ContainsRune(" \t-", runes[from]) {
		from++
	}
	for i := from; i < len(runes); i++ {
		if runes[i] == ':' && (i+1 == len(runes) || runes[i+1] == ' ' || runes[i+1] == '\t' || (i > 0 && (runes[i-1] == '"' || runes[i-1] == '\''))) {
			from = i + 1
			break
		}
	}
	for i := from; i < len(runes); i++ {
		if runes[i] != ' ' && runes[i] != '\t' {
			runes[i] = mask
		}
	}
	return string(runes)
}

// scrub replaces in s every credential of the document, and the soft one
// at field path at, if any, as written and as the API server's and Go's
// messages quote them (%q, JSON), and a Secret data value's decoded form
// too.
func (p *positions) scrub(at, s string) string {
	if len(p.secrets) == 0 || s == "" {
		return s
	}
	if !p.formsMade {
		p.forms, p.formsMade = scrubForms(p.secrets, func(sec secret) bool { return !sec.soft }), true
	}
	forms := p.forms
	if at != "" {
		at = normPath(at)
		if soft := scrubForms(p.secrets, func(sec secret) bool {
			return sec.soft && sec.path == at
		}); len(soft) > 0 {
			forms = sortForms(append(soft, forms...))
		}
	}
	for _, f := range forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, maskLike(f))
		}
	}
	return s
}

// normPath writes a field path with dots only, a[k][0].b as a.k.0.b, so
// that the index's paths and the API server's compare.
func normPath(path string) string {
	return strings.TrimPrefix(strings.NewReplacer("[", ".", "]", "").Replace(path), ".")
}

// scrubForms lists the strings scrub replaces for the secrets keep
// accepts, longest first.
func scrubForms(secrets []secret, keep func(secret) bool) []string {
	var forms []string
	add := func(v string) {
		for _, f := range []string{v, strings.TrimSuffix(strings.TrimPrefix(strconv.Quote(v), `"`), `"`), jsonInner(v)} {
			if utf8.RuneCountInString(f) >= minScrub {
				forms = append(forms, f)
			} else if f != "" {
				forms = append(forms, `"`+f+`"`)
			}
		}
	}
	for _, s := range secrets {
		if !keep(s) {
			continue
		}
		vals := []string{s.value}
		if isBearer(s.value) {
			vals = append(vals, strings.TrimSpace(s.value[7:]))
		}
		if s.base64 {
			if b, err := base64.StdEncoding.DecodeString(s.value); err == nil && utf8.Valid(b) {
				vals = append(vals, string(b))
			}
		}
		for _, v := range vals {
			add(v)
			if strings.Contains(v, "\n") {
				for _, line := range strings.Split(v, "\n") {
					add(strings.TrimSpace(line))
				}
			}
		}
	}
	return sortForms(forms)
}

// sortForms orders forms longest first, so that a longer form is not left
// half masked by a shorter one, and drops repeats.
func sortForms(forms []string) []string {
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(forms)
}

func jsonInner(v string) string {
	b, _ := json.Marshal(v)
	return strings.TrimSuffix(strings.TrimPrefix(string(b), `"`), `"`)
}

// maskLike masks f, keeping the quotes of a quoted short form.
func maskLike(f string) string {
	if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' && utf8.RuneCountInString(f) < minScrub+2 {
		return `"` + strings.Repeat(string(mask), utf8.RuneCountInString(f)-2) + `"`
	}
	return strings.Repeat(string(mask), utf8.RuneCountInString(f))
}
