package supervisor

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// KeyMap is every key binding of the supervisor view. Help is
// generated from the same bindings; a binding that does not apply (Enter
// with no call selected, Esc with no filter) is disabled, which also hides
// it from help.
type KeyMap struct {
	// Moving the selection in the table.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	Open key.Binding // drill into the selected call
	Back key.Binding // leave the drill-down for the table

	Coach       key.Binding // start a coaching note to the drilled-into call's agent
	SendCoach   key.Binding // send it
	CancelCoach key.Binding // drop it

	Filter      key.Binding // start typing a filter
	ApplyFilter key.Binding // stop typing, keep the filter
	ClearFilter key.Binding // drop the filter
	Sort        key.Binding // cycle the sort order

	Help key.Binding // expand or collapse help
	Quit key.Binding
}

// DefaultKeyMap returns the default bindings, all enabled.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "bottom")),

		Open: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open call")),
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		Coach:       key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "coach the agent")),
		SendCoach:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send to the agent")),
		CancelCoach: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),

		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ApplyFilter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Sort:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),

		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp returns the bindings shown in the one-line help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{
		k.Up, k.Down, k.Open, k.Filter, k.ApplyFilter, k.ClearFilter, k.Sort, k.Back, k.Help, k.Quit,
	}
}

// FullHelp returns the bindings shown when help is expanded, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Top, k.Bottom, k.Open, k.Back},
		{k.Filter, k.ApplyFilter, k.ClearFilter, k.Sort},
		{k.Help, k.Quit},
	}
}

// keyState is what decides which bindings apply.
type keyState struct {
	drilled   bool      // a call is open
	typing    bool      // the filter input has the keys
	filtered  bool      // a filter is in force
	rows      bool      // the table has rows
	order     sortOrder // the sort in force
	showAll   bool      // full help is open
	hasFilter bool      // the filter input holds text
	canCoach  bool      // Options.Coach is set
	coaching  bool      // the coaching input has the keys
}

// withState returns the key map with bindings enabled or disabled to
// match st.
func (k KeyMap) withState(st keyState) KeyMap {
	table := !st.drilled && !st.typing
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(table && st.rows)
	}
	k.Open.SetEnabled(table && st.rows)
	k.Back.SetEnabled(st.drilled && !st.coaching)
	k.Coach.SetEnabled(st.drilled && st.canCoach && !st.coaching)
	k.SendCoach.SetEnabled(st.coaching)
	k.CancelCoach.SetEnabled(st.coaching)
	k.Filter.SetEnabled(table)
	k.Sort.SetEnabled(table)
	k.Help.SetEnabled(table)
	k.ApplyFilter.SetEnabled(st.typing)
	k.ClearFilter.SetEnabled(!st.drilled && (st.typing || st.filtered))
	if st.typing && !st.hasFilter {
		k.ClearFilter.SetHelp("esc", "cancel")
	}
	// The next order, so the help says what pressing s will do.
	k.Sort.SetHelp("s", "sort by "+((st.order+1)%sortCount).String())
	if st.showAll {
		k.Help.SetHelp("?", "less keys")
	}
	if st.typing || st.coaching {
		// Letters are text while typing: only ctrl+c quits.
		k.Quit.SetKeys("ctrl+c")
		k.Quit.SetHelp("ctrl+c", "quit")
	}
	return k
}

// syncKeys enables the bindings that apply now and notes the height help
// needs with them; relayout uses it.
func (s *Model) syncKeys() {
	s.keys = s.baseKeys.withState(keyState{
		drilled:   s.drill != nil,
		typing:    s.typing,
		filtered:  s.filter != "",
		rows:      len(s.visible) > 0,
		order:     s.order,
		showAll:   s.help.ShowAll,
		hasFilter: s.input.Value() != "",
		canCoach:  s.opts.Coach != nil,
		coaching:  s.coaching,
	})
	s.helpH = s.helpRows()
}

// helpRows is the height the help bar needs.
func (s *Model) helpRows() int {
	if !s.help.ShowAll || s.typing {
		return 1
	}
	return max(lipgloss.Height(s.help.FullHelpView(s.keys.FullHelp())), 1)
}

// handleKey routes a key press: the drill-down first, then the filter
// input, then the table.
func (s *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch {
	case s.drill != nil && s.coaching:
		return s.handleCoachKey(msg)
	case s.drill != nil:
		switch {
		case key.Matches(msg, k.Coach):
			return s.startCoaching()
		case key.Matches(msg, k.Quit):
			return tea.Quit
		case key.Matches(msg, k.Back):
			s.closeDrill()
			return nil
		}
		return s.drill.view.HandleKey(msg)
	case s.typing:
		return s.handleFilterKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		s.help.ShowAll = !s.help.ShowAll
		s.syncKeys()
		s.relayout()
		s.scrollToCursor()
	case key.Matches(msg, k.Up):
		s.moveCursor(-1)
	case key.Matches(msg, k.Down):
		s.moveCursor(1)
	case key.Matches(msg, k.PageUp):
		s.moveCursor(-max(s.layout.table-1, 1))
	case key.Matches(msg, k.PageDown):
		s.moveCursor(max(s.layout.table-1, 1))
	case key.Matches(msg, k.Top):
		s.moveCursor(-len(s.visible))
	case key.Matches(msg, k.Bottom):
		s.moveCursor(len(s.visible))
	case key.Matches(msg, k.Open):
		return s.openDrill()
	case key.Matches(msg, k.Filter):
		s.typing = true
		s.input.SetValue(s.filter)
		s.input.CursorEnd()
		cmd := s.input.Focus()
		s.syncKeys()
		s.relayout()
		return cmd
	case key.Matches(msg, k.ClearFilter):
		s.input.Reset()
		s.setFilter("")
	case key.Matches(msg, k.Sort):
		s.order = (s.order + 1) % sortCount
		s.clock = s.now()
		s.rebuild()
	}
	return nil
}

// handleFilterKey handles a key while the filter is being typed: the
// table filters as the text changes.
func (s *Model) handleFilterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.ApplyFilter):
		s.stopTyping()
		return nil
	case key.Matches(msg, k.ClearFilter):
		s.input.Reset()
		s.setFilter("")
		s.stopTyping()
		return nil
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	s.setFilter(s.input.Value())
	return cmd
}

// stopTyping gives the keys back to the table.
func (s *Model) stopTyping() {
	s.typing = false
	s.input.Blur()
	s.syncKeys()
	s.relayout()
	s.scrollToCursor()
}
