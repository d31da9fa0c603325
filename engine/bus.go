package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Subjects. Every call event is published on
//
//	assist.call.<queue>.<agent>.<call>.<kind>
//
// where <queue>, <agent> and <call> are escaped tokens (see event.SubjectToken;
// an empty queue or agent is "~") and <kind> the event kind, whose dot makes
// it two tokens (assist.call.billing.a1.c1.utterance.final). Queue and agent
// are in the subject so that NATS permissions decide who sees what: an
// agent may subscribe to assist.call.*.<agent>.> and nothing else.
// Terminals of an in-process engine send feedback for it to record on
//
//	assist.in.feedback.<call>
const (
	subjectPrefix   = "assist.call."
	feedbackPrefix  = "assist.in.feedback."
	allCallsSubject = "assist.call.>"
)

// EventSubject returns the subject an event of the given kind is published
// on for a call in queue, handled by agent.
func EventSubject(queue, agent, callID string, k event.Kind) string {
	return subjectPrefix + event.SubjectToken(queue) + "." + event.SubjectToken(agent) + "." + event.SubjectToken(callID) + "." + string(k)
}

// CallSubject returns the wildcard subject matching every event of one call.
func CallSubject(callID string) string {
	return subjectPrefix + "*.*." + event.SubjectToken(callID) + ".>"
}

// AgentSubject returns the wildcard subject matching every event of the
// calls an agent handles.
func AgentSubject(agent string) string {
	return subjectPrefix + "*." + event.SubjectToken(agent) + ".>"
}

// QueueSubject returns the wildcard subject matching every event of the
// calls in a queue.
func QueueSubject(queue string) string {
	return subjectPrefix + event.SubjectToken(queue) + ".>"
}

// AllCallsSubject matches every call event.
const AllCallsSubject = allCallsSubject

// Bus is the event bus: one client connection to NATS that publishes
// events, and the means to open more (the TUI's, a headless writer's) for
// Subscribe. The server is either embedded in this process with no
// listening port (StartBus) or reached over the network (NewBus). With a
// store (UseStore), events are published to JetStream and acknowledged
// once stored.
type Bus struct {
	srv  *server.Server // the embedded server Close shuts down, if any
	dial func(name string) (*nats.Conn, error)
	pub  *nats.Conn
	js   jetstream.JetStream

	mu    sync.Mutex
	conns []*nats.Conn
}

// StartBus starts an embedded, in-process NATS server and connects to it.
func StartBus() (*Bus, error) {
	srv, err := server.NewServer(&server.Options{
		DontListen: true,
		NoLog:      true,
		NoSigs:     true,
		// Events of a busy replay can arrive faster than a terminal draws;
		// give the in-process clients room before the server calls them slow.
		MaxPending: 256 << 20,
		MaxPayload: 8 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded nats: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("start embedded nats: server not ready after 10s")
	}
	b, err := NewBus(func(name string) (*nats.Conn, error) {
		nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name(name), nats.NoReconnect())
		if err != nil {
			return nil, fmt.Errorf("connect to embedded nats: %w", err)
		}
		return nc, nil
	})
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	b.srv = srv
	return b, nil
}

// NewBus returns a bus whose connections dial opens: the publisher's now,
// subscribers' as they subscribe. Closing the bus closes them all.
func NewBus(dial func(name string) (*nats.Conn, error)) (*Bus, error) {
	b := &Bus{dial: dial}
	var err error
	if b.pub, err = b.connect("assist-engine"); err != nil {
		return nil, err
	}
	return b, nil
}

// UseStore makes Publish store events in JetStream and wait for the
// store's acknowledgement; a stream must capture AllCallsSubject.
func (b *Bus) UseStore(js jetstream.JetStream) { b.js = js }

// Conn returns the publisher's connection, for other requests on the same
// server.
func (b *Bus) Conn() *nats.Conn { return b.pub }

// connect opens a new client connection.
func (b *Bus) connect(name string) (*nats.Conn, error) {
	nc, err := b.dial(name)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.conns = append(b.conns, nc)
	b.mu.Unlock()
	return nc, nil
}

// storeTimeout bounds the wait for JetStream to acknowledge a stored event.
const storeTimeout = 10 * time.Second

// Publish encodes an event and publishes it on subject. With a store, it
// returns once the event is stored.
func (b *Bus) Publish(subject string, e event.Event) error {
	wait, err := b.publishAsync(subject, e)
	if err != nil {
		return err
	}
	return wait()
}

// publishAsync starts publishing an event; wait returns once it is stored
// (at once without a store). Events published from one bus keep their
// order, so a caller publishing several can wait for them all at the end
// and pay one round trip to the store rather than one each.
func (b *Bus) publishAsync(subject string, e event.Event) (wait func() error, err error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	if b.js == nil {
		if err := b.pub.Publish(subject, data); err != nil {
			return nil, fmt.Errorf("publish %s: %w", e.Kind, err)
		}
		return noWait, nil
	}
	ack, err := b.js.PublishAsync(subject, data)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", e.Kind, err)
	}
	return func() error {
		select {
		case <-ack.Ok():
			return nil
		case err := <-ack.Err():
			return fmt.Errorf("store %s seq %d: %w", e.Kind, e.Seq, err)
		case <-time.After(storeTimeout):
			return fmt.Errorf("store %s seq %d: no acknowledgement after %s", e.Kind, e.Seq, storeTimeout)
		}
	}, nil
}

func noWait() error { return nil }

// Flush waits until the server has processed everything published so far.
func (b *Bus) Flush() error { return b.pub.Flush() }

// Subscription delivers events in publication order on C until it is closed.
type Subscription struct {
	// C carries the decoded events. It is never closed: stop reading when
	// you have what you wait for, then call Close.
	C <-chan event.Event

	nc   *nats.Conn
	sub  *nats.Subscription
	c    chan event.Event
	done chan struct{}
	once sync.Once
	errs func(error)
}

// Subscribe opens a new connection subscribed to subject (for example
// AllCallsSubject or CallSubject(id)). Messages that fail to decode are
// reported to onError (which may be nil) and skipped. Nothing is dropped:
// NATS buffers what the consumer has not yet taken from C.
func (b *Bus) Subscribe(subject string, onError func(error)) (*Subscription, error) {
	nc, err := b.connect("assist-subscriber")
	if err != nil {
		return nil, err
	}
	c := make(chan event.Event, 1024)
	s := &Subscription{C: c, nc: nc, c: c, done: make(chan struct{}), errs: onError}
	s.sub, err = nc.Subscribe(subject, s.deliver)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	// Unlimited client-side pending: the delivery callback blocks on C
	// instead of NATS dropping events as a slow consumer.
	if err := s.sub.SetPendingLimits(-1, -1); err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	if err := nc.Flush(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	return s, nil
}

func (s *Subscription) deliver(m *nats.Msg) {
	var e event.Event
	if err := json.Unmarshal(m.Data, &e); err != nil {
		if s.errs != nil {
			s.errs(fmt.Errorf("decode event on %s: %w", m.Subject, err))
		}
		return
	}
	select {
	case s.c <- e:
	case <-s.done:
	}
}

// Close unsubscribes; a delivery blocked on C is abandoned.
func (s *Subscription) Close() {
	s.once.Do(func() {
		close(s.done)
		s.nc.Close()
	})
}

// FeedbackRequest is what a terminal sends on the feedback subject.
type FeedbackRequest struct {
	CallID string `json:"call_id"`
	event.Feedback
}

// SendFeedback publishes an agent's verdict on a suggestion for the engine to
// record as a feedback event.
func (b *Bus) SendFeedback(callID string, fb event.Feedback) error {
	data, err := json.Marshal(FeedbackRequest{CallID: callID, Feedback: fb})
	if err != nil {
		return fmt.Errorf("encode feedback: %w", err)
	}
	if err := b.pub.Publish(feedbackPrefix+event.SubjectToken(callID), data); err != nil {
		return fmt.Errorf("send feedback: %w", err)
	}
	return nil
}

// handleFeedback subscribes fn to feedback requests for every call.
func (b *Bus) handleFeedback(fn func(FeedbackRequest), onError func(error)) (*nats.Subscription, error) {
	nc, err := b.connect("assist-feedback")
	if err != nil {
		return nil, err
	}
	sub, err := nc.Subscribe(feedbackPrefix+"*", func(m *nats.Msg) {
		var req FeedbackRequest
		if err := json.Unmarshal(m.Data, &req); err != nil {
			onError(fmt.Errorf("decode feedback on %s: %w", m.Subject, err))
			return
		}
		fn(req)
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to feedback: %w", err)
	}
	if err := nc.Flush(); err != nil {
		return nil, fmt.Errorf("subscribe to feedback: %w", err)
	}
	return sub, nil
}

// Close closes every connection and shuts the server down.
func (b *Bus) Close() {
	b.mu.Lock()
	conns := b.conns
	b.conns = nil
	b.mu.Unlock()
	for _, nc := range conns {
		nc.Close()
	}
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
}
