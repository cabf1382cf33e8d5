package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// batchedWriter collects the access log in memory and writes it out every
// interval (and when its buffer fills, and on Close): one write per batch
// instead of one system call per request, off the requests' path.
type batchedWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newBatchedWriter(out io.Writer, interval time.Duration) *batchedWriter {
	b := &batchedWriter{w: bufio.NewWriterSize(out, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.Flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

func (b *batchedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is collected.
func (b *batchedWriter) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

// Close stops the timer and writes out the rest.
func (b *batchedWriter) Close() {
	close(b.stop)
	<-b.done
	b.Flush()
}
