package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// Chat message types: the value of a ChatMessage's "type" field.
const (
	// ChatStart opens a call.
	ChatStart = "start"
	// ChatText is one chat line; it is the type of a message without one.
	ChatText = "message"
	// ChatEnd ends a call.
	ChatEnd = "end"
)

// Limits of a chat message's fields, in bytes. They hold whatever
// Options.MaxMessageBytes allows for the message as a whole.
const (
	// MaxChatText bounds one chat line: far above what a person types
	// into a chat box, far below what would slow the models down.
	MaxChatText = 16 << 10
	// MaxChatID bounds call_id, id, queue, agent and customer.
	MaxChatID = 128
	// MaxChatTitle bounds a call's title.
	MaxChatTitle = 256
)

// The reasons, besides those of wsutil.go, under which the chat endpoints
// count refused input in assist_ingest_errors_total{endpoint="chat"}.
const (
	chatEndpoint        = "chat"
	reasonUnknownType   = "unknown_type"
	reasonNoCall        = "no_call"
	reasonCallEnded     = "call_ended"
	reasonCallExists    = "call_exists"
	reasonUnavailable   = "unavailable"
	reasonTooManyErrors = "too_many_errors"
	reasonHandshake     = "handshake"
)

// ChatMessage is what a chat client sends, as a WebSocket text frame on
// /v1/chat or as the body of POST /v1/chat/messages: one JSON object.
//
//	{"type":"start","call_id":"c1","queue":"billing","agent":"a1","customer":"cust-9","title":"..."}
//	{"type":"message","call_id":"c1","speaker":"customer","text":"I lost my card"}
//	{"type":"end","call_id":"c1"}
//
// Field names are those of the JSON; fields that do not apply to a type
// are refused, and so are unknown fields. See ParseChatMessage for the
// rules and the limits (MaxChatText, MaxChatID, MaxChatTitle).
type ChatMessage struct {
	// Type is ChatStart, ChatText (the default) or ChatEnd.
	Type string `json:"type,omitempty"`
	// ID is the client's own label for the message, echoed in the answer.
	ID string `json:"id,omitempty"`
	// CallID names the call; it is required.
	CallID string `json:"call_id"`
	// Speaker and Text belong to messages only. Speaker is customer
	// (the default) or agent.
	Speaker event.Speaker `json:"speaker,omitempty"`
	Text    string        `json:"text,omitempty"`
	// Queue, Agent, Customer and Title describe the call. A message may
	// carry them too: a message for a call not yet started starts it.
	Queue    string `json:"queue,omitempty"`
	Agent    string `json:"agent,omitempty"`
	Customer string `json:"customer,omitempty"`
	Title    string `json:"title,omitempty"`
}

// info returns the call.started payload the message describes.
func (m ChatMessage) info() event.CallStarted {
	return event.CallStarted{Queue: m.Queue, Agent: m.Agent, Customer: m.Customer, Title: m.Title, Channel: event.ChannelChat}
}

// ParseChatMessage decodes and validates one chat message: a single JSON
// object with only the fields of ChatMessage, in valid UTF-8. It fills in
// the defaults (type message, speaker customer). A message's text must
// hold more than white space and at most MaxChatText bytes. Ids (call_id,
// id, queue, agent, customer) hold at most MaxChatID bytes and no control
// characters. Text and title are kept as given, control characters and
// escape sequences included, since whatever shows them on a terminal
// sanitises them; only NUL is refused.
//
// On a validation error it still returns what it decoded, so that an
// answer can name the call and the message id.
func ParseChatMessage(data []byte) (ChatMessage, error) {
	var m ChatMessage
	if err := decodeStrict(data, &m); err != nil {
		return ChatMessage{}, err
	}
	if m.Type == "" {
		m.Type = ChatText
	}
	if err := m.validate(); err != nil {
		return m, err
	}
	return m, nil
}

func (m *ChatMessage) validate() error {
	if err := checkLabel("id", m.ID, false); err != nil {
		return err
	}
	if err := checkLabel("call_id", m.CallID, true); err != nil {
		return err
	}
	switch m.Type {
	case ChatStart, ChatEnd:
		if m.Text != "" || m.Speaker != "" {
			return badMessage("a %s message carries no speaker or text", m.Type)
		}
		if m.Type == ChatEnd && (m.Queue != "" || m.Agent != "" || m.Customer != "" || m.Title != "") {
			return badMessage("an end message carries only type, id and call_id")
		}
	case ChatText:
		switch m.Speaker {
		case "":
			m.Speaker = event.SpeakerCustomer
		case event.SpeakerCustomer, event.SpeakerAgent:
		default:
			return badMessage("speaker %q is neither customer nor agent", m.Speaker)
		}
		if err := checkText(m.Text); err != nil {
			return err
		}
	default:
		return &ingestError{status: http.StatusBadRequest, reason: reasonUnknownType,
			msg: fmt.Sprintf("unknown message type %q (want start, message or end)", m.Type)}
	}
	for _, f := range []struct{ name, v string }{{"queue", m.Queue}, {"agent", m.Agent}, {"customer", m.Customer}} {
		if err := checkLabel(f.name, f.v, false); err != nil {
			return err
		}
	}
	if len(m.Title) > MaxChatTitle {
		return badMessage("title is longer than %d bytes", MaxChatTitle)
	}
	if strings.ContainsRune(m.Title, 0) {
		return badMessage("title contains a NUL byte")
	}
	return nil
}

// chatReply is the body of POST /v1/chat/replies.
type chatReply struct {
	CallID string `json:"call_id"`
	Text   string `json:"text"`
}

// parseChatReply decodes and validates an agent's reply.
func parseChatReply(data []byte) (chatReply, error) {
	var r chatReply
	if err := decodeStrict(data, &r); err != nil {
		return chatReply{}, err
	}
	if err := checkLabel("call_id", r.CallID, true); err != nil {
		return r, err
	}
	return r, checkText(r.Text)
}

// decodeStrict decodes exactly one JSON object into v. Unknown fields are
// refused so that a misspelt field ("speeker") is an error and not a
// silently defaulted value.
func decodeStrict(data []byte, v any) error {
	// encoding/json would quietly turn invalid bytes into U+FFFD.
	if !utf8.Valid(data) {
		return badJSON("message is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badJSON("malformed JSON message: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badJSON("malformed JSON message: data after the object")
	}
	return nil
}

// checkLabel checks an identifier such as a call id: bounded and free of
// control characters, which have no business in an id.
func checkLabel(name, v string, required bool) error {
	switch {
	case v == "" && required:
		return badMessage("%s is missing", name)
	case len(v) > MaxChatID:
		return badMessage("%s is longer than %d bytes", name, MaxChatID)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return badMessage("%s contains control characters", name)
	}
	return nil
}

// checkText checks one chat line.
func checkText(text string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return badMessage("text is empty")
	case len(text) > MaxChatText:
		return badMessage("text is longer than %d bytes", MaxChatText)
	case strings.ContainsRune(text, 0):
		return badMessage("text contains a NUL byte")
	}
	return nil
}

// chatOK is the answer to an accepted POST.
type chatOK struct {
	OK     bool   `json:"ok"`
	CallID string `json:"call_id,omitempty"`
	ID     string `json:"id,omitempty"`
}

// chatFrame is what the server sends on a chat WebSocket: an ack or an
// error for each client message, or an agent's reply.
type chatFrame struct {
	Type   string `json:"type"` // ack, error or reply
	CallID string `json:"call_id,omitempty"`
	ID     string `json:"id,omitempty"`
	Text   string `json:"text,omitempty"`
	Error  string `json:"error,omitempty"`
}

// serveMessage is POST /v1/chat/messages: one ChatMessage, answered once
// it has taken effect.
func (h *Handler) serveMessage(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		h.reject(w, err)
		return
	}
	m, err := ParseChatMessage(data)
	if err == nil {
		_, err = h.chat.handle(r.Context(), m)
	}
	if err != nil {
		h.reject(w, err)
		return
	}
	writeJSON(w, http.StatusOK, chatOK{OK: true, CallID: m.CallID, ID: m.ID})
}

// serveReply is POST /v1/chat/replies: the agent's reply, recorded on the
// call and pushed to the WebSockets following it.
func (h *Handler) serveReply(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		h.reject(w, err)
		return
	}
	rep, err := parseChatReply(data)
	if err != nil {
		h.reject(w, err)
		return
	}
	if err := h.o.Calls.Reply(r.Context(), rep.CallID, rep.Text); err != nil {
		if errors.Is(err, engine.ErrNoCall) || errors.Is(err, engine.ErrCallEnded) {
			err = &ingestError{status: http.StatusNotFound, reason: reasonNoCall, msg: fmt.Sprintf("no live call %s", rep.CallID), err: err}
		}
		h.reject(w, err)
		return
	}
	writeJSON(w, http.StatusOK, chatOK{OK: true, CallID: rep.CallID})
}

// serveChatWS is GET /v1/chat: a WebSocket carrying ChatMessages as text
// frames. Messages are handled one at a time in the order they arrive,
// each answered by an ack or an error frame once it has taken effect; the
// agent's replies to the calls started or messaged on the connection are
// pushed as reply frames. Calls started on the connection and not ended
// end as "disconnected" when it closes.
//
// Browsers cannot set the X-API-KEY header on a WebSocket; a web chat
// widget talks to its own backend, which holds the key and talks to this.
// The default origin check of the websocket package (same host only)
// stays on.
func (h *Handler) serveChatWS(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		writeError(w, http.StatusServiceUnavailable, "the service is shutting down")
		return
	}
	h.connWG.Add(1)
	h.mu.Unlock()
	defer h.connWG.Done()

	// The key was in the request's header: the connection is
	// authenticated from the start.
	tracked, refused := h.o.conns().admit(chatEndpoint, r, true)
	if refused != nil {
		refuseConn(w, &h.o, chatEndpoint, r, refused)
		return
	}
	defer tracked.release()
	ws, err := websocket.Accept(w, r, nil)
	if err != nil { // Accept has answered the client
		h.o.Metrics.IngestError(chatEndpoint, reasonHandshake)
		h.o.log().Info("chat websocket handshake failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	ws.SetReadLimit(h.o.maxMessage())
	defer h.o.Metrics.Connected(chatEndpoint)()
	ctx, cancel := context.WithCancel(r.Context())
	c := &chatConn{h: h, ws: ws, ctx: ctx, cancel: cancel, started: map[string]struct{}{}, following: map[string]func(){}}
	h.mu.Lock()
	if h.closed { // Close ran during the handshake and did not see c
		h.mu.Unlock()
		cancel()
		ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.conns, c)
		h.mu.Unlock()
	}()
	h.o.log().Info("chat websocket open", "remote", r.RemoteAddr)
	c.run()
}

// chatConn is one chat WebSocket.
type chatConn struct {
	h      *Handler
	ws     *websocket.Conn
	ctx    context.Context // done when the connection is
	cancel context.CancelFunc

	// Only run's goroutine touches these.
	started   map[string]struct{} // calls started here and not ended here
	following map[string]func()   // call id → stop pushing its replies
	pushers   sync.WaitGroup
}

// run reads and handles messages until the connection closes, then ends
// the calls started on it: "disconnected", or "shutdown" when the service
// closed it as it shut down.
func (c *chatConn) run() {
	defer c.ws.CloseNow()
	defer c.endCalls()
	reader := newWSReader(c.ws, c.h.idle, c.h.o.maxMessage())
	defer reader.stop()
	bad := 0
	for {
		typ, data, err := reader.read(c.ctx)
		if err != nil {
			c.readFailed(err)
			return
		}
		var m ChatMessage
		if typ != websocket.MessageText {
			err = &ingestError{status: http.StatusBadRequest, reason: reasonMalformed, msg: "binary frame: send each message as a JSON text frame"}
		} else {
			m, err = ParseChatMessage(data)
		}
		if err == nil {
			err = c.handle(m)
		}
		if err == nil {
			bad = 0
			c.send(chatFrame{Type: "ack", CallID: m.CallID, ID: m.ID})
			continue
		}
		ie := c.h.refused(err)
		c.send(chatFrame{Type: "error", CallID: m.CallID, ID: m.ID, Error: ie.msg})
		if ie.status >= http.StatusInternalServerError {
			continue // the service's fault, not the client's
		}
		if bad++; bad >= maxBadMessages {
			c.h.o.Metrics.IngestError(chatEndpoint, reasonTooManyErrors)
			c.ws.Close(websocket.StatusPolicyViolation, fmt.Sprintf("%d bad messages in a row", bad))
			return
		}
	}
}

// readFailed logs, and counts when it is the client's fault, why the
// connection ended.
func (c *chatConn) readFailed(err error) {
	var pe *protocolError
	switch {
	case errors.As(err, &pe): // over the size limit or idle
		c.h.o.Metrics.IngestError(chatEndpoint, pe.Reason)
		c.h.o.log().Info("chat websocket closed", "reason", pe.Reason, "detail", pe.Detail)
	case errors.Is(err, errClientGone):
		c.h.o.log().Info("chat websocket closed", "detail", err)
	default:
		c.h.o.log().Warn("chat websocket failed", "err", err)
	}
}

// handle applies one message, following the call's replies first so that
// none sent right after the ack is missed.
func (c *chatConn) handle(m ChatMessage) error {
	_, followed := c.following[m.CallID]
	if !followed && m.Type != ChatEnd {
		if err := c.follow(m.CallID); err != nil {
			return err
		}
	}
	started, err := c.h.chat.handle(c.ctx, m)
	if started {
		c.started[m.CallID] = struct{}{}
	}
	var ie *ingestError
	switch {
	case err == nil && m.Type == ChatEnd, errors.As(err, &ie) && ie.reason == reasonCallEnded:
		delete(c.started, m.CallID)
		c.unfollow(m.CallID)
	case err != nil && !followed && !started:
		c.unfollow(m.CallID) // nothing of this call happened here
	}
	return err
}

// follow pushes the agent's replies in a call to this connection until
// unfollow or the connection closes.
func (c *chatConn) follow(callID string) error {
	replies, cancel, err := c.h.o.Calls.Replies(callID)
	if err != nil {
		return fmt.Errorf("follow replies in chat call %s: %w", callID, err)
	}
	stop := make(chan struct{})
	c.following[callID] = sync.OnceFunc(func() { close(stop) })
	c.pushers.Add(1)
	go func() {
		defer c.pushers.Done()
		defer cancel()
		for {
			select {
			case text := <-replies:
				c.send(chatFrame{Type: "reply", CallID: callID, Text: text})
			case <-stop: // the call ended: deliver what came before
				for {
					select {
					case text := <-replies:
						c.send(chatFrame{Type: "reply", CallID: callID, Text: text})
					default:
						return
					}
				}
			case <-c.ctx.Done():
				return
			}
		}
	}()
	return nil
}

func (c *chatConn) unfollow(callID string) {
	if stop, ok := c.following[callID]; ok {
		stop()
		delete(c.following, callID)
	}
}

// send writes one frame. A failed write means the connection is gone:
// cancelling its context makes run's read return.
func (c *chatConn) send(f chatFrame) {
	data, err := json.Marshal(f)
	if err != nil {
		c.h.o.log().Error("encode chat frame", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		c.cancel()
	}
}

// endCalls stops the reply pushers and ends the calls started here that
// are still open.
func (c *chatConn) endCalls() {
	c.cancel()
	c.pushers.Wait()
	// A connection the service closes as it shuts down ends its calls as
	// the service's others end.
	reason := "disconnected"
	if c.h.closing() {
		reason = "shutdown"
	}
	for id := range c.started {
		err := c.h.chat.end(context.Background(), id, reason)
		var ie *ingestError
		if err != nil && !(errors.As(err, &ie) && ie.status == http.StatusNotFound) {
			c.h.o.log().Warn("end chat call on disconnect", "call_id", id, "err", err)
		}
	}
}

// chatCalls are the chat calls this handler has open, shared by the
// WebSocket and the HTTP endpoints so that a call can be started on one
// and continued on the other.
type chatCalls struct {
	calls Calls

	mu   sync.Mutex
	open map[string]*chatCall
	// ended remembers the ids of the last endedMemory calls ended here,
	// so that a late message gets 404 instead of silently starting a
	// second call under the same id (whose events would restart at seq 1).
	ended      map[string]struct{}
	endedOrder []string
	endedNext  int
}

// endedMemory is how many ended call ids chatCalls remembers.
const endedMemory = 1 << 14

// chatCall is one open chat call. Its mutex serialises the call's input,
// so utterances reach the engine in the order they were acknowledged.
type chatCall struct {
	mu      sync.Mutex
	sink    engine.CallSink
	started time.Time
	ended   bool
	// gone says the call never started; whoever waited for it looks again.
	gone bool
}

func newChatCalls(calls Calls) *chatCalls {
	return &chatCalls{calls: calls, open: map[string]*chatCall{}, ended: map[string]struct{}{}}
}

// lock returns the open call id with its mutex held: the caller must
// unlock it. A call not open here is started with start's info when start
// is not nil, and is otherwise an error (404). With exclusive, a call
// already open is an error (409). started reports whether lock started it.
func (h *chatCalls) lock(ctx context.Context, id string, start *event.CallStarted, exclusive bool) (c *chatCall, started bool, err error) {
	for range 3 {
		h.mu.Lock()
		if _, ok := h.ended[id]; ok {
			h.mu.Unlock()
			if exclusive {
				return nil, false, &ingestError{status: http.StatusConflict, reason: reasonCallExists,
					msg: fmt.Sprintf("call %s has ended; call ids are not reused", id)}
			}
			return nil, false, errEnded(id)
		}
		c, ok := h.open[id]
		if !ok {
			if start == nil {
				h.mu.Unlock()
				return nil, false, &ingestError{status: http.StatusNotFound, reason: reasonNoCall,
					msg: fmt.Sprintf("no open chat call %s", id)}
			}
			c = &chatCall{}
			c.mu.Lock()
			h.open[id] = c
			h.mu.Unlock()
			sink, err := h.calls.Start(ctx, id, *start)
			if err != nil {
				h.mu.Lock()
				delete(h.open, id)
				h.mu.Unlock()
				c.gone = true
				c.mu.Unlock()
				if errors.Is(err, engine.ErrCallExists) {
					return nil, false, &ingestError{status: http.StatusConflict, reason: reasonCallExists,
						msg: fmt.Sprintf("call %s is already in progress elsewhere", id)}
				}
				return nil, false, fmt.Errorf("start chat call %s: %w", id, err)
			}
			c.sink, c.started = sink, time.Now()
			return c, true, nil
		}
		h.mu.Unlock()
		if exclusive {
			return nil, false, &ingestError{status: http.StatusConflict, reason: reasonCallExists,
				msg: fmt.Sprintf("call %s is already open", id)}
		}
		c.mu.Lock()
		switch {
		case c.gone:
			c.mu.Unlock()
			continue
		case c.ended:
			c.mu.Unlock()
			return nil, false, errEnded(id)
		}
		return c, false, nil
	}
	return nil, false, fmt.Errorf("chat call %s: could not be started", id)
}

// forget records that a call has ended. The caller holds c.mu.
func (h *chatCalls) forget(id string, c *chatCall) {
	c.ended = true
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.open[id] == c {
		delete(h.open, id)
	}
	if _, ok := h.ended[id]; ok {
		return
	}
	if len(h.endedOrder) < endedMemory {
		h.endedOrder = append(h.endedOrder, id)
	} else {
		delete(h.ended, h.endedOrder[h.endedNext])
		h.endedOrder[h.endedNext] = id
		h.endedNext = (h.endedNext + 1) % endedMemory
	}
	h.ended[id] = struct{}{}
}

// endAll ends every call open here.
func (h *chatCalls) endAll(reason string) error {
	h.mu.Lock()
	ids := make([]string, 0, len(h.open))
	for id := range h.open {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	var errs []error
	for _, id := range ids {
		err := h.end(context.Background(), id, reason)
		var ie *ingestError
		if err != nil && !errors.As(err, &ie) { // ended meanwhile is fine
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func errEnded(id string) error {
	return &ingestError{status: http.StatusNotFound, reason: reasonCallEnded, msg: fmt.Sprintf("chat call %s has ended", id)}
}

// handle applies one chat message and returns once it has taken effect:
// for a message, once the utterance and what the models made of it have
// been published. started reports whether the message started the call.
func (h *chatCalls) handle(ctx context.Context, m ChatMessage) (started bool, err error) {
	switch m.Type {
	case ChatStart:
		info := m.info()
		c, _, err := h.lock(ctx, m.CallID, &info, true)
		if err != nil {
			return false, err
		}
		c.mu.Unlock()
		return true, nil
	case ChatEnd:
		return false, h.end(ctx, m.CallID, "completed")
	}
	info := m.info()
	c, started, err := h.lock(ctx, m.CallID, &info, false)
	if err != nil {
		return false, err
	}
	defer c.mu.Unlock()
	at := time.Since(c.started).Seconds()
	u := event.Utterance{Speaker: m.Speaker, Text: m.Text, Start: at, End: at, Source: event.SourceChat}
	if err := c.sink.Final(ctx, u); err != nil {
		if errors.Is(err, engine.ErrCallEnded) || errors.Is(err, engine.ErrNoCall) {
			h.forget(m.CallID, c) // ended behind our back, by its engine
			return started, errEnded(m.CallID)
		}
		return started, fmt.Errorf("chat call %s: %w", m.CallID, err)
	}
	return started, nil
}

// end ends an open call. The call counts as ended here even when its sink
// fails to end it: the failure is reported, but a client retrying the end
// could not do better, and a call half ended must not take more messages.
func (h *chatCalls) end(ctx context.Context, id, reason string) error {
	c, _, err := h.lock(ctx, id, nil, false)
	if err != nil {
		return err
	}
	defer c.mu.Unlock()
	defer h.forget(id, c)
	if err := c.sink.End(reason); err != nil {
		return fmt.Errorf("end chat call %s: %w", id, err)
	}
	return nil
}
