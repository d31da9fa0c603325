package agent

import (
	"charm.land/bubbles/v2/key"

	"github.com/larkspur-labs/assist/engine/event"
)

// KeyMap is every key binding of the agent view. Help is generated from the
// same bindings, and a binding that does not apply (replay keys when nothing
// is replayed, suggestion keys when there are no suggestions) is disabled,
// which also hides it from help.
type KeyMap struct {
	FocusNext key.Binding // focus the next pane
	FocusPrev key.Binding // focus the previous pane

	// Navigation in the focused pane: scroll, or move the selection.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	Select     key.Binding // 1–9: select a suggestion
	Take       key.Binding // put the selected reply in the composer and record its use
	Write      key.Binding // open the composer as it is
	Send       key.Binding // send the composer's reply to the customer
	Leave      key.Binding // give the keys back to the panes, keeping the reply
	Copy       key.Binding // copy the selected reply (OSC 52) and record its use
	Helpful    key.Binding // mark the selected reply helpful
	NotHelpful key.Binding // mark the selected reply not helpful

	Pause    key.Binding // pause or resume the replay
	Faster   key.Binding // double the replay speed
	Slower   key.Binding // halve the replay speed
	NextCall key.Binding // skip to the next call of the replay

	State key.Binding // available after wrap-up; away and back between calls

	Summary key.Binding // ask for a summary of the call and show it, or hide it
	Alerts  key.Binding // show the call's alerts in full, or hide them
	Close   key.Binding // hide the summary or the alerts

	Help key.Binding // expand or collapse help
	Quit key.Binding
}

// DefaultKeyMap returns the default bindings, all enabled.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		FocusNext: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		FocusPrev: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev pane")),

		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "bottom")),

		Select: key.NewBinding(
			key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"),
			key.WithHelp("1-9", "pick reply"),
		),
		Take:       key.NewBinding(key.WithKeys("r", "enter"), key.WithHelp("r", "reply with it")),
		Write:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write reply")),
		Send:       key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send reply")),
		Leave:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave reply")),
		Copy:       key.NewBinding(key.WithKeys("c", "enter"), key.WithHelp("c", "copy reply")),
		Helpful:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "helpful")),
		NotHelpful: key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "not helpful")),

		Pause:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause")),
		Faster:   key.NewBinding(key.WithKeys("]", ">"), key.WithHelp("]", "faster")),
		Slower:   key.NewBinding(key.WithKeys("[", "<"), key.WithHelp("[", "slower")),
		NextCall: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next call")),

		State: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "available")),

		Summary: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "summary")),
		Alerts:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "alerts")),
		Close:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),

		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp returns the bindings shown in the one-line help bar. While
// an overlay is open (Close is enabled), the keys that close it come
// first, where the bar never cuts them.
func (k KeyMap) ShortHelp() []key.Binding {
	if k.Send.Enabled() { // writing a reply
		return []key.Binding{k.Send, k.Leave, k.Quit}
	}
	if k.Close.Enabled() {
		return []key.Binding{k.Close, k.Summary, k.Alerts, k.Up, k.Down, k.Pause, k.NextCall, k.Help, k.Quit}
	}
	return []key.Binding{
		k.State, k.Select, k.Take, k.Write, k.Copy, k.Helpful, k.NotHelpful, k.FocusNext,
		k.Pause, k.NextCall, k.Help, k.Quit, k.Summary, k.Alerts, k.Close,
	}
}

// FullHelp returns the bindings shown when help is expanded, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Select, k.Take, k.Write, k.Copy, k.Helpful, k.NotHelpful, k.Help},
		{k.FocusNext, k.FocusPrev, k.Up, k.Down, k.Summary},
		{k.PageUp, k.PageDown, k.Top, k.Bottom, k.Alerts, k.Close, k.Send, k.Leave},
		{k.Pause, k.Faster, k.Slower, k.NextCall, k.State, k.Quit},
	}
}

// keyState is what decides which bindings apply and what help says.
type keyState struct {
	replay      bool    // replay controls are available
	paused      bool    // the replay is paused
	speed       float64 // the replay speed
	suggestions bool    // the displayed call has suggestions to act on
	scrollable  bool    // the focused pane scrolls
	showAll     bool    // full help is open
	call        bool    // a call is displayed
	summaryOpen bool    // the summary overlay is open
	alerts      bool    // the displayed call has alerts
	alertsOpen  bool    // the alerts overlay is open
	composer    bool    // the reply composer is shown (a live chat the agent may answer)
	composing   bool    // the composer has the keys
	// state is the agent's state when the view publishes it; "" otherwise.
	state event.AgentState
}

// withState returns the key map with bindings enabled or disabled to match s.
func (k KeyMap) withState(s keyState) KeyMap {
	for _, b := range []*key.Binding{&k.Pause, &k.Faster, &k.Slower, &k.NextCall} {
		b.SetEnabled(s.replay)
	}
	if s.speed >= maxSpeed {
		k.Faster.SetEnabled(false)
	}
	if s.speed <= minSpeed {
		k.Slower.SetEnabled(false)
	}
	if s.paused {
		k.Pause.SetHelp("space", "resume")
	}
	// An overlay hides the panes these keys act on.
	overlay := s.summaryOpen || s.alertsOpen
	for _, b := range []*key.Binding{&k.Select, &k.Copy, &k.Helpful, &k.NotHelpful} {
		b.SetEnabled(s.suggestions && !overlay)
	}
	k.FocusNext.SetEnabled(!overlay)
	k.FocusPrev.SetEnabled(!overlay)
	k.Summary.SetEnabled(s.call)
	k.Alerts.SetEnabled(s.alerts || s.alertsOpen)
	k.Close.SetEnabled(overlay)
	if s.summaryOpen {
		k.Summary.SetHelp("S", "hide summary")
	}
	if s.alertsOpen {
		k.Alerts.SetHelp("A", "hide alerts")
	}
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(s.scrollable)
	}
	if s.showAll {
		k.Help.SetHelp("?", "less keys")
	} else {
		k.Help.SetHelp("?", "more keys")
	}
	// On a chat the agent answers, enter takes a reply into the composer
	// rather than copying it.
	k.Take.SetEnabled(s.composer && s.suggestions && !overlay)
	k.Write.SetEnabled(s.composer && !overlay)
	k.Summary.SetEnabled(k.Summary.Enabled() && !s.composing)
	if s.composer {
		k.Copy.SetKeys("c")
	}
	switch s.state {
	case event.AgentWrapUp:
		k.State.SetHelp("a", "done: available")
	case event.AgentAvailable:
		k.State.SetHelp("a", "away")
	case event.AgentAway:
		k.State.SetHelp("a", "back: available")
	}
	k.State.SetEnabled(s.state != "" && s.state != event.AgentOnCall && !overlay)
	k.Send.SetEnabled(s.composing)
	k.Leave.SetEnabled(s.composing)
	if s.composing {
		// The composer swallows every other key, single letters first.
		for _, b := range []*key.Binding{
			&k.FocusNext, &k.FocusPrev, &k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom,
			&k.Select, &k.Take, &k.Write, &k.Copy, &k.Helpful, &k.NotHelpful,
			&k.Pause, &k.Faster, &k.Slower, &k.NextCall, &k.Summary, &k.Alerts, &k.Close, &k.Help, &k.State,
		} {
			b.SetEnabled(false)
		}
		k.Quit.SetKeys("ctrl+c")
		k.Quit.SetHelp("ctrl+c", "quit")
	}
	return k
}
