package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
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

// manifests reads the objects of -f or --from, the target they are for,
// and the source to validate them from (files keep their positions).
func (o *clusterOptions) manifests(streams IOStreams) ([]*unstructured.Unstructured, string, loader.Source, error) {
	var maps []map[string]any
	var src loader.Source
	target := o.target
	if o.from != "" {
		file, err := spec.Load(o.from)
		if err != nil {
			return nil, "", nil, inputError(err)
		}
		g := &file.Gateway
		if target != "" {
			g.Spec.Target = target
		}
		spec.Default(g)
		if err := spec.Check(g); err != nil {
			return nil, "", nil, inputError(file.Locate(err))
		}
		objs, err := generate.Render(g)
		if err != nil {
			return nil, "", nil, inputError(err)
		}
		var docs []*loader.Document
		for _, obj := range objs {
			m, err := dataplane.ToMap(obj.Object)
			if err != nil {
				return nil, "", nil, err
			}
			maps = append(maps, m)
			docs = append(docs, &loader.Document{File: o.from + " (rendered)", Line: 1, Object: m, ListItem: -1})
		}
		src = loader.Result{Documents: docs}
		target = g.Spec.Target
	} else {
		// Read once: standard input and pipes are kept for the validation.
		in, err := loader.Open(o.files, streams.In, 0)
		if err != nil {
			return nil, "", nil, inputError(err)
		}
		if maps, err = manifestsOf(in, o.files); err != nil {
			return nil, "", nil, inputError(err)
		}
		src = in
	}
	if target == "" {
		target = dataplane.Detect(maps)
	}
	if _, err := templates.LookupTarget(target); err != nil {
		return nil, "", nil, usageError("--target: %v", err)
	}
	out := make([]*unstructured.Unstructured, len(maps))
	for i, m := range maps {
		out[i] = &unstructured.Unstructured{Object: m}
		if out[i].GetNamespace() == "" && out[i].GetKind() != "Namespace" && o.kube != nil {
			ns, _, err := o.kube.ToRawKubeConfigLoader().Namespace()
			if err == nil {
				out[i].SetNamespace(ns)
			}
		}
	}
	return out, target, src, nil
}

// connect makes a client and checks that the cluster runs the manifests'
// target (when they hold AI kinds).
func (o *clusterOptions) connect(ctx context.Context, objs []*unstructured.Unstructured, target string) (*cluster.Client, error) {
	c, err := cluster.New(o.kube)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("connecting to the cluster: %w", err)}
	}
	if !needsAIKinds(objs) {
		return c, nil
	}
	config, err := o.kube.ToRESTConfig()
	if err != nil {
		return nil, inputError(err)
	}
	crds, err := validate.CRDsForTarget(ctx, config)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("reading the cluster's CRDs at %s: %w", c.Host(), err)}
	}
	if validate.ClusterHas(crds, target) {
		return c, nil
	}
	have, ok := validate.ClusterTarget(crds)
	if !ok {
		return nil, inputError(fmt.Errorf("the cluster at %s has no AI gateway CRDs (kgateway or agentgateway): install KubeLB's AI gateway first", c.Host()))
	}
	return nil, inputError(fmt.Errorf("this cluster has %s CRDs, the manifests are for %s: use --target %s if they are for it, or convert them with kubelb-ai migrate --to %s -f PATH", have, target, have, have))
}

func needsAIKinds(objs []*unstructured.Unstructured) bool {
	for _, o := range objs {
		g := o.GroupVersionKind().Group
		if g == "gateway.kgateway.dev" || g == "agentgateway.dev" {
			return true
		}
	}
	return false
}

// preflight validates the manifests offline for target and prints the
// errors; any stops the command before anything is sent.
func preflight(ctx context.Context, src loader.Source, target string, streams IOStreams) error {
	v, err := validate.New(validate.Options{Target: target})
	if err != nil {
		return err
	}
	r := v.Validate(ctx, src)
	if r.Errors() == 0 {
		return nil
	}
	var errs []validate.Finding
	for _, f := range r.Findings {
		if f.Severity == validate.SeverityError {
			errs = append(errs, f)
		}
	}
	r.Findings = errs
	_ = output.Write(streams.ErrOut, "text", r, output.Options{})
	return &exitError{code: exitFindings, err: fmt.Errorf("the manifests are not valid for %s: nothing was sent", target)}
}

func newApplyCmd(streams IOStreams) *cobra.Command {
	o := &clusterOptions{}
	var dryRun, wait string
	var prune, force bool
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
			return runApply(cmd.Context(), o, cluster.DryRun(dryRun), prune, force, wait, cmd.Flags().Changed("wait"), streams)
		},
	}
	o.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&dryRun, "dry-run", "none", "none, server (the API server checks, nothing is stored) or client (nothing is sent)")
	f.BoolVar(&prune, "prune", false, "delete objects of this apply set that the manifests no longer hold, after listing them")
	f.BoolVar(&force, "force-conflicts", false, "take over fields another field manager owns")
	f.StringVar(&wait, "wait", "", "wait this long for the data plane's Accepted/Programmed/ResolvedRefs conditions, e.g. --wait=2m (--wait alone: 5m)")
	f.Lookup("wait").NoOptDefVal = "5m"
	return cmd
}

func runApply(ctx context.Context, o *clusterOptions, dryRun cluster.DryRun, prune, force bool, wait string, waitSet bool, streams IOStreams) error {
	if err := checkDryRun(dryRun); err != nil {
		return err
	}
	var timeout time.Duration
	if waitSet {
		var err error
		if timeout, err = time.ParseDuration(wait); err != nil || timeout <= 0 {
			return usageError("--wait=%s: a duration such as 90s or 5m", wait)
		}
	}
	if dryRun != cluster.DryRunClient {
		if err := o.checkConfig(); err != nil {
			return err
		}
	}
	objs, target, src, err := o.manifests(streams)
	if err != nil {
		return err
	}
	resolved, red, err := cluster.ResolveSecrets(objs, os.LookupEnv)
	if err != nil {
		return inputError(err)
	}
	set, err := cluster.SetFor(objs, o.applySet)
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
			c, err = o.connect(ctx, objs, target)
		}
		connected <- err
	}()
	validErr := preflight(ctx, src, target, streams)
	connErr := <-connected
	if validErr != nil {
		return validErr
	}
	if connErr != nil {
		return connErr
	}
	suffix := map[cluster.DryRun]string{cluster.DryRunServer: " (server dry run)", cluster.DryRunClient: " (dry run)"}[dryRun]
	res, err := c.Apply(ctx, resolved, cluster.ApplyOptions{
		DryRun: dryRun, ForceConflicts: force, Prune: prune, Set: set, Redactor: red,
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
		fmt.Fprintf(streams.ErrOut, "\napply stopped: %v\n", red.Redact(err.Error()))
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
	if timeout > 0 && dryRun == cluster.DryRunNone {
		fmt.Fprintf(streams.Out, "waiting up to %s for the data plane to accept the objects...\n", timeout)
		rs, err := c.Wait(ctx, objs, timeout)
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

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

func newDiffCmd(streams IOStreams) *cobra.Command {
	o := &clusterOptions{}
	var format string
	var force bool
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
			return runDiff(cmd.Context(), o, format, force, streams)
		},
	}
	o.addFlags(cmd, true)
	cmd.Flags().StringVarP(&format, "output", "o", "text", "text (a unified diff) or json")
	cmd.Flags().BoolVar(&force, "force-conflicts", false, "diff as if applying with --force-conflicts")
	return cmd
}

func runDiff(ctx context.Context, o *clusterOptions, format string, force bool, streams IOStreams) error {
	if format != "text" && format != "json" {
		return usageError("-o %s: use text or json", format)
	}
	if err := o.checkConfig(); err != nil {
		return err
	}
	objs, target, src, err := o.manifests(streams)
	if err != nil {
		return err
	}
	if err := preflight(ctx, src, target, streams); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	resolved, red, err := cluster.ResolveSecrets(objs, os.LookupEnv)
	if err != nil {
		return inputError(err)
	}
	set, err := cluster.SetFor(objs, o.applySet)
	if err != nil {
		return usageError("%v", err)
	}
	c, err := o.connect(ctx, objs, target)
	if err != nil {
		return err
	}
	diffs, err := c.Diff(ctx, resolved, set, force)
	if err != nil {
		return &exitError{code: exitUsage, err: errors.New(red.Redact(err.Error()))}
	}
	changed := 0
	for _, d := range diffs {
		if d.Unified != "" {
			changed++
		}
	}
	if format == "json" {
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

func newDeleteCmd(streams IOStreams) *cobra.Command {
	o := &clusterOptions{}
	var yes bool
	var dryRun string
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
			return runDelete(cmd.Context(), o, yes, cluster.DryRun(dryRun), streams)
		},
	}
	o.addFlags(cmd, true)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	cmd.Flags().StringVar(&dryRun, "dry-run", "none", "none, server or client")
	return cmd
}

func runDelete(ctx context.Context, o *clusterOptions, yes bool, dryRun cluster.DryRun, streams IOStreams) error {
	if err := checkDryRun(dryRun); err != nil {
		return err
	}
	if dryRun != cluster.DryRunClient {
		if err := o.checkConfig(); err != nil {
			return err
		}
	}
	objs, target, _, err := o.manifests(streams)
	if err != nil {
		return err
	}
	set, _ := cluster.SetFor(objs, o.applySet)
	doomed := cluster.Deletable(objs, set)
	fmt.Fprintf(streams.Out, "%d objects to delete:\n", len(doomed))
	for _, d := range doomed {
		fmt.Fprintln(streams.Out, "  "+cluster.ID(d))
	}
	if !yes && dryRun == cluster.DryRunNone {
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
		if c, err = o.connect(ctx, objs, target); err != nil {
			return err
		}
	}
	done, err := c.Delete(ctx, doomed, dryRun)
	for _, id := range done {
		fmt.Fprintf(streams.Out, "%s deleted%s\n", id, map[cluster.DryRun]string{cluster.DryRunServer: " (server dry run)", cluster.DryRunClient: " (dry run)"}[dryRun])
	}
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}

func newStatusCmd(streams IOStreams) *cobra.Command {
	o := &clusterOptions{}
	var format string
	var all bool
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
			return runStatus(cmd.Context(), o, format, all, cmd.Flags().Changed("namespace"), streams)
		},
	}
	o.addFlags(cmd, false)
	cmd.Flags().StringVarP(&format, "output", "o", "text", "text or json")
	cmd.Flags().BoolVarP(&all, "all-namespaces", "A", false, "look for apply sets in every namespace")
	return cmd
}

// statusReport is status's -o json.
type statusReport struct {
	Version  int                     `json:"version"`
	Gateways []cluster.GatewayStatus `json:"gateways"`
	Objects  []cluster.ObjectStatus  `json:"objects"`
	Requests []string                `json:"requests"`
}

func runStatus(ctx context.Context, o *clusterOptions, format string, all, nsGiven bool, streams IOStreams) error {
	if format != "text" && format != "json" {
		return usageError("-o %s: use text or json", format)
	}
	if err := o.checkConfig(); err != nil {
		return err
	}
	var objs []*unstructured.Unstructured
	var c *cluster.Client
	var err error
	if len(o.files) > 0 || o.from != "" {
		if objs, _, _, err = o.manifests(streams); err != nil {
			return err
		}
		if c, err = cluster.New(o.kube); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("connecting to the cluster: %w", err)}
		}
	} else {
		if c, err = cluster.New(o.kube); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("connecting to the cluster: %w", err)}
		}
		ns := ""
		if !all {
			if ns, _, err = o.kube.ToRawKubeConfigLoader().Namespace(); err != nil {
				return inputError(err)
			}
			if !nsGiven && ns == "default" {
				ns = spec.DefaultNamespace // where KubeLB's AI objects live
			}
		}
		sets, err := c.Sets(ctx, ns)
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		if len(sets) == 0 {
			return inputError(fmt.Errorf("no gateway applied by kubelb-ai in %s: name the manifests with -f, or another namespace with -n or -A", orAll(ns)))
		}
		for _, s := range sets {
			members, err := c.Members(ctx, s)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			objs = append(objs, members...)
		}
	}
	gws, others, err := c.Status(ctx, objs)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	rep := statusReport{Version: 1, Gateways: gws, Objects: others, Requests: curls(objs, gws)}
	if format == "json" {
		enc := json.NewEncoder(streams.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	w := streams.Out
	for _, g := range gws {
		fmt.Fprintf(w, "%s\n  addresses:  %s\n", g.ID, orNone(g.Addresses))
		for _, l := range g.Listeners {
			fmt.Fprintf(w, "  listener:   %s port %d %s, %d route(s) attached\n", l.Name, l.Port, l.Protocol, l.AttachedRoutes)
		}
		fmt.Fprintf(w, "  conditions: %s\n", orNone(g.Conditions))
	}
	for _, s := range others {
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
	return nil
}

func orAll(ns string) string {
	if ns == "" {
		return "any namespace"
	}
	return "namespace " + ns
}

// curls builds a request per route from the set read back into a Spec,
// aimed at the Gateway's first address and its listener's port.
func curls(objs []*unstructured.Unstructured, gws []cluster.GatewayStatus) []string {
	var maps []map[string]any
	for _, o := range objs {
		m := cluster.Clean(o)
		if md, ok := m["metadata"].(map[string]any); ok {
			delete(md, "annotations") // the Spec has no place for them
		}
		maps = append(maps, m)
	}
	in, err := generate.Import(maps, "")
	if err != nil || len(in.Gateway.Spec.Gateway.Listeners) == 0 {
		return nil
	}
	host := "$GATEWAY"
	if len(gws) > 0 && len(gws[0].Addresses) > 0 {
		host = gws[0].Addresses[0]
	}
	port := in.Gateway.Spec.Gateway.Listeners[0].Port
	var out []string
	for _, e := range generate.Examples(in.Gateway) {
		out = append(out, fmt.Sprintf("curl -s http://%s:%d%s -H 'content-type: application/json' -d '%s'", host, port, e.Path, e.Body))
	}
	return out
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
