package loader

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A device is refused before anything is read: /dev/zero would otherwise
// be read without end.
func TestOpenRefusesDevices(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	start := time.Now()
	_, err := Open([]string{"/dev/zero"}, nil, 0)
	var p Problem
	if !errors.As(err, &p) || !p.Unreadable || !strings.HasPrefix(err.Error(), "/dev/zero: a character device") {
		t.Fatalf("Open(/dev/zero) = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing took %v", d)
	}
	// Load, and a Walk of an Input made without Open, refuse it too.
	if r := Load([]string{"/dev/zero"}, nil); len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "character device") {
		t.Errorf("Load: %v", r.Problems)
	}
	if r := (Input{Paths: []string{"/dev/zero"}}).Walk(func(*Document) bool { return true }); len(r.Problems) != 1 || !r.Problems[0].Unreadable {
		t.Errorf("Walk: %v", r.Problems)
	}
}

// An input over the limit is an error naming it and the limit, found
// without reading it whole; one at the limit is read.
func TestMaxInputSize(t *testing.T) {
	dir := t.TempDir()
	doc := "kind: A\nmetadata: {name: a}\n" // 28 bytes
	exact := write(t, dir, "exact.yaml", doc)
	over := write(t, dir, "sub/over.yaml", doc+"#")
	in, err := Open([]string{exact, dir}, nil, int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	r := in.Walk(func(d *Document) bool { names = append(names, filepath.Base(d.File)); return true })
	if len(r.Problems) != 1 || r.Problems[0].File != over || !r.Problems[0].Unreadable || !errors.Is(r.Problems[0], ErrTooLarge) ||
		r.Problems[0].Message != "larger than the limit of 28 bytes on one input" {
		t.Errorf("problems %+v", r.Problems)
	}
	if strings.Join(names, ",") != "exact.yaml,exact.yaml" {
		t.Errorf("read %v", names)
	}
	// Standard input: refused by Open, at once.
	_, err = Open([]string{"-"}, strings.NewReader(doc+"#"), int64(len(doc)))
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "<stdin>: larger than the limit") {
		t.Errorf("stdin over the limit: %v", err)
	}
	// An endless stream is not read past the limit.
	_, err = Open([]string{"-"}, endless{}, 1<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("endless stdin: %v", err)
	}
	if got := formatSize(64 << 20); got != "64 MiB" {
		t.Errorf("formatSize = %q", got)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) { return len(p), nil }

// Standard input is read once, even named twice, and what was read serves
// every walk and the text of lightened documents.
func TestStdinReadOnce(t *testing.T) {
	src := &countingReader{r: strings.NewReader("kind: A\nmetadata: {name: a}\n")}
	in, err := Open([]string{"-", "-"}, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var docs []*Document
		in.Walk(func(d *Document) bool { docs = append(docs, d.Lighten(nil)); return true })
		if len(docs) != 2 || string(docs[1].Text()) != "kind: A\nmetadata: {name: a}\n" {
			t.Fatalf("documents %v", docs)
		}
		if line, ok := docs[0].Excerpt(2); !ok || line != "metadata: {name: a}" {
			t.Errorf("excerpt %q %v", line, ok)
		}
	}
	if src.reads != 2 { // the data, then EOF
		t.Errorf("standard input read %d times", src.reads)
	}
}

type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}
