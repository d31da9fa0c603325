package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/loadgen"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/spf13/cobra"
)

// simulateProgressEvery is how often progress goes to stderr.
const simulateProgressEvery = 5 * time.Second

type simulateOptions struct {
	io       streams
	files    []string // transcript scripts
	format   string
	url      string
	key      string
	data     string
	calls    int
	rate     float64
	duration time.Duration
	audio    bool
	http     bool
	wavs     []string
	queues   string
	agents   int
	insecure bool
	debug    bool
	// progressEvery is how often progress is printed; tests shorten it.
	progressEvery time.Duration
}

// newSimulateCmd returns 'assist simulate'.
func newSimulateCmd(io streams) *cobra.Command { return simulateCommand(io, runSimulate) }

// simulateCommand builds the command around run, so that tests can check
// the parsing alone.
func simulateCommand(io streams, run func(context.Context, *simulateOptions) error) *cobra.Command {
	opts := &simulateOptions{io: io, progressEvery: simulateProgressEvery}
	cmd := &cobra.Command{
		Use:     "simulate [TRANSCRIPT...]",
		Short:   "Drive synthetic calls into a running service, for demos and load tests",
		Long:    help("simulate"),
		Example: example("simulate"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			if err := opts.check(); err != nil {
				return err
			}
			return run(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.url, "url", "", "service base URL, e.g. http://127.0.0.1:8080 (default: from the service's info in --data)")
	f.StringVar(&opts.key, "key", "", "ingest API key (default: $ASSIST_INGEST_KEY, else <data>/serve/ingest.key)")
	f.StringVar(&opts.data, "data", app.DefaultDataDir(), "data folder of an 'assist serve' on this machine ($ASSIST_DATA)")
	f.IntVar(&opts.calls, "calls", 10, "concurrent calls")
	f.Float64Var(&opts.rate, "rate", 0.2, "customer utterances per second per call (0.2 is one every 5 s)")
	f.DurationVar(&opts.duration, "duration", 0, "how long to run, e.g. 2m (default: until every call has played its script once)")
	f.BoolVar(&opts.audio, "audio", false, "voice calls as Twilio Media Streams with real speech instead of chat")
	f.StringArrayVar(&opts.wavs, "wav", nil, "speech WAV file for --audio (repeatable; default: the pocketsphinx-testdata clips)")
	f.BoolVar(&opts.http, "http", false, "chat over POST /v1/chat/messages instead of the WebSocket")
	f.StringVar(&opts.queues, "queues", "billing,cards,support", "comma-separated queues to spread the calls over")
	f.IntVar(&opts.agents, "agents", 0, "agents agent-1..agent-N taking the calls (default: one per call)")
	f.StringVar(&opts.format, "format", "auto", "transcript format: auto, jsonl, sgd, hvb or abcd")
	f.BoolVar(&opts.insecure, "insecure", false, "skip TLS certificate verification (an https service with a self-signed certificate)")
	f.BoolVar(&opts.debug, "debug", false, "log each call's start and end")
	return cmd
}

// check validates the flags; its errors are usage errors.
func (o *simulateOptions) check() error {
	switch {
	case o.calls < 1:
		return usagef("--calls must be at least 1, got %d", o.calls)
	case !(o.rate > 0) || o.rate > 1000:
		return usagef("--rate must be more than 0 and at most 1000 utterances per second, got %g", o.rate)
	case o.duration < 0:
		return usagef("--duration must not be negative, got %s", o.duration)
	case o.agents < 0:
		return usagef("--agents must not be negative, got %d", o.agents)
	case len(splitList(o.queues)) == 0:
		return usagef("--queues needs at least one queue name")
	case len(o.wavs) > 0 && !o.audio:
		return usagef("--wav is speech for voice calls: add --audio")
	case o.audio && o.http:
		return usagef("--http is for chat calls; --audio calls are Twilio Media Streams")
	case o.audio && len(o.files) > 0:
		return usagef("transcript files are chat scripts; for --audio calls give speech with --wav")
	}
	if _, err := transcriptFormat(o.format); err != nil {
		return err
	}
	if o.url != "" {
		if _, err := loadgen.ParseURL(o.url); err != nil {
			return usageError{err}
		}
	}
	return nil
}

func runSimulate(ctx context.Context, opts *simulateOptions) error {
	// Calls log their errors while progress is printed: one writer at a time.
	errOut := loadgen.NewSyncWriter(opts.io.err)
	log := app.NewLogger(errOut, opts.debug)
	key, keySource := opts.key, "--key"
	if key == "" {
		key, keySource = os.Getenv("ASSIST_INGEST_KEY"), "$ASSIST_INGEST_KEY"
	}
	target, err := app.FindIngest(opts.url, key, keySource, opts.data)
	if err != nil {
		return err
	}
	cfg := loadgen.Config{
		Mode: loadgen.ModeChat, Calls: opts.calls, Rate: opts.rate, Duration: opts.duration,
		Queues: splitList(opts.queues), Agents: opts.agents, Logger: log,
	}
	switch {
	case opts.audio:
		cfg.Mode = loadgen.ModeTwilio
		if cfg.Clips, err = loadgen.LoadClips(opts.wavs); err != nil {
			return err
		}
	case opts.http:
		cfg.Mode = loadgen.ModeChatHTTP
	}
	if cfg.Mode != loadgen.ModeTwilio {
		format, err := transcriptFormat(opts.format)
		if err != nil {
			return err
		}
		var warnings []transcript.Warning
		if cfg.Scripts, warnings, err = app.LoadCalls(opts.files, format); err != nil {
			return err
		}
		for _, w := range warnings {
			log.Warn("transcript", "problem", w.String())
		}
	}
	gen, err := target.Generator(ctx, cfg, opts.insecure)
	if err != nil {
		return err
	}

	until := "until every call has played its script once"
	if opts.duration > 0 {
		until = "for " + opts.duration.String()
	}
	fmt.Fprintf(errOut, "simulate: %d %s to %s, %g customer utterances/s per call, %s; Ctrl-C stops\n",
		opts.calls, cfg.Mode.Description(), target.URL, opts.rate, until)
	rep := gen.RunReporting(ctx, opts.progressEvery, func(p loadgen.Progress) {
		fmt.Fprintln(errOut, "simulate: "+p.Line(opts.audio))
	})
	fmt.Fprintln(opts.io.out, gen.Summary(rep))
	if err := printJSONLine(opts.io.out, rep); err != nil {
		return err
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%d errors during the simulation (the first are logged above)", rep.Errors)
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
