package validate

import (
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// WithoutMasking makes findings as if there were no masking, until the test
// ends: excerpts are the raw lines and messages are left as they are, so
// that a leak test can show it would catch a leak.
func WithoutMasking(t testing.TB) {
	saved := masked
	masked = func(d *loader.Document, f Finding) Finding {
		lines := strings.Split(string(d.Text()), "\n")
		if i := f.Line - d.Line; i >= 0 && i < len(lines) {
			f.Excerpt = lines[i]
		}
		return f
	}
	t.Cleanup(func() { masked = saved })
}
