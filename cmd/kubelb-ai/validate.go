package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
	"github.com/kubelb-ai/kubelb-ai/validate/output"
)

type validateOptions struct {
	namespace     string
	target        string
	kubeLBVersion string
	// The CRD releases that judge; see templates.CRDVersions.
	dataPlaneVersion, gatewayAPIVersion, gatewayAPIChannel string
	targetSet                                              bool // --target was given
	crds                                                   []string
	outputs                                                []string // FORMAT (standard output) or FORMAT=FILE
	failOn                                                 string
	strict                                                 bool
	severity                                               []string // RULE=error|warning
	enable                                                 []string
	disable                                                []string
	fromCluster                                            bool
	maxInputSize                                           byteSize
	allowEmpty                                             bool
	kube                                                   *genericclioptions.ConfigFlags
	args                                                   []string // the paths
	streams                                                IOStreams
}

func newValidateCmd(streams IOStreams) *cobra.Command {
	o := &validateOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "validate [PATH|-]...",
		Short: "Validate manifests offline as strictly as the API server would",
		Long: `validate checks manifests without a cluster, as kube-apiserver would on create
with strict field validation: YAML and duplicate keys, known kinds for the
target, metadata rules, the schema (unknown fields, types, enums, formats,
ranges, patterns, required fields, list keys) with defaults applied, and the
CRDs' CEL rules, with the API server's own messages.

The schemas are those of the CRD releases a KubeLB release's cluster runs:
its data plane's release and the Gateway API bundle KubeLB installs beside it
(docs/validate.md has the table). --kubelb-version picks the release; by
default the target's newest is used. --data-plane-version and
--gateway-api-version override either, --gateway-api-channel experimental
picks the experimental bundle, and --crds-from-cluster reads the cluster's
own. The report says which releases judged.

Each finding names file:line:column, the field path, a rule ID and, where
known, the fix: for example the KubeLB tutorial's RateLimitPolicy (a kind that
never existed) comes with the target's real rate-limit object.

PATHs are files, directories (searched recursively for .yaml, .yml, .json),
named pipes or - for standard input; anything else (a device such as
/dev/zero, a socket) is refused. Standard input and pipes are read once; no
input is read past --max-input-size bytes, and a larger one is an error.

Input without a Kubernetes object (empty files or standard input, only
comments, a directory without .yaml, .yml or .json files) is an error, so
that a CI job pointed at the wrong folder fails instead of passing; a path
that does not exist is one too. --allow-empty accepts empty input and
reports 0 documents.

Output never shows a credential: values under a Secret's data and
stringData, of fields named like one (authorization, api-key, token, secret,
password, accessKey, ...) and "Bearer ..." strings are masked as ***** in
every excerpt and message, whatever the finding is about.

Reference and lint findings are warnings. --strict makes those of the
reference rules errors, except findings a rule marks as assumed:
` + wrapList(validate.StrictRules()) + `
--severity RULE=error|warning sets one rule's severity whatever --strict
says, and --disable RULE turns it off. Every finding names its rule ID.
The rules --disable, --enable and --severity take:
` + wrapList(validate.SettableRules()) + `

Exit status: 0 valid, 1 errors found (or warnings with --fail-on warning),
2 usage, unreadable or empty input.`,
		Example: `  # Validate a directory for the default target (kgateway v2.1, KubeLB 1.3)
  kubelb-ai validate manifests/

  # For KubeLB 1.4 (agentgateway v1.1.0, Gateway API v1.5.1), from a pipe
  helm template ai ./chart | kubelb-ai validate --kubelb-version 1.4 -

  # For a cluster upgraded to agentgateway v1.4.1 and Gateway API v1.6.1
  kubelb-ai validate --data-plane-version v1.4.1 --gateway-api-version v1.6.1 manifests/

  # Let kubelb-ai pick the target from the kinds and shapes present
  kubelb-ai validate --target auto manifests/

  # CI: SARIF for code scanning and JUnit for the test report, text on the console
  kubelb-ai validate manifests/ --output sarif=kubelb-ai.sarif --output junit=kubelb-ai.xml

  # CI: reference findings fail the run, except duplicates; a missing rate limit does
  kubelb-ai validate --strict --severity duplicate-object=warning --severity no-rate-limit=error manifests/

  # A pipeline whose rendered manifests may legitimately be empty
  helm template ai ./chart --set enabled=false | kubelb-ai validate --allow-empty -

  # Against the chart's own CRDs instead of the embedded schemas
  kubelb-ai validate --crd charts/agentgateway-crds/templates/ manifests/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.targetSet = cmd.Flags().Changed("target")
			o.args = args
			return runValidate(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", templates.DefaultTarget().Name, "target to validate for: "+strings.Join(templates.TargetNames(), ", ")+" or auto, e.g. --target agentgateway")
	f.StringVar(&o.kubeLBVersion, "kubelb-version", "", "KubeLB version whose data plane and Gateway API CRDs to validate for: "+strings.Join(templates.KubeLBVersions(), ", ")+", e.g. --kubelb-version 1.4 (instead of --target)")
	f.StringVar(&o.dataPlaneVersion, "data-plane-version", "", "the data plane's CRD release, instead of the KubeLB release's: "+strings.Join(dataPlaneVersions(), ", ")+"; names the target, e.g. --data-plane-version v1.4.1")
	f.StringVar(&o.gatewayAPIVersion, "gateway-api-version", "", "the Gateway API CRD release, instead of the one KubeLB installs: "+strings.Join(templates.GatewayAPIVersions(), ", ")+", e.g. --gateway-api-version v1.6.1")
	f.StringVar(&o.gatewayAPIChannel, "gateway-api-channel", "standard", "the Gateway API bundle's channel: "+strings.Join(templates.GatewayAPIChannels, " or ")+" (KubeLB's CCM installs experimental with gatewayAPICRDsChannel: experimental), e.g. --gateway-api-channel experimental")
	f.StringArrayVar(&o.crds, "crd", nil, "CRD file or directory whose kinds replace the embedded schemas, repeatable, e.g. --crd crds/")
	f.StringArrayVarP(&o.outputs, "output", "o", nil, "FORMAT for standard output ("+strings.Join(output.Formats, ", ")+"; default text), or FORMAT=FILE to also write a file; repeatable, e.g. -o json, --output junit=report.xml")
	f.StringVar(&o.failOn, "fail-on", "error", "lowest severity that fails the run (exit 1): error or warning, e.g. --fail-on warning")
	f.BoolVar(&o.fromCluster, "crds-from-cluster", false, "use the CRDs installed in the cluster (kubeconfig, --context) instead of the embedded schemas, e.g. --crds-from-cluster --context mgmt")
	o.kube = genericclioptions.NewConfigFlags(false)
	o.kube.KubeConfig, o.kube.Context = ptrTo(""), ptrTo("")
	f.StringVar(o.kube.KubeConfig, "kubeconfig", "", "kubeconfig file for --crds-from-cluster (default: $KUBECONFIG or ~/.kube/config; none is an error, exit 2)")
	f.StringVar(o.kube.Context, "context", "", "kubeconfig context for --crds-from-cluster, e.g. --context kubelb-management")
	f.StringVarP(&o.namespace, "namespace", "n", "", "the namespace of objects that name none, as kubectl apply -n would put them (default: default), e.g. -n team-a")
	f.BoolVar(&o.strict, "strict", false, "make the reference rules' findings errors ("+strings.Join(validate.StrictRules(), ", ")+"), e.g. --strict in CI")
	f.StringArrayVar(&o.severity, "severity", nil, "RULE=error|warning: one lint or reference rule's severity, over --strict; repeatable, e.g. --severity no-rate-limit=error --severity duplicate-object=warning")
	f.StringSliceVar(&o.disable, "disable", nil, "turn off lint or reference rules, e.g. --disable no-rate-limit,ref-unresolved (docs/validate.md lists them)")
	f.StringSliceVar(&o.enable, "enable", nil, "turn rules back on after --disable, e.g. --enable inline-key")
	o.maxInputSize = loader.DefaultMaxInputSize
	f.Var(&o.maxInputSize, "max-input-size", "largest input (file, pipe, standard input) read; a larger one is an error. Binary (Ki, Mi, Gi) or decimal (KB, MB, GB) units or bytes, e.g. --max-input-size 256Mi")
	f.BoolVar(&o.allowEmpty, "allow-empty", false, "exit 0 when the input holds no Kubernetes object (empty files, an empty directory), instead of 2, e.g. --allow-empty for a pipeline whose rendering may be empty")
	cmd.MarkFlagsMutuallyExclusive("target", "kubelb-version")
	return cmd
}

func runValidate(ctx context.Context, o *validateOptions) error {
	args, streams := o.args, o.streams
	if len(args) == 0 {
		return usageError("name at least one file or directory, or - for standard input")
	}
	if o.failOn != "error" && o.failOn != "warning" {
		return usageError("--fail-on %q: use error or warning", o.failOn)
	}
	stdoutFormat, files, err := parseOutputs(o.outputs)
	if err != nil {
		return err
	}
	versions := templates.CRDVersions{KubeLB: o.kubeLBVersion, DataPlane: o.dataPlaneVersion, GatewayAPI: o.gatewayAPIVersion, Channel: o.gatewayAPIChannel}
	target, err := validateTarget(o, versions)
	if err != nil {
		return err
	}
	if _, err := versions.Resolve(target); err != nil && target != "auto" {
		return usageError("%v", err)
	}
	if o.kubeLBVersion != "" && templates.NewerThanKnown(o.kubeLBVersion) {
		known := templates.KubeLBVersions()
		fmt.Fprintf(streams.ErrOut, "warning: KubeLB %s is newer than the releases kubelb-ai knows (%s): judging by KubeLB %s's CRDs; --crds-from-cluster reads the cluster's own\n",
			o.kubeLBVersion, strings.Join(known, ", "), known[len(known)-1])
	}

	// Devices and sockets are refused here, before anything is read, and
	// standard input and pipes are read now, once, for every pass to share.
	in, err := loader.Open(args, streams.In, int64(o.maxInputSize))
	if err != nil {
		return inputError(withSizeHint(err))
	}
	tuneGC()
	var report *validate.Report
	severity, err := parseSeverities(o.severity)
	if err != nil {
		return err
	}
	vopts := validate.Options{Target: target, Versions: versions, CRDs: o.crds, Strict: o.strict, Namespace: o.namespace, Enable: o.enable, Disable: o.disable, Severity: severity}
	switch {
	case target == "auto" && o.fromCluster:
		return usageError("--target auto cannot be combined with --crds-from-cluster: name the target the cluster runs")
	case target == "auto":
		report, err = validate.Auto(ctx, in, vopts)
	default:
		var v *validate.Validator
		if v, err = validate.New(vopts); err == nil && o.fromCluster {
			err = addClusterCRDs(ctx, v, o.kube)
		}
		if err == nil {
			report = v.Validate(ctx, in)
		}
	}
	if err != nil {
		if errors.Is(err, validate.ErrUnknownRule) || errors.Is(err, validate.ErrBadSeverity) {
			return usageError("%v", err)
		}
		return inputError(err)
	}
	if len(report.Unreadable) > 0 {
		return inputError(withSizeHint(report.Unreadable[0]))
	}
	if report.Empty() && !o.allowEmpty {
		return inputError(fmt.Errorf("%w; check the paths, or pass --allow-empty if empty input is fine", validate.EmptyInputError(args, report)))
	}

	opts := output.Options{Color: streams.ColorEnabled(), Version: buildVersion().Version}
	if err := output.Write(streams.Out, stdoutFormat, report, opts); err != nil {
		return err
	}
	fileOpts := opts
	fileOpts.Color = false
	for _, f := range files {
		if err := writeReportFile(f.path, f.format, report, fileOpts); err != nil {
			return inputError(err)
		}
	}
	if report.Errors() > 0 {
		if stdoutFormat == "text" {
			if also := validate.AlsoValidFor(ctx, in, report, vopts); len(also) > 0 {
				fmt.Fprintf(streams.Out, "the same manifests are valid for target %s: if the cluster runs it, validate with --target %s; to move them to %s, run kubelb-ai migrate --to %s -f %s\n",
					strings.Join(also, ", "), also[0], report.Target, report.Target, strings.Join(args, " -f "))
			}
		}
		return &exitError{code: exitFindings}
	}
	if o.failOn == "warning" && report.Warnings() > 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}

// validateTarget returns the target the flags name: --target, or the one
// --kubelb-version or --data-plane-version implies (they must agree).
func validateTarget(o *validateOptions, versions templates.CRDVersions) (string, error) {
	implied, err := versions.Target()
	switch {
	case err != nil && o.kubeLBVersion != "":
		return "", usageError("--kubelb-version: %v", err)
	case err != nil:
		return "", usageError("--data-plane-version: %v", err)
	case implied == "":
		if _, err := templates.LookupTarget(o.target); err != nil && o.target != "auto" {
			return "", usageError("--target: %v", err)
		}
		return o.target, nil
	}
	if o.kubeLBVersion != "" && o.dataPlaneVersion != "" {
		if t, err := (templates.CRDVersions{DataPlane: o.dataPlaneVersion}).Target(); err != nil || t != implied {
			return "", usageError("--data-plane-version %s: KubeLB %s runs %s, whose releases are %s", o.dataPlaneVersion, o.kubeLBVersion, implied, strings.Join(mustTarget(implied).CRDs.Releases, ", "))
		}
	}
	if o.targetSet && o.target != implied {
		return "", usageError("--target %s: --data-plane-version %s is a release of %s", o.target, o.dataPlaneVersion, implied)
	}
	return implied, nil
}

func mustTarget(name string) templates.Target {
	t, _ := templates.LookupTarget(name)
	return t
}

// dataPlaneVersions lists the data planes' CRD releases for help text,
// e.g. "v1.3.1 (agentgateway)".
func dataPlaneVersions() []string {
	var out []string
	for _, t := range templates.Targets() {
		for _, r := range t.CRDs.Releases {
			out = append(out, r+" ("+t.CRDs.Project+")")
		}
	}
	return out
}

// addClusterCRDs loads the cluster's CRDs into v (--crds-from-cluster).
func addClusterCRDs(ctx context.Context, v *validate.Validator, kube *genericclioptions.ConfigFlags) error {
	if err := cluster.CheckConfig(kube); err != nil {
		return fmt.Errorf("--crds-from-cluster: %w", err)
	}
	config, err := kube.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("--crds-from-cluster: %w", err)
	}
	config.Timeout = 30 * time.Second
	crds, err := validate.CRDsFromCluster(ctx, config)
	if err != nil {
		return fmt.Errorf("--crds-from-cluster: %w", err)
	}
	return v.AddCRDs(crds)
}
