//go:build unix

package loader

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe is read once, by Open, and every walk, position and excerpt
// comes from that one read (a second read would wait for a writer forever).
func TestNamedPipeReadOnce(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "manifests.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	wrote := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(twoDocs)
			f.Close()
		}
		wrote <- err
	}()
	in, err := Open([]string{fifo}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	for range 2 { // --target auto walks the input up to three times
		var light []*Document
		r := in.Walk(func(d *Document) bool { light = append(light, d.Lighten(nil)); return true })
		if len(light) != 3 || len(r.Problems) != 0 || light[0].File != fifo {
			t.Fatalf("documents %d, problems %v", len(light), r.Problems)
		}
		if l, c := light[0].Position("spec.listeners[0].port"); l != 11 || c != 5 {
			t.Errorf("position %d:%d", l, c)
		}
		if line, ok := light[0].Excerpt(11); !ok || line != "    port: 8080" {
			t.Errorf("excerpt %q %v", line, ok)
		}
	}
	// A pipe that Open did not read is refused, not waited on.
	r := Input{Paths: []string{fifo}}.Walk(func(*Document) bool { return true })
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "named pipe") {
		t.Errorf("walk without Open: %v", r.Problems)
	}
}
