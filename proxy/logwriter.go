package proxy

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// BatchedWriter collects an access log in memory and writes it out every
// interval (and when its buffer fills, and on Close): one write per batch
// instead of one system call per request, off the requests' path.
type BatchedWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// NewBatchedWriter writes to out every interval until Close.
func NewBatchedWriter(out io.Writer, interval time.Duration) *BatchedWriter {
	b := &BatchedWriter{w: bufio.NewWriterSize(out, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
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

func (b *BatchedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is collected.
func (b *BatchedWriter) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

// Close stops the timer and writes out the rest.
func (b *BatchedWriter) Close() {
	close(b.stop)
	<-b.done
	b.Flush()
}
