package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

type migrateOptions struct {
	to, from  string
	files     []string
	output    string
	outputDir string
	force     bool
	secrets   string
	// secretsSet says --secrets was given, not defaulted.
	secretsSet bool
	streams    IOStreams
}

func newMigrateCmd(streams IOStreams) *cobra.Command {
	o := &migrateOptions{streams: streams}
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
Spec (kubelb-ai.yaml) alongside when --output-dir is given.

A Secret that holds a literal key (the tutorial creates one with kubectl
create secret --from-literal) is carried over with --secrets=keep, the
default: the new target's Secret holds the same key, rewritten only where
the target's format differs (agentgateway wants the raw key, without
"Bearer "), in a file only you can read (0600); keep it out of git.
--secrets=env writes the ${VARIABLE} placeholder generate writes instead,
filled from the environment when applying. Keys are never printed: without
--output-dir the printed Secret holds the placeholder, and an explicit
--secrets=keep is refused. kubelb-ai.yaml never holds a key either: it
names the variable to take it from.`,
		Example: `  # KubeLB 1.2 -> 1.3: kgateway v2.0 manifests to kgateway v2.1
  kubelb-ai migrate --to kgateway-v2.1 -f manifests/ --output-dir manifests-v2.1/

  # KubeLB 1.3 -> 1.4: to agentgateway, printed
  kubelb-ai migrate --to agentgateway -f manifests/

  # Placeholders instead of the literal key the manifests hold
  kubelb-ai migrate --to agentgateway -f manifests/ --output-dir out/ --secrets=env

  # From a pipe, then check the result for the new target
  cat gateway.yaml | kubelb-ai migrate --to agentgateway -f - | kubelb-ai validate --target agentgateway -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.secretsSet = cmd.Flags().Changed("secrets")
			return runMigrate(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "target to rewrite for: "+strings.Join(templates.TargetNames(), ", ")+", e.g. --to agentgateway")
	f.StringVar(&o.from, "from-target", "", "target the manifests were written for (default: detected), e.g. --from-target kgateway-v2.0")
	f.StringArrayVarP(&o.files, "filename", "f", nil, "manifests: a file, a directory (recursive) or - for standard input, repeatable, e.g. -f manifests/")
	f.StringVarP(&o.output, "output", "o", "yaml", "output format: yaml or json, e.g. -o json")
	f.StringVar(&o.outputDir, "output-dir", "", "write <kind>-<name>.yaml per object plus kubelb-ai.yaml into DIR instead of printing, e.g. --output-dir manifests-v2.1/")
	f.BoolVar(&o.force, "force", false, "overwrite existing files in --output-dir")
	f.StringVar(&o.secrets, "secrets", string(generate.SecretsKeep), "a Secret holding a literal key: keep (carried over in the new target's format, file 0600; needs --output-dir) or env (a ${VARIABLE} placeholder), e.g. --secrets=env")
	return cmd
}

func runMigrate(_ context.Context, o *migrateOptions) error {
	streams := o.streams
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
	mode := generate.SecretMode(o.secrets)
	if !slices.Contains(generate.SecretModes(), o.secrets) {
		return usageError("--secrets %q: use %s", o.secrets, strings.Join(generate.SecretModes(), " or "))
	}
	printing := o.outputDir == ""
	if printing && !o.secretsSet {
		// Printing a kept key would put it on the terminal or in a log.
		mode = generate.SecretsEnv
	}
	objs, err := readManifests(o.files, streams.In)
	if err != nil {
		return inputError(err)
	}
	m, err := generate.MigrateWith(objs, generate.MigrateOptions{From: o.from, To: o.to, Secrets: mode})
	if err != nil {
		var me *generate.MigrationError
		if errors.As(err, &me) {
			return &exitError{code: exitFindings, err: err}
		}
		return inputError(err)
	}
	if printing && mode == generate.SecretsKeep && len(m.LiteralSecrets) > 0 {
		return usageError("--secrets=keep would print the literal key of Secret %s: write the manifests with --output-dir (the Secret's file is 0600), or use --secrets=env", strings.Join(m.LiteralSecrets, ", "))
	}
	for _, n := range m.Notes {
		fmt.Fprintln(streams.ErrOut, "note:", n)
	}
	if printing {
		out, err := generate.Encode(m.Objects, o.output)
		if err != nil {
			return err
		}
		if _, err := streams.Out.Write(out); err != nil {
			return err
		}
		if len(m.LiteralSecrets) > 0 && !o.secretsSet {
			fmt.Fprintln(streams.ErrOut, "note: literal keys are never printed; to carry them over, write the manifests with --output-dir")
		}
	} else if err := writeMigration(streams, o, m, mode); err != nil {
		return err
	}
	// Only now has the migration happened.
	fmt.Fprintf(streams.ErrOut, "migrated from %s to %s\n", m.From, m.To)
	return nil
}

// writeMigration writes the migrated objects and the Spec into the output
// directory, and says which files hold a literal key.
func writeMigration(streams IOStreams, o *migrateOptions, m *generate.Migration, mode generate.SecretMode) error {
	written, err := generate.WriteDir(o.outputDir, m.Gateway, m.Objects, o.output, o.force)
	if err != nil {
		if os.IsExist(err) {
			return usageError("%v", err)
		}
		return inputError(err)
	}
	for _, path := range written {
		fmt.Fprintln(streams.Out, "wrote", path)
	}
	if mode != generate.SecretsKeep {
		return nil
	}
	for _, obj := range m.Objects {
		id := obj.Object.GetNamespace() + "/" + obj.Object.GetName()
		if obj.Category == generate.CategorySecret && slices.Contains(m.LiteralSecrets, id) {
			fmt.Fprintf(streams.ErrOut, "note: %s holds a literal key and is readable only by you (0600): keep it out of git, or migrate with --secrets=env for a ${VARIABLE} placeholder\n",
				filepath.Join(o.outputDir, generate.FileName(obj, o.output)))
		}
	}
	return nil
}

// readManifests reads the objects of files, directories and standard input
// ("-"), stopping at the first thing that is not a readable manifest.
func readManifests(paths []string, stdin io.Reader) ([]map[string]any, error) {
	r, err := cluster.LoadObjects(paths, stdin)
	if err != nil {
		return nil, err
	}
	return cluster.Maps(r), nil
}
