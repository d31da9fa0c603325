// Package llm is the client for OpenAI-compatible chat servers: vLLM,
// SGLang or TGI on a GPU, Ollama or the llama.cpp server on a laptop, or
// OpenAI itself. It writes the generative parts of the assistant: streamed
// reply drafts (assist.Drafter), call summaries (assist.Summarizer), and,
// optionally, an LLM's reading of an utterance's emotion and translations
// of customer utterances.
//
// Three rules shape it. First, everything sent leaves the process, so every
// text goes through Config.Redact first. Second, conversation and articles
// are data, not instructions: they travel JSON-encoded inside a delimited
// block the system prompt tells the model to treat as quoted, so a customer
// who writes "ignore previous instructions" changes nothing but the
// transcript. Third, everything that comes back is shown in a terminal, so
// it is sanitised (no escape sequences, no control characters) before any
// caller sees it.
//
// A slow or dead server must degrade the status line, never the call: each
// request has a timeout, and a circuit breaker stops asking a server that
// failed several times in a row (see Client.Degraded).
package llm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/modelserver"
	"github.com/sashabaranov/go-openai"
)

// Defaults of Config.
const (
	// DefaultTimeout bounds one request, a streamed draft from its first
	// byte to its last included.
	DefaultTimeout = 20 * time.Second
	// DefaultBreakerFailures failures in a row open the circuit breaker.
	DefaultBreakerFailures = 3
	// DefaultBreakerCooldown is how long an open breaker refuses requests
	// before it lets one trial request through.
	DefaultBreakerCooldown = 30 * time.Second
	// DefaultTemperature keeps answers close to the articles: drafts
	// should read the same way twice, not be creative.
	DefaultTemperature = 0.2
	// DefaultMaxTokens bounds a draft, sized to the answer asked for: at
	// most three short sentences an agent says aloud, some 60 words, 80 to
	// 120 tokens in English and more in other languages. A model that
	// runs on past it is stopped there, and its draft ends at its last
	// whole sentence.
	DefaultMaxTokens = 200
)

// emptyMessagesLimit is how many non-data lines (keep-alive comments,
// blank lines) may come in a row in a stream. Servers send them during
// long pauses; go-openai's default of 300 gives up on a healthy stream.
const emptyMessagesLimit = 10000

// Config says which server and model to use and how to treat them.
type Config struct {
	// BaseURL is the server's address with the API version, as in
	// http://localhost:8000/v1.
	BaseURL string
	// Model is the name the server serves the model under.
	Model string
	// APIKey, when not empty, is sent as a bearer token. It is never
	// logged and appears in no error.
	APIKey string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Redact is applied to every text sent to the server (turns, article
	// titles and answers, topics, utterances); nil sends texts as they are.
	Redact func(string) string
	// BreakerFailures failures in a row open the circuit breaker; 0 means
	// DefaultBreakerFailures.
	BreakerFailures int
	// BreakerCooldown is how long the open breaker refuses requests; 0
	// means DefaultBreakerCooldown.
	BreakerCooldown time.Duration
	// Now tells the time for the breaker; nil means time.Now. Tests inject
	// a clock.
	Now func() time.Time
	// HTTPClient makes the requests; nil means a client without a timeout
	// of its own (Timeout bounds each request).
	HTTPClient *http.Client
	// Temperature is the sampling temperature; 0 means DefaultTemperature.
	// (go-openai omits a zero temperature from the request, so 0 could not
	// be sent anyway.)
	Temperature float32
	// MaxTokens bounds a draft's length in tokens; 0 means
	// DefaultMaxTokens.
	MaxTokens int
}

// Client asks one model on one OpenAI-compatible server for drafts,
// summaries, emotions and translations. It is safe for concurrent use.
type Client struct {
	srv         *modelserver.Server
	redact      func(string) string
	apiKey      string
	breaker     *breaker
	temperature float32
	maxTokens   int
	// schemaDropped says the server answered a strict JSON schema in
	// prose and json_object worked: structured requests ask for that.
	schemaDropped atomic.Bool
}

var (
	_ assist.Drafter    = (*Client)(nil)
	_ assist.Summarizer = (*Client)(nil)
	_ assist.ModelState = (*Client)(nil)
)

// New checks cfg and returns a client. It makes no request: a server that
// is down shows up on the first call, and in Degraded after a few.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	srv, err := modelserver.New("llm", cfg.BaseURL, cfg.Model, cfg.APIKey, cfg.Timeout)
	if err != nil {
		return nil, err
	}
	// modelserver's client has go-openai's defaults; streams need a larger
	// allowance of keep-alive lines, and callers may bring their own
	// transport.
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.EmptyMessagesLimit = emptyMessagesLimit
	oc.HTTPClient = withStreamErrors(cfg.HTTPClient)
	srv.Client = openai.NewClientWithConfig(oc)

	c := &Client{
		srv:         srv,
		redact:      cfg.Redact,
		apiKey:      cfg.APIKey,
		temperature: cfg.Temperature,
		maxTokens:   cfg.MaxTokens,
		breaker:     newBreaker(cfg.BreakerFailures, cfg.BreakerCooldown, cfg.Now),
	}
	if c.redact == nil {
		c.redact = func(s string) string { return s }
	}
	if c.temperature <= 0 {
		c.temperature = DefaultTemperature
	}
	if c.maxTokens <= 0 {
		c.maxTokens = DefaultMaxTokens
	}
	return c, nil
}

// Model returns the name of the model the server is asked for.
func (c *Client) Model() string { return c.srv.Model }

// Degraded returns "" while the server is asked, or, while the breaker is
// open, a short reason for the status line: "llm: 3 failures, last: server
// 503; retrying in 24s" ("retrying now" once the cooldown is over and the
// trial request is due or in flight). It holds no secret and no text the
// server wrote, only what kind of failure it was.
func (c *Client) Degraded() string { return c.breaker.degraded() }

// call runs one operation through the circuit breaker: refused at once
// while the breaker is open, and its outcome recorded after. attempt makes
// one request (through c.request) and returns its error; attempts says how
// many tries the operation may have (2 for an idempotent one).
func (c *Client) call(ctx context.Context, op string, attempts int, attempt func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	trial, ok := c.breaker.allow()
	if !ok {
		return fmt.Errorf("%s: %w: %s", op, assist.ErrDegraded, c.breaker.degraded())
	}
	var err error
	var f *failure
	for try := 1; ; try++ {
		err = attempt(ctx)
		f = classify(err)
		if err == nil || f == nil || try >= attempts || !f.retryable() || !c.waitRetry(ctx) {
			break
		}
	}
	switch {
	case err == nil:
		c.breaker.success(trial)
		return nil
	case ctx.Err() != nil:
		// The caller gave up (the conversation moved on, or its budget
		// ran out): say so plainly, whatever the request was doing.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			c.breaker.failure(trial, "no answer in time")
		} else {
			c.breaker.abandon(trial)
		}
		return c.scrub(fmt.Errorf("%s: %w", op, c.srv.Errorf("stopped: %w", ctx.Err())))
	case f != nil && f.serverFault():
		c.breaker.failure(trial, f.short())
	default:
		// The server answered (a 4xx, or a model's answer we could not
		// use): it is up, whatever was wrong with this request.
		c.breaker.success(trial)
	}
	return c.scrub(fmt.Errorf("%s: %w", op, err))
}

// retryBackoff is the pause before an idempotent request is retried: long
// enough for a restarting worker to come back, short against the timeout.
const retryBackoff = 250 * time.Millisecond

// waitRetry waits retryBackoff and says whether a retry fits the caller's
// budget: not when ctx ends first, or leaves too little time after it.
func (c *Client) waitRetry(ctx context.Context) bool {
	if d, ok := ctx.Deadline(); ok && time.Until(d) < retryBackoff+c.srv.Timeout/4 {
		return false
	}
	t := time.NewTimer(retryBackoff)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// request runs one HTTP request within the timeout (modelserver.Do) and
// returns an error that names the server and carries what classify needs:
// the raw error of the request, kept as the cause.
func (c *Client) request(ctx context.Context, do func(context.Context) error) error {
	var raw error
	timedOut := false
	err := c.srv.Do(ctx, func(rctx context.Context) error {
		raw = do(rctx)
		if raw != nil && rctx.Err() != nil && ctx.Err() == nil {
			timedOut = true
		}
		return raw
	})
	if err == nil {
		return nil
	}
	return &requestError{err: err, raw: raw, timedOut: timedOut}
}

// requestError is a failed request: err is modelserver's message (server
// named, reason in a few words), raw what go-openai returned.
type requestError struct {
	err      error
	raw      error
	timedOut bool
}

func (e *requestError) Error() string { return e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }

// contentError is an answer that came back whole but could not be used:
// the model, not the server, went wrong.
type contentError struct{ err error }

func (e *contentError) Error() string { return e.err.Error() }
func (e *contentError) Unwrap() error { return e.err }

// failure says what kind of failure a request had, for the breaker, the
// retry and the status line.
type failure struct {
	status    int  // the HTTP status, 0 without one
	timeout   bool // our per-request timeout fired
	network   bool // the connection failed or broke
	content   bool // the model's answer was unusable
	malformed bool // the response was not the API's format
}

// classify returns what went wrong with err, nil for no error.
func classify(err error) *failure {
	if err == nil {
		return nil
	}
	var ce *contentError
	if errors.As(err, &ce) {
		return &failure{content: true}
	}
	var re *requestError
	if !errors.As(err, &re) {
		return &failure{malformed: true}
	}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case re.timedOut:
		return &failure{timeout: true}
	case errors.As(re.raw, &reqErr) && reqErr.HTTPStatusCode > 0:
		return &failure{status: reqErr.HTTPStatusCode}
	case errors.As(re.raw, &apiErr) && apiErr.HTTPStatusCode > 0:
		return &failure{status: apiErr.HTTPStatusCode}
	case errors.As(re.raw, &apiErr):
		// An error event in the middle of a stream: the server gave up,
		// with the status its code names, else as a 500 would.
		return &failure{status: cmp.Or(streamErrorStatus(apiErr.Code), http.StatusInternalServerError)}
	case isNetwork(re.raw):
		return &failure{network: true}
	default:
		return &failure{malformed: true}
	}
}

// isNetwork reports whether err is a failed or broken connection.
func isNetwork(err error) bool {
	var urlErr *url.Error
	var netErr net.Error
	return errors.As(err, &urlErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, errStreamCut)
}

// serverFault reports whether the failure says the server is unwell
// (counted by the breaker) rather than that this request was wrong.
func (f *failure) serverFault() bool {
	return f.timeout || f.network || f.malformed || f.status >= 500 || f.status == http.StatusTooManyRequests
}

// retryable reports whether an idempotent request should be tried again:
// a server error or a broken connection may be gone in a moment; a 4xx
// will not, and a timeout has used the time a retry would need.
func (f *failure) retryable() bool { return f.network || f.status >= 500 }

// short describes the failure in a few words for the status line, with
// nothing the server wrote.
func (f *failure) short() string {
	switch {
	case f.timeout:
		return "timeout"
	case f.network:
		return "connection failed"
	case f.status > 0:
		return fmt.Sprintf("server %d", f.status)
	case f.content:
		return "unusable answer"
	default:
		return "malformed response"
	}
}

// scrub removes the API key from err's message, in case a server echoed
// it in an error body; errors.Is and errors.As still see through it.
func (c *Client) scrub(err error) error {
	if err == nil || c.apiKey == "" || !strings.Contains(err.Error(), c.apiKey) {
		return err
	}
	return &scrubbedError{err: err, msg: strings.ReplaceAll(err.Error(), c.apiKey, "[api key]")}
}

// scrubbedError is an error whose message had the API key removed.
type scrubbedError struct {
	err error
	msg string
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// complete makes one non-streamed chat completion and returns the text of
// its answer and its finish reason.
func (c *Client) complete(ctx context.Context, req openai.ChatCompletionRequest) (string, string, error) {
	var resp openai.ChatCompletionResponse
	err := c.request(ctx, func(ctx context.Context) (err error) {
		resp, err = c.srv.Client.CreateChatCompletion(ctx, req)
		if err == nil && len(resp.Choices) == 0 {
			err = errors.New("no choices in the answer")
		}
		return err
	})
	if err != nil {
		return "", "", err
	}
	return resp.Choices[0].Message.Content, string(resp.Choices[0].FinishReason), nil
}

// unusable returns an error for a model's answer that could not be used,
// naming the server.
func (c *Client) unusable(format string, args ...any) error {
	return &contentError{err: c.srv.Errorf(format, args...)}
}
