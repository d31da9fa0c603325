package common

import (
	"time"

	"github.com/larkspur-labs/assist/engine/event"
)

// EventMsg carries one engine event to a program.
type EventMsg struct {
	event.Event
}

// StreamEndedMsg says the event channel has closed: the replay is over,
// or the connection is gone for good. The view stays open until the user
// quits.
type StreamEndedMsg struct{}

// ConnectionMsg reports the state of a terminal's connection to the
// service. Views show "● LIVE" only while it is up, and how long it has
// been down otherwise.
type ConnectionMsg struct {
	Connected bool
	// Since is when the connection was lost; zero while it is up.
	Since time.Time
	// Detail says more, such as "reconnecting…".
	Detail string
}
