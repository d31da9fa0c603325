// Package llmtest is a fake OpenAI-compatible chat server for tests, in
// the manner of net/http/httptest: a real HTTP server on the loopback
// interface that speaks the wire format vLLM, SGLang, Ollama and the
// llama.cpp server speak (chat completions, streamed as server-sent events
// or not; OpenAI's error bodies; the model list), with scripted behaviour
// (replies, timing, keep-alives, failures, dropped connections, errors
// inside a stream, a server that does not know json_schema), and that
// records every request it receives, with its timings. Like those servers
// it honours max_tokens: an answer longer than that many tokens (a token
// being one of the pieces a reply streams in) is cut there and finishes
// with "length".
//
// Which reply a chat request gets depends on what it asks for (see Kind):
// the name of its response_format's JSON schema, else the words of its
// system prompt, else a draft. Every setter is safe to call while requests
// are in flight; a request reads the script once, when it arrives.
package llmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Kind is what a chat request asks for, as the fake reads it.
type Kind string

// The kinds of chat request.
const (
	// KindDraft is a reply for the agent; also any request the fake
	// cannot place.
	KindDraft Kind = "draft"
	// KindSummary is a call's summary (a schema named *summary*, or a
	// system prompt that speaks of a summary).
	KindSummary Kind = "summary"
	// KindEmotion is an utterance's emotion (*emotion*).
	KindEmotion Kind = "emotion"
	// KindTranslate is a translation (*translat*).
	KindTranslate Kind = "translate"
)

// Default replies, valid for what each kind asks.
const (
	DefaultDraft     = "I can help with that. Let me check your account."
	DefaultSummary   = `{"situation":"The customer asked about a charge.","action":"The agent explained the fee.","resolution":"Resolved.","satisfaction":"satisfied","reason":"billing question","entities":["monthly fee"],"disposition":"resolved"}`
	DefaultEmotion   = `{"polarity":-0.5,"emotions":{"anger":0.1,"frustration":0.6,"sadness":0.1,"anxiety":0,"confusion":0.1,"satisfaction":0,"neutral":0.1}}`
	DefaultTranslate = "Hello, I have a question about my bill."
	// DefaultPlainSummary and DefaultPlainEmotion are what a model writes
	// for a summary or an emotion when the server drops the request's JSON
	// schema (WithoutJSONSchema): prose, as nothing asked it for JSON.
	DefaultPlainSummary = "The customer asked about a charge on their account, and the agent explained the monthly fee."
	DefaultPlainEmotion = "The customer sounds frustrated."
	// DefaultModel is the model the server lists when WithModel is not
	// given; it then accepts any model name.
	DefaultModel = "fake-model"
)

// Timing scripts how fast the server answers.
type Timing struct {
	// FirstToken is the time from the request to its first content
	// chunk (or to the whole answer, when not streamed). The response
	// headers go out at once, as vLLM sends them.
	FirstToken time.Duration
	// BetweenTokens is the time between two content chunks.
	BetweenTokens time.Duration
	// PauseAfter content chunks, the stream pauses for Pause; 0 means no
	// pause.
	PauseAfter int
	Pause      time.Duration
	// KeepAlive, when > 0, sends a ": keep-alive" comment line this often
	// during every wait of a stream.
	KeepAlive time.Duration
	// BlankLines sends an extra empty line after every event, as some
	// proxies do.
	BlankLines bool
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// Body is the request body as received.
	Body []byte
	// The chat request, decoded (zero for other paths).
	Kind         Kind
	Model        string
	Stream       bool
	IncludeUsage bool
	Messages     []Message
	// ResponseFormat is the request's response_format, raw; nil if none.
	ResponseFormat json.RawMessage
	// Arrived is when the request arrived; FirstToken when its first
	// content chunk was written and flushed (for an answer not streamed,
	// the answer); Ended when the server was done with it. FirstToken is
	// zero when no content went out.
	Arrived, FirstToken, Ended time.Time
	// Status is the HTTP status answered; Dropped says the connection
	// was closed mid-answer as scripted, StreamError that the stream
	// ended with an error event.
	Status      int
	Dropped     bool
	StreamError bool
}

// ServerTimeToFirstToken is the server's own share of the time to first
// token: from the request's arrival to its first content chunk. A client
// that measures its time to first token on screen subtracts this to get
// its own overhead. It is 0 when no content went out.
func (r Request) ServerTimeToFirstToken() time.Duration {
	if r.FirstToken.IsZero() {
		return 0
	}
	return r.FirstToken.Sub(r.Arrived)
}

// Message is one message of a chat request; Content holds the text parts
// of a message given as parts.
type Message struct {
	Role    string
	Content string
}

// Server is a fake OpenAI-compatible chat server.
type Server struct {
	// URL is the base URL clients use, with the API version:
	// http://127.0.0.1:port/v1.
	URL string

	ts *httptest.Server

	mu       sync.Mutex
	apiKey   string
	model    string
	anyModel bool
	replies  map[Kind]string
	plain    map[Kind]string // the replies when a json_schema is dropped
	noSchema bool            // json_schema is not supported: dropped
	tokens   []string        // exact pieces of streamed answers; nil splits the reply
	timing   Timing
	failures []failure
	requests []*Request
	// changed is closed, and replaced, whenever a request arrives or its
	// record changes, to wake WaitRequests.
	changed chan struct{}
	seq     int
}

// failure is one scripted failure of one request.
type failure struct {
	status int
	body   string
	// drop closes the connection after dropAfter content chunks (for an
	// answer not streamed, before answering).
	drop      bool
	dropAfter int
	// inStream sends an error event in form after dropAfter content
	// chunks of a stream, with status as its code and body's message
	// (an answer not streamed fails with status and body at once).
	inStream bool
	form     StreamErrorForm
}

// Option sets up a Server.
type Option func(*Server)

// WithAPIKey makes the server answer 401, as OpenAI does, to a request
// without "Authorization: Bearer key".
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithModel makes the server serve model only: it lists it, and answers a
// request for any other with 404.
func WithModel(model string) Option {
	return func(s *Server) { s.model, s.anyModel = model, false }
}

// WithReply sets the reply to requests of kind.
func WithReply(kind Kind, text string) Option { return func(s *Server) { s.replies[kind] = text } }

// WithoutJSONSchema makes the server behave as the llama.cpp server before
// early 2025 did, and others still do: it accepts response_format
// {"type":"json_schema"} but drops the schema, so the model, asked for
// nothing in particular, answers a summary or an emotion in prose (see
// SetPlainReply). {"type":"json_object"} works as it should.
func WithoutJSONSchema() Option { return func(s *Server) { s.noSchema = true } }

// WithTokens sets the exact pieces in which streamed answers come.
func WithTokens(tokens ...string) Option { return func(s *Server) { s.tokens = tokens } }

// WithTiming sets how fast the server answers.
func WithTiming(t Timing) Option { return func(s *Server) { s.timing = t } }

// NewServer starts a fake server and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		model:    DefaultModel,
		anyModel: true,
		changed:  make(chan struct{}),
		replies: map[Kind]string{
			KindDraft: DefaultDraft, KindSummary: DefaultSummary,
			KindEmotion: DefaultEmotion, KindTranslate: DefaultTranslate,
		},
		plain: map[Kind]string{
			KindDraft: DefaultDraft, KindSummary: DefaultPlainSummary,
			KindEmotion: DefaultPlainEmotion, KindTranslate: DefaultTranslate,
		},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL + "/v1"
	t.Cleanup(s.Close)
	return s
}

// Close closes every connection and shuts the server down. NewServer
// arranges for it to be called when the test ends.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// SetReply sets the reply to requests of kind from now on. A draft is
// streamed word by word (each word with the white space after it) unless
// SetTokens set the pieces.
func (s *Server) SetReply(kind Kind, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies[kind] = text
}

// SetTiming sets how fast the server answers from now on.
func (s *Server) SetTiming(t Timing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timing = t
}

// FailNext makes the next n chat requests fail with status and the error
// body OpenAI (or vLLM) sends with it.
func (s *Server) FailNext(n, status int) { s.FailNextWith(n, status, ErrorBody(status, "")) }

// FailNextWith makes the next n chat requests fail with status and body,
// sent as application/json.
func (s *Server) FailNextWith(n, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, failure{status: status, body: body})
	}
}

// DropNext makes the next n chat requests lose their connection: a stream
// after afterTokens content chunks, an answer not streamed before it is
// sent.
func (s *Server) DropNext(n, afterTokens int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, failure{drop: true, dropAfter: afterTokens})
	}
}

// StreamErrorForm is how a server reports an error in the middle of a
// stream, once the 200 status has gone out.
type StreamErrorForm string

// The forms of an error inside a stream.
const (
	// StreamErrorOpenAI is OpenAI's and vLLM's: a data event holding an
	// error object, data: {"error":{"message","type","param","code"}}
	// (vLLM then ends the stream with data: [DONE]).
	StreamErrorOpenAI StreamErrorForm = "openai"
	// StreamErrorTGI is text-generation-inference's: a data event whose
	// error is a string, data: {"error":"…","error_type":"generation"}.
	StreamErrorTGI StreamErrorForm = "tgi"
	// StreamErrorLlamaCpp is the llama.cpp server's: an event line of its
	// own, error: {"code":500,"message":"…","type":"server_error"}.
	StreamErrorLlamaCpp StreamErrorForm = "llama.cpp"
)

// FailNextInStream makes the next n chat requests fail inside their
// stream: afterTokens content chunks, then an error event in form with
// status as its code and message (ErrorBody's for status when empty). An
// answer not streamed fails with status at once.
func (s *Server) FailNextInStream(n, afterTokens, status int, message string, form StreamErrorForm) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, failure{
			status: status, body: ErrorBody(status, message), inStream: true, form: form, dropAfter: afterTokens,
		})
	}
}

// Requests returns a copy of every request received so far, in order of
// arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyRequests()
}

// WaitRequests waits until cond holds for the requests received so far (a
// copy, as Requests returns them), checking again whenever one arrives or
// its record changes. It returns an error when ctx ends first.
func (s *Server) WaitRequests(ctx context.Context, cond func([]Request) bool) error {
	for {
		s.mu.Lock()
		rs, changed := s.copyRequests(), s.changed
		s.mu.Unlock()
		if cond(rs) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for requests: %w", ctx.Err())
		}
	}
}

// copyRequests copies the requests' records. The caller holds s.mu.
func (s *Server) copyRequests() []Request {
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
		out[i].Header = r.Header.Clone()
		out[i].Messages = append([]Message(nil), r.Messages...)
	}
	return out
}

// ErrorBody returns the JSON error body OpenAI-compatible servers send
// with status: {"error":{"message","type","param","code"}}, with message
// when it is not empty.
func ErrorBody(status int, message string) string {
	typ, code := "server_error", any(nil)
	var msg string
	switch status {
	case http.StatusBadRequest:
		typ, code = "BadRequestError", 400 // vLLM's form
		msg = "This model's maximum context length is 4096 tokens. However, you requested 4397 tokens. Please reduce the length of the messages."
	case http.StatusUnauthorized:
		typ, code = "invalid_request_error", "invalid_api_key"
		msg = "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
	case http.StatusNotFound:
		typ, code = "NotFoundError", 404
		msg = "The model does not exist."
	case http.StatusTooManyRequests:
		typ, code = "requests", "rate_limit_exceeded"
		msg = "Rate limit reached for requests. Please try again in 1s."
	case http.StatusInternalServerError:
		msg = "The server had an error while processing your request. Sorry about that!"
	case http.StatusServiceUnavailable:
		msg = "The engine is currently overloaded, please try again later"
	default:
		msg = http.StatusText(status)
		if status < 500 {
			typ = "invalid_request_error"
		}
	}
	if message != "" {
		msg = message
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": code,
	}})
	return string(b)
}

// serveHTTP routes a request.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := s.record(r, body)
	switch {
	case r.URL.Path == "/v1/chat/completions" && r.Method == http.MethodPost:
		s.chat(w, r, rec)
	case r.URL.Path == "/v1/models" && r.Method == http.MethodGet:
		s.models(w, rec)
	case r.URL.Path == "/v1/chat/completions" || r.URL.Path == "/v1/models":
		s.fail(w, rec, http.StatusMethodNotAllowed, ErrorBody(http.StatusMethodNotAllowed, "Method Not Allowed"))
	default:
		s.fail(w, rec, http.StatusNotFound, ErrorBody(http.StatusNotFound, "Not Found"))
	}
}

// record keeps the request and returns its record.
func (s *Server) record(r *http.Request, body []byte) *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := &Request{
		Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Arrived: time.Now(),
	}
	s.requests = append(s.requests, rec)
	s.notify()
	return rec
}

// update changes a request's record under the lock.
func (s *Server) update(rec *Request, f func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(rec)
	s.notify()
}

// notify wakes WaitRequests. The caller holds s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// fail answers with an error status and body.
func (s *Server) fail(w http.ResponseWriter, rec *Request, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
	s.update(rec, func(r *Request) { r.Status, r.Ended = status, time.Now() })
}

// models answers GET /v1/models.
func (s *Server) models(w http.ResponseWriter, rec *Request) {
	s.mu.Lock()
	model := s.model
	s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{
		"object": "list",
		"data": []map[string]any{{
			"id": model, "object": "model", "created": rec.Arrived.Unix(), "owned_by": "llmtest",
		}},
	})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
	s.update(rec, func(r *Request) { r.Status, r.Ended = http.StatusOK, time.Now() })
}

// chatRequest is the part of a chat completion request the fake reads.
type chatRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	ResponseFormat json.RawMessage `json:"response_format"`
	StreamOptions  *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           int `json:"max_tokens"`
	MaxCompletionTokens int `json:"max_completion_tokens"`
}

// maxTokens is the request's bound on the answer's tokens, 0 for none.
func (r *chatRequest) maxTokens() int {
	if r.MaxCompletionTokens > 0 {
		return r.MaxCompletionTokens
	}
	return r.MaxTokens
}

// schemaDropped says whether the server drops this response_format: a
// json_schema, on a server without support for it.
func (s *Server) schemaDropped(responseFormat json.RawMessage) bool {
	s.mu.Lock()
	noSchema := s.noSchema
	s.mu.Unlock()
	var rf struct {
		Type string `json:"type"`
	}
	return noSchema && json.Unmarshal(responseFormat, &rf) == nil && rf.Type == "json_schema"
}

// script is what one chat request gets, read once when it arrives.
type script struct {
	id      string
	reply   string   // the answer not streamed
	tokens  []string // the pieces of the answer streamed
	finish  string   // "stop", or "length" when max_tokens cut the answer
	timing  Timing
	failure *failure
}

// chat answers POST /v1/chat/completions.
func (s *Server) chat(w http.ResponseWriter, r *http.Request, rec *Request) {
	s.mu.Lock()
	apiKey, model, anyModel := s.apiKey, s.model, s.anyModel
	s.mu.Unlock()
	if apiKey != "" && r.Header.Get("Authorization") != "Bearer "+apiKey {
		s.fail(w, rec, http.StatusUnauthorized, unauthorizedBody(r.Header.Get("Authorization")))
		return
	}
	var req chatRequest
	if err := json.Unmarshal(rec.Body, &req); err != nil {
		s.fail(w, rec, http.StatusBadRequest, ErrorBody(http.StatusBadRequest, "invalid JSON body: "+err.Error()))
		return
	}
	if len(req.Messages) == 0 {
		s.fail(w, rec, http.StatusBadRequest, ErrorBody(http.StatusBadRequest, "messages: at least one message is required"))
		return
	}
	if !anyModel && req.Model != model {
		s.fail(w, rec, http.StatusNotFound, ErrorBody(http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist.", req.Model)))
		return
	}
	kind := s.decode(rec, &req)
	sc := s.script(kind, s.schemaDropped(req.ResponseFormat), req.maxTokens())
	if f := sc.failure; f != nil && !f.drop && (!f.inStream || !req.Stream) {
		s.fail(w, rec, f.status, f.body)
		return
	}
	if req.Stream {
		s.stream(w, r, rec, req.Model, sc)
		return
	}
	s.complete(w, r, rec, req.Model, sc)
}

// decode stores the decoded chat request in its record and returns its
// kind.
func (s *Server) decode(rec *Request, req *chatRequest) Kind {
	msgs := make([]Message, 0, len(req.Messages))
	for _, m := range req.Messages {
		msgs = append(msgs, Message{Role: m.Role, Content: messageText(m.Content)})
	}
	kind := classify(msgs, req.ResponseFormat)
	s.update(rec, func(r *Request) {
		r.Kind, r.Model, r.Stream, r.Messages = kind, req.Model, req.Stream, msgs
		r.IncludeUsage = req.StreamOptions != nil && req.StreamOptions.IncludeUsage
		if len(req.ResponseFormat) > 0 && string(req.ResponseFormat) != "null" {
			r.ResponseFormat = req.ResponseFormat
		}
	})
	return kind
}

// script takes what the next request of kind gets: its reply (the plain
// one when its schema was dropped, cut at maxTokens tokens when that is
// above 0), the timing, and the next scripted failure, if any.
func (s *Server) script(kind Kind, schemaDropped bool, maxTokens int) script {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	sc := script{
		id:     fmt.Sprintf("chatcmpl-llmtest-%d", s.seq),
		reply:  s.replies[kind],
		tokens: s.tokens,
		finish: "stop",
		timing: s.timing,
	}
	if schemaDropped {
		sc.reply = s.plain[kind]
	}
	if sc.tokens == nil {
		sc.tokens = SplitTokens(sc.reply)
	}
	if maxTokens > 0 && len(sc.tokens) > maxTokens {
		sc.tokens, sc.finish = sc.tokens[:maxTokens], "length"
		sc.reply = strings.Join(sc.tokens, "")
	}
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		sc.failure = &f
	}
	return sc
}

// classify tells what a chat request asks for: by its JSON schema's name,
// else by its system prompt, else it is a draft.
func classify(msgs []Message, responseFormat json.RawMessage) Kind {
	var rf struct {
		JSONSchema struct {
			Name string `json:"name"`
		} `json:"json_schema"`
	}
	if json.Unmarshal(responseFormat, &rf) == nil {
		if k := kindOf(rf.JSONSchema.Name); k != "" {
			return k
		}
	}
	for _, m := range msgs {
		if m.Role == "system" || m.Role == "developer" {
			if k := kindOf(m.Content); k != "" {
				return k
			}
		}
	}
	return KindDraft
}

// kindOf returns the kind a text names, "" for none.
func kindOf(text string) Kind {
	text = strings.ToLower(text)
	switch {
	case strings.Contains(text, "summar"):
		return KindSummary
	case strings.Contains(text, "emotion"):
		return KindEmotion
	case strings.Contains(text, "translat"):
		return KindTranslate
	}
	return ""
}

// messageText returns a message's content: a string, or the text of its
// parts.
func messageText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// SplitTokens splits text into the pieces a streamed answer of it comes in
// by default: each word with the white space after it (leading white space
// goes with the first). The pieces concatenate to text.
func SplitTokens(text string) []string {
	var out []string
	start, inSpace := 0, false
	for i, r := range text {
		isSpace := r == ' ' || r == '\n' || r == '\t'
		if inSpace && !isSpace && strings.TrimSpace(text[start:i]) != "" {
			out = append(out, text[start:i])
			start = i
		}
		inSpace = isSpace
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// unauthorizedBody is OpenAI's 401 body, which shows the key it got
// masked: its first three characters and last four.
func unauthorizedBody(authorization string) string {
	key, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || key == "" {
		return ErrorBody(http.StatusUnauthorized, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
	}
	masked := strings.Repeat("*", len(key))
	if len(key) > 8 {
		masked = key[:3] + strings.Repeat("*", len(key)-7) + key[len(key)-4:]
	}
	return ErrorBody(http.StatusUnauthorized, "Incorrect API key provided: "+masked+". You can find your API key at https://platform.openai.com/account/api-keys.")
}

// usage is the usage object of an answer, with token counts estimated at
// four bytes a token.
func usage(rec *Request, completionTokens int) map[string]int {
	prompt := len(rec.Body) / 4
	return map[string]int{
		"prompt_tokens": prompt, "completion_tokens": completionTokens,
		"total_tokens": prompt + completionTokens,
	}
}
