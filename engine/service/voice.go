package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
)

// voiceStatusPrefix starts the subject on which each service process
// publishes its voice admission (event.VoiceStatus):
// assist.status.voice.<worker>. Supervisors may subscribe to all of them.
const (
	voiceStatusPrefix = "assist.status.voice."
	voiceStatusAll    = voiceStatusPrefix + "*"
)

// VoiceStatusSubject is the subject of a worker's voice admission.
func VoiceStatusSubject(worker string) string {
	return voiceStatusPrefix + event.SubjectToken(worker)
}

// VoicePublisher publishes a service process's voice admission for the
// supervisors: each time it changes, bursts of changes coalesced into one
// message, and every event.VoiceStatusInterval besides, so that a
// supervisor that starts late learns it soon and one that hears nothing
// for event.VoiceStatusStale takes the process for gone.
type VoicePublisher struct {
	nc       *nats.Conn
	worker   string
	log      *slog.Logger
	interval time.Duration
	changed  chan struct{}
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	started  atomic.Bool
}

// NewVoicePublisher returns the publisher of worker's voice admission on
// nc. Changed may be called at once; nothing is published before Start.
func NewVoicePublisher(nc *nats.Conn, worker string, log *slog.Logger) *VoicePublisher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &VoicePublisher{
		nc: nc, worker: worker, log: log, interval: event.VoiceStatusInterval,
		changed: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// Changed says the admission changed. It never blocks: it suits
// ingest.Options.OnVoiceChange.
func (p *VoicePublisher) Changed() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// Start publishes what status reports, at once and then as described,
// until Close.
func (p *VoicePublisher) Start(status func() event.VoiceStatus) {
	p.started.Store(true)
	go func() {
		defer close(p.done)
		tick := time.NewTicker(p.interval)
		defer tick.Stop()
		for {
			p.publish(status())
			select {
			case <-p.stop:
				return
			case <-p.changed:
			case <-tick.C:
			}
		}
	}()
}

// publish sends one reading, stamped with the worker and the time.
func (p *VoicePublisher) publish(s event.VoiceStatus) {
	s.Worker, s.TS = p.worker, time.Now().UTC()
	data, err := json.Marshal(s)
	if err == nil {
		err = p.nc.Publish(VoiceStatusSubject(p.worker), data)
	}
	if err != nil {
		p.log.Debug("publish voice status", "err", err)
	}
}

// Close stops publishing and waits until the publisher has stopped. It
// may be called without Start, and more than once.
func (p *VoicePublisher) Close() {
	p.once.Do(func() { close(p.stop) })
	if p.started.Load() {
		<-p.done
	}
}

// WatchVoice hands status each voice admission a service process
// publishes, as they come, until ctx is done. It runs on the terminal's
// goroutine: keep it short.
func (t *Terminal) WatchVoice(ctx context.Context, status func(event.VoiceStatus)) {
	sub, err := t.nc.Subscribe(voiceStatusAll, func(m *nats.Msg) {
		var s event.VoiceStatus
		if err := json.Unmarshal(m.Data, &s); err != nil {
			t.log.Warn("undecodable voice status", "subject", m.Subject, "err", err)
			return
		}
		if ctx.Err() == nil {
			status(s)
		}
	})
	if err != nil {
		t.log.Warn("watch voice admission", "err", err)
		return
	}
	context.AfterFunc(ctx, func() { _ = sub.Unsubscribe() })
}
