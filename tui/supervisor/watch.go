package supervisor

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
)

// Directory is the service's live-call directory as the view follows it:
// the connection's ups and downs, after each reconnect the rows read
// again, and the service processes' voice admission. A service terminal
// (engine/service.Terminal) is one.
type Directory interface {
	common.Connection
	// WatchCalls calls status on each loss and return of the connection
	// and, once it is back, rows with the live calls of queue (every
	// queue when empty), until ctx is done.
	WatchCalls(ctx context.Context, queue string, status func(connected bool), rows func([]event.CallRow))
	// WatchVoice calls status with each voice admission a service process
	// publishes, until ctx is done.
	WatchVoice(ctx context.Context, status func(event.VoiceStatus))
}

// Watch turns what d reports into the view's messages, for
// Options.Messages: a ConnectionMsg with the state at once and for each
// change (dropped when the view is behind, as the next one supersedes
// it; a loss dated now), the rows read
// again after a reconnect as a RowsMsg that replaces the table, and each
// voice admission as a VoiceMsg (dropped when the view is behind: the
// process publishes it again within event.VoiceStatusInterval).
func Watch(ctx context.Context, d Directory, queue string) <-chan tea.Msg {
	msgs := make(chan tea.Msg, 16)
	d.WatchVoice(ctx, func(v event.VoiceStatus) {
		select {
		case msgs <- VoiceMsg{Status: v}:
		default:
		}
	})
	if a, ok := d.(AgentWatcher); ok {
		a.WatchAgents(ctx, func(st event.AgentStatus) {
			select {
			case msgs <- AgentMsg{Status: st}:
			default: // the agent's terminal publishes it again soon
			}
		})
	}
	d.WatchConnection(ctx, func(up bool) {
		select {
		case msgs <- common.ConnectionStatus(up, time.Now()):
		default:
		}
	})
	d.WatchCalls(ctx, queue, func(bool) {}, func(rows []event.CallRow) {
		select {
		case msgs <- RowsMsg{Rows: rows, Replace: true}:
		case <-ctx.Done():
		}
	})
	return msgs
}
