package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/larkspur-labs/assist/engine/loadgen"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// SimulateOptions configure 'assist simulate'.
type SimulateOptions struct {
	// Files are the transcript scripts of chat calls, read in Format; the
	// bundled sample calls when empty.
	Files  []string
	Format transcript.Format
	// URL is the service's base URL; from the service's info in Data
	// when empty.
	URL string
	// Key is the ingest API key and KeySource where it came from, for
	// error messages; from Data when empty.
	Key, KeySource string
	// Data is the data folder of an 'assist serve' on this machine.
	Data string
	// Calls is how many calls run at once, each with Rate customer
	// utterances per second, for Duration (until every call has played
	// its script once when zero).
	Calls    int
	Rate     float64
	Duration time.Duration
	// Audio makes voice calls as Twilio Media Streams speaking the WAV
	// files (the pocketsphinx-testdata clips when none); HTTP chats over
	// POST instead of the WebSocket.
	Audio bool
	WAVs  []string
	HTTP  bool
	// Queues are the queues the calls are spread over, and Agents how
	// many agents take them (one per call when zero).
	Queues []string
	Agents int
	// Insecure skips TLS certificate verification.
	Insecure bool
	// Debug logs each call's start and end.
	Debug bool
	// ProgressEvery is how often progress is printed; every
	// simulateProgressEvery when zero.
	ProgressEvery time.Duration
	// Out receives the summary line and the report as a line of JSON;
	// ErrOut the log and the progress.
	Out, ErrOut io.Writer
}

// simulateProgressEvery is how often progress goes to ErrOut unless told.
const simulateProgressEvery = 5 * time.Second

// Simulate drives synthetic calls into the running service until they
// are done or ctx is, printing progress as they go, then prints the
// figures. A run with errors fails after printing them.
func Simulate(ctx context.Context, o *SimulateOptions) error {
	// Calls log their errors while progress is printed: one writer at a time.
	errOut := loadgen.NewSyncWriter(o.ErrOut)
	log := NewLogger(errOut, o.Debug)
	target, err := FindIngest(o.URL, o.Key, o.KeySource, o.Data)
	if err != nil {
		return err
	}
	cfg := loadgen.Config{
		Mode: loadgen.ModeChat, Calls: o.Calls, Rate: o.Rate, Duration: o.Duration,
		Queues: o.Queues, Agents: o.Agents, Logger: log,
	}
	switch {
	case o.Audio:
		cfg.Mode = loadgen.ModeTwilio
		if cfg.Clips, err = loadgen.LoadClips(o.WAVs); err != nil {
			return err
		}
	case o.HTTP:
		cfg.Mode = loadgen.ModeChatHTTP
	}
	if cfg.Mode != loadgen.ModeTwilio {
		var warnings []transcript.Warning
		if cfg.Scripts, warnings, err = LoadChatScripts(o.Files, o.Format); err != nil {
			return err
		}
		for _, w := range warnings {
			log.Warn("transcript", "problem", w.String())
		}
	}
	gen, err := target.Generator(ctx, cfg, o.Insecure)
	if err != nil {
		return err
	}

	until := "until every call has played its script once"
	if o.Duration > 0 {
		until = "for " + o.Duration.String()
	}
	fmt.Fprintf(errOut, "simulate: %d %s to %s, %g customer utterances/s per call, %s; Ctrl-C stops\n",
		o.Calls, cfg.Mode.Description(), target.URL, o.Rate, until)
	every := o.ProgressEvery
	if every == 0 {
		every = simulateProgressEvery
	}
	rep := gen.RunReporting(ctx, every, func(p loadgen.Progress) {
		fmt.Fprintln(errOut, "simulate: "+p.Line(o.Audio))
	})
	fmt.Fprintln(o.Out, gen.Summary(rep))
	if err := json.NewEncoder(o.Out).Encode(rep); err != nil {
		return err
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%d errors during the simulation (the first are logged above)", rep.Errors)
	}
	return nil
}

// Ingest is a running service's ingest endpoints, as 'assist simulate'
// reaches them.
type Ingest struct {
	// URL is the service's base URL.
	URL string
	// Key is the ingest API key and KeySource where it came from, for
	// error messages.
	Key, KeySource string
}

// FindIngest completes what the user gave: without a URL, the one the
// service in the data folder recorded; without a key, the one it keeps
// there. It never makes up a key.
func FindIngest(url, key, keySource, data string) (Ingest, error) {
	dir := service.Dir(data)
	in := Ingest{URL: url, Key: key, KeySource: keySource}
	if in.URL == "" {
		info, err := service.ReadInfo(dir)
		if errors.Is(err, service.ErrNoService) {
			return in, fmt.Errorf("%w: start it, or pass its address with --url", err)
		}
		if err != nil {
			return in, fmt.Errorf("find the service: %w (or pass --url)", err)
		}
		if info.HTTPURL == "" {
			return in, fmt.Errorf("the service in %s recorded no HTTP URL: pass --url", dir)
		}
		u, err := loadgen.ParseURL(info.HTTPURL)
		if err != nil {
			return in, fmt.Errorf("the service's info in %s: %w", dir, err)
		}
		in.URL = u.String()
	} else {
		u, err := loadgen.ParseURL(in.URL)
		if err != nil {
			return in, &ConfigError{err.Error()}
		}
		in.URL = u.String()
	}
	if in.Key == "" {
		k, path, err := service.Auth{Dir: dir}.ReadIngestKey()
		if errors.Is(err, service.ErrNoIngestKey) {
			return in, fmt.Errorf("%w: pass --key, set $ASSIST_INGEST_KEY, or run where the service keeps it (--data)", err)
		}
		if err != nil {
			return in, err
		}
		in.Key, in.KeySource = k, path
	}
	return in, nil
}

// Generator builds the load generator of cfg against the service, with an
// HTTP client that keeps a connection per call (and, when insecure,
// checks no certificate), and checks that the service is there and takes
// the key; its errors say what to do.
func (in Ingest) Generator(ctx context.Context, cfg loadgen.Config, insecure bool) (*loadgen.Generator, error) {
	cfg.URL, cfg.Key = in.URL, in.Key
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(cfg.Calls, 2)
	t.MaxIdleConns = max(cfg.Calls, 100)
	if insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for with --insecure
	}
	cfg.HTTPClient = &http.Client{Transport: t}
	gen, err := loadgen.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	if err := gen.Check(ctx); err != nil {
		return nil, in.explain(err)
	}
	return gen, nil
}

// explain says what to do when the service check fails.
func (in Ingest) explain(err error) error {
	switch {
	case errors.Is(err, loadgen.ErrUnreachable):
		return fmt.Errorf("%w\nIs 'assist serve' running there? Pass its address with --url", err)
	case errors.Is(err, loadgen.ErrUnauthorized):
		return fmt.Errorf("%w\nThe key came from %s; pass the service's key with --key or $ASSIST_INGEST_KEY", err, in.KeySource)
	case errors.Is(err, loadgen.ErrNoEndpoint):
		return fmt.Errorf("%w\nIs %s an 'assist serve'? Pass its base URL with --url", err, in.URL)
	}
	return fmt.Errorf("check the service at %s: %w", in.URL, err)
}
