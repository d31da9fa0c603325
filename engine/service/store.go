package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go/jetstream"
)

// The JetStream names the service uses.
const (
	// StreamName is the stream that keeps every call's events.
	StreamName = "ASSIST_EVENTS"
	// BucketName is the key-value bucket of call rows (event.CallRow), one per call
	// keyed by its escaped id.
	BucketName = "assist_calls"
)

// StoreConfig sets how long calls are kept.
type StoreConfig struct {
	// Retention is how long events and call rows are kept; 30 days when
	// zero.
	Retention time.Duration
	// Replicas is the number of copies in a NATS cluster; 1 when zero.
	Replicas int
}

// DefaultRetention is how long calls are kept unless configured.
const DefaultRetention = 30 * 24 * time.Hour

// Store is the service's JetStream state.
type Store struct {
	JS     jetstream.JetStream
	Stream jetstream.Stream
	Calls  jetstream.KeyValue
	// AgentLog is the stream of the agents' state changes; nil when the
	// service that created the store had none.
	AgentLog jetstream.Stream
}

// OpenStore creates the stream and the bucket, or updates their retention
// when they exist.
func OpenStore(ctx context.Context, js jetstream.JetStream, cfg StoreConfig) (*Store, error) {
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Every call's events, in order.",
		Subjects:    []string{engine.AllCallsSubject},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      cfg.Retention,
		Replicas:    cfg.Replicas,
		Discard:     jetstream.DiscardOld,
	})
	if err != nil {
		return nil, fmt.Errorf("open event stream: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      BucketName,
		Description: "Each call's summary row.",
		TTL:         cfg.Retention,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("open call directory: %w", err)
	}
	agents, err := js.CreateOrUpdateStream(ctx, agentLogStream(cfg))
	if err != nil {
		return nil, fmt.Errorf("open agent state stream: %w", err)
	}
	return &Store{JS: js, Stream: stream, Calls: kv, AgentLog: agents}, nil
}

// BindStore finds the stream and bucket a service created.
func BindStore(ctx context.Context, js jetstream.JetStream) (*Store, error) {
	stream, err := js.Stream(ctx, StreamName)
	if err != nil {
		return nil, fmt.Errorf("find event stream (is 'assist serve' running?): %w", err)
	}
	kv, err := js.KeyValue(ctx, BucketName)
	if err != nil {
		return nil, fmt.Errorf("find call directory: %w", err)
	}
	s := &Store{JS: js, Stream: stream, Calls: kv}
	switch agents, err := js.Stream(ctx, AgentLogStreamName); {
	case err == nil:
		s.AgentLog = agents
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return nil, fmt.Errorf("find agent state stream: %w", err)
	}
	return s, nil
}

// maxHistoryBytes keeps a history answer under the default NATS message
// size limit of 1 MiB.
const maxHistoryBytes = 768 << 10

// History returns the call's events after sequence number after, in order;
// more says the answer stopped at maxHistoryBytes and there are more.
func (s *Store) History(ctx context.Context, callID string, after uint64) (events []event.Event, more bool, err error) {
	err = s.scan(ctx, callID, func(e event.Event, size int, total *int) bool {
		if e.Seq <= after {
			return true
		}
		if *total+size > maxHistoryBytes && len(events) > 0 {
			more = true
			return false
		}
		*total += size
		events = append(events, e)
		return true
	})
	return events, more, err
}

// LastEvent returns the call's last stored event; ok is false when the
// call has none.
func (s *Store) LastEvent(ctx context.Context, callID string) (e event.Event, ok bool, err error) {
	msg, err := s.Stream.GetLastMsgForSubject(ctx, engine.CallSubject(callID))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return event.Event{}, false, nil
	}
	if err != nil {
		return event.Event{}, false, fmt.Errorf("last event of call %s: %w", callID, err)
	}
	if err := json.Unmarshal(msg.Data, &e); err != nil {
		return event.Event{}, false, fmt.Errorf("last event of call %s: %w", callID, err)
	}
	return e, true, nil
}

// scan reads the call's stored events in order until fn returns false.
// Stored messages that do not decode are skipped: they cannot be shown.
func (s *Store) scan(ctx context.Context, callID string, fn func(e event.Event, size int, total *int) bool) error {
	cons, err := s.Stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{engine.CallSubject(callID)},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("read call %s: %w", callID, err)
	}
	total := 0
	for {
		batch, err := cons.FetchNoWait(256)
		if err != nil {
			return fmt.Errorf("read call %s: %w", callID, err)
		}
		n := 0
		pending := uint64(0)
		for msg := range batch.Messages() {
			n++
			if md, err := msg.Metadata(); err == nil {
				pending = md.NumPending
			}
			var e event.Event
			if err := json.Unmarshal(msg.Data(), &e); err != nil {
				continue
			}
			if !fn(e, len(msg.Data()), &total) {
				return nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("read call %s: %w", callID, err)
		}
		if n == 0 || pending == 0 {
			return nil
		}
	}
}

// ReadSince calls fn with every stored event of every call published at or
// after since, in store order, until fn returns an error or the events
// stored when it began are read.
func (s *Store) ReadSince(ctx context.Context, since time.Time, fn func(event.Event) error) error {
	_, _, err := s.readRange(ctx, since, 0, 0, func(_ uint64, _ int, e event.Event) (bool, error) {
		return true, fn(e)
	})
	return err
}

// Page is one page of the stored events of every call, in store order.
type Page struct {
	Events []event.Event
	// Next is the stream sequence of the last message read, to read the
	// next page after; Until is the last one the pages go to; More says
	// there is more to read.
	Next, Until uint64
	More        bool
}

// ReadPage reads the events published at or after since (every one when
// zero), after the stream sequence after, up to the stream sequence until
// (the last stored now, when zero), as many as fit in limit bytes (at
// least one).
func (s *Store) ReadPage(ctx context.Context, since time.Time, after, until uint64, limit int) (Page, error) {
	var p Page
	total := 0
	last, end, err := s.readRange(ctx, since, after, until, func(_ uint64, size int, e event.Event) (bool, error) {
		if total+size > limit && len(p.Events) > 0 {
			p.More = true
			return false, nil
		}
		total += size
		p.Events = append(p.Events, e)
		return true, nil
	})
	if err != nil {
		return Page{}, err
	}
	p.Next, p.Until = last, end
	if p.More {
		// The event that did not fit is read again on the next page.
		p.Next = last - 1
	}
	return p, nil
}

// readRange calls fn with each stored message of every call, decoded, in
// store order: from the stream sequence after+1 (when after is not zero)
// or the first published at or after since, up to until (the last stored
// now, when zero), until fn says stop or fails. It returns the stream
// sequence of the last message handed to fn (or skipped as undecodable),
// and the until it read to.
func (s *Store) readRange(ctx context.Context, since time.Time, after, until uint64, fn func(seq uint64, size int, e event.Event) (bool, error)) (last, end uint64, err error) {
	last = after
	if until == 0 {
		info, err := s.Stream.Info(ctx)
		if err != nil {
			return last, 0, fmt.Errorf("read events: %w", err)
		}
		if info.State.Msgs == 0 {
			return last, 0, nil
		}
		until = info.State.LastSeq
	}
	if after >= until {
		return last, until, nil
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	switch {
	case after > 0:
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = after + 1
	case !since.IsZero():
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		cfg.OptStartTime = &since
	}
	cons, err := s.Stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return last, until, fmt.Errorf("read events: %w", err)
	}
	for {
		batch, err := cons.FetchNoWait(512)
		if err != nil {
			return last, until, fmt.Errorf("read events: %w", err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			md, err := msg.Metadata()
			if err != nil {
				return last, until, fmt.Errorf("read events: %w", err)
			}
			seq := md.Sequence.Stream
			if seq > until {
				return last, until, nil
			}
			last = seq
			var e event.Event
			if err := json.Unmarshal(msg.Data(), &e); err == nil {
				more, err := fn(seq, len(msg.Data()), e)
				if err != nil {
					return last, until, err
				}
				if !more {
					return last, until, nil
				}
			}
			if seq >= until || md.NumPending == 0 {
				return last, until, nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return last, until, fmt.Errorf("read events: %w", err)
		}
		if n == 0 {
			return last, until, nil
		}
	}
}
