package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Set by the build (see Makefile): -X main.version=... -X main.commit=...
var (
	version = ""
	commit  = ""
)

type versionInfo struct {
	Version   string        `json:"version"`
	Commit    string        `json:"commit"`
	GoVersion string        `json:"goVersion"`
	Platform  string        `json:"platform"`
	Targets   []versionTarg `json:"targets"`
}

type versionTarg struct {
	Name      string   `json:"name"`
	KubeLB    []string `json:"kubelb"`
	DataPlane string   `json:"dataPlane"`
	Default   bool     `json:"default,omitempty"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version // go install module@version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v.Commit == "" {
				v.Commit = s.Value
			}
		}
	}
	if v.Version == "" {
		v.Version = "dev"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	for _, t := range templates.Targets() {
		v.Targets = append(v.Targets, versionTarg{Name: t.Name, KubeLB: t.KubeLB, DataPlane: t.DataPlane, Default: t.Default})
	}
	return v
}

type versionOptions struct {
	output  string
	streams IOStreams
}

func newVersionCmd(streams IOStreams) *cobra.Command {
	o := &versionOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go version and supported targets",
		Example: `  kubelb-ai version
  kubelb-ai version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func runVersion(_ context.Context, o *versionOptions) error {
	v := buildVersion()
	switch o.output {
	case "json":
		enc := json.NewEncoder(o.streams.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "", "text":
		fmt.Fprintf(o.streams.Out, "kubelb-ai %s (commit %s, %s, %s)\ntargets:\n", v.Version, v.Commit, v.GoVersion, v.Platform)
		for _, t := range v.Targets {
			def := ""
			if t.Default {
				def = " (default)"
			}
			fmt.Fprintf(o.streams.Out, "  %-14s KubeLB %-9s %s%s\n", t.Name, strings.Join(t.KubeLB, ", "), t.DataPlane, def)
		}
		return nil
	default:
		return usageError("unknown output format %q: use text or json", o.output)
	}
}
