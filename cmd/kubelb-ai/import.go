package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

type importOptions struct {
	from    string
	files   []string
	output  string
	force   bool
	strict  bool
	streams IOStreams
}

func newImportCmd(streams IOStreams) *cobra.Command {
	o := &importOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "import -f PATH",
		Short: "Read existing AI gateway manifests into a kubelb-ai.yaml Spec",
		Long: `import reads manifests you wrote by hand (or with another tool) for any
target and writes the Spec that describes them, kubelb-ai.yaml, so that from
then on you keep the Spec in git and render the manifests with
kubelb-ai generate --from kubelb-ai.yaml.

The target is detected from the kinds and shapes present unless
--from-target names it. What the Spec cannot carry (a second Gateway, rule
filters, settings kubelb-ai does not model) is listed as a warning:
regenerating from the Spec would leave it out. With --strict, any such loss
is an error and nothing is written. The KubeLB tutorial's known mistakes are
repaired as migrate repairs them.

kubelb-ai.yaml never holds a key. A Secret holding a literal key (as the
tutorial's does) is not a loss: the Spec takes the key from the provider's
usual variable (auth.env, e.g. OPENAI_API_KEY), and a note names the
variable to export before serve or apply. The key itself is never printed.`,
		Example: `  # Adopt hand-written manifests
  kubelb-ai import -f manifests/
  kubelb-ai generate --from kubelb-ai.yaml --output-dir manifests/ --force

  # In CI: fail if the Spec would lose anything
  kubelb-ai import -f manifests/ --strict -o -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from-target", "", "target the manifests were written for (default: detected), e.g. --from-target kgateway-v2.0")
	f.StringArrayVarP(&o.files, "filename", "f", nil, "manifests: a file, a directory (recursive) or - for standard input, repeatable, e.g. -f manifests/")
	f.StringVarP(&o.output, "output", "o", generate.SpecFileName, "file to write the Spec to, or - for standard output, e.g. -o gateway/kubelb-ai.yaml")
	f.BoolVar(&o.force, "force", false, "overwrite the output file if it exists")
	f.BoolVar(&o.strict, "strict", false, "fail, writing nothing, if the Spec cannot carry everything in the manifests")
	return cmd
}

func runImport(_ context.Context, o *importOptions) error {
	streams := o.streams
	if o.from != "" {
		if _, err := templates.LookupTarget(o.from); err != nil {
			return usageError("--from-target: %v", err)
		}
	}
	if len(o.files) == 0 {
		return usageError("-f is required: name the manifests' file or directory, or - for standard input")
	}
	if o.output != "-" && !o.force {
		if _, err := os.Stat(o.output); err == nil {
			return usageError("%s exists: pass --force to overwrite it, or -o another file", o.output)
		}
	}
	objs, err := readManifests(o.files, streams.In)
	if err != nil {
		return inputError(err)
	}
	in, err := generate.Import(objs, o.from)
	if err != nil {
		return inputError(err)
	}
	for _, n := range in.Notes {
		fmt.Fprintln(streams.ErrOut, "note:", n)
	}
	severity := "warning"
	if o.strict {
		severity = "error"
	}
	for _, is := range in.Issues {
		fmt.Fprintf(streams.ErrOut, "%s: %s\n", severity, is)
	}
	if o.strict && len(in.Issues) > 0 {
		return &exitError{code: exitFindings, err: fmt.Errorf("the Spec cannot carry %d thing(s) in the manifests; nothing written", len(in.Issues))}
	}
	data, err := spec.Marshal(in.Gateway)
	if err != nil {
		return err
	}
	if o.output == "-" {
		_, err = streams.Out.Write(data)
		return err
	}
	if err := os.WriteFile(o.output, data, 0o644); err != nil {
		return inputError(err)
	}
	fmt.Fprintf(streams.Out, "wrote %s (read as %s%s)\n", o.output, in.From, lossNote(len(in.Issues)))
	return nil
}

func lossNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; regenerating from it leaves out what the %d warning(s) above name", n)
}
