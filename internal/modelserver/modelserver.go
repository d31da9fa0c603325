// Package modelserver is what every client of an OpenAI-compatible model
// server here shares: checking the address, a per-request timeout, and
// errors that name the server (never the key) and say in a few words what
// went wrong.
package modelserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sashabaranov/go-openai"
)

// Server is one model on one server, ready for requests.
type Server struct {
	Client *openai.Client
	Model  string
	// Timeout bounds each request.
	Timeout time.Duration
	op      string // what requests do, to start errors: "embed", "transcribe"
	addr    string // the base URL with any password masked
}

// New checks baseURL (with the API version: http://localhost:8000/v1) and
// model, and returns a client for them. A non-empty apiKey is sent as a
// bearer token. op starts every error ("embed: server …: …").
func New(op, baseURL, model, apiKey string, timeout time.Duration) (*Server, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: the server URL must be http(s)://host[:port]/v1, as in http://localhost:8000/v1", op)
	}
	if strings.TrimSpace(model) == "" {
		return nil, fmt.Errorf("%s: server %s: no model named: give the name the server serves it under", op, u.Redacted())
	}
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = strings.TrimRight(baseURL, "/")
	return &Server{
		Client: openai.NewClientWithConfig(cfg), Model: model, Timeout: timeout,
		op: op, addr: strings.TrimRight(u.Redacted(), "/"),
	}, nil
}

// Errorf formats an error that names the server.
func (s *Server) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: server %s: "+format, append([]any{s.op, s.addr}, args...)...)
}

// errTimeout is the cause of a request context whose timeout fired, which
// tells our timeout apart from the caller's cancellation.
var errTimeout = errors.New("model server request timed out")

// Do runs one request within the timeout and turns its failure into an
// error that names the server and says why.
func (s *Server) Do(ctx context.Context, request func(context.Context) error) error {
	ctx, cancel := context.WithTimeoutCause(ctx, s.Timeout, errTimeout)
	defer cancel()
	if err := request(ctx); err != nil {
		return s.Errorf("%w", s.reason(ctx, err))
	}
	return nil
}

// reason says in a few words why a request failed. go-openai's own messages
// repeat the URL and status, or hold a whole HTML error page.
func (s *Server) reason(ctx context.Context, err error) error {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	var urlErr *url.Error
	switch {
	case errors.Is(context.Cause(ctx), errTimeout):
		return fmt.Errorf("no answer within %v: %w", s.Timeout, context.DeadlineExceeded)
	case errors.As(err, &reqErr):
		// An error body not in OpenAI's form; it may wrap an empty APIError,
		// so this case comes first.
		return fmt.Errorf("HTTP %d: %s", reqErr.HTTPStatusCode, snippet(reqErr.Body))
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode == 0:
		// An error event inside a stream, after the 200 status.
		return fmt.Errorf("error in the stream%s: %s", tags(apiErr.Code, apiErr.Type), cmp.Or(apiErr.Message, "no message"))
	case errors.As(err, &apiErr):
		return fmt.Errorf("HTTP %d: %s", apiErr.HTTPStatusCode, cmp.Or(apiErr.Message, apiErr.HTTPStatus))
	case errors.As(err, &urlErr):
		// The URL is already in the message; keep what happened.
		return urlErr.Err
	default:
		return fmt.Errorf("malformed response: %w", err)
	}
}

// tags returns " (code 503, server_error)" for an error's code and type,
// what of them it has, "" for neither.
func tags(code any, typ string) string {
	var out []string
	if code != nil {
		out = append(out, fmt.Sprintf("code %v", code))
	}
	if typ != "" {
		out = append(out, typ)
	}
	if len(out) == 0 {
		return ""
	}
	return " (" + strings.Join(out, ", ") + ")"
}

// snippet shortens an error body to one line that fits in a message.
func snippet(body []byte) string {
	const limit = 200
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + "…"
	}
	if s == "" {
		return "empty body"
	}
	return s
}
