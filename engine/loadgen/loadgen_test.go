package loadgen

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/transcript"
)

const testKey = "loadgen-test-key"

// tone returns seconds of a 440 Hz tone at rate Hz.
func tone(rate int, seconds, amplitude float64) *audio.Clip {
	s := make([]int16, int(seconds*float64(rate)))
	for i := range s {
		s[i] = int16(amplitude * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	return &audio.Clip{Rate: rate, Channels: [][]int16{s}}
}

func mustClip(t *testing.T, name string, c *audio.Clip) *Clip {
	t.Helper()
	clip, err := NewClip(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return clip
}

func TestNewClipIsMulawAt8kHzIn20msFrames(t *testing.T) {
	clip := mustClip(t, "tone", tone(16000, 1, 8000))
	if len(clip.frames) != 50 || clip.Duration() != time.Second {
		t.Fatalf("%d frames (%s), want 50 (1s)", len(clip.frames), clip.Duration())
	}
	all := make([]int16, 0, 8000)
	for _, f := range clip.frames {
		b, err := base64.StdEncoding.DecodeString(f)
		if err != nil || len(b) != frameSamples {
			t.Fatalf("frame of %d bytes: %v", len(b), err)
		}
		all = append(all, audio.DecodeMulaw(nil, b)...)
	}
	// A sine of amplitude A has an RMS of A/√2; μ-law and resampling keep
	// it within a few percent (the edges of the filter aside).
	var sum float64
	for _, s := range all[400:7600] {
		sum += float64(s) * float64(s)
	}
	if rms := math.Sqrt(sum / 7200); math.Abs(rms-8000/math.Sqrt2)/(8000/math.Sqrt2) > 0.05 {
		t.Errorf("RMS %.0f, want about %.0f", rms, 8000/math.Sqrt2)
	}

	// A length that is not whole frames is padded with silence.
	odd := mustClip(t, "odd", tone(16000, 0.105, 8000))
	if len(odd.frames) != 6 {
		t.Errorf("0.105 s: %d frames, want 6", len(odd.frames))
	}
	last, _ := base64.StdEncoding.DecodeString(odd.frames[5])
	for _, b := range last[frameSamples/4:] {
		if audio.MulawDecode(b) != 0 {
			t.Fatalf("padding is not silence: %x", last)
		}
	}
	if _, err := NewClip("empty", &audio.Clip{Rate: 16000, Channels: [][]int16{nil}}); err == nil {
		t.Error("empty clip accepted")
	}
}

// twilioRecorder is a Media Streams endpoint that records what each stream
// sends, and when.
type twilioRecorder struct {
	mu      sync.Mutex
	streams [][]recorded
}

type recorded struct {
	at  time.Time
	msg map[string]any
}

func (r *twilioRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	c, err := websocket.Accept(w, req, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	r.mu.Lock()
	i := len(r.streams)
	r.streams = append(r.streams, nil)
	r.mu.Unlock()
	for {
		_, data, err := c.Read(req.Context())
		if err != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			panic(err)
		}
		r.mu.Lock()
		r.streams[i] = append(r.streams[i], recorded{time.Now(), m})
		r.mu.Unlock()
		if m["event"] == "stop" {
			c.Close(websocket.StatusNormalClosure, "")
			return
		}
	}
}

var sidPattern = regexp.MustCompile(`^(AC|MZ|CA)[0-9a-f]{32}$`)

func TestTwilioStreamsAreWhatTwilioSends(t *testing.T) {
	rec := &twilioRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	customer := mustClip(t, "customer", tone(16000, 0.2, 8000))
	agent := mustClip(t, "agent", tone(8000, 0.1, 4000))
	var startedID string
	var startedAt time.Time
	g, err := New(Config{
		URL: srv.URL, Key: testKey, Mode: ModeTwilio, Calls: 1, Rate: 20, Seed: 7,
		Queues: []string{"cards"}, Clips: []*Clip{customer, agent},
		VoiceStarted: func(id string, at time.Time) { startedID, startedAt = id, at },
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := g.Run(context.Background())
	// Each clip once as the customer, each answered with the other.
	if rep.Calls != 1 || rep.Utterances != 4 || rep.Errors != 0 || rep.Acked != 0 {
		t.Errorf("report %+v", rep)
	}
	if len(rec.streams) != 1 {
		t.Fatalf("%d streams, want 1", len(rec.streams))
	}
	msgs := rec.streams[0]
	if m := msgs[0].msg; m["event"] != "connected" || m["protocol"] != "Call" || m["version"] != "1.0.0" || m["sequenceNumber"] != nil {
		t.Errorf("first message %v, want connected without a sequence number", m)
	}
	start := msgs[1].msg
	st, _ := start["start"].(map[string]any)
	if start["event"] != "start" || start["sequenceNumber"] != "1" || st == nil {
		t.Fatalf("second message %v, want start", start)
	}
	for _, sid := range []any{st["accountSid"], st["streamSid"], st["callSid"]} {
		if s, _ := sid.(string); !sidPattern.MatchString(s) {
			t.Errorf("SID %v is not a Twilio SID", sid)
		}
	}
	params, _ := st["customParameters"].(map[string]any)
	if start["streamSid"] != st["streamSid"] || params["key"] != testKey || params["queue"] != "cards" ||
		params["agent"] != "agent-1" || !strings.HasPrefix(params["call_id"].(string), "sim-") || params["customer"] == "" {
		t.Errorf("start %v", start)
	}
	if f, _ := json.Marshal(st["mediaFormat"]); string(f) != `{"channels":1,"encoding":"audio/x-mulaw","sampleRate":8000}` {
		t.Errorf("media format %s", f)
	}
	if tr, _ := json.Marshal(st["tracks"]); string(tr) != `["inbound","outbound"]` {
		t.Errorf("tracks %s", tr)
	}

	// Media: both tracks 20 ms at a time, numbered without gaps.
	media := msgs[2 : len(msgs)-1]
	if len(media)%2 != 0 || len(media) < 2*(len(customer.frames)+len(agent.frames))*2 {
		t.Fatalf("%d media messages", len(media))
	}
	if startedID != params["call_id"] || startedAt.IsZero() || media[0].at.Before(startedAt) {
		t.Errorf("VoiceStarted told %q at %v; want call %v before its first media, received at %v", startedID, startedAt, params["call_id"], media[0].at)
	}
	frames := [2][]string{}
	for i, r := range media {
		m := r.msg
		md, _ := m["media"].(map[string]any)
		track, chunk := trackNames[i%2], strconv.Itoa(i/2+1)
		if m["event"] != "media" || m["sequenceNumber"] != strconv.Itoa(i+2) || m["streamSid"] != st["streamSid"] ||
			md["track"] != track || md["chunk"] != chunk || md["timestamp"] != strconv.Itoa(i/2*20) {
			t.Fatalf("media message %d: %v", i, m)
		}
		payload, err := base64.StdEncoding.DecodeString(md["payload"].(string))
		if err != nil || len(payload) != frameSamples {
			t.Fatalf("media message %d: payload of %d bytes: %v", i, len(payload), err)
		}
		frames[i%2] = append(frames[i%2], md["payload"].(string))
	}
	stop := msgs[len(msgs)-1].msg
	sp, _ := stop["stop"].(map[string]any)
	if stop["event"] != "stop" || stop["sequenceNumber"] != strconv.Itoa(len(msgs)-1) || sp["callSid"] != st["callSid"] || sp["accountSid"] != st["accountSid"] {
		t.Errorf("last message %v, want stop", stop)
	}
	// The customer says both clips on the inbound track, the agent both
	// on the outbound, never at the same time.
	for tr, want := range [2][]*Clip{{customer, agent}, {agent, customer}} {
		at := 0
		for _, c := range want {
			i := findFrames(frames[tr][at:], c.frames)
			if i < 0 {
				t.Fatalf("%s track lacks clip %s", trackNames[tr], c.Name)
			}
			at += i + len(c.frames)
		}
	}
	for k := range frames[0] {
		if frames[0][k] != silenceFrame && frames[1][k] != silenceFrame {
			t.Fatalf("both parties speak at frame %d", k)
		}
	}
	// Real time: the audio took at least as long to arrive as it lasts.
	spoken := time.Duration(len(media)/2-1) * frameTime
	if took := media[len(media)-1].at.Sub(media[0].at); took < spoken*9/10 {
		t.Errorf("%s of audio sent in %s", spoken, took)
	}
}

func findFrames(haystack, needle []string) int {
	for i := 0; i+len(needle) <= len(haystack); i++ {
		if slices.Equal(haystack[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

func TestPlanVoiceSpacesTheTurns(t *testing.T) {
	a := &Clip{Name: "a", frames: make([]string, 100)}
	b := &Clip{Name: "b", frames: make([]string, 40)}
	g, err := New(Config{URL: "http://x", Key: "k", Mode: ModeTwilio, Calls: 1, Rate: 0.5, Queues: []string{"q"}, Clips: []*Clip{a, b}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	gap := int(turnGap / frameTime)
	for first := range 2 {
		p := g.planVoice(g.rng, first)
		in, out := p.tracks[inbound], p.tracks[outbound]
		if len(in) != 2 || len(out) != 2 || in[0].clip != g.cfg.Clips[first] || out[0].clip == in[0].clip {
			t.Fatalf("plan %+v", p)
		}
		for i := range in {
			// The reply follows its question; the next question follows
			// the reply, at least a rate interval ±50% after the last.
			if out[i].at != in[i].at+len(in[i].clip.frames)+gap {
				t.Errorf("reply %d at %d, question at %d", i, out[i].at, in[i].at)
			}
			if i > 0 && (in[i].at < out[i-1].at+len(out[i-1].clip.frames)+gap || in[i].at-in[i-1].at < 50) {
				t.Errorf("question %d at %d after %d", i, in[i].at, in[i-1].at)
			}
		}
		last := out[1]
		if p.frames != last.at+len(last.clip.frames)+gap {
			t.Errorf("%d frames, last reply ends at %d", p.frames, last.at+len(last.clip.frames))
		}
	}
}

// chatService is the real ingest handler on a real engine and bus.
type chatService struct {
	url    string
	events *engine.Subscription
}

func startChatService(t *testing.T) *chatService {
	t.Helper()
	te := enginetest.Start(t)
	eng, events := te.Engine, te.Events
	h, err := ingest.NewHandler(ingest.Options{Calls: &ingest.EngineCalls{Engine: eng}, APIKey: testKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return &chatService{url: srv.URL, events: events}
}

// TestRefusedMessagesCountAsErrors plays a script with a line the service
// refuses: it is counted as an error and the call goes on to its end, on
// the WebSocket and over HTTP.
func TestRefusedMessagesCountAsErrors(t *testing.T) {
	s := startChatService(t)
	script := transcript.Call{ID: "s", Title: strings.Repeat("é", 200), Utterances: []transcript.Utterance{
		{Speaker: "customer", Text: "I lost my card"},
		{Speaker: "customer", Text: "   "}, // empty: refused
		{Speaker: "agent", Text: "I have locked it for you."},
	}}
	for _, mode := range []Mode{ModeChat, ModeChatHTTP} {
		g, err := New(Config{URL: s.url, Key: testKey, Mode: mode, Calls: 2, Rate: 100, Queues: []string{"cards"}, Scripts: []transcript.Call{script}})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		rep := g.Run(context.Background())
		if rep.Calls != 2 || rep.Utterances != 6 || rep.Acked != 4 || rep.Errors != 2 {
			t.Errorf("%s: report %+v", mode, rep)
		}
		if p := g.Progress(); p.Ended != 2 || p.Open != 0 {
			t.Errorf("%s: progress %+v", mode, p)
		}
		ended, finals := 0, 0
		for deadline := time.After(20 * time.Second); ended < 2; {
			select {
			case e := <-s.events.C:
				switch p := e.Payload.(type) {
				case event.CallStarted:
					if len(p.Title) > ingest.MaxChatTitle || !strings.HasPrefix(p.Title, "éé") {
						t.Errorf("title %q", p.Title)
					}
				case event.Utterance:
					finals++
				case event.CallEnded:
					ended++
					if p.Reason != "completed" {
						t.Errorf("%s: call ended as %s", mode, p.Reason)
					}
				}
			case <-deadline:
				t.Fatalf("%s: %d calls ended", mode, ended)
			}
		}
		if finals != 4 {
			t.Errorf("%s: %d utterances published, want 4", mode, finals)
		}
	}
}

func TestCheckSaysWhatIsWrong(t *testing.T) {
	s := startChatService(t)
	check := func(url, key string, mode Mode) error {
		t.Helper()
		g, err := New(Config{URL: url, Key: key, Mode: mode, Calls: 1, Rate: 1, Queues: []string{"q"},
			Scripts: []transcript.Call{{Utterances: []transcript.Utterance{{Speaker: "customer", Text: "hi"}}}},
			Clips:   []*Clip{mustClip(t, "c", tone(8000, 0.1, 1000))}})
		if err != nil {
			t.Fatal(err)
		}
		return g.Check(context.Background())
	}
	if err := check(s.url, testKey, ModeChat); err != nil {
		t.Errorf("right key: %v", err)
	}
	if err := check(s.url, "wrong", ModeChatHTTP); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong key: %v", err)
	}
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	if err := check(gone.URL, testKey, ModeChat); !errors.Is(err, ErrUnreachable) {
		t.Errorf("nothing there: %v", err)
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if err := check(other.URL+"/", testKey, ModeChat); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("not the service: %v", err)
	}
	// Voice calls need a recognizer on the service.
	h, err := ingest.NewHandler(ingest.Options{Calls: &ingest.EngineCalls{}, APIKey: testKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	voice := httptest.NewServer(h)
	defer voice.Close()
	if err := check(voice.URL, testKey, ModeTwilio); err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "recognizer") {
		t.Errorf("no recognizer: %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	script := []transcript.Call{{Utterances: []transcript.Utterance{{Speaker: "customer", Text: "hi"}}}}
	good := Config{URL: "http://127.0.0.1:8080", Key: "k", Mode: ModeChat, Calls: 1, Rate: 1, Queues: []string{"q"}, Scripts: script}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]func(*Config){
		"scheme":     func(c *Config) { c.URL = "ftp://host" },
		"no host":    func(c *Config) { c.URL = "http://" },
		"no key":     func(c *Config) { c.Key = "" },
		"no calls":   func(c *Config) { c.Calls = 0 },
		"zero rate":  func(c *Config) { c.Rate = 0 },
		"NaN rate":   func(c *Config) { c.Rate = math.NaN() },
		"duration":   func(c *Config) { c.Duration = -time.Second },
		"agents":     func(c *Config) { c.Agents = -1 },
		"no queues":  func(c *Config) { c.Queues = nil },
		"no scripts": func(c *Config) { c.Scripts = nil },
		"empty call": func(c *Config) { c.Scripts = []transcript.Call{{ID: "x"}} },
		"no clips":   func(c *Config) { c.Mode = ModeTwilio },
		"mode":       func(c *Config) { c.Mode = "fax" },
	} {
		c := good
		bad(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseURLAndProgressLine(t *testing.T) {
	for in, want := range map[string]string{"ws://h:1": "http://h:1", "wss://h:1/x": "https://h:1/x", "http://h:1": "http://h:1"} {
		if u, err := ParseURL(in); err != nil || u.String() != want {
			t.Errorf("ParseURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	p := Progress{Elapsed: 5 * time.Second, Open: 2, Calls: 3, Ended: 1, Utterances: 9, Acked: 8, RecentP50: time.Millisecond, RecentP99: 2 * time.Millisecond}
	if got, want := p.Line(false), "5s  open 2  calls 3  ended 1  utterances 9  acked 8  errors 0  ack p50 1ms p99 2ms"; got != want {
		t.Errorf("chat line %q, want %q", got, want)
	}
	if got := p.Line(true); strings.Contains(got, "acked") {
		t.Errorf("voice line %q counts acks", got)
	}
}

func TestSummaryLine(t *testing.T) {
	rep := Report{Calls: 5, Utterances: 40, Acked: 40, AckMSP50: 7.21, AckMSP99: 31.5, DurationS: 71.204}
	for mode, want := range map[Mode]string{
		ModeChat:     "5 chat calls over WebSocket (4 ended cleanly) in 71.2s: 40 utterances, 40 acked, 0 errors; ack latency p50 7.2 ms, p99 31.5 ms",
		ModeChatHTTP: "5 chat calls over HTTP (4 ended cleanly) in 71.2s: 40 utterances, 40 acked, 0 errors; ack latency p50 7.2 ms, p99 31.5 ms",
		ModeTwilio:   "5 voice calls as Twilio Media Streams (4 ended cleanly) in 71.2s: 40 clips played, 0 errors",
	} {
		g := &Generator{cfg: Config{Mode: mode}}
		g.ended.Store(4)
		if got := g.Summary(rep); got != want {
			t.Errorf("%s: %q, want %q", mode, got, want)
		}
	}
}
