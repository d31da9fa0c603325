package main

import (
	"context"
	"os"
	"strings"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/loadgen"
	"github.com/spf13/cobra"
)

type simulateOptions struct {
	app.SimulateOptions
	format string
	queues string
}

// newSimulateCmd returns 'assist simulate'.
func newSimulateCmd(io streams) *cobra.Command {
	return simulateCommand(io, func(ctx context.Context, o *simulateOptions) error { return app.Simulate(ctx, &o.SimulateOptions) })
}

// simulateCommand builds the command around run, so that tests can check
// the parsing alone.
func simulateCommand(io streams, run func(context.Context, *simulateOptions) error) *cobra.Command {
	opts := &simulateOptions{SimulateOptions: app.SimulateOptions{Out: io.out, ErrOut: io.err}}
	cmd := &cobra.Command{
		Use:     "simulate [TRANSCRIPT...]",
		Short:   "Drive synthetic calls into a running service, for demos and load tests",
		Long:    help("simulate"),
		Example: example("simulate"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if err := opts.check(); err != nil {
				return err
			}
			opts.KeySource = "--key"
			if opts.Key == "" {
				opts.Key, opts.KeySource = os.Getenv("ASSIST_INGEST_KEY"), "$ASSIST_INGEST_KEY"
			}
			return run(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.URL, "url", "", "service base URL, e.g. http://127.0.0.1:8080 (default: from the service's info in --data)")
	f.StringVar(&opts.Key, "key", "", "ingest API key (default: $ASSIST_INGEST_KEY, else <data>/serve/ingest.key)")
	f.StringVar(&opts.Data, "data", app.DefaultDataDir(), "data folder of an 'assist serve' on this machine ($ASSIST_DATA)")
	f.IntVar(&opts.Calls, "calls", 10, "concurrent calls")
	f.Float64Var(&opts.Rate, "rate", 0.2, "customer utterances per second per call (0.2 is one every 5 s)")
	f.DurationVar(&opts.Duration, "duration", 0, "how long to run, e.g. 2m (default: until every call has played its script once)")
	f.BoolVar(&opts.Audio, "audio", false, "voice calls as Twilio Media Streams with real speech instead of chat")
	f.StringArrayVar(&opts.WAVs, "wav", nil, "speech WAV file for --audio (repeatable; default: the pocketsphinx-testdata clips)")
	f.BoolVar(&opts.HTTP, "http", false, "chat over POST /v1/chat/messages instead of the WebSocket")
	f.StringVar(&opts.queues, "queues", "billing,cards,support", "comma-separated queues to spread the calls over")
	f.IntVar(&opts.Agents, "agents", 0, "agents agent-1..agent-N taking the calls (default: one per call)")
	f.StringVar(&opts.format, "format", "auto", "transcript format: auto, jsonl, sgd, hvb or abcd")
	f.BoolVar(&opts.Insecure, "insecure", false, "skip TLS certificate verification (an https service with a self-signed certificate)")
	f.BoolVar(&opts.Debug, "debug", false, "log each call's start and end")
	return cmd
}

// check validates the flags and parses the queues and the format into
// the options; its errors are usage errors.
func (o *simulateOptions) check() error {
	o.Queues = splitList(o.queues)
	switch {
	case o.Calls < 1:
		return usagef("--calls must be at least 1, got %d", o.Calls)
	case !(o.Rate > 0) || o.Rate > 1000:
		return usagef("--rate must be more than 0 and at most 1000 utterances per second, got %g", o.Rate)
	case o.Duration < 0:
		return usagef("--duration must not be negative, got %s", o.Duration)
	case o.Agents < 0:
		return usagef("--agents must not be negative, got %d", o.Agents)
	case len(o.Queues) == 0:
		return usagef("--queues needs at least one queue name")
	case len(o.WAVs) > 0 && !o.Audio:
		return usagef("--wav is speech for voice calls: add --audio")
	case o.Audio && o.HTTP:
		return usagef("--http is for chat calls; --audio calls are Twilio Media Streams")
	case o.Audio && len(o.Files) > 0:
		return usagef("transcript files are chat scripts; for --audio calls give speech with --wav")
	}
	format, err := transcriptFormat(o.format)
	if err != nil {
		return err
	}
	o.Format = format
	if o.URL != "" {
		if _, err := loadgen.ParseURL(o.URL); err != nil {
			return usageError{err}
		}
	}
	return nil
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
