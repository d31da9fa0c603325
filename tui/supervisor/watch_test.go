package supervisor

import (
	"context"
	"testing"

	"github.com/larkspur-labs/assist/engine/event"
)

// fakeDirectory reports a service process's voice admission, then a loss
// and a return of the connection, with the rows read again after it.
type fakeDirectory struct {
	rows  []event.CallRow
	voice event.VoiceStatus
}

func (d fakeDirectory) WatchConnection(_ context.Context, status func(bool)) {
	status(true)
	status(false)
	status(true)
}

func (d fakeDirectory) WatchCalls(_ context.Context, _ string, _ func(bool), rows func([]event.CallRow)) {
	rows(d.rows)
}

func (d fakeDirectory) WatchVoice(_ context.Context, status func(event.VoiceStatus)) {
	status(d.voice)
}

func TestWatchTurnsReconnectsIntoMessages(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	voice := event.VoiceStatus{Worker: "w1", Active: 2, Capacity: 3}
	msgs := Watch(ctx, fakeDirectory{rows: []event.CallRow{{CallID: "c1"}}, voice: voice}, "")
	if m := (<-msgs).(VoiceMsg); m.Status != voice {
		t.Errorf("first message %+v, want the voice admission", m)
	}
	if m := (<-msgs).(ConnectionMsg); !m.Connected {
		t.Errorf("second message %+v, want the state at start", m)
	}
	if m := (<-msgs).(ConnectionMsg); m.Connected || m.Detail != "reconnecting…" || m.Since.IsZero() {
		t.Errorf("third message %+v, want the loss, dated", m)
	}
	if m := (<-msgs).(ConnectionMsg); !m.Connected || m.Detail != "" || !m.Since.IsZero() {
		t.Errorf("fourth message %+v, want the return", m)
	}
	if m := (<-msgs).(RowsMsg); !m.Replace || len(m.Rows) != 1 || m.Rows[0].CallID != "c1" {
		t.Errorf("third message %+v, want the rows read again", m)
	}
}
