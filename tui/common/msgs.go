package common

import "github.com/larkspur-labs/assist/engine/event"

// EventMsg carries one engine event to a program.
type EventMsg struct {
	event.Event
}

// StreamEndedMsg says the event channel has closed: the replay is over,
// or the connection is gone for good. The view stays open until the user
// quits.
type StreamEndedMsg struct{}
