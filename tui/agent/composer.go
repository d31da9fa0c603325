package agent

import (
	"strings"

	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// composerCharLimit bounds what the composer takes, in characters: a
// reply the service accepts whatever the characters (event.MaxReplyBytes
// is in bytes, and a character is at most four).
const composerCharLimit = event.MaxReplyBytes / 4

// Rows of the composer in each mode, frame included: three lines of text
// in a box, two under a title rule.
const (
	composerBoxRows  = 5
	composerRuleRows = 3
)

// composerPane is the agent's reply to a chat call being written, under
// the transcript: a Bubbles textarea in the pane's frame. It holds one
// call's draft; the screen resets it when the displayed call changes.
// Which suggestion the text came from is kept, so sending it can count
// as that suggestion's use.
type composerPane struct {
	common.Box
	th    *theme.Styles
	input textarea.Model

	callID string
	// from is the suggestion whose text was taken into the composer, and
	// utteranceID the customer turn it answered; from.ID is "" for a
	// reply written from scratch.
	from        event.Suggestion
	utteranceID string
	sending     bool // a reply is on its way; the text stays until it is taken
	title       string
}

// newComposerPane returns an empty composer. lines, when set, makes it
// where the call's lines are typed (Options.TypeLines).
func newComposerPane(th *theme.Styles, lines string) composerPane {
	in := textarea.New()
	in.ShowLineNumbers = false
	in.Prompt = ""
	in.Placeholder = "write a reply to the customer"
	title := "Reply"
	if lines != "" {
		in.Placeholder, title = termtext.Sanitize(lines), "Say"
	}
	in.CharLimit = composerCharLimit
	in.SetStyles(th.Transcript.Composer)
	return composerPane{th: th, input: in, title: title}
}

// SetStyles changes the theme.
func (p *composerPane) SetStyles(th *theme.Styles) {
	p.th = th
	p.input.SetStyles(th.Transcript.Composer)
}

// SetSize sets the pane's outer size, and the text area's to its inside.
func (p *composerPane) SetSize(w, h int) {
	p.Box.SetSize(w, h)
	iw, ih := p.Inner()
	p.input.SetWidth(max(iw, 1))
	p.input.SetHeight(max(ih, 1))
}

// Reset empties the composer for a call.
func (p *composerPane) Reset(callID string) {
	p.callID, p.from, p.utteranceID, p.sending = callID, event.Suggestion{}, "", false
	p.input.Reset()
}

// Take puts a suggestion's text in the composer to edit, replacing what
// was there, with the cursor at its end.
func (p *composerPane) Take(s event.Suggestion, utteranceID string) {
	p.from, p.utteranceID = s, utteranceID
	p.input.SetValue(s.Text)
	p.input.MoveToEnd()
}

// Focus gives the text area the keys.
func (p *composerPane) Focus() tea.Cmd {
	p.SetFocused(true)
	return p.input.Focus()
}

// Blur takes the keys away from the text area; the text stays.
func (p *composerPane) Blur() {
	p.SetFocused(false)
	p.input.Blur()
}

// Update hands a key or a paste to the text area. A paste is made safe
// first: the text area drops control characters one by one, which would
// leave the rest of an escape sequence in the reply.
func (p *composerPane) Update(msg tea.Msg) tea.Cmd {
	if paste, ok := msg.(tea.PasteMsg); ok {
		paste.Content = sanitizeLines(paste.Content)
		msg = paste
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// Text returns the reply as it would be sent (see cleanReply).
func (p *composerPane) Text() string { return cleanReply(p.input.Value()) }

// View renders the composer at exactly its size.
func (p composerPane) View() string {
	info := "ctrl+s send"
	switch {
	case p.sending:
		info = "sending…"
	case p.from.ID != "" && isDraft(p.from):
		info = "from the draft · " + info
	case p.from.ID != "":
		info = "from a suggestion · " + info
	}
	return p.Render(&p.th.Frame, p.title, info, strings.Split(p.input.View(), "\n"))
}

// cleanReply makes the composer's text fit to send: each line made safe
// (escape sequences and control characters, which a paste can carry,
// removed), trailing spaces and blank lines at either end dropped. Line
// breaks inside the reply stay.
func cleanReply(s string) string {
	lines := strings.Split(sanitizeLines(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n ")
}

// sanitizeLines makes each line of s safe to draw and send (see
// termtext.Sanitize), keeping the line breaks; a CR LF is one break, and
// so is a lone CR, which is how terminals (tmux among them) send the line
// breaks of a paste.
func sanitizeLines(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = termtext.Sanitize(l)
	}
	return strings.Join(lines, "\n")
}
