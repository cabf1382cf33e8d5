package spec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// maxFileSize bounds what Load reads: a Spec is a few kilobytes, and an
// unbounded read of a wrong file (a log, a binary) must not exhaust memory.
const maxFileSize = 4 << 20

// Load reads and strictly decodes a kubelb-ai.yaml file. It does not apply
// defaults or check the Spec against a target; see Default and Check. Errors
// carry the file, line and column.
func Load(path string) (*File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is too large for a kubelb-ai.yaml (limit %d)", path, info.Size(), maxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// File is a decoded kubelb-ai.yaml and what is needed to point back into it.
type File struct {
	Name    string
	Gateway AIGateway
	ast     *ast.File
}

// Parse strictly decodes data (named name in errors): unknown fields,
// duplicate keys, wrong types and a wrong apiVersion or kind are errors.
func Parse(name string, data []byte) (*File, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is too large for a kubelb-ai.yaml (limit %d)", name, len(data), maxFileSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FieldError{File: name, Message: "the file is empty: expected an AIGateway (apiVersion: " + APIVersion + ")"}
	}
	f := &File{Name: name}
	tree, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if len(tree.Docs) > 1 {
		return nil, &FieldError{File: name, Line: 1, Column: 1, Message: "a kubelb-ai.yaml holds one AIGateway document, found several"}
	}
	f.ast = tree
	if err := decodeStrict(data, &f.Gateway); err != nil {
		return nil, yamlError(name, err)
	}
	var problems errs
	checkValueSizes(&problems, &f.Gateway.Spec)
	if f.Gateway.APIVersion != APIVersion {
		problems.add("apiVersion", "is %q, want %q", f.Gateway.APIVersion, APIVersion)
	}
	if f.Gateway.Kind != Kind {
		problems.add("kind", "is %q, want %q", f.Gateway.Kind, Kind)
	}
	if err := problems.err(); err != nil {
		return nil, f.Locate(err)
	}
	return f, nil
}

// decodeStrict decodes data into v, failing on unknown fields. The decoder
// has been seen to panic on some malformed input (found by FuzzParse: a tag
// on a sequence in an odd place); such input is reported as malformed
// instead of crashing the command.
func decodeStrict(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML the decoder cannot read (%v)", r)
		}
	}()
	return yaml.NewDecoder(bytes.NewReader(data), yaml.Strict()).Decode(v)
}

// yamlError turns a decoder error into a FieldError with its position.
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		fe := &FieldError{File: name, Message: ye.GetMessage()}
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			fe.Line, fe.Column = tok.Position.Line, tok.Position.Column
		}
		return fe
	}
	return &FieldError{File: name, Message: err.Error()}
}

var indexRE = regexp.MustCompile(`\[(\d+)\]`)

// Locate fills in file, line and column of the FieldErrors in err from the
// file's syntax tree. A path that is not in the file (a defaulted field) is
// reported at its nearest parent that is.
func (f *File) Locate(err error) error {
	var list ErrorList
	if !errors.As(err, &list) {
		var one *FieldError
		if !errors.As(err, &one) {
			return err
		}
		list = ErrorList{one}
	}
	for _, e := range list {
		e.File = f.Name
		if f.ast == nil || e.Line > 0 {
			continue
		}
		for p := e.Path; ; p = parentPath(p) {
			if line, col, ok := f.position(p); ok {
				e.Line, e.Column = line, col
				break
			}
			if p == "" {
				break
			}
		}
	}
	return list
}

func (f *File) position(fieldPath string) (int, int, bool) {
	yp := "$"
	if fieldPath != "" {
		yp += "." + fieldPath
	}
	p, err := yaml.PathString(yp)
	if err != nil {
		return 0, 0, false
	}
	node, err := p.FilterFile(f.ast)
	if err != nil || node == nil {
		return 0, 0, false
	}
	tok := node.GetToken()
	if tok == nil || tok.Position == nil {
		return 0, 0, false
	}
	return tok.Position.Line, tok.Position.Column, true
}

// parentPath drops the last element of a field path.
func parentPath(p string) string {
	if loc := indexRE.FindAllStringIndex(p, -1); len(loc) > 0 && loc[len(loc)-1][1] == len(p) {
		return p[:loc[len(loc)-1][0]]
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' {
			return p[:i]
		}
	}
	return ""
}

// Marshal renders g as YAML in field order, so written files read top-down
// (apiVersion, kind, metadata, spec) and stay stable in git.
func Marshal(g *AIGateway) ([]byte, error) {
	return yaml.MarshalWithOptions(g, yaml.Indent(2), yaml.IndentSequence(false), yaml.UseLiteralStyleIfMultiline(true))
}

// quote returns s in double quotes for messages.
func quote(s string) string { return strconv.Quote(s) }

// maxValueNodes bounds a free-form value (a default's value). YAML aliases
// let a few lines describe a value of billions of nodes; the decoder shares
// them, but encoding the manifests would expand every one.
const maxValueNodes = 10000

func checkValueSizes(e *errs, s *Spec) {
	for i, r := range s.Routes {
		if r.Policies == nil {
			continue
		}
		for j, d := range r.Policies.Defaults {
			budget := maxValueNodes
			if !withinBudget(d.Value, &budget) {
				e.add(fmt.Sprintf("spec.routes[%d].policies.defaults[%d].value", i, j), "is larger than %d elements once YAML aliases are expanded", maxValueNodes)
			}
		}
	}
}

// withinBudget walks v, spending one unit of budget per node, and reports
// whether the walk finished before the budget ran out.
func withinBudget(v any, budget *int) bool {
	*budget--
	if *budget < 0 {
		return false
	}
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			if !withinBudget(x, budget) {
				return false
			}
		}
	case map[string]any:
		for _, x := range t {
			if !withinBudget(x, budget) {
				return false
			}
		}
	}
	return true
}
