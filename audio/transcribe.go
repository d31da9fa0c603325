package audio

// This file holds the server recognizer, which sends each VAD segment to a
// server that speaks OpenAI's /v1/audio/transcriptions API (Whisper on
// vLLM, speaches, LocalAI, the whisper.cpp server, OpenAI itself), and the
// fallback recognizer, which keeps an embedded recognizer running beside it
// so a slow or dead server costs accuracy, never a transcript.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/internal/modelserver"
	"github.com/sashabaranov/go-openai"
)

// DefaultServerTimeout bounds one transcription request. A final that comes
// seconds after the customer stopped talking is too late to help the
// agent, so a slow server fails fast and the fallback's text is used.
const DefaultServerTimeout = 5 * time.Second

// MaxServerSegment is the longest utterance sent to a server: Whisper
// decodes a 30 s window, and servers differ on longer input (some reject
// it, some chunk it). Samples past it are dropped, so a VAD segment that
// runs on (a customer who never pauses, music on hold) is cut at 30 s and
// the stream's memory stays bounded.
const MaxServerSegment = 30 * time.Second

// maxServerSegmentSamples is MaxServerSegment in samples at SampleRate.
const maxServerSegmentSamples = int(MaxServerSegment/time.Second) * SampleRate

// ServerRecognizer transcribes each utterance with a server that speaks
// OpenAI's /v1/audio/transcriptions API. It has no partials: a stream
// buffers the utterance and sends it as one WAV file on Final. It is safe
// for concurrent use; each stream is used from one goroutine.
type ServerRecognizer struct {
	srv      *modelserver.Server
	language string
}

var _ Recognizer = (*ServerRecognizer)(nil)

// ServerOption changes a setting of a ServerRecognizer.
type ServerOption func(*ServerRecognizer)

// WithServerTimeout bounds each request to the server by d instead of
// DefaultServerTimeout; d <= 0 keeps the default.
func WithServerTimeout(d time.Duration) ServerOption {
	return func(r *ServerRecognizer) {
		if d > 0 {
			r.srv.Timeout = d
		}
	}
}

// WithLanguage tells the server the language spoken, as an ISO-639-1 code
// ("en"), which spares Whisper its language detection on short segments,
// where it often guesses wrong. "" lets the server detect it.
func WithLanguage(lang string) ServerOption {
	return func(r *ServerRecognizer) { r.language = strings.TrimSpace(lang) }
}

// NewServerRecognizer returns a recognizer that asks the server at baseURL,
// API version included (http://localhost:8000/v1), to transcribe with
// model. A non-empty apiKey is sent as a bearer token; it appears in no
// error and no name.
func NewServerRecognizer(baseURL, model, apiKey string, opts ...ServerOption) (*ServerRecognizer, error) {
	srv, err := modelserver.New("transcribe", baseURL, model, apiKey, DefaultServerTimeout)
	if err != nil {
		return nil, err
	}
	r := &ServerRecognizer{srv: srv}
	for _, opt := range opts {
		opt(r)
	}
	return r, nil
}

// Name returns "whisper-server (model)".
func (r *ServerRecognizer) Name() string { return "whisper-server (" + r.srv.Model + ")" }

// NewStream starts buffering one channel. It makes no request, so it
// cannot fail.
func (r *ServerRecognizer) NewStream() (Stream, error) { return &serverStream{r: r}, nil }

// transcribe sends one utterance and returns its text, trimmed: Whisper
// starts its text with a space.
func (r *ServerRecognizer) transcribe(ctx context.Context, samples []int16) (string, error) {
	var resp openai.AudioResponse
	err := r.srv.Do(ctx, func(ctx context.Context) (err error) {
		resp, err = r.srv.Client.CreateTranscription(ctx, openai.AudioRequest{
			Model: r.srv.Model,
			// The server reads the format from the file name's extension.
			FilePath: "segment.wav",
			Reader:   bytes.NewReader(encodeSegmentWAV(samples)),
			Format:   openai.AudioResponseFormatJSON,
			Language: r.language,
		})
		return err
	})
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(resp.Text), nil
}

// serverStream buffers one utterance of one channel.
type serverStream struct {
	r   *ServerRecognizer
	buf []int16
}

// Accept buffers samples, up to MaxServerSegment, and returns no partial:
// the server only answers for a whole utterance.
func (s *serverStream) Accept(samples []int16) (string, error) {
	room := maxServerSegmentSamples - len(s.buf)
	s.buf = append(s.buf, samples[:min(len(samples), max(room, 0))]...)
	return "", nil
}

// Final sends the buffered utterance and returns its text. An empty
// utterance returns "" without a request. The buffer is emptied whatever
// happens, so a failed utterance is not sent again with the next one.
func (s *serverStream) Final() (string, error) {
	defer func() { s.buf = s.buf[:0] }()
	if len(s.buf) == 0 {
		return "", nil
	}
	// Final takes no context; the request timeout bounds it.
	return s.r.transcribe(context.Background(), s.buf)
}

// Close drops the buffer.
func (s *serverStream) Close() error {
	s.buf = nil
	return nil
}

// wavHeaderSize is the size of a canonical PCM WAV header.
const wavHeaderSize = 44

// encodeSegmentWAV returns samples as a WAV file: 16 kHz mono 16-bit PCM,
// the canonical 44-byte header, then the little-endian samples. Every
// server decodes this with ffmpeg or libsndfile, and it needs no encoder.
func encodeSegmentWAV(samples []int16) []byte {
	const channels, bitsPerSample = 1, 16
	const blockAlign = channels * bitsPerSample / 8
	dataSize := uint32(len(samples) * blockAlign)
	le := binary.LittleEndian
	b := make([]byte, 0, wavHeaderSize+int(dataSize))
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, 36+dataSize) // the rest of the file after this field
	b = append(b, "WAVE"...)
	b = append(b, "fmt "...)
	b = le.AppendUint32(b, 16) // fmt chunk size for PCM
	b = le.AppendUint16(b, 1)  // format: linear PCM
	b = le.AppendUint16(b, channels)
	b = le.AppendUint32(b, SampleRate)
	b = le.AppendUint32(b, SampleRate*blockAlign) // bytes per second
	b = le.AppendUint16(b, blockAlign)
	b = le.AppendUint16(b, bitsPerSample)
	b = append(b, "data"...)
	b = le.AppendUint32(b, dataSize)
	for _, v := range samples {
		b = le.AppendUint16(b, uint16(v))
	}
	return b
}

// Defaults of the fallback recognizer's circuit breaker: after
// DefaultBreakerFailures failures in a row the primary is not asked again
// for DefaultBreakerCoolDown, so a dead server costs each utterance
// nothing, not a timeout.
const (
	DefaultBreakerFailures = 3
	DefaultBreakerCoolDown = 30 * time.Second
)

// FallbackOption changes a setting of a recognizer made by NewFallback.
type FallbackOption func(*fallbackRecognizer)

// WithBreaker stops asking the primary for coolDown after failures
// failures in a row, instead of the defaults; values < 1 keep them.
func WithBreaker(failures int, coolDown time.Duration) FallbackOption {
	return func(f *fallbackRecognizer) {
		if failures >= 1 {
			f.breaker.threshold = failures
		}
		if coolDown > 0 {
			f.breaker.coolDown = coolDown
		}
	}
}

// fallbackRecognizer runs two recognizers on every stream; see NewFallback.
type fallbackRecognizer struct {
	primary, fallback Recognizer
	onErr             func(error)
	// breaker is shared by all streams: when the server is down, it is
	// down for every call.
	breaker *circuitBreaker
}

var _ Recognizer = (*fallbackRecognizer)(nil)

// NewFallback returns a recognizer whose streams feed every sample to both
// primary (a server) and fallback (the embedded recognizer). Partials are
// the fallback's, since a server has none. Final returns the primary's
// text unless the primary fails (timeout, dead server, HTTP error,
// malformed answer); then it returns the fallback's text and reports the
// primary's error to onErr (nil ignores it). After DefaultBreakerFailures
// failures in a row the primary is skipped for DefaultBreakerCoolDown,
// then tried again (see WithBreaker). The fallback is always fed, so it is
// ready the moment the primary fails.
func NewFallback(primary, fallback Recognizer, onErr func(error), opts ...FallbackOption) Recognizer {
	f := &fallbackRecognizer{
		primary:  primary,
		fallback: fallback,
		onErr:    onErr,
		breaker: &circuitBreaker{
			threshold: DefaultBreakerFailures,
			coolDown:  DefaultBreakerCoolDown,
			now:       time.Now,
		},
	}
	for _, opt := range opts {
		opt(f)
	}
	return f
}

// Name names both recognizers, for the status line.
func (f *fallbackRecognizer) Name() string {
	return f.primary.Name() + ", falling back to " + f.fallback.Name()
}

// Warm readies the streams of both recognizers, those that can be.
func (f *fallbackRecognizer) Warm(n int) error {
	return errors.Join(Warm(f.fallback, n), Warm(f.primary, n))
}

// NewStream starts a stream on both recognizers. Only the fallback's
// failure is an error; without a primary stream the stream runs on the
// fallback alone.
func (f *fallbackRecognizer) NewStream() (Stream, error) {
	return f.newStream(f.fallback.NewStream)
}

// NewTelephoneStream is NewStream with the fallback's telephone stream,
// when it has them.
func (f *fallbackRecognizer) NewTelephoneStream() (Stream, error) {
	return f.newStream(func() (Stream, error) { return NewStreamAt(f.fallback, telephoneRate) })
}

// telephoneRate is the sample rate of telephone audio.
const telephoneRate = 8000

func (f *fallbackRecognizer) newStream(fallback func() (Stream, error)) (Stream, error) {
	fb, err := fallback()
	if err != nil {
		return nil, fmt.Errorf("fallback recognizer %s: %w", f.fallback.Name(), err)
	}
	p, err := f.primary.NewStream()
	if err != nil {
		f.report(fmt.Errorf("primary recognizer %s: %w", f.primary.Name(), err))
		p = nil
	}
	return &fallbackStream{f: f, primary: p, fallback: fb}, nil
}

// report passes err to onErr, if any.
func (f *fallbackRecognizer) report(err error) {
	if f.onErr != nil {
		f.onErr(err)
	}
}

// primaryFailed records a failure of the primary and reports it, and says
// so too when it opens the breaker, so the user learns why the server has
// gone quiet.
func (f *fallbackRecognizer) primaryFailed(err error) {
	f.report(err)
	if f.breaker.failure() {
		f.report(fmt.Errorf("%s failed %d times in a row: using %s alone for %v",
			f.primary.Name(), f.breaker.threshold, f.fallback.Name(), f.breaker.coolDown))
	}
}

// fallbackStream is one channel on both recognizers.
type fallbackStream struct {
	f                 *fallbackRecognizer
	primary, fallback Stream // primary is nil if it could not start
	// started says the current utterance has had samples; usePrimary,
	// decided then, says whether the primary gets this utterance. The
	// decision is per utterance so the primary never sees half of one.
	started, usePrimary bool
	// primaryErr is an Accept error of the primary in this utterance.
	primaryErr error
}

// Accept feeds samples to both streams and returns the fallback's partial.
func (s *fallbackStream) Accept(samples []int16) (string, error) {
	if !s.started {
		s.started = true
		s.usePrimary = s.primary != nil && s.f.breaker.allow()
	}
	if s.usePrimary && s.primaryErr == nil {
		if _, err := s.primary.Accept(samples); err != nil {
			s.primaryErr = fmt.Errorf("primary recognizer %s: %w", s.f.primary.Name(), err)
		}
	}
	partial, err := s.fallback.Accept(samples)
	if err != nil {
		return "", fmt.Errorf("fallback recognizer %s: %w", s.f.fallback.Name(), err)
	}
	return partial, nil
}

// Final ends the utterance on both streams and returns the primary's text,
// or the fallback's when the primary failed or was skipped.
func (s *fallbackStream) Final() (string, error) {
	defer func() { s.started, s.usePrimary, s.primaryErr = false, false, nil }()
	fbText, fbErr := s.fallback.Final()
	if fbErr != nil {
		fbErr = fmt.Errorf("fallback recognizer %s: %w", s.f.fallback.Name(), fbErr)
	}
	if !s.usePrimary {
		return fbText, fbErr
	}
	text, err := s.primaryFinal()
	if err != nil {
		s.f.primaryFailed(err)
		return fbText, fbErr
	}
	s.f.breaker.success()
	if fbErr != nil {
		// The text is good; the fallback's failure only matters once the
		// primary fails too, so it is reported, not returned.
		s.f.report(fbErr)
	}
	return text, nil
}

// primaryFinal ends the utterance on the primary, returning an Accept
// error held since then first.
func (s *fallbackStream) primaryFinal() (string, error) {
	text, err := s.primary.Final()
	if s.primaryErr != nil {
		return "", s.primaryErr
	}
	return text, err
}

// Close closes both streams.
func (s *fallbackStream) Close() error {
	var err error
	if s.primary != nil {
		err = s.primary.Close()
	}
	return errors.Join(err, s.fallback.Close())
}

// circuitBreaker counts failures in a row. Once there are threshold of
// them it opens: allow says no until coolDown has passed. After that one
// more failure opens it again at once, and a success closes it.
type circuitBreaker struct {
	mu        sync.Mutex
	threshold int
	coolDown  time.Duration
	now       func() time.Time // time.Now; tests inject a clock
	failures  int
	openUntil time.Time
}

// allow says whether the primary may be asked now.
func (b *circuitBreaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.now().Before(b.openUntil)
}

// success closes the breaker.
func (b *circuitBreaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
	b.openUntil = time.Time{}
}

// failure counts a failure and says whether it opened the breaker.
func (b *circuitBreaker) failure() (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	if b.failures < b.threshold {
		return false
	}
	b.openUntil = b.now().Add(b.coolDown)
	return true
}
