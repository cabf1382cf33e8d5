package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/output"
)

// clusterOptions are the flags apply, diff, status and delete share: the
// manifests and kubectl's connection flags.
type clusterOptions struct {
	files    []string
	from     string
	target   string
	applySet string
	kube     *genericclioptions.ConfigFlags
}

func (o *clusterOptions) addFlags(cmd *cobra.Command, manifestsRequired bool) {
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "filename", "f", nil, "manifests: a file, a directory (recursive) or - for standard input, repeatable, e.g. -f manifests/")
	f.StringVar(&o.from, "from", "", "render this Spec instead of reading manifests, e.g. --from kubelb-ai.yaml")
	f.StringVar(&o.target, "target", "", "target the manifests are for (default: detected from them), e.g. --target agentgateway")
	f.StringVar(&o.applySet, "applyset", "", "name of the apply set (default: the Gateway's name), e.g. --applyset team-a")
	o.kube = genericclioptions.NewConfigFlags(true)
	o.kube.AddFlags(f)
	if manifestsRequired {
		cmd.MarkFlagsOneRequired("filename", "from")
	}
	cmd.MarkFlagsMutuallyExclusive("filename", "from")
}

// checkConfig stops a command that would talk to a cluster when the
// kubeconfig names none, before anything is read or sent.
func (o *clusterOptions) checkConfig() error {
	// The flags' own names first: a typo is named before the connection.
	if o.target != "" {
		if _, err := templates.LookupTarget(o.target); err != nil {
			return usageError("--target: %v", err)
		}
	}
	if err := cluster.CheckConfig(o.kube); err != nil {
		return inputError(err)
	}
	return nil
}

// manifests reads the objects of -f or --from and the target they are for.
func (o *clusterOptions) manifests(streams IOStreams) (*cluster.Manifests, error) {
	mo := cluster.ManifestOptions{Files: o.files, Stdin: streams.In, From: o.from, Target: o.target}
	if o.kube != nil {
		mo.Namespace = func() (string, error) {
			ns, _, err := o.kube.ToRawKubeConfigLoader().Namespace()
			return ns, err
		}
	}
	m, err := cluster.ReadManifests(mo)
	var te *cluster.TargetError
	switch {
	case errors.As(err, &te):
		return nil, usageError("--target: %v", te.Err)
	case err != nil:
		return nil, inputError(err)
	}
	return m, nil
}

// connect makes a client for the cluster that runs the manifests' target.
func (o *clusterOptions) connect(ctx context.Context, m *cluster.Manifests) (*cluster.Client, error) {
	c, err := cluster.Connect(ctx, o.kube, m)
	if err != nil {
		return nil, inputError(err)
	}
	return c, nil
}

// preflight validates the manifests offline and prints the errors; any
// stops the command before anything is sent.
func preflight(ctx context.Context, m *cluster.Manifests, streams IOStreams) error {
	r, err := cluster.Preflight(ctx, m)
	if err != nil || r == nil {
		return err
	}
	_ = output.Write(streams.ErrOut, "text", r, output.Options{})
	return &exitError{code: exitFindings, err: fmt.Errorf("the manifests are not valid for %s: nothing was sent", m.Target)}
}

// checkDryRun refuses a --dry-run value kubectl would not take, before
// anything is read or sent.
func checkDryRun(d cluster.DryRun) error {
	switch d {
	case cluster.DryRunNone, cluster.DryRunServer, cluster.DryRunClient:
		return nil
	}
	return usageError("--dry-run=%s: use none, server or client", d)
}

// dryRunSuffix marks what a dry run only pretended to do.
func dryRunSuffix(d cluster.DryRun) string {
	return map[cluster.DryRun]string{cluster.DryRunServer: " (server dry run)", cluster.DryRunClient: " (dry run)"}[d]
}

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
