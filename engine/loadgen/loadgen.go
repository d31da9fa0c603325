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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/transcript"
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
}

// Report is what a finished run measured: the figures of the command's
// JSON summary.
type Report struct {
	// Calls is how many calls started.
	Calls int64 `json:"calls"`
	// Utterances is how many utterances were sent: chat messages of
	// either speaker, or clips played on either track.
	Utterances int64 `json:"utterances"`
	// Acked is how many chat utterances the service acknowledged.
	Acked int64 `json:"acked"`
	// Errors counts failed connections, refused or unanswered messages and
	// calls the service cut off.
	Errors int64 `json:"errors"`
	// AckMSP50 and AckMSP99 are the median and 99th percentile of the
	// chat utterances' ack latency, in milliseconds.
	AckMSP50 float64 `json:"ack_ms_p50"`
	AckMSP99 float64 `json:"ack_ms_p99"`
	// DurationS is the run's wall-clock time in seconds.
	DurationS float64 `json:"duration_s"`
}

// Progress is a run's counts so far.
type Progress struct {
	Elapsed time.Duration
	// Open is how many calls are open now; Calls how many started; Ended
	// how many were ended cleanly.
	Open, Calls, Ended int64
	// Utterances, Acked and Errors are as in Report.
	Utterances, Acked, Errors int64
	// RecentP50 and RecentP99 are over the last recentAcks acks.
	RecentP50, RecentP99 time.Duration
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

// New checks cfg and returns a Generator for it.
func New(cfg Config) (*Generator, error) {
	base, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("service URL: %w", err)
	}
	switch base.Scheme {
	case "http", "https":
	case "ws":
		base.Scheme = "http"
	case "wss":
		base.Scheme = "https"
	default:
		return nil, fmt.Errorf("service URL %q: want http:// or https://", cfg.URL)
	}
	if base.Host == "" {
		return nil, fmt.Errorf("service URL %q has no host", cfg.URL)
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
		RecentP50: msDuration(percentile(recent, 50)), RecentP99: msDuration(percentile(recent, 99)),
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
		AckMSP50: round(percentile(lat, 50), 2), AckMSP99: round(percentile(lat, 99), 2),
		DurationS: round(elapsed.Seconds(), 3),
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

// chatTransport sends a chat call's messages.
type chatTransport interface {
	// send sends one message and returns once it is answered. An answer
	// that refuses the message is a *refusedError; any other error means
	// the call's connection is gone.
	send(ctx context.Context, m ingest.ChatMessage) error
	close()
}

// refusedError is the service's answer refusing one message; the call
// goes on.
type refusedError struct {
	status int // HTTP status, 0 on a WebSocket
	msg    string
}

func (e *refusedError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("refused (%d %s): %s", e.status, http.StatusText(e.status), e.msg)
	}
	return "refused: " + e.msg
}

// chatCall plays one script as one chat call. It reports whether the call
// started and ended cleanly.
func (g *Generator) chatCall(ctx context.Context, rng *mrand.Rand, slot, round int) bool {
	script := g.cfg.Scripts[(slot+round*g.cfg.Calls)%len(g.cfg.Scripts)]
	c := g.newCall(slot)
	t, err := g.openChat()
	if err != nil {
		g.fail(c.id, "connect", err)
		return false
	}
	defer t.close()
	start := ingest.ChatMessage{Type: ingest.ChatStart, ID: "start", CallID: c.id,
		Queue: c.queue, Agent: c.agent, Customer: c.customer, Title: title(script)}
	if err := g.sendChat(t, start); err != nil {
		g.fail(c.id, "start", err)
		return false
	}
	g.calls.Add(1)
	g.open.Add(1)
	defer g.open.Add(-1)
	g.log.Debug("simulated chat call started", "call_id", c.id, "script", script.ID, "queue", c.queue, "agent", c.agent)

	end := ingest.ChatMessage{Type: ingest.ChatEnd, ID: "end", CallID: c.id}
	next := time.Now().Add(g.jitter(rng))
	for i, u := range script.Utterances {
		if u.Speaker == string(engine.SpeakerCustomer) {
			if !sleep(ctx, time.Until(next)) {
				break
			}
			// Keep the schedule, but a slow service makes the call fall
			// behind rather than burst to catch up.
			next = later(next, time.Now()).Add(g.jitter(rng))
		} else if ctx.Err() != nil {
			break
		}
		m := ingest.ChatMessage{Type: ingest.ChatText, ID: "u" + strconv.Itoa(i+1), CallID: c.id,
			Speaker: engine.Speaker(u.Speaker), Text: u.Text}
		g.utterances.Add(1)
		sent := time.Now()
		err := g.sendChat(t, m)
		if err == nil {
			g.ack(time.Since(sent))
			continue
		}
		g.fail(c.id, "utterance", err)
		var refused *refusedError
		if errors.As(err, &refused) {
			continue
		}
		// The service ends a call whose WebSocket is gone; over HTTP, the
		// call stays open unless ended, so try.
		if g.cfg.Mode == ModeChatHTTP {
			_ = g.sendChat(t, end)
		}
		return false
	}
	if err := g.sendChat(t, end); err != nil {
		g.fail(c.id, "end", err)
		return false
	}
	g.ended.Add(1)
	g.log.Debug("simulated chat call ended", "call_id", c.id)
	return true
}

// sendChat sends one message with the ack timeout. The wait is not tied
// to the run's context: a message in flight when the run stops is still
// answered, so that the call can be ended in order.
func (g *Generator) sendChat(t chatTransport, m ingest.ChatMessage) error {
	ctx, cancel := context.WithTimeout(context.Background(), g.cfg.AckTimeout)
	defer cancel()
	return t.send(ctx, m)
}

func (g *Generator) openChat() (chatTransport, error) {
	if g.cfg.Mode == ModeChatHTTP {
		return &chatHTTP{g: g}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.cfg.AckTimeout)
	defer cancel()
	ws, err := g.dial(ctx, ChatPath, g.keyHeader())
	if err != nil {
		return nil, err
	}
	c := &chatWS{ws: ws, frames: make(chan chatFrame, 1), done: make(chan struct{}), quit: make(chan struct{})}
	go c.read()
	return c, nil
}

// title bounds a script's title to what a start message carries.
func title(s transcript.Call) string {
	t := s.Title
	if t == "" {
		t = s.ID
	}
	if len(t) <= ingest.MaxChatTitle {
		return t
	}
	t = t[:ingest.MaxChatTitle]
	for !utf8.ValidString(t) { // a rune cut in two
		t = t[:len(t)-1]
	}
	return t
}

// chatFrame is what the service sends on a chat WebSocket.
type chatFrame struct {
	Type   string `json:"type"` // ack, error or reply
	CallID string `json:"call_id"`
	ID     string `json:"id"`
	Text   string `json:"text"`
	Error  string `json:"error"`
}

// chatWS is one chat call's WebSocket. A reader goroutine takes the
// service's frames: acks and errors go to frames, replies are dropped.
type chatWS struct {
	ws     *websocket.Conn
	frames chan chatFrame
	done   chan struct{} // closed when the reader stops
	err    error         // why it stopped; read after done
	quit   chan struct{}
	once   sync.Once
}

func (c *chatWS) read() {
	defer close(c.done)
	for {
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		var f chatFrame
		if typ != websocket.MessageText || json.Unmarshal(data, &f) != nil || f.Type == "reply" {
			continue
		}
		select {
		case c.frames <- f:
		case <-c.quit:
			return
		}
	}
}

func (c *chatWS) send(ctx context.Context, m ingest.ChatMessage) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode chat message: %w", err)
	}
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		return c.lost(err)
	}
	for {
		select {
		case f := <-c.frames:
			if f.ID != m.ID {
				continue // not ours: answers come in order, so an old one
			}
			if f.Type == "error" {
				return &refusedError{msg: f.Error}
			}
			return nil
		case <-c.done:
			return c.lost(nil)
		case <-ctx.Done():
			return fmt.Errorf("no answer to %s message within the ack timeout", m.Type)
		}
	}
}

// lost explains a connection that failed, by the service's close frame
// when it sent one.
func (c *chatWS) lost(err error) error {
	select {
	case <-c.done:
		err = c.err
	case <-time.After(100 * time.Millisecond):
	}
	return connectionLost(err)
}

func (c *chatWS) close() {
	c.once.Do(func() {
		close(c.quit)
		c.ws.Close(websocket.StatusNormalClosure, "")
		<-c.done
	})
}

// connectionLost wraps the error of a connection that ended, saying why
// in the service's words when it closed it.
func connectionLost(err error) error {
	var ce websocket.CloseError
	switch {
	case errors.As(err, &ce) && ce.Reason != "":
		return fmt.Errorf("the service closed the connection (%d): %s", ce.Code, ce.Reason)
	case errors.As(err, &ce):
		return fmt.Errorf("the service closed the connection (%d)", ce.Code)
	case err == nil:
		return errors.New("connection lost")
	}
	return fmt.Errorf("connection lost: %w", err)
}

// chatHTTP sends a chat call's messages as POST /v1/chat/messages.
type chatHTTP struct{ g *Generator }

func (c *chatHTTP) send(ctx context.Context, m ingest.ChatMessage) error {
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode chat message: %w", err)
	}
	endpoint := c.g.endpoint(ChatMessagesPath)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("chat request: %w", err)
	}
	req.Header.Set("X-API-KEY", c.g.cfg.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.g.cfg.HTTPClient.Do(req)
	if err != nil {
		return unreachable(endpoint, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w: %s", ErrUnauthorized, errorText(answer))
	case resp.StatusCode == http.StatusNotFound && !isJSON(answer):
		return fmt.Errorf("%w: %s answers 404 Not Found", ErrNoEndpoint, endpoint)
	}
	return &refusedError{status: resp.StatusCode, msg: errorText(answer)}
}

func (c *chatHTTP) close() {}

// --- voice calls ---

// Clip is speech ready to stream on a Twilio Media Stream: G.711 μ-law at
// 8 kHz, cut into 20 ms frames, each base64-encoded as media payloads carry
// it.
type Clip struct {
	// Name says where the clip came from, for logs.
	Name   string
	frames []string
}

// frameSamples is 20 ms at 8 kHz: one media message's payload.
const frameSamples = 160

// frameTime is the audio time of one frame.
const frameTime = 20 * time.Millisecond

// telephonyRate is the sample rate of Media Streams audio.
const telephonyRate = 8000

// silenceFrame is 20 ms of μ-law silence.
var silenceFrame = func() string {
	b := make([]byte, frameSamples)
	for i := range b {
		b[i] = audio.MulawEncode(0)
	}
	return base64.StdEncoding.EncodeToString(b)
}()

// NewClip converts the first channel of a recording into a Clip: resampled
// to 8 kHz, μ-law encoded and cut into 20 ms frames, the last one padded
// with silence.
func NewClip(name string, c *audio.Clip) (*Clip, error) {
	if c == nil || len(c.Channels) == 0 || len(c.Channels[0]) == 0 {
		return nil, fmt.Errorf("speech clip %s: no audio", name)
	}
	r, err := audio.NewResampler(c.Rate, telephonyRate)
	if err != nil {
		return nil, fmt.Errorf("speech clip %s: %w", name, err)
	}
	pcm := r.Flush(r.Process(nil, c.Channels[0]))
	mu := make([]byte, (len(pcm)+frameSamples-1)/frameSamples*frameSamples)
	for i := range mu {
		s := int16(0)
		if i < len(pcm) {
			s = pcm[i]
		}
		mu[i] = audio.MulawEncode(s)
	}
	clip := &Clip{Name: name, frames: make([]string, 0, len(mu)/frameSamples)}
	for i := 0; i < len(mu); i += frameSamples {
		clip.frames = append(clip.frames, base64.StdEncoding.EncodeToString(mu[i:i+frameSamples]))
	}
	return clip, nil
}

// LoadClip reads a WAV file (any rate; the first channel) into a Clip.
func LoadClip(path string) (*Clip, error) {
	c, err := audio.LoadWAV(path)
	if err != nil {
		return nil, fmt.Errorf("speech clip: %w", err)
	}
	return NewClip(path, c)
}

// Duration is the clip's length.
func (c *Clip) Duration() time.Duration { return time.Duration(len(c.frames)) * frameTime }

// The Media Streams tracks, as indexes of a voicePlan.
const (
	inbound = iota
	outbound
	numTracks
)

var trackNames = [numTracks]string{"inbound", "outbound"}

// voicePlan is what a voice call plays: clips placed on each track at
// frame positions, silence elsewhere.
type voicePlan struct {
	frames int
	tracks [numTracks][]placedClip
}

type placedClip struct {
	at   int // first frame
	clip *Clip
}

// planVoice lays out one call: every clip once on the inbound track,
// starting with clip first, each start spaced by the jittered interval
// or, when the turn takes longer, a pause after it; with two or more clips
// the agent answers each on the outbound track with the next one.
func (g *Generator) planVoice(rng *mrand.Rand, first int) voicePlan {
	var p voicePlan
	clips := g.cfg.Clips
	gap := int(turnGap / frameTime)
	at := int(g.jitter(rng) / frameTime)
	end := at
	for i := range clips {
		c := clips[(first+i)%len(clips)]
		p.tracks[inbound] = append(p.tracks[inbound], placedClip{at, c})
		end = at + len(c.frames)
		if len(clips) > 1 {
			reply := clips[(first+i+1)%len(clips)]
			p.tracks[outbound] = append(p.tracks[outbound], placedClip{end + gap, reply})
			end += gap + len(reply.frames)
		}
		at = max(at+int(g.jitter(rng)/frameTime), end+gap)
	}
	p.frames = end + gap
	return p
}

// trackCursor walks one track's clips frame by frame.
type trackCursor struct {
	clips []placedClip
	i     int
}

// frame returns the payload of frame k (k increasing from call to call)
// and whether a clip starts there.
func (t *trackCursor) frame(k int) (payload string, starts bool) {
	for t.i < len(t.clips) && k >= t.clips[t.i].at+len(t.clips[t.i].clip.frames) {
		t.i++
	}
	if t.i == len(t.clips) || k < t.clips[t.i].at {
		return silenceFrame, false
	}
	c := t.clips[t.i]
	return c.clip.frames[k-c.at], k == c.at
}

// Twilio Media Streams messages, as Twilio sends them
// (https://www.twilio.com/docs/voice/media-streams/websocket-messages).
type (
	twilioMessage struct {
		Event          string       `json:"event"`
		SequenceNumber string       `json:"sequenceNumber,omitempty"`
		Protocol       string       `json:"protocol,omitempty"`
		Version        string       `json:"version,omitempty"`
		Start          *twilioStart `json:"start,omitempty"`
		Media          *twilioMedia `json:"media,omitempty"`
		Stop           *twilioStop  `json:"stop,omitempty"`
		StreamSID      string       `json:"streamSid,omitempty"`
	}
	twilioStart struct {
		AccountSID       string            `json:"accountSid"`
		StreamSID        string            `json:"streamSid"`
		CallSID          string            `json:"callSid"`
		Tracks           []string          `json:"tracks"`
		CustomParameters map[string]string `json:"customParameters"`
		MediaFormat      twilioMediaFormat `json:"mediaFormat"`
	}
	twilioMediaFormat struct {
		Encoding   string `json:"encoding"`
		SampleRate int    `json:"sampleRate"`
		Channels   int    `json:"channels"`
	}
	twilioMedia struct {
		Track     string `json:"track"`
		Chunk     string `json:"chunk"`
		Timestamp string `json:"timestamp"`
		Payload   string `json:"payload"`
	}
	twilioStop struct {
		AccountSID string `json:"accountSid"`
		CallSID    string `json:"callSid"`
	}
)

// twilioStream is one voice call's WebSocket. A reader goroutine handles
// control frames and notices when the service closes the stream.
type twilioStream struct {
	ws        *websocket.Conn
	streamSID string
	seq       uint64
	done      chan struct{}
	err       error // why the reader stopped; read after done
}

func (s *twilioStream) read() {
	defer close(s.done)
	for {
		if _, _, err := s.ws.Read(context.Background()); err != nil {
			s.err = err
			return
		}
	}
}

// send writes one message, numbering it unless it is connected.
func (s *twilioStream) send(m twilioMessage) error {
	if m.Event != "connected" {
		s.seq++
		m.SequenceNumber = strconv.FormatUint(s.seq, 10)
		m.StreamSID = s.streamSID
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %s message: %w", m.Event, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.ws.Write(ctx, websocket.MessageText, data); err != nil {
		return s.lost(err)
	}
	return nil
}

func (s *twilioStream) lost(err error) error {
	select {
	case <-s.done:
		err = s.err
	case <-time.After(100 * time.Millisecond):
	}
	return connectionLost(err)
}

// voiceCall plays one round of clips as one Twilio stream, in real time.
// It reports whether the call started and ended cleanly.
func (g *Generator) voiceCall(ctx context.Context, rng *mrand.Rand, slot, round int) bool {
	c := g.newCall(slot)
	dctx, cancel := context.WithTimeout(context.Background(), g.cfg.AckTimeout)
	ws, err := g.dial(dctx, TwilioPath, nil)
	cancel()
	if err != nil {
		g.fail(c.id, "connect", err)
		return false
	}
	s := &twilioStream{ws: ws, streamSID: "MZ" + randomHex(16), done: make(chan struct{})}
	go s.read()
	defer func() {
		ws.Close(websocket.StatusNormalClosure, "")
		<-s.done
	}()
	callSID := "CA" + randomHex(16)
	err = s.send(twilioMessage{Event: "connected", Protocol: "Call", Version: "1.0.0"})
	if err == nil {
		err = s.send(twilioMessage{Event: "start", Start: &twilioStart{
			AccountSID: g.account, StreamSID: s.streamSID, CallSID: callSID,
			Tracks: trackNames[:],
			CustomParameters: map[string]string{
				"key": g.cfg.Key, "call_id": c.id, "queue": c.queue, "agent": c.agent, "customer": c.customer,
			},
			MediaFormat: twilioMediaFormat{Encoding: "audio/x-mulaw", SampleRate: telephonyRate, Channels: 1},
		}})
	}
	if err != nil {
		g.fail(c.id, "start", err)
		return false
	}
	g.calls.Add(1)
	g.open.Add(1)
	defer g.open.Add(-1)
	g.log.Debug("simulated voice call started", "call_id", c.id, "queue", c.queue, "agent", c.agent)

	plan := g.planVoice(rng, (slot+round)%len(g.cfg.Clips))
	cursors := [numTracks]trackCursor{{clips: plan.tracks[inbound]}, {clips: plan.tracks[outbound]}}
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	t0 := time.Now()
	for k := 0; k < plan.frames; k++ {
		// Real time: frame k is due 20·k ms after the first; a late
		// sender catches up rather than drifting.
		if wait := time.Until(t0.Add(time.Duration(k) * frameTime)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
			case <-s.done:
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case <-s.done:
			// The stream's own error gives the reason, or a closed socket.
			g.fail(c.id, "stream", connectionLost(s.err))
			return false
		default:
		}
		ms := strconv.Itoa(k * int(frameTime/time.Millisecond))
		chunk := strconv.Itoa(k + 1)
		for tr := range numTracks {
			payload, starts := cursors[tr].frame(k)
			if starts {
				g.utterances.Add(1)
			}
			m := twilioMessage{Event: "media", Media: &twilioMedia{Track: trackNames[tr], Chunk: chunk, Timestamp: ms, Payload: payload}}
			if err := s.send(m); err != nil {
				g.fail(c.id, "media", err)
				return false
			}
		}
	}
	if err := s.send(twilioMessage{Event: "stop", Stop: &twilioStop{AccountSID: g.account, CallSID: callSID}}); err != nil {
		g.fail(c.id, "stop", err)
		return false
	}
	g.ended.Add(1)
	g.log.Debug("simulated voice call ended", "call_id", c.id)
	return true
}

// --- connections ---

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

// percentile returns the p-th percentile of sorted values (nearest rank),
// or 0 for none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

func round(x float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(x*f) / f
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
