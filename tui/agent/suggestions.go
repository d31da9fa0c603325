package agent

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// suggestionsPane shows the ranked replies of the latest suggestions event,
// one selected, with what the agent did with each. A reply drafted by a
// model server is marked as such, with the articles it drew on and, while
// it streams, a cursor.
type suggestionsPane struct {
	common.Box
	th *theme.Styles // shared, never changed once built

	callID   string
	data     event.Suggestions
	has      bool
	marks    map[string]mark
	selected int

	rows   []string // rendered at the current width
	starts []int    // first row of each suggestion
	offset int
}

// newSuggestionsPane returns an empty suggestions pane.
func newSuggestionsPane(th *theme.Styles) suggestionsPane {
	return suggestionsPane{th: th}
}

// st returns the pane's styles.
func (p suggestionsPane) st() *theme.SuggestionStyles { return &p.th.Suggestions }

// SetStyles changes the theme.
func (p *suggestionsPane) SetStyles(th *theme.Styles) {
	p.th = th
	p.build()
}

// SetSize sets the pane's outer size.
func (p *suggestionsPane) SetSize(w, h int) {
	p.Box.SetSize(w, h)
	p.build()
	p.reveal()
}

// SetSuggestions shows a call's replies and marks. The selection goes back
// to the first reply when the replies are for a new utterance or call.
// Another list for the same utterance (a draft streaming in) leaves the
// selection on the same reply and the scroll position where it was: the
// agent may be reading.
func (p *suggestionsPane) SetSuggestions(callID string, s event.Suggestions, has bool, marks map[string]mark) {
	same := has && p.has && callID == p.callID && s.UtteranceID == p.data.UtteranceID
	if same {
		if cur, _, ok := p.Selected(); ok {
			if i := indexOfReply(s.Suggestions, cur.ID); i >= 0 {
				p.selected = i
			}
		}
	} else {
		p.selected, p.offset = 0, 0
	}
	p.callID, p.data, p.has, p.marks = callID, s, has, marks
	p.selected = common.Clamp(p.selected, 0, max(len(s.Suggestions)-1, 0))
	p.build()
	if !same {
		p.reveal()
	}
}

// indexOfReply returns the index of the reply with the id, or -1.
func indexOfReply(list []event.Suggestion, id string) int {
	for i, s := range list {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// Selected returns the selected reply, if there is one.
func (p *suggestionsPane) Selected() (event.Suggestion, int, bool) {
	if !p.has || p.data.Abstain || p.selected >= len(p.data.Suggestions) {
		return event.Suggestion{}, 0, false
	}
	return p.data.Suggestions[p.selected], p.selected, true
}

// Count returns how many replies there are to choose from.
func (p *suggestionsPane) Count() int {
	if !p.has || p.data.Abstain {
		return 0
	}
	return len(p.data.Suggestions)
}

// Select selects reply i (from 0) if it exists, and reports whether it did.
func (p *suggestionsPane) Select(i int) bool {
	if i < 0 || i >= p.Count() {
		return false
	}
	p.selected = i
	p.build()
	p.reveal()
	return true
}

// Move moves the selection by n, staying in range.
func (p *suggestionsPane) Move(n int) {
	if c := p.Count(); c > 0 {
		p.Select(common.Clamp(p.selected+n, 0, c-1))
	}
}

// build renders the rows for the current data, size and selection, and
// keeps the scroll offset in range. It does not scroll to the selection;
// reveal does.
func (p *suggestionsPane) build() {
	iw, ih := p.Inner()
	p.rows, p.starts = nil, nil
	if iw <= 0 {
		return
	}
	switch {
	case !p.has:
		p.rows = []string{p.st().Empty.Render(common.Fit("Replies appear when the customer speaks.", iw))}
	case p.data.Abstain || len(p.data.Suggestions) == 0:
		reason := p.data.Reason
		if reason == "" {
			reason = "nothing in the knowledge base fits"
		}
		for _, r := range wrapText("No confident suggestion — "+reason, iw) {
			p.rows = append(p.rows, p.st().Abstain.Render(common.Fit(r, iw)))
		}
	default:
		for i, s := range p.data.Suggestions {
			if i > 0 {
				p.rows = append(p.rows, "")
			}
			p.starts = append(p.starts, len(p.rows))
			p.rows = append(p.rows, p.renderReply(i, s, iw)...)
		}
	}
	p.offset = common.Clamp(p.offset, 0, max(len(p.rows)-ih, 0))
}

// reveal scrolls so that the selected reply is in view.
func (p *suggestionsPane) reveal() {
	_, ih := p.Inner()
	p.scrollToSelected(ih)
}

// renderReply renders one reply: a meta row (pointer, number, confidence,
// source, article, mark) and the text wrapped under it.
func (p *suggestionsPane) renderReply(i int, s event.Suggestion, w int) []string {
	sel := i == p.selected
	pointer, num, text := "  ", p.st().Number.Render(" "+strconv.Itoa(i+1)+" "), p.st().Text
	if sel {
		pointer = p.st().Pointer.Render("▌ ")
		num = p.st().SelectedNumber.Render(" " + strconv.Itoa(i+1) + " ")
		text = p.st().SelectedText
	}
	conf := common.Clampf(s.Confidence, 0, 1)
	meta := pointer + num + " " + bar(conf, 8, p.st().BarFill, p.st().BarEmpty) + " " +
		p.st().Percent.Render(common.PadLeft(percent(conf), 4))
	draft := isDraft(s)
	var about []string
	switch {
	case draft:
		// A badge, not the bare source name: the agent must see at a glance
		// that a model wrote this, and what it drew on.
		about = append(about, p.st().DraftBadge.Render("✎ draft"))
		if len(s.ArticleIDs) > 0 {
			about = append(about, p.st().Article.Render("from "+strings.Join(s.ArticleIDs, ", ")))
		}
	case s.Source != "":
		about = append(about, p.st().Source.Render(s.Source))
	}
	if !draft {
		for _, a := range nonEmpty(s.ArticleID, s.Title) {
			about = append(about, p.st().Article.Render(a))
		}
	}
	if len(about) > 0 {
		meta += "  " + strings.Join(about, p.st().Article.Render(" · "))
	}
	mk := p.renderMark(p.marks[s.ID])
	rows := []string{common.Spread(meta, mk, w)}
	if mk == "" {
		rows[0] = common.Fit(meta, w)
	}
	indent := 6
	tw := max(w-indent, 1)
	if draft {
		// A draft keeps a column free for the streaming cursor, partial or
		// not, so its text does not reflow when the cursor goes.
		tw = max(tw-1, 1)
		text = p.st().DraftText
		if sel {
			text = p.st().DraftSelectedText
		}
	}
	lines := wrapText(s.Text, tw)
	for j, r := range lines {
		r = text.Render(r)
		if draft && s.Partial && j == len(lines)-1 {
			r += p.st().DraftCursor.Render(streamCursor)
		}
		rows = append(rows, common.Fit(pointerCont(sel, p.st())+"    "+r, w))
	}
	// The steps the reply promises and nobody has done yet: the agent
	// does them before, or as, saying it.
	if len(s.Steps) > 0 {
		for _, r := range wrapText("do first: "+stepList(s.Steps), tw) {
			rows = append(rows, common.Fit(pointerCont(sel, p.st())+"    "+p.st().Source.Render(r), w))
		}
	}
	return rows
}

// stepList joins step titles as a phrase: "lock the card; order a
// replacement card".
func stepList(steps []string) string {
	out := make([]string, 0, len(steps))
	for _, s := range steps {
		if s = strings.TrimSpace(s); s != "" {
			r := []rune(s)
			if len(r) > 1 && !unicode.IsUpper(r[1]) { // "ATM…" keeps its capitals
				r[0] = unicode.ToLower(r[0])
			}
			out = append(out, string(r))
		}
	}
	return strings.Join(out, "; ")
}

// streamCursor ends the text of a draft that is still streaming.
const streamCursor = "▍"

// pointerCont continues the selection marker down a selected reply.
func pointerCont(sel bool, st *theme.SuggestionStyles) string {
	if sel {
		return st.Pointer.Render("▌ ")
	}
	return "  "
}

// renderMark renders what the agent did with a reply, or "".
func (p *suggestionsPane) renderMark(mk mark) string {
	var parts []string
	if mk.used {
		parts = append(parts, p.st().Used.Render("↵ used"))
	}
	switch mk.verdict {
	case event.VerdictHelpful:
		parts = append(parts, p.st().Helpful.Render("✓ helpful"))
	case event.VerdictNotHelpful:
		parts = append(parts, p.st().NotHelpful.Render("✗ not helpful"))
	}
	return strings.Join(parts, " ")
}

// scrollToSelected moves the offset so the selected reply is in view, its
// top first.
func (p *suggestionsPane) scrollToSelected(ih int) {
	maxOff := max(len(p.rows)-ih, 0)
	if p.selected < len(p.starts) {
		start := p.starts[p.selected]
		end := len(p.rows)
		if p.selected+1 < len(p.starts) {
			end = p.starts[p.selected+1] - 1
		}
		if end > p.offset+ih {
			p.offset = end - ih
		}
		if start < p.offset {
			p.offset = start
		}
	}
	p.offset = common.Clamp(p.offset, 0, maxOff)
}

// View renders the pane at exactly its size.
func (p suggestionsPane) View() string {
	_, ih := p.Inner()
	body := p.rows[min(p.offset, len(p.rows)):min(p.offset+ih, len(p.rows))]
	info := ""
	if c := p.Count(); c > 0 {
		info = strconv.Itoa(p.selected+1) + "/" + strconv.Itoa(c)
		hint := p.draftHint(ih)
		if below := len(p.rows) - p.offset - ih; hint == "" && below > 0 {
			hint = "↓ " + strconv.Itoa(below) + " more"
		}
		if hint != "" {
			info = hint + "  " + info
		}
	}
	return p.Render(&p.th.Frame, "Suggested replies", info, body)
}

// draftHint points at a generated draft scrolled out of view, so the
// agent knows one is there (and its number) without it jumping into view
// while they read another reply.
func (p suggestionsPane) draftHint(ih int) string {
	for i, s := range p.data.Suggestions {
		if !isDraft(s) || i >= len(p.starts) {
			continue
		}
		switch start := p.starts[i]; {
		case start >= p.offset+ih:
			return "↓ ✎ " + strconv.Itoa(i+1)
		case start < p.offset:
			return "↑ ✎ " + strconv.Itoa(i+1)
		}
	}
	return ""
}

// wrapText wraps plain text to width w, breaking long words if needed.
func wrapText(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	rows := strings.Split(ansi.Wrap(s, w, ""), "\n")
	for i := range rows {
		rows[i] = strings.TrimRight(rows[i], " ")
	}
	return rows
}

// nonEmpty returns the arguments that are not empty.
func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
