package service

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// voiceWatch collects what a terminal's WatchVoice hands it.
type voiceWatch struct {
	mu  sync.Mutex
	got []event.VoiceStatus
}

func (w *voiceWatch) add(s event.VoiceStatus) {
	w.mu.Lock()
	w.got = append(w.got, s)
	w.mu.Unlock()
}

func (w *voiceWatch) all() []event.VoiceStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]event.VoiceStatus(nil), w.got...)
}

// waitFor waits for a status that ok accepts and returns it.
func (w *voiceWatch) waitFor(t *testing.T, ok func(event.VoiceStatus) bool) event.VoiceStatus {
	t.Helper()
	var found event.VoiceStatus
	if !eventually.True(directoryWait, func() bool {
		for _, s := range w.all() {
			if ok(s) {
				found = s
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no such voice status among %+v", w.all())
	}
	return found
}

func TestVoiceStatusReachesSupervisors(t *testing.T) {
	ts := startService(t, User{Role: RoleAgent, Name: "a1"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	boss := ts.terminal(t, RoleSupervisor, "boss")
	var seen voiceWatch
	boss.WatchVoice(ctx, seen.add)
	if err := boss.Conn().Flush(); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	now := event.VoiceStatus{Active: 1, Capacity: 3}
	p := NewVoicePublisher(ts.bus(t).Conn(), "w 1", nil)
	p.interval = 50 * time.Millisecond
	defer p.Close()
	p.Start(func() event.VoiceStatus {
		mu.Lock()
		defer mu.Unlock()
		return now
	})
	first := seen.waitFor(t, func(s event.VoiceStatus) bool { return s.Active == 1 })
	if first.Worker != "w 1" || first.Capacity != 3 || first.TS.IsZero() {
		t.Errorf("first status %+v, want worker w 1's, stamped", first)
	}

	// A change is published; the heartbeat repeats the last reading.
	mu.Lock()
	now = event.VoiceStatus{Active: 3, Capacity: 3, Refused: 2}
	mu.Unlock()
	p.Changed()
	seen.waitFor(t, func(s event.VoiceStatus) bool { return s.Active == 3 && s.Refused == 2 })
	n := len(seen.all())
	seen.waitFor(t, func(event.VoiceStatus) bool { return len(seen.all()) >= n+2 })
	if last := seen.all()[len(seen.all())-1]; last.Active != 3 || last.Refused != 2 {
		t.Errorf("heartbeat %+v, want the last reading", last)
	}

	p.Close()
	p.Close() // a second Close returns too
	cancel()
	if err := boss.Conn().LastError(); err != nil {
		t.Errorf("the supervisor's subscription: %v", err)
	}

	// An agent may not read it: NATS refuses the subscription.
	a1 := ts.terminal(t, RoleAgent, "a1")
	var agentSeen voiceWatch
	a1.WatchVoice(context.Background(), agentSeen.add)
	if err := a1.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	if !eventually.True(directoryWait, func() bool { return a1.Conn().LastError() != nil }) {
		t.Error("an agent subscribed to the voice admission without a permissions violation")
	}
}

func TestVoicePublisherClosesWithoutStart(t *testing.T) {
	ts := startService(t)
	p := NewVoicePublisher(ts.bus(t).Conn(), "w1", nil)
	p.Changed()
	p.Changed() // never blocks, even unread
	p.Close()
}
