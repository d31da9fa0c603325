package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// AgentPrefix starts a playground line the agent says; every other line
// is the customer's. One character, so that a trainer playing both sides
// types little, and one no customer line starts with by accident.
const AgentPrefix = ">"

// PlaygroundCallID is the id of the playground's one call.
const PlaygroundCallID = "try-1"

// A typed line is timed as if spoken: it starts a turn gap after the
// previous one ends and lasts a word's time per word (about 150 words a
// minute). The time spent typing would otherwise count as silence, and
// a trainer's slow typing raise the silence alert.
const (
	playgroundTurnGap = 1.0
	playgroundWordSec = 0.4
)

// Playground is 'assist try': one empty chat call on the engine in this
// process, whose lines are typed. The models and guidance are those of
// Config, as for a replay.
type Playground struct {
	Stack *Stack
	// Events are the call's events, until the playground is closed.
	Events <-chan event.Event
	sess   *engine.Session
	sub    *engine.Subscription
	cancel context.CancelFunc

	mu      sync.Mutex // one Say at a time, so the turns' times follow
	lastEnd float64    // when the last line ended, in call seconds
}

// StartPlayground starts the stack of cfg and an empty chat call on it
// for agent (the header's name; may be empty).
func StartPlayground(ctx context.Context, cfg Config, agent string) (*Playground, error) {
	log := cfg.logger()
	stack, err := Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p := &Playground{Stack: stack}
	// Subscribed before the call starts, so call.started is among the
	// events.
	p.sub, err = stack.Bus.Subscribe(engine.CallSubject(PlaygroundCallID), func(err error) { log.Warn("bad event", "err", err) })
	if err != nil {
		stack.Close()
		return nil, err
	}
	p.sess, err = stack.Engine.StartCall(PlaygroundCallID, event.CallStarted{
		Title: "playground", Agent: agent, Channel: event.ChannelChat,
	})
	if err != nil {
		p.sub.Close()
		stack.Close()
		return nil, fmt.Errorf("start the playground's call: %w", err)
	}
	ctx, p.cancel = context.WithCancel(ctx)
	events := make(chan event.Event)
	go func() {
		defer close(events)
		for {
			select {
			case e := <-p.sub.C:
				select {
				case events <- e:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	p.Events = events
	return p, nil
}

// Say feeds typed text to the call, a final utterance per non-blank line:
// the agent's when the line starts with AgentPrefix (which is dropped),
// else the customer's. It returns once each line's suggestions, gauges
// and guidance are published; drafts and other model-server work follow.
func (p *Playground) Say(ctx context.Context, text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var said bool
	for line := range strings.SplitSeq(text, "\n") {
		speaker, line := ParsePlaygroundLine(line)
		if line == "" {
			continue
		}
		start := p.lastEnd + playgroundTurnGap
		end := start + playgroundWordSec*float64(len(strings.Fields(line)))
		u := event.Utterance{Speaker: speaker, Text: line, Start: start, End: end, Source: event.SourceChat}
		if err := p.sess.Final(ctx, u); err != nil {
			return fmt.Errorf("say %q: %w", line, err)
		}
		p.lastEnd, said = end, true
	}
	if !said {
		return errors.New("nothing to say: type a line")
	}
	return nil
}

// ParsePlaygroundLine returns who says a typed line and its text, trimmed:
// the agent after AgentPrefix, else the customer.
func ParsePlaygroundLine(line string) (event.Speaker, string) {
	line = strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(line, AgentPrefix); ok {
		return event.SpeakerAgent, strings.TrimSpace(rest)
	}
	return event.SpeakerCustomer, line
}

// Close ends the call ("agent quit") and stops the stack.
func (p *Playground) Close() {
	p.cancel()
	if err := p.sess.End("agent quit"); err != nil {
		p.Stack.log.Warn("end call", "err", err)
	}
	p.sub.Close()
	p.Stack.Close()
}

// Controls are the playground's controls for the agent view: those of
// any call, and Reply, which says the composer's text in the call (see
// Say), so the view's reply composer is where the lines are typed.
func (p *Playground) Controls() PlaygroundControls {
	return PlaygroundControls{Controls: p.Stack.Controls(), p: p}
}

// PlaygroundControls have the methods of the agent view's Controller and
// Replier.
type PlaygroundControls struct {
	Controls
	p *Playground
}

// Reply says text in the playground's call.
func (c PlaygroundControls) Reply(callID, text string) error {
	if callID != PlaygroundCallID {
		return fmt.Errorf("call %s: %w", callID, engine.ErrNoCall)
	}
	return c.p.Say(context.Background(), text)
}
