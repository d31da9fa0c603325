package common

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Connection is a terminal's connection to the service as a view follows
// it (engine/service.Terminal is one).
type Connection interface {
	// WatchConnection calls status with the state of the connection at
	// once, then on each loss and return, until ctx is done.
	WatchConnection(ctx context.Context, status func(connected bool))
}

// WatchConnection turns what c reports into ConnectionMsgs for a
// program's Source.Messages, each loss dated by now (time.Now when nil).
// A message is dropped when the view is behind, except that the latest
// state always gets through: the next one supersedes it.
func WatchConnection(ctx context.Context, c Connection, now func() time.Time) <-chan tea.Msg {
	msgs := make(chan tea.Msg, 1)
	if now == nil {
		now = time.Now
	}
	c.WatchConnection(ctx, func(up bool) {
		msg := ConnectionStatus(up, now())
		for {
			select {
			case msgs <- msg:
				return
			case <-ctx.Done():
				return
			default:
			}
			// Full: drop the older state for this one.
			select {
			case <-msgs:
			default:
			}
		}
	})
	return msgs
}

// ConnectionStatus is the message of a connection found up or down at
// when.
func ConnectionStatus(up bool, when time.Time) ConnectionMsg {
	if up {
		return ConnectionMsg{Connected: true}
	}
	return ConnectionMsg{Since: when, Detail: "reconnecting…"}
}

// SinceString is how long a connection has been down, for a header:
// 6s, 2m05s, 1h02m.
func SinceString(d time.Duration) string {
	d = max(d, 0).Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
