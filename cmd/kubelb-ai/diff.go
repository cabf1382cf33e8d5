package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/cluster"
)

type diffOptions struct {
	clusterOptions
	format  string
	force   bool
	streams IOStreams
}

func newDiffCmd(streams IOStreams) *cobra.Command {
	o := &diffOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "diff -f PATH",
		Short: "Show what apply would change in the cluster (exit 0 none, 1 differences, 2 error)",
		Long: `diff asks the API server what applying the manifests would produce (a
server-side dry run with kubelb-ai's field manager) and shows it against the
live objects as a unified diff, coloured on a terminal. Server bookkeeping
(managedFields, resourceVersion, generation, uid, timestamps) and status are
left out; Secret values are masked as kubectl diff masks them.

Exit status: 0 no differences, 1 differences, 2 an error.`,
		Example: `  OPENAI_API_KEY=sk-... kubelb-ai diff -f manifests/
  kubelb-ai diff --from kubelb-ai.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), o)
		},
	}
	o.addFlags(cmd, true)
	cmd.Flags().StringVarP(&o.format, "output", "o", "text", "text (a unified diff) or json")
	cmd.Flags().BoolVar(&o.force, "force-conflicts", false, "diff as if applying with --force-conflicts")
	return cmd
}

func runDiff(ctx context.Context, o *diffOptions) error {
	streams := o.streams
	if o.format != "text" && o.format != "json" {
		return usageError("-o %s: use text or json", o.format)
	}
	if err := o.checkConfig(); err != nil {
		return err
	}
	m, err := o.manifests(streams)
	if err != nil {
		return err
	}
	if err := preflight(ctx, m, streams); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	resolved, red, err := cluster.ResolveSecrets(m.Objects, os.LookupEnv)
	if err != nil {
		return inputError(err)
	}
	set, err := cluster.SetFor(m.Objects, o.applySet)
	if err != nil {
		return usageError("%v", err)
	}
	c, err := o.connect(ctx, m)
	if err != nil {
		return err
	}
	diffs, err := c.Diff(ctx, resolved, set, o.force)
	if err != nil {
		return &exitError{code: exitUsage, err: errors.New(red.Redact(err.Error()))}
	}
	changed := 0
	for _, d := range diffs {
		if d.Unified != "" {
			changed++
		}
	}
	if o.format == "json" {
		enc := json.NewEncoder(streams.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Version     int                  `json:"version"`
			Differences int                  `json:"differences"`
			Objects     []cluster.ObjectDiff `json:"objects"`
		}{1, changed, diffs}); err != nil {
			return err
		}
	} else {
		color := streams.ColorEnabled()
		for _, d := range diffs {
			if d.Unified != "" {
				fmt.Fprint(streams.Out, colorDiff(d.Unified, color))
			}
		}
	}
	if changed > 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}

// colorDiff paints removed lines red and added lines green.
func colorDiff(u string, color bool) string {
	if !color {
		return u
	}
	lines := strings.SplitAfter(u, "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
			lines[i] = "\x1b[1m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n"
		case strings.HasPrefix(l, "-"):
			lines[i] = "\x1b[31m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n"
		case strings.HasPrefix(l, "+"):
			lines[i] = "\x1b[32m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n"
		}
	}
	return strings.Join(lines, "")
}
