package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

type statusOptions struct {
	clusterOptions
	format  string
	all     bool
	nsGiven bool // -n was given
	streams IOStreams
}

func newStatusCmd(streams IOStreams) *cobra.Command {
	o := &statusOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "status [-f PATH]",
		Short: "Show the gateway's addresses, listeners and conditions, what is accepted, and a curl per route",
		Long: `status shows, for each Gateway: its addresses, its listeners with their real
ports and attached routes, and its conditions; for the routes, backends and
policies: whether the data plane accepted them; and a ready-to-run curl per
route on the listener's port.

Without -f or --from it finds the sets kubelb-ai applied in the namespace
(-n, or every namespace with -A).`,
		Example: `  kubelb-ai status -n kubelb
  kubelb-ai status -f manifests/ -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.nsGiven = cmd.Flags().Changed("namespace")
			return runStatus(cmd.Context(), o)
		},
	}
	o.addFlags(cmd, false)
	cmd.Flags().StringVarP(&o.format, "output", "o", "text", "text or json")
	cmd.Flags().BoolVarP(&o.all, "all-namespaces", "A", false, "look for apply sets in every namespace")
	return cmd
}

// statusReport is status's -o json.
type statusReport struct {
	Version  int                     `json:"version"`
	Gateways []cluster.GatewayStatus `json:"gateways"`
	Objects  []cluster.ObjectStatus  `json:"objects"`
	Requests []string                `json:"requests"`
}

func runStatus(ctx context.Context, o *statusOptions) error {
	if o.format != "text" && o.format != "json" {
		return usageError("-o %s: use text or json", o.format)
	}
	if err := o.checkConfig(); err != nil {
		return err
	}
	var objs []*unstructured.Unstructured
	given := len(o.files) > 0 || o.from != ""
	if given {
		m, err := o.manifests(o.streams)
		if err != nil {
			return err
		}
		objs = m.Objects
	}
	c, err := cluster.New(o.kube)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("connecting to the cluster: %w", err)}
	}
	if !given {
		ns := ""
		if !o.all {
			if ns, _, err = o.kube.ToRawKubeConfigLoader().Namespace(); err != nil {
				return inputError(err)
			}
			if !o.nsGiven && ns == "default" {
				ns = spec.DefaultNamespace // where KubeLB's AI objects live
			}
		}
		objs, err = c.AppliedObjects(ctx, ns)
		if errors.Is(err, cluster.ErrNoApplySets) {
			return inputError(fmt.Errorf("no gateway applied by kubelb-ai in %s: name the manifests with -f, or another namespace with -n or -A", orAll(ns)))
		}
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	}
	gws, others, err := c.Status(ctx, objs)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	rep := statusReport{Version: 1, Gateways: gws, Objects: others, Requests: cluster.Curls(objs, gws)}
	if o.format == "json" {
		enc := json.NewEncoder(o.streams.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printStatus(o.streams, rep)
	return nil
}

func printStatus(streams IOStreams, rep statusReport) {
	w := streams.Out
	for _, g := range rep.Gateways {
		fmt.Fprintf(w, "%s\n  addresses:  %s\n", g.ID, orNone(g.Addresses))
		for _, l := range g.Listeners {
			fmt.Fprintf(w, "  listener:   %s port %d %s, %d route(s) attached\n", l.Name, l.Port, l.Protocol, l.AttachedRoutes)
		}
		fmt.Fprintf(w, "  conditions: %s\n", orNone(g.Conditions))
	}
	for _, s := range rep.Objects {
		state := "ok"
		switch {
		case !s.Exists:
			state = "missing (not applied)"
		case s.Readiness != nil && s.Readiness.Ready:
			state = "accepted"
		case s.Readiness != nil:
			state = "not accepted: " + strings.Join(s.Readiness.Pending, "; ")
		}
		fmt.Fprintf(w, "%s: %s\n", s.ID, state)
	}
	if len(rep.Requests) > 0 {
		fmt.Fprintln(w, "\nTry each route:")
		for _, r := range rep.Requests {
			fmt.Fprintln(w, "  "+r)
		}
	}
}

func orAll(ns string) string {
	if ns == "" {
		return "any namespace"
	}
	return "namespace " + ns
}
