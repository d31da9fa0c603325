package loadgen

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/audio"
)

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

// LibriVoxClips are the speech clips of the Debian package
// pocketsphinx-testdata: read English, 16 kHz mono.
const LibriVoxClips = "/usr/share/pocketsphinx/test/data/librivox/*.wav"

// LoadClips reads the WAV files, or the LibriVoxClips when there are none.
func LoadClips(paths []string) ([]*Clip, error) {
	if len(paths) == 0 {
		var err error
		if paths, err = filepath.Glob(LibriVoxClips); err != nil {
			return nil, fmt.Errorf("find speech clips: %w", err)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("no speech clips in %s: install the Debian package pocketsphinx-testdata, or pass --wav FILE", filepath.Dir(LibriVoxClips))
		}
	}
	clips := make([]*Clip, 0, len(paths))
	for _, p := range paths {
		c, err := LoadClip(p)
		if err != nil {
			return nil, err
		}
		clips = append(clips, c)
	}
	return clips, nil
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
	if g.cfg.VoiceStarted != nil {
		g.cfg.VoiceStarted(c.id, t0)
	}
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
