package supervisor

import (
	"context"
	"testing"

	"github.com/larkspur-labs/assist/engine/event"
)

// fakeDirectory reports a loss and a return of the connection, with the
// rows read again after it.
type fakeDirectory struct{ rows []event.CallRow }

func (d fakeDirectory) WatchCalls(_ context.Context, _ string, status func(bool), rows func([]event.CallRow)) {
	status(false)
	status(true)
	rows(d.rows)
}

func TestWatchTurnsReconnectsIntoMessages(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs := Watch(ctx, fakeDirectory{rows: []event.CallRow{{CallID: "c1"}}}, "")
	if m := (<-msgs).(ConnectionMsg); m.Connected || m.Detail != "reconnecting…" {
		t.Errorf("first message %+v, want the loss", m)
	}
	if m := (<-msgs).(ConnectionMsg); !m.Connected || m.Detail != "" {
		t.Errorf("second message %+v, want the return", m)
	}
	if m := (<-msgs).(RowsMsg); !m.Replace || len(m.Rows) != 1 || m.Rows[0].CallID != "c1" {
		t.Errorf("third message %+v, want the rows read again", m)
	}
}
