package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/cluster"
)

type applyOptions struct {
	clusterOptions
	dryRun  string
	prune   bool
	force   bool
	wait    string
	waitSet bool // --wait was given
	streams IOStreams
}

func newApplyCmd(streams IOStreams) *cobra.Command {
	o := &applyOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "apply -f PATH",
		Short: "Server-side apply the manifests in dependency order, secrets filled from the environment",
		Long: `apply sends the manifests with server-side apply (field manager kubelb-ai,
strict field validation), in dependency order: Namespaces, Secrets,
parameters, the Gateway, backends, routes, policies; independent objects in
parallel. First it checks that the cluster runs the manifests' target and
validates them offline; nothing is sent if either fails.

Secrets' ${VARIABLE} placeholders are filled from the environment; a missing
variable stops apply before anything is sent. Objects are labelled as members
of an apply set (KEP-3659, named after the Gateway), so that --prune deletes
exactly the objects this tool applied for this set that the manifests no
longer hold, after listing them. Fields owned by another field manager are
not taken over unless --force-conflicts. --wait waits for the data plane to
accept the Gateway, routes, backends and policies.

A failure stops after the step it happened in and lists what was applied,
what failed and what was not attempted.`,
		Example: `  OPENAI_API_KEY=sk-... kubelb-ai apply -f manifests/
  kubelb-ai apply --from kubelb-ai.yaml --prune --wait=2m
  kubelb-ai apply -f manifests/ --dry-run=server`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.waitSet = cmd.Flags().Changed("wait")
			return runApply(cmd.Context(), o)
		},
	}
	o.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&o.dryRun, "dry-run", "none", "none, server (the API server checks, nothing is stored) or client (nothing is sent)")
	f.BoolVar(&o.prune, "prune", false, "delete objects of this apply set that the manifests no longer hold, after listing them")
	f.BoolVar(&o.force, "force-conflicts", false, "take over fields another field manager owns")
	f.StringVar(&o.wait, "wait", "", "wait this long for the data plane's Accepted/Programmed/ResolvedRefs conditions, e.g. --wait=2m (--wait alone: 5m)")
	f.Lookup("wait").NoOptDefVal = "5m"
	return cmd
}

func runApply(ctx context.Context, o *applyOptions) error {
	streams, dryRun := o.streams, cluster.DryRun(o.dryRun)
	if err := checkDryRun(dryRun); err != nil {
		return err
	}
	var timeout time.Duration
	if o.waitSet {
		var err error
		if timeout, err = time.ParseDuration(o.wait); err != nil || timeout <= 0 {
			return usageError("--wait=%s: a duration such as 90s or 5m", o.wait)
		}
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
	resolved, red, err := cluster.ResolveSecrets(m.Objects, os.LookupEnv)
	if err != nil {
		return inputError(err)
	}
	set, err := cluster.SetFor(m.Objects, o.applySet)
	if err != nil {
		return usageError("%v", err)
	}
	// Connecting (discovery, the target's CRDs) overlaps the offline
	// validation; nothing is written before both have passed.
	var c *cluster.Client
	connected := make(chan error, 1)
	go func() {
		var err error
		if dryRun != cluster.DryRunClient {
			c, err = o.connect(ctx, m)
		}
		connected <- err
	}()
	validErr := preflight(ctx, m, streams)
	connErr := <-connected
	if validErr != nil {
		return validErr
	}
	if connErr != nil {
		return connErr
	}
	suffix := dryRunSuffix(dryRun)
	res, err := c.Apply(ctx, resolved, cluster.ApplyOptions{
		DryRun: dryRun, ForceConflicts: o.force, Prune: o.prune, Set: set, Redactor: red,
		Progress: func(out cluster.Outcome) {
			switch {
			case out.Err != nil:
				fmt.Fprintf(streams.ErrOut, "%s failed: %v\n", out.ID, out.Err)
			case out.Action == "to prune":
				fmt.Fprintf(streams.Out, "%s is no longer in the manifests: pruning it%s\n", out.ID, suffix)
			default:
				fmt.Fprintf(streams.Out, "%s %s%s\n", out.ID, out.Action, suffix)
			}
		},
	})
	if err != nil {
		return applyStopped(streams, res, red.Redact(err.Error()))
	}
	if timeout > 0 && dryRun == cluster.DryRunNone {
		fmt.Fprintf(streams.Out, "waiting up to %s for the data plane to accept the objects...\n", timeout)
		rs, err := c.Wait(ctx, m.Objects, timeout)
		for _, r := range rs {
			state := "ready"
			if !r.Ready {
				state = "not ready: " + strings.Join(r.Pending, "; ")
			}
			fmt.Fprintf(streams.Out, "  %s %s\n", r.ID, state)
		}
		if err != nil {
			return &exitError{code: exitFindings, err: err}
		}
	}
	return nil
}

// applyStopped prints what a failed apply did and did not do, and its exit
// code: 1 for a conflict or a partial apply, 2 when nothing was applied.
func applyStopped(streams IOStreams, res *cluster.ApplyResult, why string) error {
	fmt.Fprintf(streams.ErrOut, "\napply stopped: %v\n", why)
	fmt.Fprintf(streams.ErrOut, "applied (%d): %s\n", len(res.Applied), orNone(res.Applied))
	var failed []string
	for _, f := range res.Failed {
		failed = append(failed, f.ID)
	}
	fmt.Fprintf(streams.ErrOut, "failed (%d): %s\n", len(failed), orNone(failed))
	fmt.Fprintf(streams.ErrOut, "not attempted (%d): %s\n", len(res.NotAttempted), orNone(res.NotAttempted))
	var ce *cluster.ConflictError
	for _, f := range res.Failed {
		if errors.As(f.Err, &ce) {
			return &exitError{code: exitFindings}
		}
	}
	if len(res.Failed) > 0 && len(res.Applied) > 0 {
		return &exitError{code: exitFindings}
	}
	return &exitError{code: exitUsage}
}
