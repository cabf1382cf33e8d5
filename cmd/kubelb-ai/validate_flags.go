package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
	"github.com/kubelb-ai/kubelb-ai/validate/output"
)

type reportFile struct{ format, path string }

// parseOutputs reads -o/--output values: one FORMAT for standard output
// (text by default) and any number of FORMAT=FILE.
func parseOutputs(values []string) (string, []reportFile, error) {
	stdout := ""
	var files []reportFile
	for _, v := range values {
		format, path, hasFile := strings.Cut(v, "=")
		if !slices.Contains(output.Formats, format) {
			return "", nil, usageError("unknown output format %q: use %s", format, strings.Join(output.Formats, ", "))
		}
		switch {
		case hasFile && path == "":
			return "", nil, usageError("--output %q: the file name is missing, e.g. junit=report.xml", v)
		case hasFile:
			files = append(files, reportFile{format, path})
		case stdout != "":
			return "", nil, usageError("-o %s and -o %s: standard output takes one format; write others with FORMAT=FILE", stdout, format)
		default:
			stdout = format
		}
	}
	if stdout == "" {
		stdout = "text"
	}
	return stdout, files, nil
}

func writeReportFile(path, format string, r *validate.Report, opts output.Options) error {
	var buf bytes.Buffer
	if err := output.Write(&buf, format, r, opts); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func ptrTo[T any](v T) *T { return &v }

// withSizeHint adds the way out to an input over --max-input-size.
func withSizeHint(err error) error {
	if errors.Is(err, loader.ErrTooLarge) {
		return fmt.Errorf("%w: raise it with --max-input-size if the input is meant to be that large", err)
	}
	return err
}

// byteSize is a flag holding a size in bytes, written 64Mi, 64MiB, 10MB,
// 10M or 1048576 (go-humanize's ParseBytes, which reads Kubernetes'
// binary suffixes as well as the units people write).
type byteSize int64

func (s *byteSize) String() string {
	if n := int64(*s); n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%dMi", n>>20)
	}
	return fmt.Sprint(int64(*s))
}

func (s *byteSize) Set(v string) error {
	n, err := humanize.ParseBytes(v)
	if err != nil || n == 0 || n > math.MaxInt64 {
		return fmt.Errorf("want a positive size such as 64Mi, 10MB or 1048576")
	}
	*s = byteSize(n)
	return nil
}

func (s *byteSize) Type() string { return "SIZE" }

// tuneGC trades memory for CPU unless the user set GOGC or GOMEMLIMIT.
// validate keeps little between documents (each is summarized once
// checked), so the live heap is small and the default GOGC=100 spends a
// quarter of the run collecting garbage; a higher GOGC with a soft memory
// limit collects several times less often while peak memory stays bounded.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(128 << 20)
	}
}

// parseSeverities reads --severity values, RULE=error or RULE=warning; the
// rule IDs are checked by validate.New, which names the known ones.
func parseSeverities(values []string) (map[string]validate.Severity, error) {
	out := map[string]validate.Severity{}
	for _, v := range values {
		rule, sev, ok := strings.Cut(v, "=")
		switch s := validate.Severity(sev); {
		case !ok || rule == "":
			return nil, usageError("--severity %q: want RULE=error or RULE=warning, e.g. --severity no-rate-limit=error", v)
		case s != validate.SeverityError && s != validate.SeverityWarning:
			return nil, usageError("--severity %s: unknown severity %q: use error or warning", rule, sev)
		default:
			out[rule] = s
		}
	}
	return out, nil
}

// wrapList joins names with commas in lines of at most 76 characters,
// indented, for help text.
func wrapList(names []string) string {
	var b strings.Builder
	line := 0
	for i, n := range names {
		if i < len(names)-1 {
			n += ","
		}
		if line > 0 && line+1+len(n) > 76 {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString("  ")
			line = 2
		} else {
			b.WriteString(" ")
			line++
		}
		b.WriteString(n)
		line += len(n)
	}
	return b.String()
}
