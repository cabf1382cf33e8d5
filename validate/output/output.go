// Package output writes validation reports in the formats CI systems read:
// compiler-style text, versioned JSON, SARIF 2.1.0, JUnit XML and GitHub
// workflow commands. Writers are interchangeable; none changes the report.
package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/validate"
)

// Formats are the names accepted by -o and --output.
var Formats = []string{"text", "json", "sarif", "junit", "github"}

// Options shape a writer's output.
type Options struct {
	// Color uses ANSI colours (text only; for terminals).
	Color bool
	// Version is kubelb-ai's version, for formats that name their tool.
	Version string
}

// Write renders r in format to w. Writers print findings as the report
// holds them: validate masked every credential when it made them, and no
// writer reads an input again.
func Write(w io.Writer, format string, r *validate.Report, opts Options) error {
	switch format {
	case "text", "":
		return writeText(w, r, opts)
	case "json":
		return writeJSON(w, r)
	case "sarif":
		return writeSARIF(w, r, opts)
	case "junit":
		return writeJUnit(w, r)
	case "github":
		return writeGitHub(w, r)
	}
	return fmt.Errorf("unknown output format %q: use one of %s", format, strings.Join(Formats, ", "))
}

// JSONVersion is the version of the JSON report format (docs/validate.md).
const JSONVersion = "kubelb-ai.dev/validate/v1"

type jsonReport struct {
	Version   string             `json:"version"`
	Target    string             `json:"target"`
	CRDs      *jsonCRDs          `json:"crds,omitempty"`
	Documents int                `json:"documents"`
	Errors    int                `json:"errors"`
	Warnings  int                `json:"warnings"`
	Skipped   []jsonSkipped      `json:"skipped"`
	Findings  []validate.Finding `json:"findings"`
}

// jsonCRDs names the releases whose schemas judged.
type jsonCRDs struct {
	KubeLB            string `json:"kubelb,omitempty"`
	DataPlane         string `json:"dataPlane"`
	DataPlaneVersion  string `json:"dataPlaneVersion"`
	GatewayAPIVersion string `json:"gatewayAPIVersion"`
	GatewayAPIChannel string `json:"gatewayAPIChannel"`
}

type jsonSkipped struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func writeJSON(w io.Writer, r *validate.Report) error {
	out := jsonReport{Version: JSONVersion, Target: r.Target, Documents: r.Documents, Errors: r.Errors(), Warnings: r.Warnings(),
		Skipped: []jsonSkipped{}, Findings: r.Findings}
	if c := r.CRDs; c.Project != "" {
		out.CRDs = &jsonCRDs{DataPlane: c.Project, DataPlaneVersion: c.DataPlane, GatewayAPIVersion: c.GatewayAPI, GatewayAPIChannel: c.Channel}
		if !c.Overridden() {
			out.CRDs.KubeLB = c.KubeLB
		}
	}
	for _, s := range r.Skipped {
		out.Skipped = append(out.Skipped, jsonSkipped{File: s.File, Line: s.Line, Reason: s.Reason})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// writeText prints one compiler-style line per finding, file:line:col:
// severity: message [rule], then the source line with a caret and the fix.
func writeText(w io.Writer, r *validate.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + reset
	}
	for _, f := range r.Findings {
		sev := paint(red+bold, string(f.Severity))
		if f.Severity == validate.SeverityWarning {
			sev = paint(yellow+bold, string(f.Severity))
		}
		fmt.Fprintf(bw, "%s: %s: %s [%s]\n", paint(bold, fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)), sev, f.Message, f.Rule)
		if f.Excerpt != "" {
			fmt.Fprintf(bw, "  %s\n  %s%s\n", strings.ReplaceAll(f.Excerpt, "\t", " "), strings.Repeat(" ", max(f.Column-1, 0)), paint(red, "^"))
		}
		if f.Object != "" || f.Path != "" {
			fmt.Fprintf(bw, "  %s\n", paint(dim, strings.TrimSpace(f.Object+" "+f.Path)))
		}
		if f.Fix != "" {
			fix := strings.ReplaceAll(strings.TrimRight(f.Fix, "\n"), "\n", "\n    ")
			fmt.Fprintf(bw, "  fix: %s\n", fix)
		}
	}
	fmt.Fprintf(bw, "%s\n", Summary(r))
	return bw.Flush()
}

// Summary is the one-line result of a run.
func Summary(r *validate.Report) string {
	verdict := "valid"
	if r.Errors() > 0 {
		verdict = "invalid"
	}
	judged := ""
	if c := r.CRDs.String(); c != "" {
		judged = " (" + c + ")"
	}
	s := fmt.Sprintf("%d documents %s for target %s%s: %d errors, %d warnings", r.Documents, verdict, r.Target, judged, r.Errors(), r.Warnings())
	if len(r.Skipped) > 0 {
		s += fmt.Sprintf(", %d non-Kubernetes documents skipped", len(r.Skipped))
	}
	return s
}

// byFile groups findings by file in file order.
func byFile(r *validate.Report) ([]string, map[string][]validate.Finding) {
	m := map[string][]validate.Finding{}
	for _, f := range r.Findings {
		m[f.File] = append(m[f.File], f)
	}
	files := make([]string, 0, len(m))
	for f := range m {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, m
}
