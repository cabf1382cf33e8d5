package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

type migrateOptions struct {
	to, from  string
	files     []string
	output    string
	outputDir string
	force     bool
}

func newMigrateCmd(streams IOStreams) *cobra.Command {
	o := &migrateOptions{}
	cmd := &cobra.Command{
		Use:   "migrate --to TARGET -f PATH",
		Short: "Rewrite an AI gateway's manifests for another data plane (KubeLB upgrades)",
		Long: `migrate reads the manifests of an AI gateway written for one data plane and
writes the same gateway for another: KubeLB 1.2 (kgateway v2.0) to 1.3
(kgateway v2.1) to 1.4 and later (agentgateway), or back where the features
exist. The source target is detected from the kinds and shapes present
unless --from-target names it.

Nothing is dropped silently: whatever the new target cannot express (a
token limit on kgateway, a Bedrock backend on kgateway, failover between
providers of different formats on kgateway, settings kubelb-ai does not
model) is an error naming the object and field, and nothing is written.
Known mistakes of KubeLB's v1.2/v1.3 tutorial are repaired and reported as
notes: the RateLimitPolicy kind (no kgateway release has it) becomes the
target's real rate-limit policy, secretRef.namespace is removed, a
development image tag gives way to the release, and a path rewrite that the
data plane overrides anyway is removed.

The output is what kubelb-ai generate writes for the new target, with the
Spec (kubelb-ai.yaml) alongside when --output-dir is given.`,
		Example: `  # KubeLB 1.2 -> 1.3: kgateway v2.0 manifests to kgateway v2.1
  kubelb-ai migrate --to kgateway-v2.1 -f manifests/ --output-dir manifests-v2.1/

  # KubeLB 1.3 -> 1.4: to agentgateway, printed
  kubelb-ai migrate --to agentgateway -f manifests/

  # From a pipe, then check the result for the new target
  cat gateway.yaml | kubelb-ai migrate --to agentgateway -f - | kubelb-ai validate --target agentgateway -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMigrate(o, streams)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "target to rewrite for: "+strings.Join(templates.TargetNames(), ", ")+", e.g. --to agentgateway")
	f.StringVar(&o.from, "from-target", "", "target the manifests were written for (default: detected), e.g. --from-target kgateway-v2.0")
	f.StringArrayVarP(&o.files, "filename", "f", nil, "manifests: a file, a directory (recursive) or - for standard input, repeatable, e.g. -f manifests/")
	f.StringVarP(&o.output, "output", "o", "yaml", "output format: yaml or json, e.g. -o json")
	f.StringVar(&o.outputDir, "output-dir", "", "write <kind>-<name>.yaml per object plus kubelb-ai.yaml into DIR instead of printing, e.g. --output-dir manifests-v2.1/")
	f.BoolVar(&o.force, "force", false, "overwrite existing files in --output-dir")
	return cmd
}

func runMigrate(o *migrateOptions, streams IOStreams) error {
	if o.to == "" {
		return usageError("--to is required: name the target to migrate to (%s)", strings.Join(templates.TargetNames(), ", "))
	}
	for _, t := range []struct{ flag, name string }{{"--to", o.to}, {"--from-target", o.from}} {
		if _, err := templates.LookupTarget(t.name); err != nil && t.name != "" {
			return usageError("%s: %v", t.flag, err)
		}
	}
	if len(o.files) == 0 {
		return usageError("-f is required: name the manifests' file or directory, or - for standard input")
	}
	if o.output != "yaml" && o.output != "json" {
		return usageError("unknown output format %q: use yaml or json", o.output)
	}
	objs, err := readManifests(o.files, streams.In)
	if err != nil {
		return inputError(err)
	}
	m, err := generate.Migrate(objs, o.from, o.to)
	if err != nil {
		var me *generate.MigrationError
		if errors.As(err, &me) {
			return &exitError{code: exitFindings, err: err}
		}
		return inputError(err)
	}
	for _, n := range m.Notes {
		fmt.Fprintln(streams.ErrOut, "note:", n)
	}
	fmt.Fprintf(streams.ErrOut, "migrated from %s to %s\n", m.From, m.To)
	return writeObjects(streams, o.outputDir, m.Gateway, m.Objects, o.output, o.force)
}

// readManifests reads the objects of files, directories and standard input
// ("-"), stopping at the first thing that is not a readable manifest.
func readManifests(paths []string, stdin io.Reader) ([]map[string]any, error) {
	if slices.Contains(paths, "-") && stdin == nil {
		return nil, fmt.Errorf("-: no standard input")
	}
	in, err := loader.Open(paths, stdin, 0)
	if err != nil {
		return nil, err
	}
	return manifestsOf(in, paths)
}

// manifestsOf reads the objects of in, stopping at the first thing that is
// not a readable manifest.
func manifestsOf(in loader.Source, paths []string) ([]map[string]any, error) {
	var objs []map[string]any
	var bad error
	r := in.Walk(func(d *loader.Document) bool {
		if len(d.DecodeErrors) > 0 {
			line, _ := d.Position(d.DecodeErrors[0].Field)
			bad = fmt.Errorf("%s:%d: %s", d.File, line, d.DecodeErrors[0].Detail)
			return false
		}
		objs = append(objs, d.Object)
		return true
	})
	switch {
	case len(r.Problems) > 0:
		return nil, r.Problems[0]
	case bad != nil:
		return nil, bad
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("no Kubernetes objects in %s", strings.Join(paths, ", "))
	}
	return objs, nil
}
