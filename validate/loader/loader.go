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
	"syscall"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// Limits that keep hostile or mistaken input bounded.
const (
	// DefaultMaxInputSize is the largest input (file, pipe or standard
	// input) read unless Input.MaxSize says otherwise; the API server's
	// request limit is 3 MiB.
	DefaultMaxInputSize = 64 << 20
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
// Lighten dropped it (nil if the file can no longer be read). Standard input
// and pipes are never read again: their source keeps what was read.
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
	l, c := d.index().lookup(d.listPrefix() + path)
	if l == 0 {
		return d.Line, 1
	}
	return d.Line + l - 1, c
}

// Excerpt returns line (of the file, 1-based) as a finding may show it: cut
// from the text the document was read from, never from another read of its
// file, with every credential of the document masked (secrets.go).
func (d *Document) Excerpt(line int) (string, bool) {
	n := line - d.Line + 1
	text, ok := lineOf(d.Text(), n)
	if !ok {
		return "", false
	}
	return d.index().maskLine(text, n), true
}

// Redact returns s, text of a finding at field path at, with every
// credential of the document masked, as written and as messages quote it:
// a finding's message may repeat a value whatever field it is about.
func (d *Document) Redact(at, s string) string {
	if at != "" {
		at = d.listPrefix() + at
	}
	return d.index().scrub(at, s)
}

// index returns the document's position index, built on first use.
func (d *Document) index() *positions {
	switch {
	case d.positions != nil:
		return d.positions
	case d.Raw == nil && d.src != nil:
		// A lightened document: keep its index only while it is the one
		// asked about, so lightened documents stay light.
		return d.src.positions(d.Index)
	}
	d.positions = indexPositions(d.Raw)
	return d.positions
}

// lineOf returns the n-th (1-based) line of text.
func lineOf(text []byte, n int) (string, bool) {
	for i := 1; n >= 1 && len(text) > 0; i++ {
		line, rest, _ := bytes.Cut(text, []byte{'\n'})
		if i == n {
			return string(bytes.TrimSuffix(line, []byte{'\r'})), true
		}
		text = rest
	}
	return "", false
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
	// Unreadable marks I/O failures (missing file, no permission, not a
	// file validate reads, too large), as opposed to content that is not
	// valid manifests.
	Unreadable bool
	// Excerpt is line Line for a document that could not be decoded, all
	// but its first key masked (the decoder's reading of the line is
	// unknown, so any of it may be a credential); empty for other problems.
	Excerpt string

	err error // for errors.Is: ErrTooLarge
}

// Unwrap returns the error the problem stands for, if it is a known one.
func (p Problem) Unwrap() error { return p.err }

// ErrTooLarge is the error of an input over its size limit (Input.MaxSize).
var ErrTooLarge = errors.New("input too large")

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
// after the walk read their text again from their file (a regular file,
// bounded as the first read), or take it from what Open read of standard
// input and pipes, which are read once.
type Input struct {
	Paths []string
	// Stdin is what "-" stands for, read once by the caller (or Open).
	Stdin []byte
	// MaxSize bounds each input: a file, a pipe, standard input. Zero is
	// DefaultMaxInputSize.
	MaxSize int64
	// piped holds the named pipes among Paths, read by Open.
	piped map[string][]byte
}

// Open prepares paths for walking. It refuses at once what validate does
// not read: anything but regular files, directories, named pipes and "-"
// for standard input (a device such as /dev/zero never ends, a socket is
// no input). What cannot be read twice, standard input and named pipes, it
// reads now, once, and keeps; regular files are read when walked. Each
// input is read up to maxSize bytes (0: DefaultMaxInputSize), and one over
// that is an error. Paths that do not exist are left to the walk, which
// reports them among the other unreadable input. Errors are a Problem.
func Open(paths []string, stdin io.Reader, maxSize int64) (Input, error) {
	in := Input{Paths: paths, MaxSize: maxSize}
	limit := in.limit()
	stdinRead := false
	for _, p := range paths {
		if p == "-" {
			if stdinRead {
				continue // "-" twice stands for the same input
			}
			stdinRead = true
			data, err := readStream(stdin, limit)
			if err != nil {
				return in, problemOf("<stdin>", err, limit)
			}
			in.Stdin = data
			continue
		}
		info, err := os.Stat(p)
		if err != nil || info.Mode().IsRegular() || info.IsDir() {
			continue
		}
		if info.Mode()&fs.ModeNamedPipe == 0 {
			return in, problemOf(p, refused(info.Mode()), limit)
		}
		if _, done := in.piped[p]; done {
			continue
		}
		data, err := readPipe(p, limit)
		if err != nil {
			return in, problemOf(p, err, limit)
		}
		if in.piped == nil {
			in.piped = map[string][]byte{}
		}
		in.piped[p] = data
	}
	return in, nil
}

// Load reads every path as Open and Walk do and keeps every document.
// Directories are walked recursively for .yaml, .yml and .json files, in
// lexical order.
func Load(paths []string, stdin io.Reader) Result {
	in, err := Open(paths, stdin, 0)
	if err != nil {
		var p Problem
		errors.As(err, &p)
		return Result{Problems: []Problem{p}}
	}
	var docs []*Document
	r := in.Walk(func(d *Document) bool { docs = append(docs, d); return true })
	r.Documents = docs
	return r
}

// limit is MaxSize, or its default; at most 1 PiB, so that limit+1 is
// never out of range (a larger limit is no limit anyway).
func (in Input) limit() int64 {
	if in.MaxSize > 0 {
		return min(in.MaxSize, 1<<50)
	}
	return DefaultMaxInputSize
}

// Walk reads the input's paths in order and calls each for every document.
func (in Input) Walk(each func(*Document) bool) Result {
	w := walker{each: each, limit: in.limit()}
	for _, p := range in.Paths {
		if w.stopped {
			break
		}
		if p == "-" {
			if int64(len(in.Stdin)) > w.limit {
				w.r.Problems = append(w.r.Problems, problemOf("<stdin>", ErrTooLarge, w.limit))
				continue
			}
			w.addFile(&source{name: "<stdin>", data: in.Stdin}, in.Stdin)
			continue
		}
		if data, ok := in.piped[p]; ok {
			w.addFile(&source{name: p, data: data}, data)
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
		files, problems := ManifestFiles(p)
		w.r.Problems = append(w.r.Problems, problems...)
		for _, f := range files {
			if w.stopped {
				break
			}
			w.readFile(f)
		}
	}
	return w.r
}

// ManifestFiles lists the files Walk reads in directory dir, in lexical
// order: regular files named .yaml, .yml or .json (any case), recursively,
// leaving out directories whose name starts with a dot (.git and friends).
// Problems are what could not be read.
func ManifestFiles(dir string) ([]string, []Problem) {
	var files []string
	var problems []Problem
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			problems = append(problems, Problem{File: path, Message: unwrapPathError(err), Unreadable: true})
			return nil
		}
		if e.IsDir() && path != dir && strings.HasPrefix(e.Name(), ".") {
			return filepath.SkipDir
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
		problems = append(problems, Problem{File: dir, Message: err.Error()})
	}
	slices.Sort(files)
	return files, problems
}

type walker struct {
	r       Result
	each    func(*Document) bool
	stopped bool
	limit   int64
}

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// problemOf is the unreadable-input problem err makes for file.
func problemOf(file string, err error, limit int64) Problem {
	if errors.Is(err, ErrTooLarge) {
		return Problem{File: file, Message: "larger than the limit of " + formatSize(limit) + " on one input", Unreadable: true, err: ErrTooLarge}
	}
	return Problem{File: file, Message: unwrapPathError(err), Unreadable: true, err: err}
}

// refused explains why a file of this mode is not read.
func refused(mode fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case mode&fs.ModeCharDevice != 0:
		kind = "a character device"
	case mode&fs.ModeDevice != 0:
		kind = "a block device"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe that Open did not read" // Input built without Open
	}
	return errors.New(kind + ": only regular files, directories, named pipes and - (standard input) are read")
}

// readRegular reads a regular file, at most limit bytes. It opens without
// blocking and checks the open file's type, so that a path that became a
// pipe or a device since it was listed is refused, not waited on or read
// without end.
func readRegular(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, refused(info.Mode())
	case info.Size() > limit:
		return nil, ErrTooLarge
	}
	return readBounded(f, limit, info.Size())
}

// readPipe reads a named pipe to its end, at most limit bytes.
func readPipe(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path) // waits for a writer, as reading any pipe does
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readStream(f, limit)
}

// readStream reads r to its end, at most limit bytes; a nil r is empty.
func readStream(r io.Reader, limit int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	return readBounded(r, limit, 512)
}

// readBounded reads r to its end into a buffer sized for size bytes, and
// fails with ErrTooLarge as soon as it has read more than limit: memory
// stays bounded whatever r is.
func readBounded(r io.Reader, limit, size int64) ([]byte, error) {
	buf := make([]byte, 0, min(size, limit)+1) // +1: reaching EOF needs no growth
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(int64(cap(buf)), limit+1-int64(len(buf)))))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, ErrTooLarge
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// formatSize writes a size in bytes as the largest binary unit that
// divides it: 64 MiB, 1536 KiB, 1000 bytes.
func formatSize(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

func (w *walker) readFile(path string) {
	data, err := readRegular(path, w.limit)
	if err != nil {
		w.r.Problems = append(w.r.Problems, problemOf(path, err, w.limit))
		return
	}
	w.addFile(&source{name: path, limit: w.limit}, data)
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
			r.Problems = append(r.Problems, undecodable(name, line, msg, doc))
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

// undecodable is the problem of a document the decoder rejects. The
// decoder's message may quote a value, and the excerpt is the very line
// that is wrong, so both are masked; the excerpt wholesale, as the
// decoder's reading of the document is unknown.
func undecodable(file string, line int, msg string, doc rawDoc) Problem {
	p := Problem{File: file, Line: line, Message: msg}
	if text, ok := lineOf(doc.data, line-doc.line+1); ok {
		p.Excerpt = maskValues(text)
	}
	if strings.Contains(msg, "\"") || strings.Contains(msg, "`") || strings.Contains(msg, "{") {
		// Quotes a value: scrub what the (more lenient) indexer finds.
		p.Message = indexPositions(doc.data).scrub("", msg)
	}
	return p
}

// source is a file (or standard input, or a pipe) documents can be read
// again from.
type source struct {
	name string
	// data is what was read of standard input or a pipe, which cannot be
	// read twice; regular files are read again from disk.
	data []byte
	// limit bounds reading the file again as it bounded the first read.
	limit int64
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
		if data == nil && s.limit > 0 {
			var err error
			if data, err = readRegular(s.name, s.limit); err != nil {
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
