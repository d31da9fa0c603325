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
	return &Store{JS: js, Stream: stream, Calls: kv}, nil
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
	return &Store{JS: js, Stream: stream, Calls: kv}, nil
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
	info, err := s.Stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	if info.State.Msgs == 0 {
		return nil
	}
	last := info.State.LastSeq
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if !since.IsZero() {
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		cfg.OptStartTime = &since
	}
	cons, err := s.Stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	for {
		batch, err := cons.FetchNoWait(512)
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			md, err := msg.Metadata()
			if err != nil {
				return fmt.Errorf("read events: %w", err)
			}
			var e event.Event
			if err := json.Unmarshal(msg.Data(), &e); err == nil {
				if err := fn(e); err != nil {
					return err
				}
			}
			if md.Sequence.Stream >= last || md.NumPending == 0 {
				return nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("read events: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}
