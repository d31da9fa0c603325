package audio

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// transcribeTestKey is the API key the tests send; no error may contain it.
const transcribeTestKey = "sk-secret-test-key"

// requestFields are the parts of a request that compare with ==.
type requestFields struct {
	method, path, auth        string
	model, format, language   string
	fileName, fileContentType string
}

// transcriptionRequest is what the fake server saw in one request.
type transcriptionRequest struct {
	requestFields
	samples []int16
	// otherFields lists unexpected form fields; problem says why the
	// body could not be read.
	otherFields, problem string
}

// fakeWhisper is an httptest server that speaks OpenAI's transcription
// API: it parses each multipart request, records it and answers with
// respond.
type fakeWhisper struct {
	*httptest.Server
	mu       sync.Mutex
	requests []transcriptionRequest
}

// newFakeWhisper starts a server that answers every request with respond.
func newFakeWhisper(t *testing.T, respond http.HandlerFunc) *fakeWhisper {
	t.Helper()
	f := &fakeWhisper{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := parseTranscriptionRequest(r)
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.mu.Unlock()
		respond(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// URL returns the base URL with the API version, as users give it.
func (f *fakeWhisper) baseURL() string { return f.URL + "/v1" }

// seen returns a copy of the requests so far.
func (f *fakeWhisper) seen() []transcriptionRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// parseTranscriptionRequest reads a request as an OpenAI server would.
// Problems are recorded in the result, not reported from the handler's
// goroutine, so the test's assertions stay in the test.
func parseTranscriptionRequest(r *http.Request) transcriptionRequest {
	req := transcriptionRequest{requestFields: requestFields{
		method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization"),
	}}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		req.problem = "not multipart/form-data: " + err.Error()
		return req
	}
	req.model = r.FormValue("model")
	req.format = r.FormValue("response_format")
	req.language = r.FormValue("language")
	for name := range r.MultipartForm.Value {
		if name != "model" && name != "response_format" && name != "language" {
			req.otherFields += name + " "
		}
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		req.problem = "no file field: " + err.Error()
		return req
	}
	defer file.Close()
	req.fileName = header.Filename
	req.fileContentType = header.Header.Get("Content-Type")
	data, err := io.ReadAll(file)
	if err != nil {
		req.problem = err.Error()
		return req
	}
	req.samples, err = decodeTestWAV(data)
	if err != nil {
		req.problem = err.Error()
	}
	return req
}

// decodeTestWAV checks that data is a canonical 16 kHz mono 16-bit PCM WAV
// file, field by field, and returns its samples.
func decodeTestWAV(data []byte) ([]int16, error) {
	if len(data) < 44 {
		return nil, fmt.Errorf("WAV of %d bytes has no header", len(data))
	}
	le := binary.LittleEndian
	dataSize := le.Uint32(data[40:])
	checks := []struct {
		what      string
		got, want any
	}{
		{"RIFF tag", string(data[0:4]), "RIFF"},
		{"RIFF size", le.Uint32(data[4:]), uint32(len(data) - 8)},
		{"WAVE tag", string(data[8:12]), "WAVE"},
		{"fmt tag", string(data[12:16]), "fmt "},
		{"fmt size", le.Uint32(data[16:]), uint32(16)},
		{"format", le.Uint16(data[20:]), uint16(1)},
		{"channels", le.Uint16(data[22:]), uint16(1)},
		{"sample rate", le.Uint32(data[24:]), uint32(16000)},
		{"byte rate", le.Uint32(data[28:]), uint32(32000)},
		{"block align", le.Uint16(data[32:]), uint16(2)},
		{"bits per sample", le.Uint16(data[34:]), uint16(16)},
		{"data tag", string(data[36:40]), "data"},
		{"data size", dataSize, uint32(len(data) - 44)},
	}
	for _, c := range checks {
		if c.got != c.want {
			return nil, fmt.Errorf("WAV %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	samples := make([]int16, dataSize/2)
	for i := range samples {
		samples[i] = int16(le.Uint16(data[44+2*i:]))
	}
	return samples, nil
}

// answerText answers with OpenAI's JSON transcription response.
func answerText(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"text": %q}`, text)
	}
}

// ramp returns n samples that differ from each other and include negative
// ones, so a lost, reordered or truncated sample shows.
func rampSamples(start, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16((start+i)*7 - 3000)
	}
	return s
}

// hangTimeout is the request timeout of the tests whose server hangs:
// short, so that they end quickly.
const hangTimeout = 200 * time.Millisecond

// newTestServerRecognizer returns a recognizer for the fake server, with a
// timeout that a loaded machine under -race never reaches when the server
// answers (30 s of audio is a megabyte to encode and post); the tests of a
// hanging server pass WithServerTimeout(hangTimeout).
func newTestServerRecognizer(t *testing.T, baseURL, key string, opts ...ServerOption) *ServerRecognizer {
	t.Helper()
	opts = append([]ServerOption{WithServerTimeout(time.Minute)}, opts...)
	r, err := NewServerRecognizer(baseURL, "whisper-large-v3", key, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// transcribeOne feeds chunks as one utterance and returns Final's result.
func transcribeOne(t *testing.T, s Stream, chunks ...[]int16) (string, error) {
	t.Helper()
	for _, c := range chunks {
		if _, err := s.Accept(c); err != nil {
			t.Fatalf("Accept: %v", err)
		}
	}
	return s.Final()
}

func TestServerRecognizerSendsOneWAVPerUtterance(t *testing.T) {
	srv := newFakeWhisper(t, answerText(" Thanks for calling, how can I help? "))
	r := newTestServerRecognizer(t, srv.baseURL(), transcribeTestKey, WithLanguage("en"))
	if got, want := r.Name(), "whisper-server (whisper-large-v3)"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	s, err := r.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	if partial, err := s.Accept(rampSamples(0, 1600)); partial != "" || err != nil {
		t.Errorf("Accept = %q, %v; want no partial", partial, err)
	}
	text, err := transcribeOne(t, s, rampSamples(1600, 2400))
	if err != nil {
		t.Fatalf("Final: %v", err)
	}
	if want := "Thanks for calling, how can I help?"; text != want {
		t.Errorf("Final = %q, want %q (trimmed)", text, want)
	}
	// The next utterance is sent alone: the buffer was emptied.
	if _, err := transcribeOne(t, s, rampSamples(9000, 800)); err != nil {
		t.Fatalf("second Final: %v", err)
	}

	reqs := srv.seen()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	want := requestFields{
		method: http.MethodPost, path: "/v1/audio/transcriptions", auth: "Bearer " + transcribeTestKey,
		model: "whisper-large-v3", format: "json", language: "en",
		fileName: "segment.wav", fileContentType: reqs[0].fileContentType,
	}
	// The part's type comes from the system's MIME table: audio/wav or
	// audio/x-wav, or application/octet-stream without one.
	if ct := want.fileContentType; !strings.HasPrefix(ct, "audio/") && ct != "application/octet-stream" {
		t.Errorf("file Content-Type = %q, want audio/* or application/octet-stream", ct)
	}
	checkRequest(t, reqs[0], want, rampSamples(0, 4000))
	checkRequest(t, reqs[1], want, rampSamples(9000, 800))
}

// checkRequest compares a request the server saw with the one expected.
func checkRequest(t *testing.T, got transcriptionRequest, want requestFields, wantSamples []int16) {
	t.Helper()
	if got.problem != "" {
		t.Fatalf("bad request body: %s", got.problem)
	}
	if got.otherFields != "" {
		t.Errorf("unexpected form fields: %s", got.otherFields)
	}
	if got.requestFields != want {
		t.Errorf("request =\n%+v\nwant\n%+v", got.requestFields, want)
	}
	if !slices.Equal(got.samples, wantSamples) {
		t.Errorf("WAV holds %d samples, want the %d fed, in order", len(got.samples), len(wantSamples))
	}
}

func TestServerRecognizerSendsNoAuthorizationWithoutKey(t *testing.T) {
	srv := newFakeWhisper(t, answerText("hello"))
	s, _ := newTestServerRecognizer(t, srv.baseURL(), "").NewStream()
	if _, err := transcribeOne(t, s, rampSamples(0, 160)); err != nil {
		t.Fatal(err)
	}
	reqs := srv.seen()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	if reqs[0].auth != "" {
		t.Errorf("Authorization = %q, want none without a key", reqs[0].auth)
	}
	if reqs[0].language != "" {
		t.Errorf("language = %q, want none unless set", reqs[0].language)
	}
}

func TestServerRecognizerEmptyUtteranceMakesNoRequest(t *testing.T) {
	srv := newFakeWhisper(t, answerText("hallucinated thank you"))
	s, _ := newTestServerRecognizer(t, srv.baseURL(), transcribeTestKey).NewStream()
	for _, chunks := range [][][]int16{nil, {{}}} {
		text, err := transcribeOne(t, s, chunks...)
		if text != "" || err != nil {
			t.Errorf("Final of %d empty chunks = %q, %v; want \"\", nil", len(chunks), text, err)
		}
	}
	if n := len(srv.seen()); n != 0 {
		t.Errorf("server got %d requests for empty utterances, want 0", n)
	}
}

func TestServerRecognizerCapsUtteranceAtWhisperWindow(t *testing.T) {
	srv := newFakeWhisper(t, answerText("long"))
	s, _ := newTestServerRecognizer(t, srv.baseURL(), transcribeTestKey).NewStream()
	var chunks [][]int16
	for i := range 31 { // one second more than the cap, a second at a time
		chunks = append(chunks, rampSamples(i*SampleRate, SampleRate))
	}
	if _, err := transcribeOne(t, s, chunks...); err != nil {
		t.Fatal(err)
	}
	reqs := srv.seen()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	if reqs[0].problem != "" {
		t.Fatal(reqs[0].problem)
	}
	if got, want := len(reqs[0].samples), 30*SampleRate; got != want {
		t.Fatalf("server got %d samples, want %d (30 s)", got, want)
	}
	if !slices.Equal(reqs[0].samples, rampSamples(0, 30*SampleRate)) {
		t.Error("server did not get the first 30 s as fed")
	}
}

func TestNewServerRecognizerRejectsBadSettings(t *testing.T) {
	for _, tc := range []struct{ url, model, want string }{
		{"localhost:8000/v1", "whisper", "must be http(s)://"},
		{"ftp://host/v1", "whisper", "must be http(s)://"},
		{"http://user:" + transcribeTestKey + "@host/v1", " ", "no model named"},
	} {
		_, err := NewServerRecognizer(tc.url, tc.model, transcribeTestKey)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewServerRecognizer(%q, %q) error = %v, want %q", tc.url, tc.model, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), transcribeTestKey) {
			t.Errorf("error shows the key: %v", err)
		}
	}
}

// failingServer is a way for a transcription server to fail.
type failingServer struct {
	name string
	// start returns the base URL of a failing server.
	start func(t *testing.T) string
	// want is in the error, which also names the server.
	want string
	// timeout is the recognizer's, when the server would outlast the
	// default one.
	timeout time.Duration
}

// recognizer returns a recognizer for the server at baseURL.
func (fs failingServer) recognizer(t *testing.T, baseURL string) *ServerRecognizer {
	t.Helper()
	if fs.timeout > 0 {
		return newTestServerRecognizer(t, baseURL, transcribeTestKey, WithServerTimeout(fs.timeout))
	}
	return newTestServerRecognizer(t, baseURL, transcribeTestKey)
}

// failingServers are the ways a server fails that the fallback must
// survive.
var failingServers = []failingServer{
	{"hangs past the timeout", startHangingServer, "no answer within 200ms", hangTimeout},
	{"refuses connections", startRefusingServer, "connection refused", 0},
	{"answers 500 with an OpenAI error", startRespondingServer(http.StatusInternalServerError,
		`{"error": {"message": "CUDA out of memory", "type": "server_error", "code": null}}`),
		"HTTP 500: CUDA out of memory", 0},
	{"answers 502 with an HTML page", startRespondingServer(http.StatusBadGateway,
		"<html>\n<body>Bad Gateway</body>\n</html>"), "HTTP 502: <html> <body>Bad Gateway</body> </html>", 0},
	{"answers 200 with garbage", startRespondingServer(http.StatusOK, "garbage"), "malformed response", 0},
	{"answers 200 with an empty body", startRespondingServer(http.StatusOK, ""), "malformed response", 0},
}

// startHangingServer starts a server that answers nothing until the
// client gives up or the test ends.
func startHangingServer(t *testing.T) string {
	release := make(chan struct{})
	srv := newFakeWhisper(t, func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	return srv.baseURL()
}

// startRefusingServer returns the address of a listener already closed.
func startRefusingServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

// startRespondingServer returns a start function for a server that
// answers every request with status and body.
func startRespondingServer(status int, body string) func(t *testing.T) string {
	return func(t *testing.T) string {
		srv := newFakeWhisper(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
		})
		return srv.baseURL()
	}
}

func TestServerRecognizerErrorsNameServerAndCause(t *testing.T) {
	for _, fs := range failingServers {
		t.Run(fs.name, func(t *testing.T) {
			baseURL := fs.start(t)
			s, _ := fs.recognizer(t, baseURL).NewStream()
			text, err := transcribeOne(t, s, rampSamples(0, 1600))
			if err == nil {
				t.Fatalf("Final = %q, nil; want an error", text)
			}
			msg := err.Error()
			if !strings.Contains(msg, "transcribe: server "+baseURL+": ") || !strings.Contains(msg, fs.want) {
				t.Errorf("error = %q, want it to name %s and say %q", msg, baseURL, fs.want)
			}
			if strings.Contains(msg, transcribeTestKey) {
				t.Errorf("error shows the key: %q", msg)
			}
		})
	}
}

func TestServerRecognizerTimeoutIsDeadlineExceeded(t *testing.T) {
	s, _ := newTestServerRecognizer(t, startHangingServer(t), "", WithServerTimeout(hangTimeout)).NewStream()
	_, err := transcribeOne(t, s, rampSamples(0, 160))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want one that is context.DeadlineExceeded", err)
	}
}

// fixedRecognizer stands in for the embedded recognizer: every stream
// returns a fixed partial and final and counts what it was given.
type fixedRecognizer struct {
	final    string
	finalErr error

	mu       sync.Mutex
	accepted int // samples
	finals   int
}

var _ Recognizer = (*fixedRecognizer)(nil)

func (r *fixedRecognizer) Name() string               { return "fake-sphinx" }
func (r *fixedRecognizer) NewStream() (Stream, error) { return fixedStream{r}, nil }

// counts returns the samples accepted and finals made so far.
func (r *fixedRecognizer) counts() (accepted, finals int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted, r.finals
}

type fixedStream struct{ r *fixedRecognizer }

func (s fixedStream) Accept(samples []int16) (string, error) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.accepted += len(samples)
	return "fallback partial", nil
}

func (s fixedStream) Final() (string, error) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.finals++
	return s.r.final, s.r.finalErr
}

func (fixedStream) Close() error { return nil }

// reportedErrors collects what a fallback recognizer reports.
type reportedErrors struct {
	mu   sync.Mutex
	errs []error
}

func (l *reportedErrors) report(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *reportedErrors) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.errs)
}

func TestFallbackUsesPrimaryTextWhenServerAnswers(t *testing.T) {
	srv := newFakeWhisper(t, answerText("I'd like to cancel my plan"))
	fb := &fixedRecognizer{final: "i like to cancel my plant"}
	var log reportedErrors
	rec := NewFallback(newTestServerRecognizer(t, srv.baseURL(), transcribeTestKey), fb, log.report)
	if got, want := rec.Name(), "whisper-server (whisper-large-v3), falling back to fake-sphinx"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	s, err := rec.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	partial, err := s.Accept(rampSamples(0, 1600))
	if partial != "fallback partial" || err != nil {
		t.Errorf("Accept = %q, %v; want the fallback's partial", partial, err)
	}
	text, err := transcribeOne(t, s, rampSamples(1600, 1600))
	if text != "I'd like to cancel my plan" || err != nil {
		t.Errorf("Final = %q, %v; want the server's text", text, err)
	}
	if errs := log.all(); len(errs) != 0 {
		t.Errorf("onErr got %v, want nothing", errs)
	}
	if accepted, finals := fb.counts(); accepted != 3200 || finals != 1 {
		t.Errorf("fallback got %d samples and %d finals, want 3200 and 1", accepted, finals)
	}
	if reqs := srv.seen(); len(reqs) != 1 || len(reqs[0].samples) != 3200 {
		t.Errorf("server got %d requests, want 1 of 3200 samples", len(reqs))
	}
}

func TestFallbackUsesFallbackTextWhenServerFails(t *testing.T) {
	for _, fs := range failingServers {
		t.Run(fs.name, func(t *testing.T) {
			baseURL := fs.start(t)
			fb := &fixedRecognizer{final: "fallback final"}
			var log reportedErrors
			rec := NewFallback(fs.recognizer(t, baseURL), fb, log.report)
			s, _ := rec.NewStream()
			defer s.Close()

			text, err := transcribeOne(t, s, rampSamples(0, 1600), rampSamples(1600, 1600))
			if text != "fallback final" || err != nil {
				t.Errorf("Final = %q, %v; want the fallback's text", text, err)
			}
			errs := log.all()
			if len(errs) != 1 {
				t.Fatalf("onErr got %d errors, want 1: %v", len(errs), errs)
			}
			if msg := errs[0].Error(); !strings.Contains(msg, baseURL) || !strings.Contains(msg, fs.want) || strings.Contains(msg, transcribeTestKey) {
				t.Errorf("onErr got %q, want it to name %s, say %q and not show the key", msg, baseURL, fs.want)
			}
			if accepted, finals := fb.counts(); accepted != 3200 || finals != 1 {
				t.Errorf("fallback got %d samples and %d finals, want 3200 and 1", accepted, finals)
			}
		})
	}
}

func TestFallbackReturnsFallbackErrorOnlyWhenBothFail(t *testing.T) {
	decodeErr := errors.New("decoder crashed")
	fb := &fixedRecognizer{final: "", finalErr: decodeErr}

	var log reportedErrors
	good := newFakeWhisper(t, answerText("primary text"))
	s, _ := NewFallback(newTestServerRecognizer(t, good.baseURL(), ""), fb, log.report).NewStream()
	text, err := transcribeOne(t, s, rampSamples(0, 160))
	if text != "primary text" || err != nil {
		t.Errorf("with a good server Final = %q, %v; want the server's text", text, err)
	}
	if errs := log.all(); len(errs) != 1 || !errors.Is(errs[0], decodeErr) {
		t.Errorf("onErr got %v, want the fallback's error", errs)
	}

	s, _ = NewFallback(newTestServerRecognizer(t, startRefusingServer(t), ""), fb, nil).NewStream()
	if _, err := transcribeOne(t, s, rampSamples(0, 160)); !errors.Is(err, decodeErr) {
		t.Errorf("with both failing Final error = %v, want the fallback's", err)
	}
}

// breakerClock is a clock that moves only when told.
type breakerClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *breakerClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *breakerClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestFallbackBreakerSkipsDeadServerForCoolDown(t *testing.T) {
	var downMu sync.Mutex // guards down
	var down = true
	srv := newFakeWhisper(t, func(w http.ResponseWriter, r *http.Request) {
		downMu.Lock()
		isDown := down
		downMu.Unlock()
		if isDown {
			http.Error(w, `{"error": {"message": "model not loaded"}}`, http.StatusServiceUnavailable)
			return
		}
		answerText("back up")(w, r)
	})
	setDown := func(d bool) { downMu.Lock(); down = d; downMu.Unlock() }

	clock := &breakerClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	var log reportedErrors
	rec := NewFallback(newTestServerRecognizer(t, srv.baseURL(), ""), &fixedRecognizer{final: "fallback"}, log.report,
		WithBreaker(3, time.Minute))
	rec.(*fallbackRecognizer).breaker.now = clock.now
	s, _ := rec.NewStream()
	defer s.Close()

	// utterance runs one utterance and checks its text and the requests
	// the server has seen so far.
	utterance := func(step, wantText string, wantRequests int) {
		t.Helper()
		text, err := transcribeOne(t, s, rampSamples(0, 160))
		if text != wantText || err != nil {
			t.Errorf("%s: Final = %q, %v; want %q", step, text, err, wantText)
		}
		if n := len(srv.seen()); n != wantRequests {
			t.Errorf("%s: server has had %d requests, want %d", step, n, wantRequests)
		}
	}

	utterance("failure 1", "fallback", 1)
	utterance("failure 2", "fallback", 2)
	utterance("failure 3 opens the breaker", "fallback", 3)
	errs := log.all()
	if len(errs) != 4 || !strings.Contains(errs[3].Error(), "failed 3 times in a row: using fake-sphinx alone for 1m0s") {
		t.Fatalf("onErr got %v, want 3 server errors and word that the breaker opened", errs)
	}
	clock.advance(time.Minute - time.Second)
	utterance("open breaker", "fallback", 3)
	if n := len(log.all()); n != 4 {
		t.Errorf("onErr called %d times, want no more while the breaker is open", n)
	}

	clock.advance(time.Second)
	utterance("after the cool-down one failure reopens it", "fallback", 4)
	utterance("reopened breaker", "fallback", 4)

	setDown(false)
	clock.advance(time.Minute)
	utterance("server back", "back up", 5)

	// A success starts the count again: the third failure still reaches
	// the server.
	setDown(true)
	utterance("new failure 1", "fallback", 6)
	utterance("new failure 2", "fallback", 7)
	utterance("new failure 3", "fallback", 8)
	utterance("open again", "fallback", 8)
}

func TestFallbackDecidesPerUtterance(t *testing.T) {
	// A breaker that closes mid-utterance must not send the server the
	// second half of it.
	srv := newFakeWhisper(t, answerText("primary"))
	clock := &breakerClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	rec := NewFallback(newTestServerRecognizer(t, srv.baseURL(), ""), &fixedRecognizer{final: "fallback"}, nil,
		WithBreaker(1, time.Minute))
	b := rec.(*fallbackRecognizer).breaker
	b.now = clock.now
	b.failure() // open
	s, _ := rec.NewStream()

	if _, err := s.Accept(rampSamples(0, 160)); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Hour)
	text, err := transcribeOne(t, s, rampSamples(160, 160))
	if text != "fallback" || err != nil || len(srv.seen()) != 0 {
		t.Errorf("Final = %q, %v after %d requests; want the fallback's text and no request", text, err, len(srv.seen()))
	}
	text, err = transcribeOne(t, s, rampSamples(0, 320))
	if reqs := srv.seen(); text != "primary" || err != nil || len(reqs) != 1 || len(reqs[0].samples) != 320 {
		t.Errorf("next Final = %q, %v; want the server's text from one whole utterance", text, err)
	}
}

func TestEncodeSegmentWAVIsCanonical(t *testing.T) {
	for _, n := range []int{0, 1, 16000} {
		data := encodeSegmentWAV(rampSamples(0, n))
		if len(data) != 44+2*n {
			t.Errorf("%d samples: %d bytes, want %d", n, len(data), 44+2*n)
		}
		samples, err := decodeTestWAV(data)
		if err != nil {
			t.Fatalf("%d samples: %v", n, err)
		}
		if !slices.Equal(samples, rampSamples(0, n)) {
			t.Errorf("%d samples: decoded samples differ", n)
		}
	}
}

// warmingRecognizer records what Warm asked of it.
type warmingRecognizer struct {
	fixedRecognizer
	warmed []int
	err    error
}

func (r *warmingRecognizer) Warm(n int) error {
	r.warmed = append(r.warmed, n)
	return r.err
}

// TestWarmReachesTheFallback checks that warming a fallback recognizer
// warms the recognizer it falls back on, whose decoders load slowly, and
// that Warm is a no-op for one that cannot warm.
func TestWarmReachesTheFallback(t *testing.T) {
	embedded := &warmingRecognizer{}
	f := NewFallback(&fixedRecognizer{}, embedded, nil)
	if err := Warm(f, 4); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(embedded.warmed, []int{4}) {
		t.Errorf("fallback warmed %v, want [4]", embedded.warmed)
	}
	embedded.err = errors.New("no memory")
	if err := Warm(f, 2); !errors.Is(err, embedded.err) {
		t.Errorf("Warm: %v, want the fallback's error", err)
	}
	if err := Warm(&fixedRecognizer{}, 2); err != nil {
		t.Errorf("Warm of a recognizer that cannot warm: %v", err)
	}
}
