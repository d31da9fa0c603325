package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitDenied says the service refused the credentials, or refused
	// them what the command needs: they are another user's or role's.
	exitDenied = 3
)

// usageError marks an error in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run executes the command line and returns the process exit code.
func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(os.Stdin, os.Stdout, os.Stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "assist:", err)
	var ue usageError
	var ce *app.ConfigError
	if errors.As(err, &ue) || errors.As(err, &ce) {
		fmt.Fprintln(os.Stderr, "Run 'assist --help' for usage.")
		return exitUsage
	}
	if errors.Is(err, service.ErrPermission) {
		return exitDenied
	}
	return exitError
}

// streams are the standard streams a command uses, so tests can capture them.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

func newRootCmd(in io.Reader, out, errOut io.Writer) *cobra.Command {
	io := streams{in: in, out: out, err: errOut}
	root := &cobra.Command{
		Use:   "assist",
		Short: "Real-time agent assist for contact centers, in the terminal",
		Long: `assist listens to a customer call or chat and shows the agent, live: the transcript,
ranked reply suggestions from the knowledge base, emotion gauges and recommended
next actions. Everything runs on embedded models, offline.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// Flags the command line and the environment leave unset come from
	// the config file.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := applyConfig(cmd); err != nil {
			return usageError{err}
		}
		return findService(cmd)
	}
	root.AddCommand(newServeCmd(io, nil), newAgentCmd(io), newSuperviseCmd(io), newCredsCmd(io), newSimulateCmd(io), newReplayCmd(io, nil), newKBCmd(io), newEvalCmd(io), newTrainCmd(io), newTranscribeCmd(io, nil), newListenCmd(io, nil), newTryCmd(io, nil), newExportCmd(io, nil), newReportCmd(io, nil))
	return root
}

// exactArgs is cobra.ExactArgs with a usage error that says what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %s, got %d arguments: %s", what, len(args), strings.Join(args, " "))
		}
		return nil
	}
}

// minimumArgs is cobra.MinimumNArgs with a usage error that says what is
// missing.
func minimumArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("want %s, got %d", what, len(args))
		}
		return nil
	}
}

// noArgs is cobra.NoArgs with a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q: this command takes flags only", args[0])
	}
	return nil
}

// transcriptFormat parses the --format of transcript files; its error is a
// usage error.
func transcriptFormat(s string) (transcript.Format, error) {
	f, err := transcript.ParseFormat(s)
	if err != nil {
		return "", usageError{err}
	}
	return f, nil
}

//go:embed help
var helpFiles embed.FS

// help is the long description of a command: help/<name>.txt up to its
// examples.
func help(name string) string {
	long, _ := helpText(name)
	return long
}

// example is a command's examples: what follows "Examples:" in
// help/<name>.txt, the heading cobra prints itself.
func example(name string) string {
	_, ex := helpText(name)
	return ex
}

func helpText(name string) (long, example string) {
	text, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic(err) // a name without its file: every command's help is tested
	}
	long, example, _ = strings.Cut(strings.TrimSuffix(string(text), "\n"), "\n\nExamples:\n")
	return long, example
}
