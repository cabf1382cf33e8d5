//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe is read once: validated as the same file would be, with its
// excerpts, through every pass (--target auto and the text output's "valid
// for another target?" walk the input again), instead of hanging on a
// second read.
func TestValidateNamedPipe(t *testing.T) {
	data, err := os.ReadFile(tutorialFile)
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(t.TempDir(), "manifests.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Write(data)
			f.Close()
		}
	}()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCmd(t, "validate", "--target", "auto", fifo)
		done <- result{code, out, errOut}
	}()
	var got result
	select {
	case got = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("validate of a named pipe hangs")
	}
	_, want, _ := runCmd(t, "validate", "--target", "auto", tutorialFile)
	if got.code != exitFindings || strings.ReplaceAll(got.out, fifo, tutorialFile) != want || !strings.Contains(got.out, "\n    ^\n") {
		t.Errorf("exit %d; the pipe's report differs from the file's:\n%s%s\nwant\n%s", got.code, got.out, got.err, want)
	}
}
