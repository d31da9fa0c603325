package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/transcript"
)

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
	if script.Customer != "" {
		// The script's customer, so that the service finds their profile
		// (the bundled calls' customers are in the bundled profiles).
		c.customer = script.Customer
	}
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
		if u.Speaker == string(event.SpeakerCustomer) {
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
			Speaker: event.Speaker(u.Speaker), Text: u.Text}
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
