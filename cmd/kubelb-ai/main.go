// Command kubelb-ai scaffolds, validates, applies and serves the manifests of
// an AI gateway on KubeLB. Installed as kubectl-kubelb_ai it is also the
// kubectl plugin `kubectl kubelb-ai`.
//
// This package only wires flags to library calls; the work happens in spec,
// generate, validate, cluster and proxy.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/klog/v2"
)

// Exit codes shared by every command (DESIGN §6).
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

// IOStreams are a command's terminal, injectable so tests run commands in-process.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTTY says whether Out is a terminal (colour).
	IsTTY bool
	// Interactive says whether In and Out are both a terminal, so that
	// questions can be asked (init).
	Interactive bool
}

// ColorEnabled says whether output may be coloured: Out is a terminal and
// NO_COLOR (no-color.org) is not set.
func (s IOStreams) ColorEnabled() bool { return s.IsTTY && os.Getenv("NO_COLOR") == "" }

// CanPrompt says whether questions can be asked.
func (s IOStreams) CanPrompt() bool { return s.Interactive }

func main() {
	// client-go logs retries and discovery failures through klog; the
	// commands report errors themselves, once and readably.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	out := term.IsTerminal(int(os.Stdout.Fd()))
	streams := IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, IsTTY: out, Interactive: out && term.IsTerminal(int(os.Stdin.Fd()))}
	os.Exit(run(filepath.Base(os.Args[0]), os.Args[1:], streams))
}

// run executes one command line and returns the process exit code.
func run(program string, args []string, streams IOStreams) int {
	root := newRootCmd(program, streams)
	root.SetArgs(args)
	markRuntimeErrors(root)
	// Every command's cmd.Context() is this (or a test's): never nil.
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(streams.ErrOut, "error:", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself rejects (unknown flag, bad arguments) is usage.
	fmt.Fprintln(streams.ErrOut, "error:", err)
	fmt.Fprintf(streams.ErrOut, "Run '%s --help' for usage.\n", root.CommandPath())
	return exitUsage
}

// markRuntimeErrors makes every error a command's run returns an
// exitError: what reaches run unmarked is then cobra's own (an unknown
// flag, a wrong argument), the only errors the --help hint is for (a busy
// port is not).
func markRuntimeErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			var ee *exitError
			if err != nil && !errors.As(err, &ee) {
				return &exitError{code: exitUsage, err: err}
			}
			return err
		}
	}
	for _, sub := range c.Commands() {
		markRuntimeErrors(sub)
	}
}

// exitError carries a command's exit code to run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// Unwrap lets errors.Is and errors.As see the cause.
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func inputError(err error) error { return &exitError{code: exitUsage, err: err} }

func newRootCmd(program string, streams IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubelb-ai",
		Short: "Scaffold, validate, apply and serve an AI gateway on KubeLB",
		Long: `kubelb-ai writes the Kubernetes manifests of an AI gateway (Gateway, gateway
parameters, LLM backends, routes, secrets, rate limits) for the providers you
pick, for the data plane your KubeLB version runs: kgateway v2.0 (KubeLB 1.2),
kgateway v2.1 (KubeLB 1.3) or agentgateway (KubeLB 1.4 and later).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	if strings.HasPrefix(program, "kubectl-") {
		// kubectl runs plugins by file name; show users what they typed.
		root.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl kubelb-ai"}
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.AddCommand(newVersionCmd(streams), newGenerateCmd(streams), newValidateCmd(streams), newMigrateCmd(streams), newImportCmd(streams), newInitCmd(streams),
		newApplyCmd(streams), newDiffCmd(streams), newStatusCmd(streams), newDeleteCmd(streams), newServeCmd(streams))
	return root
}
