package llmtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// stream answers a streamed chat request with server-sent events, as vLLM
// does: a first chunk with the assistant role, one chunk per content
// piece, a last chunk with finish_reason "stop", a usage chunk with no
// choices when the request asked for stream_options.include_usage, then
// "data: [DONE]". Keep-alive comments and blank lines come as scripted.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, rec *Request, model string, sc script) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	ev := &events{w: w, blank: sc.timing.BlankLines, usage: rec.IncludeUsage, id: sc.id, created: rec.Arrived.Unix(), model: model}
	ev.flush()
	s.update(rec, func(r *Request) { r.Status = http.StatusOK })
	defer s.update(rec, func(r *Request) { r.Ended = time.Now() })

	ctx, t := r.Context(), sc.timing
	drop := func(after int) bool { return sc.failure != nil && sc.failure.drop && sc.failure.dropAfter == after }
	if !ev.wait(ctx, t.FirstToken, t.KeepAlive) {
		return
	}
	ev.chunk(map[string]any{"role": "assistant"}, nil)
	for i, tok := range sc.tokens {
		if i > 0 && !ev.wait(ctx, t.BetweenTokens, t.KeepAlive) {
			return
		}
		if drop(i) {
			s.drop(rec)
		}
		if f := sc.failure; f != nil && f.inStream && f.dropAfter == i {
			s.errorEvent(ev, rec, f)
			return
		}
		ev.chunk(map[string]any{"content": tok}, nil)
		if i == 0 {
			s.update(rec, func(r *Request) { r.FirstToken = time.Now() })
		}
		if t.PauseAfter > 0 && i+1 == t.PauseAfter && !ev.wait(ctx, t.Pause, t.KeepAlive) {
			return
		}
	}
	if sc.failure != nil && sc.failure.drop {
		s.drop(rec)
	}
	if f := sc.failure; f != nil && f.inStream {
		s.errorEvent(ev, rec, f)
		return
	}
	stop := sc.finish
	ev.chunk(map[string]any{}, &stop)
	if rec.IncludeUsage {
		ev.data(map[string]any{
			"id": ev.id, "object": "chat.completion.chunk", "created": ev.created, "model": ev.model,
			"choices": []any{}, "usage": usage(rec, len(sc.tokens)),
		})
	}
	ev.line("data: [DONE]")
}

// complete answers a chat request not streamed: one JSON body after the
// scripted time to first token.
func (s *Server) complete(w http.ResponseWriter, r *http.Request, rec *Request, model string, sc script) {
	if !sleep(r.Context(), sc.timing.FirstToken) {
		s.update(rec, func(r *Request) { r.Ended = time.Now() })
		return
	}
	if sc.failure != nil && sc.failure.drop {
		s.drop(rec)
	}
	b, _ := json.Marshal(map[string]any{
		"id": sc.id, "object": "chat.completion", "created": rec.Arrived.Unix(), "model": model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": sc.reply},
			"logprobs":      nil,
			"finish_reason": sc.finish,
		}},
		"usage": usage(rec, len(SplitTokens(sc.reply))),
	})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
	now := time.Now()
	s.update(rec, func(r *Request) { r.Status, r.FirstToken, r.Ended = http.StatusOK, now, now })
}

// errorEvent ends a stream with an error event in the failure's form, as
// a server does when generation fails after the 200 status went out.
func (s *Server) errorEvent(ev *events, rec *Request, f *failure) {
	var body struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(f.body), &body)
	switch f.form {
	case StreamErrorTGI:
		ev.data(map[string]any{"error": body.Error.Message, "error_type": "generation"})
	case StreamErrorLlamaCpp:
		b, _ := json.Marshal(map[string]any{"code": f.status, "message": body.Error.Message, "type": body.Error.Type})
		ev.line("error: " + string(b))
	default:
		ev.data(map[string]any{"error": map[string]any{
			"message": body.Error.Message, "type": body.Error.Type, "param": nil, "code": f.status,
		}})
		ev.line("data: [DONE]")
	}
	s.update(rec, func(r *Request) { r.StreamError = true })
}

// drop closes the connection under the request, as a crashed worker or a
// proxy's idle timeout does: what was flushed arrived, the rest never will.
func (s *Server) drop(rec *Request) {
	s.update(rec, func(r *Request) { r.Dropped, r.Ended = true, time.Now() })
	panic(http.ErrAbortHandler)
}

// events writes server-sent events.
type events struct {
	w       http.ResponseWriter
	blank   bool // an extra blank line after each event
	usage   bool // "usage": null in every chunk, as OpenAI does with include_usage
	id      string
	created int64
	model   string
}

// chunk writes a chat.completion.chunk with one choice.
func (e *events) chunk(delta map[string]any, finishReason *string) {
	c := map[string]any{
		"id": e.id, "object": "chat.completion.chunk", "created": e.created, "model": e.model,
		"choices": []any{map[string]any{
			"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finishReason,
		}},
	}
	if e.usage {
		c["usage"] = nil
	}
	e.data(c)
}

// data writes one data event.
func (e *events) data(v any) {
	b, _ := json.Marshal(v)
	e.line("data: " + string(b))
}

// line writes one event and flushes it.
func (e *events) line(s string) {
	io.WriteString(e.w, s+"\n\n")
	if e.blank {
		io.WriteString(e.w, "\n")
	}
	e.flush()
}

// flush sends what was written.
func (e *events) flush() {
	if f, ok := e.w.(http.Flusher); ok {
		f.Flush()
	}
}

// wait waits d, sending a keep-alive comment every keepAlive (if > 0), and
// says whether the client is still there.
func (e *events) wait(ctx context.Context, d, keepAlive time.Duration) bool {
	if keepAlive <= 0 || d <= 0 {
		return sleep(ctx, d)
	}
	end := time.NewTimer(d)
	defer end.Stop()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-end.C:
			return true
		case <-tick.C:
			e.line(": keep-alive")
		}
	}
}

// sleep waits d and says whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
