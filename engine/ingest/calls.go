// Package ingest is the service's HTTP side: the endpoints that take calls
// in (Twilio Media Streams, Genesys AudioHook, chat over WebSocket and
// HTTP), their API-key check, and the health and metrics endpoints.
//
// Ingest turns each protocol into calls on a Calls, which runs them through
// the engine: in this process (EngineCalls) or on a worker reached over the
// bus.
package ingest

import (
	"context"
	"fmt"
	"sync"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// Calls is where ingest hands calls to the engine.
type Calls interface {
	// Start opens a call; its transcript goes into the sink returned.
	Start(ctx context.Context, id string, info event.CallStarted) (engine.CallSink, error)
	// Reply sends the agent's reply in a chat call: it is recorded as an
	// agent utterance and delivered to the call's Replies subscribers.
	Reply(ctx context.Context, callID, text string) error
	// Replies delivers the agent's replies in a chat call until cancel is
	// called.
	Replies(callID string) (replies <-chan string, cancel func(), err error)
}

// EngineCalls runs calls on an engine in this process.
type EngineCalls struct {
	Engine *engine.Engine

	mu   sync.Mutex
	subs map[string]map[chan string]struct{}
}

// Start implements Calls.
func (c *EngineCalls) Start(_ context.Context, id string, info event.CallStarted) (engine.CallSink, error) {
	return c.Engine.StartCall(id, info)
}

// Reply implements Calls.
func (c *EngineCalls) Reply(ctx context.Context, callID, text string) error {
	s, ok := c.Engine.Session(callID)
	if !ok {
		return fmt.Errorf("reply to call %s: %w", callID, engine.ErrNoCall)
	}
	if err := s.Final(ctx, event.Utterance{Speaker: event.SpeakerAgent, Text: text, Source: event.SourceChat}); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.subs[callID] {
		select {
		case ch <- text:
		default: // a subscriber that does not read loses replies, not the call
		}
	}
	return nil
}

// Replies implements Calls.
func (c *EngineCalls) Replies(callID string) (<-chan string, func(), error) {
	ch := make(chan string, 64)
	c.mu.Lock()
	if c.subs == nil {
		c.subs = map[string]map[chan string]struct{}{}
	}
	if c.subs[callID] == nil {
		c.subs[callID] = map[chan string]struct{}{}
	}
	c.subs[callID][ch] = struct{}{}
	c.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			c.mu.Lock()
			delete(c.subs[callID], ch)
			if len(c.subs[callID]) == 0 {
				delete(c.subs, callID)
			}
			c.mu.Unlock()
		})
	}, nil
}
