package proxy

import (
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// The access log is written in batches: a line shows within the interval,
// and Close writes out whatever is left.
func TestBatchedWriter(t *testing.T) {
	var out testenv.Buffer
	b := NewBatchedWriter(&out, 50*time.Millisecond)
	b.Write([]byte("one\n"))
	if out.String() != "" {
		t.Error("written before its batch")
	}
	for deadline := time.Now().Add(5 * time.Second); out.String() != "one\n"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the batch never came: %q", out.String())
		}
	}
	b.Write([]byte("two\n"))
	b.Close()
	if !strings.HasSuffix(out.String(), "two\n") {
		t.Errorf("Close left %q", out.String())
	}
}
