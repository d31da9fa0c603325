// Package loadgen drives synthetic calls into a running service through its
// real ingest endpoints, for demos and load tests: chat calls over the chat
// WebSocket (/v1/chat) or HTTP (POST /v1/chat/messages), played from
// transcript scripts, and voice calls as Twilio Media Streams
// (/v1/twilio/media) carrying real speech clips at real-time pace.
//
// A Generator keeps Config.Calls calls open at once, one per slot. Each
// call plays one script (chat) or one round of clips (voice) and ends;
// without a Duration every slot plays one call, with one a slot starts its
// next call as soon as the last has ended, until the Duration is up. Calls
// start at random moments within the first utterance interval and their
// utterances are spaced by the interval with ±50% jitter, so that calls do
// not fire in lockstep.
//
// Chat messages are sent one at a time per call and each waits for the
// service's answer (an ack or error frame, or the HTTP response). The
// service answers once the utterance and what the models made of it have
// been published, so the ack latency is the service's end-to-end latency
// as a client sees it. Twilio streams get no answers: voice calls count
// utterances (clips played) and errors only.
//
// Cancelling the context stops cleanly: no utterance starts after it, the
// message in flight is still answered, and every open call is ended (an
// end message, a Twilio stop) before Run returns.
package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/internal/stats"
)

// Mode is how simulated calls reach the service.
type Mode string

// The modes.
const (
	// ModeChat sends chat calls over one WebSocket per call (/v1/chat).
	ModeChat Mode = "chat"
	// ModeChatHTTP sends chat calls as HTTP requests (POST
	// /v1/chat/messages), one per message.
	ModeChatHTTP Mode = "chat-http"
	// ModeTwilio sends voice calls as Twilio Media Streams
	// (/v1/twilio/media), one WebSocket per call.
	ModeTwilio Mode = "twilio"
)

// The service's ingest endpoints, relative to its base URL.
const (
	ChatPath         = "/v1/chat"
	ChatMessagesPath = "/v1/chat/messages"
	TwilioPath       = "/v1/twilio/media"
)

// DefaultAckTimeout bounds the wait for the answer to one chat message.
const DefaultAckTimeout = 30 * time.Second

// Errors that Check and the calls wrap, to tell what the user must fix.
var (
	// ErrUnreachable says nothing answered at the service's URL.
	ErrUnreachable = errors.New("service unreachable")
	// ErrUnauthorized says the service refused the API key.
	ErrUnauthorized = errors.New("the service refused the API key")
	// ErrNoEndpoint says the URL answers, but not with the ingest
	// endpoint (404): another server, or a wrong path prefix.
	ErrNoEndpoint = errors.New("no ingest endpoint at this URL")
)

// Config describes a run.
type Config struct {
	// URL is the service's base URL, http(s)://host:port with an optional
	// path prefix.
	URL string
	// Key is the ingest API key.
	Key string
	// Mode is how calls reach the service.
	Mode Mode
	// Calls is how many calls are open at once. At least 1.
	Calls int
	// Rate is customer utterances per second per call; the interval
	// between them is 1/Rate with ±50% jitter.
	Rate float64
	// Duration is how long to run; zero runs until every slot has played
	// one call.
	Duration time.Duration
	// Queues are spread over the calls in turn. At least one.
	Queues []string
	// Agents is how many agents (agent-1..agent-N) take the calls, slot by
	// slot; zero means one per slot.
	Agents int
	// Scripts are the chat calls' scripts (chat modes); each call plays
	// one, in turn.
	Scripts []transcript.Call
	// Clips are the voice calls' speech (ModeTwilio): each call plays every
	// clip once on the inbound (customer) track, starting with a different
	// one per call; with two or more clips, the agent answers each on the
	// outbound track with the next clip.
	Clips []*Clip
	// HTTPClient makes the requests and WebSocket handshakes;
	// http.DefaultClient when nil.
	HTTPClient *http.Client
	// AckTimeout bounds the wait for each chat answer;
	// DefaultAckTimeout when zero.
	AckTimeout time.Duration
	// Seed makes the jitter repeatable; zero picks one at random.
	Seed uint64
	// Logger gets the calls' errors (the first few) at Warn and each call
	// at Debug; nil discards.
	Logger *slog.Logger
	// VoiceStarted, when set, is told each voice call's id and when its
	// first media frame (timestamp 0) was sent, so that the call's audio
	// offsets can be placed in time: audio at offset d was sent by
	// start+d. It is called from the calls' goroutines.
	VoiceStarted func(callID string, start time.Time)
}

// recentAcks is how many of the latest ack latencies Progress looks at.
const recentAcks = 1024

// maxLatencySamples bounds the latencies kept for the report; beyond,
// a uniform random sample of them is kept (reservoir sampling).
const maxLatencySamples = 1 << 19

// maxLoggedErrors is how many errors are logged; later ones are counted.
const maxLoggedErrors = 10

// turnGap is the pause between one party's clip and the other's reply, and
// the silence at the end of a voice call.
const turnGap = 600 * time.Millisecond

// Generator runs simulated calls against a service.
type Generator struct {
	cfg      Config
	base     *url.URL
	interval time.Duration
	runID    string
	account  string // the Twilio account SID of the run
	log      *slog.Logger

	callNo                    atomic.Int64
	open, calls, ended        atomic.Int64
	utterances, acked, errors atomic.Int64
	logged                    atomic.Int64

	mu      sync.Mutex
	started time.Time
	lat     []float64 // ms, a uniform sample of all acks
	nLat    int64     // acks recorded
	recent  []float64 // ms, ring of the latest acks
	next    int       // next slot of recent
	rng     *mrand.Rand
}

// ParseURL checks a service base URL: http or https (ws and wss are taken
// as the same) with a host.
func ParseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("service URL %q: %w", s, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("service URL %q: want http://host:port or https://host:port", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("service URL %q has no host", s)
	}
	return u, nil
}

// New checks cfg and returns a Generator for it.
func New(cfg Config) (*Generator, error) {
	base, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	base.RawQuery, base.Fragment = "", ""
	switch {
	case cfg.Key == "":
		return nil, errors.New("no API key")
	case cfg.Calls < 1:
		return nil, fmt.Errorf("calls must be at least 1, got %d", cfg.Calls)
	case !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0):
		return nil, fmt.Errorf("rate must be a positive number, got %g", cfg.Rate)
	case cfg.Duration < 0:
		return nil, fmt.Errorf("duration must not be negative, got %s", cfg.Duration)
	case cfg.Agents < 0:
		return nil, fmt.Errorf("agents must not be negative, got %d", cfg.Agents)
	case len(cfg.Queues) == 0:
		return nil, errors.New("no queues")
	}
	switch cfg.Mode {
	case ModeChat, ModeChatHTTP:
		if len(cfg.Scripts) == 0 {
			return nil, errors.New("no scripts for chat calls")
		}
		for _, s := range cfg.Scripts {
			if len(s.Utterances) == 0 {
				return nil, fmt.Errorf("script %s has no utterances", s.ID)
			}
		}
	case ModeTwilio:
		if len(cfg.Clips) == 0 {
			return nil, errors.New("no speech clips for voice calls")
		}
		for _, c := range cfg.Clips {
			if len(c.frames) == 0 {
				return nil, fmt.Errorf("speech clip %s is empty", c.Name)
			}
		}
	default:
		return nil, fmt.Errorf("unknown mode %q", cfg.Mode)
	}
	if cfg.Agents == 0 {
		cfg.Agents = cfg.Calls
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = DefaultAckTimeout
	}
	if cfg.Seed == 0 {
		cfg.Seed = mrand.Uint64()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	return &Generator{
		cfg: cfg, base: base, interval: max(interval, time.Millisecond),
		runID: randomHex(3), account: "AC" + randomHex(16), log: log,
		rng: mrand.New(mrand.NewPCG(cfg.Seed, 0)),
	}, nil
}

// Check makes sure the service is there and takes the key before any call
// starts: it opens and closes a chat WebSocket (whose handshake checks the
// key) and, for voice calls, a Twilio stream without a call on it. Its
// errors wrap ErrUnreachable, ErrUnauthorized or ErrNoEndpoint when they
// are that.
func (g *Generator) Check(ctx context.Context) error {
	ws, err := g.dial(ctx, ChatPath, g.keyHeader())
	if err != nil {
		return err
	}
	ws.Close(websocket.StatusNormalClosure, "")
	if g.cfg.Mode != ModeTwilio {
		return nil
	}
	ws, err = g.dial(ctx, TwilioPath, nil)
	if err != nil {
		return err
	}
	ws.Close(websocket.StatusNormalClosure, "")
	return nil
}

// Run runs the calls and returns the figures once every call has ended:
// when each slot has played one call (no Duration), when the Duration is
// up, or when ctx is cancelled. A Generator runs once.
func (g *Generator) Run(ctx context.Context) Report {
	g.mu.Lock()
	g.started = time.Now()
	g.mu.Unlock()
	if g.cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.cfg.Duration)
		defer cancel()
	}
	var wg sync.WaitGroup
	for slot := range g.cfg.Calls {
		wg.Go(func() { g.runSlot(ctx, slot) })
	}
	wg.Wait()
	return g.report()
}

// RunReporting is Run that also hands progress the counts so far every
// interval while the calls run.
func (g *Generator) RunReporting(ctx context.Context, every time.Duration, progress func(Progress)) Report {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				progress(g.Progress())
			case <-done:
				return
			}
		}
	}()
	rep := g.Run(ctx)
	close(done)
	<-stopped
	return rep
}

// Progress returns the counts so far. It is safe to call during Run.
func (g *Generator) Progress() Progress {
	g.mu.Lock()
	recent := slices.Clone(g.recent)
	var elapsed time.Duration
	if !g.started.IsZero() {
		elapsed = time.Since(g.started)
	}
	g.mu.Unlock()
	slices.Sort(recent)
	return Progress{
		Elapsed: elapsed,
		Open:    g.open.Load(), Calls: g.calls.Load(), Ended: g.ended.Load(),
		Utterances: g.utterances.Load(), Acked: g.acked.Load(), Errors: g.errors.Load(),
		RecentP50: msDuration(stats.SortedPercentile(recent, 50)), RecentP99: msDuration(stats.SortedPercentile(recent, 99)),
	}
}

func (g *Generator) report() Report {
	g.mu.Lock()
	lat := slices.Clone(g.lat)
	elapsed := time.Since(g.started)
	g.mu.Unlock()
	slices.Sort(lat)
	return Report{
		Calls: g.calls.Load(), Utterances: g.utterances.Load(), Acked: g.acked.Load(), Errors: g.errors.Load(),
		AckMSP50: stats.Round(stats.SortedPercentile(lat, 50), 2), AckMSP99: stats.Round(stats.SortedPercentile(lat, 99), 2),
		DurationS: stats.Round(elapsed.Seconds(), 3),
	}
}

// runSlot plays calls one after another in one slot until its work is done.
func (g *Generator) runSlot(ctx context.Context, slot int) {
	rng := mrand.New(mrand.NewPCG(g.cfg.Seed, uint64(slot)+1))
	// Calls start spread over the first interval.
	if !sleep(ctx, time.Duration(rng.Float64()*float64(g.interval))) {
		return
	}
	for round := 0; ctx.Err() == nil; round++ {
		var ok bool
		if g.cfg.Mode == ModeTwilio {
			ok = g.voiceCall(ctx, rng, slot, round)
		} else {
			ok = g.chatCall(ctx, rng, slot, round)
		}
		if g.cfg.Duration == 0 {
			return
		}
		pause := time.Duration(rng.Float64() * float64(g.interval))
		if !ok {
			pause = max(pause, time.Second) // do not hammer a failing service
		}
		if !sleep(ctx, pause) {
			return
		}
	}
}

// callInfo is who a call is between.
type callInfo struct {
	id, queue, agent, customer string
}

func (g *Generator) newCall(slot int) callInfo {
	n := g.callNo.Add(1)
	return callInfo{
		id:       fmt.Sprintf("sim-%s-%d", g.runID, n),
		queue:    g.cfg.Queues[int(n-1)%len(g.cfg.Queues)],
		agent:    fmt.Sprintf("agent-%d", slot%g.cfg.Agents+1),
		customer: fmt.Sprintf("sim-customer-%d", n),
	}
}

// jitter returns the interval to the next customer utterance: the rate's
// interval ±50%.
func (g *Generator) jitter(rng *mrand.Rand) time.Duration {
	return time.Duration(float64(g.interval) * (0.5 + rng.Float64()))
}

// fail counts an error and logs the first few.
func (g *Generator) fail(callID, step string, err error) {
	g.errors.Add(1)
	switch n := g.logged.Add(1); {
	case n < maxLoggedErrors:
		g.log.Warn("simulated call: "+step+" failed", "call_id", callID, "err", err)
	case n == maxLoggedErrors:
		g.log.Warn("simulated call: "+step+" failed (later errors are only counted)", "call_id", callID, "err", err)
	}
}

// ack records an acknowledged utterance's latency.
func (g *Generator) ack(d time.Duration) {
	g.acked.Add(1)
	ms := float64(d.Microseconds()) / 1000
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nLat++
	if len(g.lat) < maxLatencySamples {
		g.lat = append(g.lat, ms)
	} else if i := g.rng.Int64N(g.nLat); i < maxLatencySamples {
		g.lat[i] = ms
	}
	if len(g.recent) < recentAcks {
		g.recent = append(g.recent, ms)
	} else {
		g.recent[g.next] = ms
		g.next = (g.next + 1) % recentAcks
	}
}

// --- chat calls ---

func (g *Generator) keyHeader() http.Header {
	return http.Header{"X-API-KEY": []string{g.cfg.Key}}
}

// endpoint is the URL of one of the service's endpoints.
func (g *Generator) endpoint(path string) string {
	u := *g.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawPath = ""
	return u.String()
}

// dial opens a WebSocket to one of the service's endpoints.
func (g *Generator) dial(ctx context.Context, path string, header http.Header) (*websocket.Conn, error) {
	endpoint := g.endpoint(path)
	ws, resp, err := websocket.Dial(ctx, endpoint, &websocket.DialOptions{HTTPClient: g.cfg.HTTPClient, HTTPHeader: header})
	if err == nil {
		ws.SetReadLimit(1 << 20)
		return ws, nil
	}
	if resp == nil {
		return nil, unreachable(endpoint, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, fmt.Errorf("%w: %s", ErrUnauthorized, errorText(answer))
	case http.StatusNotFound:
		return nil, fmt.Errorf("%w: %s answers 404 Not Found", ErrNoEndpoint, endpoint)
	}
	return nil, fmt.Errorf("%s: %s: %s", endpoint, resp.Status, errorText(answer))
}

// unreachable wraps a failure to reach an endpoint in ErrUnreachable,
// keeping the network's own words (connection refused, no such host).
func unreachable(endpoint string, err error) error {
	if errors.Is(err, syscall.EMFILE) {
		return fmt.Errorf("connect to %s: %w (each call holds a connection: raise the open-file limit with ulimit -n)", endpoint, err)
	}
	var op *net.OpError
	if errors.As(err, &op) {
		err = op
	}
	return fmt.Errorf("%w at %s: %w", ErrUnreachable, endpoint, err)
}

// errorText is the message of a JSON error answer ({"error":"..."}), or
// the answer's text.
func errorText(answer []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(answer, &e) == nil && e.Error != "" {
		return e.Error
	}
	if s := strings.TrimSpace(string(answer)); s != "" {
		return s
	}
	return "no reason given"
}

func isJSON(b []byte) bool { return json.Valid(b) && len(strings.TrimSpace(string(b))) > 0 }

// --- small helpers ---

// sleep waits for d or until ctx is done; it reports whether ctx is still
// live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
