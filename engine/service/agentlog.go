package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The agents' states, over time, for 'assist report': every worker hears
// the states the agents' terminals publish (every event.AgentStatusInterval)
// and stores the changes only, one message each, on
// assist.agentlog.<agent>; an agent heard from no more for
// event.AgentStatusStale is stored as event.AgentSignedOut. Workers that
// hear the same change store it once: its message id names the agent,
// the state and when it began. The stream keeps them as long as the calls,
// and at most maxAgentLogMsgs.

const (
	// AgentLogStreamName is the stream of the agents' state changes.
	AgentLogStreamName = "ASSIST_AGENT_STATES"
	agentLogPrefix     = "assist.agentlog."
	maxAgentLogMsgs    = 1 << 20
)

// agentLogStream is the stream's configuration.
func agentLogStream(cfg StoreConfig) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        AgentLogStreamName,
		Description: "The agents' state changes.",
		Subjects:    []string{agentLogPrefix + "*"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      cfg.Retention,
		MaxMsgs:     maxAgentLogMsgs,
		Replicas:    cfg.Replicas,
		Discard:     jetstream.DiscardOld,
	}
}

// agentLog stores the state changes a worker hears.
type agentLog struct {
	js  jetstream.JetStream
	now func() time.Time
	log *slog.Logger

	mu   sync.Mutex
	last map[string]agentHeard // by agent
}

type agentHeard struct {
	status event.AgentStatus
	at     time.Time
}

// heard records an agent's state when it differs from the last heard.
func (l *agentLog) heard(s event.AgentStatus) {
	now := l.now()
	l.mu.Lock()
	prev, ok := l.last[s.Agent]
	l.last[s.Agent] = agentHeard{status: s, at: now}
	l.mu.Unlock()
	if ok && prev.status.State == s.State && prev.status.CallID == s.CallID && prev.status.Since.Equal(s.Since) {
		return
	}
	l.store(s)
}

// expire stores a sign-out for each agent not heard from for
// event.AgentStatusStale, dated when it was last heard.
func (l *agentLog) expire() {
	now := l.now()
	var gone []agentHeard
	l.mu.Lock()
	for name, h := range l.last {
		if now.Sub(h.at) >= event.AgentStatusStale {
			gone = append(gone, h)
			delete(l.last, name)
		}
	}
	l.mu.Unlock()
	for _, h := range gone {
		l.store(event.AgentStatus{Agent: h.status.Agent, State: event.AgentSignedOut, Since: h.at, TS: now})
	}
}

// store publishes a change without waiting for the store's answer: it
// runs on the connection's goroutine.
func (l *agentLog) store(s event.AgentStatus) {
	data, err := json.Marshal(s)
	if err != nil {
		return
	}
	id := s.Agent + "|" + string(s.State) + "|" + strconv.FormatInt(s.Since.UnixNano(), 10)
	if _, err := l.js.PublishAsync(agentLogPrefix+event.SubjectToken(s.Agent), data, jetstream.WithMsgID(id)); err != nil {
		l.log.Warn("store agent state", "agent", s.Agent, "err", err)
	}
}

// watchAgentStates starts the worker's agent log: it hears every agent's
// state and checks for silent agents every event.AgentStatusInterval until
// the worker closes. A store without the stream (opened by an older
// service) records nothing.
func (w *Worker) watchAgentStates() error {
	if w.store.AgentLog == nil {
		return nil
	}
	l := &agentLog{js: w.store.JS, now: w.now, log: w.log, last: map[string]agentHeard{}}
	sub, err := w.nc.Subscribe(agentStatusAll, func(m *nats.Msg) {
		var s event.AgentStatus
		if err := json.Unmarshal(m.Data, &s); err != nil || !s.State.Valid() {
			return
		}
		s.Agent = strings.TrimPrefix(m.Subject, agentStatusPrefix)
		l.heard(s)
	})
	if err != nil {
		return fmt.Errorf("worker: subscribe agent states: %w", err)
	}
	w.subs = append(w.subs, sub)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(event.AgentStatusInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.expire()
			case <-w.stop:
				return
			}
		}
	}()
	return nil
}

// ReadAgentStates hands fn every stored agent state change, oldest first,
// until fn fails or the changes stored when it began are read.
func (s *Store) ReadAgentStates(ctx context.Context, fn func(event.AgentStatus) error) error {
	_, err := s.readAgentStates(ctx, 0, 0, func(_ uint64, _ int, st event.AgentStatus) (bool, error) {
		return true, fn(st)
	})
	return err
}

// readAgentStates reads the stored changes after the stream sequence
// after, up to the one stored last (or until, when not zero), handing fn
// each with its sequence and size until fn says stop; it returns the
// sequence of the last read.
func (s *Store) readAgentStates(ctx context.Context, after, until uint64, fn func(seq uint64, size int, st event.AgentStatus) (bool, error)) (uint64, error) {
	if s.AgentLog == nil {
		return after, nil
	}
	if until == 0 {
		info, err := s.AgentLog.Info(ctx)
		if err != nil {
			return after, fmt.Errorf("read agent states: %w", err)
		}
		until = info.State.LastSeq
	}
	if after >= until {
		return after, nil
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: after + 1}
	cons, err := s.AgentLog.OrderedConsumer(ctx, cfg)
	if err != nil {
		return after, fmt.Errorf("read agent states: %w", err)
	}
	last := after
	for {
		batch, err := cons.FetchNoWait(512)
		if err != nil {
			return last, fmt.Errorf("read agent states: %w", err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			md, err := msg.Metadata()
			if err != nil {
				return last, fmt.Errorf("read agent states: %w", err)
			}
			if md.Sequence.Stream > until {
				return last, nil
			}
			last = md.Sequence.Stream
			var st event.AgentStatus
			if json.Unmarshal(msg.Data(), &st) == nil {
				more, err := fn(last, len(msg.Data()), st)
				if err != nil || !more {
					return last, err
				}
			}
			if last >= until || md.NumPending == 0 {
				return last, nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return last, fmt.Errorf("read agent states: %w", err)
		}
		if n == 0 {
			return last, nil
		}
	}
}

// agentStatesRequest asks for a page of the stored agent state changes
// after the stream sequence After, up to Until (the last stored when the
// first page was read, when zero).
type agentStatesRequest struct {
	After uint64 `json:"after,omitempty"`
	Until uint64 `json:"until,omitempty"`
}

type agentStatesReply struct {
	States []event.AgentStatus `json:"states"`
	Next   uint64              `json:"next,omitempty"`
	Until  uint64              `json:"until,omitempty"`
	More   bool                `json:"more,omitempty"`
	apiError
}

// agentStatesPage reads one page of the stored agent state changes.
func (w *Worker) agentStatesPage(req agentStatesRequest) agentStatesReply {
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	out := agentStatesReply{States: []event.AgentStatus{}}
	until := req.Until
	if until == 0 && w.store.AgentLog != nil {
		info, err := w.store.AgentLog.Info(ctx)
		if err != nil {
			out.apiError = newAPIError(err)
			return out
		}
		until = info.State.LastSeq
	}
	total := 0
	last, err := w.store.readAgentStates(ctx, req.After, until, func(seq uint64, size int, st event.AgentStatus) (bool, error) {
		if total+size > maxHistoryBytes && len(out.States) > 0 {
			out.More = true
			return false, nil
		}
		total += size
		out.States = append(out.States, st)
		return true, nil
	})
	if err != nil {
		out.apiError = newAPIError(err)
		return out
	}
	out.Next, out.Until = last, until
	if out.More {
		out.Next = last - 1 // the change that did not fit comes first next time
	}
	return out
}

// ReadAgentStates hands fn every stored agent state change, oldest first,
// through the service's agent-states operation, page by page.
func (t *Terminal) ReadAgentStates(ctx context.Context, fn func(event.AgentStatus) error) error {
	var req agentStatesRequest
	for {
		var out agentStatesReply
		if err := t.request(ctx, opAgentStates, req, &out); err != nil {
			return err
		}
		if err := out.err(); err != nil {
			return err
		}
		for _, st := range out.States {
			if err := fn(st); err != nil {
				return err
			}
		}
		if !out.More {
			return nil
		}
		if out.Next <= req.After {
			return fmt.Errorf("%s: the service's pages do not move on (after %d)", opAgentStates, req.After)
		}
		req.After, req.Until = out.Next, out.Until
	}
}
