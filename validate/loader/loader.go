// Package loader reads Kubernetes manifests for validation: files,
// directories (recursively, .yaml/.yml/.json), and standard input; multi-
// document streams and v1 Lists. It decodes each document as kubectl would
// send it and can point any field path back to a line and column.
package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// Limits that keep hostile or mistaken input bounded.
const (
	// MaxFileSize is the largest file read; the API server's request limit is 3 MiB.
	MaxFileSize = 64 << 20
	// MaxDocumentSize is the largest single document; etcd stores at most ~1.5 MiB.
	MaxDocumentSize = 8 << 20
)

// Document is one Kubernetes object from the input.
type Document struct {
	File string
	// Line is where the document starts in File (1-based).
	Line int
	// Index is the document's position in its file (0-based).
	Index  int
	Raw    []byte
	Object map[string]any
	// DecodeErrors are problems found while decoding (duplicate keys, ...).
	DecodeErrors field.ErrorList
	// ListItem is the index in a v1 List, or -1.
	ListItem int

	positions *positions
	// src reads Raw again after Lighten dropped it.
	src *source
}

// Text returns the document's text, reading it again from its file when
// Lighten dropped it (nil if the file can no longer be read).
func (d *Document) Text() []byte {
	if d.Raw == nil && d.src != nil {
		return d.src.document(d.Index)
	}
	return d.Raw
}

// Lighten returns a copy of d that holds obj (typically the few fields a
// later pass needs) instead of the decoded object, and neither the text nor
// the position index when the text can be read again from its source.
// Position and Text work on the copy as on d.
func (d *Document) Lighten(obj map[string]any) *Document {
	light := &Document{File: d.File, Line: d.Line, Index: d.Index, Raw: d.Raw, Object: obj, ListItem: d.ListItem, src: d.src}
	if d.src != nil {
		light.Raw = nil
	}
	return light
}

// Kind returns apiVersion and kind, empty when absent.
func (d *Document) Kind() (apiVersion, kind string) {
	apiVersion, _ = d.Object["apiVersion"].(string)
	kind, _ = d.Object["kind"].(string)
	return apiVersion, kind
}

// Name returns metadata.namespace and metadata.name, empty when absent.
func (d *Document) Name() (namespace, name string) {
	md, _ := d.Object["metadata"].(map[string]any)
	namespace, _ = md["namespace"].(string)
	name, _ = md["name"].(string)
	return namespace, name
}

// Position returns the line and column of a field path (as the API server
// writes them: spec.rules[0].matches[0].path.value, metadata.labels[key]) in
// the document's file. A path that is not in the document resolves to its
// nearest ancestor that is; the document start if none is.
func (d *Document) Position(path string) (line, col int) {
	idx := d.positions
	switch {
	case idx != nil:
	case d.Raw == nil && d.src != nil:
		// A lightened document: keep its index only while it is the one
		// asked about, so lightened documents stay light.
		idx = d.src.positions(d.Index)
	default:
		d.positions = indexPositions(d.Raw)
		idx = d.positions
	}
	prefix := d.listPrefix()
	l, c := idx.lookup(prefix + path)
	if l == 0 {
		return d.Line, 1
	}
	return d.Line + l - 1, c
}

func (d *Document) listPrefix() string {
	if d.ListItem < 0 {
		return ""
	}
	return fmt.Sprintf("items[%d].", d.ListItem)
}

// Problem is input that could not be read as manifests at all.
type Problem struct {
	File    string
	Line    int
	Message string
	// Unreadable marks I/O failures (missing file, no permission), as
	// opposed to content that is not valid manifests.
	Unreadable bool
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

// Skipped is a document that is not a Kubernetes object (no kind).
type Skipped struct {
	File   string
	Line   int
	Reason string
}

// Result is what Load read.
type Result struct {
	Documents []*Document
	Skipped   []Skipped
	Problems  []Problem
}

// Source is a set of manifests that can be read more than once.
type Source interface {
	// Walk calls each for every document in input order until each returns
	// false, and returns what was skipped and what could not be read up to
	// there; Result.Documents stays empty.
	Walk(each func(*Document) bool) Result
}

// Walk calls each for every loaded document.
func (r Result) Walk(each func(*Document) bool) Result {
	for _, d := range r.Documents {
		if !each(d) {
			break
		}
	}
	return Result{Skipped: r.Skipped, Problems: r.Problems}
}

// Input is a Source that reads its paths when walked, one file at a time, so
// memory does not grow with the number of documents. Documents lightened
// after the walk read their text again from their file, or from Stdin.
type Input struct {
	Paths []string
	// Stdin is what "-" stands for, read once by the caller.
	Stdin []byte
}

// Load reads every path ("-" is stdin, read once). Directories are walked
// recursively for .yaml, .yml and .json files, in lexical order.
func Load(paths []string, stdin io.Reader) Result {
	in := Input{Paths: paths}
	var stdinProblem []Problem
	if slices.Contains(paths, "-") {
		data, err := readAll(stdin)
		if err != nil {
			stdinProblem = []Problem{{File: "<stdin>", Message: err.Error()}}
		}
		in.Stdin = data
	}
	var docs []*Document
	r := in.Walk(func(d *Document) bool { docs = append(docs, d); return true })
	r.Documents = docs
	r.Problems = append(stdinProblem, r.Problems...)
	return r
}

// Walk reads the input's paths in order and calls each for every document.
func (in Input) Walk(each func(*Document) bool) Result {
	w := walker{each: each}
	for _, p := range in.Paths {
		if w.stopped {
			break
		}
		if p == "-" {
			if len(in.Stdin) > MaxFileSize {
				w.r.Problems = append(w.r.Problems, Problem{File: "<stdin>", Message: fmt.Sprintf("input is larger than %d MiB", MaxFileSize>>20)})
				continue
			}
			w.addFile(&source{name: "<stdin>", data: in.Stdin}, in.Stdin)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			w.r.Problems = append(w.r.Problems, Problem{File: p, Message: unwrapPathError(err), Unreadable: true})
			continue
		}
		if !info.IsDir() {
			w.readFile(p)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				w.r.Problems = append(w.r.Problems, Problem{File: path, Message: unwrapPathError(err), Unreadable: true})
				return nil
			}
			if e.IsDir() && path != p && strings.HasPrefix(e.Name(), ".") {
				return filepath.SkipDir // .git and friends
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				if e.Type().IsRegular() {
					files = append(files, path)
				}
			}
			return nil
		})
		if err != nil {
			w.r.Problems = append(w.r.Problems, Problem{File: p, Message: err.Error()})
		}
		slices.Sort(files)
		for _, f := range files {
			if w.stopped {
				break
			}
			w.readFile(f)
		}
	}
	return w.r
}

type walker struct {
	r       Result
	each    func(*Document) bool
	stopped bool
}

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func readAll(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("input is larger than %d MiB", MaxFileSize>>20)
	}
	return data, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

func (w *walker) readFile(path string) {
	data, err := readFile(path)
	if err != nil {
		var pe *fs.PathError
		w.r.Problems = append(w.r.Problems, Problem{File: path, Message: unwrapPathError(err), Unreadable: errors.As(err, &pe)})
		return
	}
	w.addFile(&source{name: path}, data)
}

func (w *walker) addFile(src *source, data []byte) {
	name := src.name
	r := &w.r
	if bytes.IndexByte(data, 0) >= 0 {
		r.Problems = append(r.Problems, Problem{File: name, Message: "binary file (contains NUL bytes), not YAML or JSON"})
		return
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		r.Problems = append(r.Problems, Problem{File: name, Line: line, Message: "invalid UTF-8: YAML and JSON manifests must be UTF-8 text"})
		return
	}
	for i, doc := range splitDocuments(data) {
		if w.stopped {
			return
		}
		if len(doc.data) > MaxDocumentSize {
			r.Problems = append(r.Problems, Problem{File: name, Line: doc.line, Message: fmt.Sprintf("document is larger than %d MiB (etcd stores at most 1.5 MiB per object)", MaxDocumentSize>>20)})
			continue
		}
		if !hasContent(doc.data) {
			continue
		}
		obj, errs := crd.DecodeYAML(doc.data)
		if obj == nil {
			msg := "not valid YAML"
			if len(errs) > 0 {
				msg = errs[0].Detail
			}
			// The YAML decoder may count a line past the document's end.
			line := min(doc.line+yamlErrorLine(msg)-1, doc.line+max(bytes.Count(doc.data, []byte("\n"))-1, 0))
			r.Problems = append(r.Problems, Problem{File: name, Line: line, Message: msg})
			continue
		}
		d := &Document{File: name, Line: doc.line, Index: i, Raw: doc.data, Object: obj, DecodeErrors: errs, ListItem: -1, src: src}
		if av, kind := d.Kind(); kind == "" {
			r.Skipped = append(r.Skipped, Skipped{File: name, Line: doc.line, Reason: "not a Kubernetes object (no kind)"})
			continue
		} else if strings.HasPrefix(av, "kubelb-ai.dev/") {
			// kubelb-ai.yaml sits beside the manifests it renders.
			r.Skipped = append(r.Skipped, Skipped{File: name, Line: doc.line, Reason: "a kubelb-ai Spec (" + kind + "), not a Kubernetes object"})
			continue
		}
		if av, kind := d.Kind(); kind == "List" || (strings.HasSuffix(kind, "List") && av == "v1") {
			items, _ := obj["items"].([]any)
			for j, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					r.Problems = append(r.Problems, Problem{File: name, Line: doc.line, Message: fmt.Sprintf("items[%d] of the List is not an object", j)})
					continue
				}
				if w.stopped = !w.each(&Document{File: name, Line: doc.line, Index: i, Raw: doc.data, Object: m, ListItem: j, src: src}); w.stopped {
					return
				}
			}
			continue
		}
		w.stopped = !w.each(d)
	}
}

// source is a file (or standard input) documents can be read again from.
type source struct {
	name string
	data []byte // standard input; files are read again from disk
}

// reread caches the last file read again: findings come in file order, so
// one entry serves a whole file.
var reread struct {
	sync.Mutex
	src  *source
	docs []rawDoc
	// index and positions are the last document positioned in src.
	index     int
	positions *positions
}

// document returns the text of the index-th document (as splitDocuments
// counts them), or nil.
func (s *source) document(index int) []byte {
	reread.Lock()
	defer reread.Unlock()
	return s.documentLocked(index)
}

// positions returns the position index of the index-th document.
func (s *source) positions(index int) *positions {
	reread.Lock()
	defer reread.Unlock()
	if reread.src != s || reread.index != index || reread.positions == nil {
		raw := s.documentLocked(index)
		reread.index, reread.positions = index, indexPositions(raw)
	}
	return reread.positions
}

func (s *source) documentLocked(index int) []byte {
	if reread.src != s {
		data := s.data
		if data == nil {
			var err error
			if data, err = readFile(s.name); err != nil {
				data = nil // changed since: findings fall back to the document start
			}
		}
		reread.src, reread.docs, reread.positions = s, splitDocuments(data), nil
	}
	if index < 0 || index >= len(reread.docs) {
		return nil
	}
	return reread.docs[index].data
}

type rawDoc struct {
	data []byte
	line int
}

// splitDocuments splits a YAML stream at "---" lines, remembering where each
// document starts. A JSON file is one document. Lines are split as
// bufio.ScanLines does (a trailing \r is dropped, a last line needs no \n).
func splitDocuments(data []byte) []rawDoc {
	var docs []rawDoc
	var cur bytes.Buffer
	start, line := 1, 0
	for len(data) > 0 {
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		text := bytes.TrimSuffix(raw, []byte{'\r'})
		line++
		if string(text) == "---" || bytes.HasPrefix(text, []byte("--- ")) || bytes.HasPrefix(text, []byte("---\t")) {
			docs = append(docs, rawDoc{data: bytes.Clone(cur.Bytes()), line: start})
			cur.Reset()
			start = line + 1
			if rest := strings.TrimSpace(string(text[3:])); rest != "" && !strings.HasPrefix(rest, "#") {
				cur.WriteString(rest + "\n") // "--- {inline: document}"
				start = line
			}
			continue
		}
		if string(text) == "..." {
			continue
		}
		cur.Write(text)
		cur.WriteByte('\n')
	}
	return append(docs, rawDoc{data: cur.Bytes(), line: start})
}

// hasContent reports whether doc has a line that is neither blank nor a
// comment.
func hasContent(doc []byte) bool {
	for len(doc) > 0 {
		l := doc
		if i := bytes.IndexByte(doc, '\n'); i >= 0 {
			l, doc = doc[:i], doc[i+1:]
		} else {
			doc = nil
		}
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			return true
		}
	}
	return false
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// yamlErrorLine extracts "line N" from a YAML decoder message, or 1.
func yamlErrorLine(msg string) int {
	var n int
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &n)
	}
	if n < 1 {
		return 1
	}
	return n
}
