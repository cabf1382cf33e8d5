package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/cluster"
)

type deleteOptions struct {
	clusterOptions
	yes     bool
	dryRun  string
	streams IOStreams
}

func newDeleteCmd(streams IOStreams) *cobra.Command {
	o := &deleteOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "delete -f PATH",
		Short: "Delete the manifests' objects from the cluster, after confirmation",
		Long: `delete lists the objects it will delete (the manifests' objects in reverse
dependency order, and the apply set's record) and asks before deleting them;
--yes skips the question, which a run without a terminal needs. Namespaces
are never deleted: they may hold much more than this gateway (KubeLB's own
kubelb namespace among them); delete one with kubectl if you mean to.`,
		Example: `  kubelb-ai delete -f manifests/
  kubelb-ai delete --from kubelb-ai.yaml --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDelete(cmd.Context(), o)
		},
	}
	o.addFlags(cmd, true)
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "delete without asking")
	cmd.Flags().StringVar(&o.dryRun, "dry-run", "none", "none, server or client")
	return cmd
}

func runDelete(ctx context.Context, o *deleteOptions) error {
	streams, dryRun := o.streams, cluster.DryRun(o.dryRun)
	if err := checkDryRun(dryRun); err != nil {
		return err
	}
	if dryRun != cluster.DryRunClient {
		if err := o.checkConfig(); err != nil {
			return err
		}
	}
	m, err := o.manifests(streams)
	if err != nil {
		return err
	}
	set, _ := cluster.SetFor(m.Objects, o.applySet)
	doomed := cluster.Deletable(m.Objects, set)
	fmt.Fprintf(streams.Out, "%d objects to delete:\n", len(doomed))
	for _, d := range doomed {
		fmt.Fprintln(streams.Out, "  "+cluster.ID(d))
	}
	if !o.yes && dryRun == cluster.DryRunNone {
		if !streams.CanPrompt() {
			return usageError("delete asks before deleting, and this is not a terminal: pass --yes")
		}
		fmt.Fprint(streams.Out, "Delete them? [y/N] ")
		var answer string
		fmt.Fscanln(streams.In, &answer)
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return &exitError{code: exitUsage, err: errors.New("nothing deleted")}
		}
	}
	var c *cluster.Client
	if dryRun != cluster.DryRunClient {
		if c, err = o.connect(ctx, m); err != nil {
			return err
		}
	}
	done, err := c.Delete(ctx, doomed, dryRun)
	for _, id := range done {
		fmt.Fprintf(streams.Out, "%s deleted%s\n", id, dryRunSuffix(dryRun))
	}
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}
