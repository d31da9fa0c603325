package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/tui/theme"
)

// suggestionsPane shows the ranked replies of the latest suggestions event,
// one selected, with what the agent did with each.
type suggestionsPane struct {
	box
	th *theme.Styles // shared, never changed once built

	callID   string
	data     engine.Suggestions
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
	p.box.SetSize(w, h)
	p.build()
}

// SetSuggestions shows a call's replies and marks. The selection goes back
// to the first reply when the replies are for a new utterance or call.
func (p *suggestionsPane) SetSuggestions(callID string, s engine.Suggestions, has bool, marks map[string]mark) {
	if callID != p.callID || s.UtteranceID != p.data.UtteranceID || !has {
		p.selected, p.offset = 0, 0
	}
	p.callID, p.data, p.has, p.marks = callID, s, has, marks
	p.selected = clamp(p.selected, 0, max(len(s.Suggestions)-1, 0))
	p.build()
}

// Selected returns the selected reply, if there is one.
func (p *suggestionsPane) Selected() (engine.Suggestion, int, bool) {
	if !p.has || p.data.Abstain || p.selected >= len(p.data.Suggestions) {
		return engine.Suggestion{}, 0, false
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
	return true
}

// Move moves the selection by n, staying in range.
func (p *suggestionsPane) Move(n int) {
	if c := p.Count(); c > 0 {
		p.Select(clamp(p.selected+n, 0, c-1))
	}
}

// build renders the rows for the current data, size and selection, and
// scrolls so that the selected reply is in view.
func (p *suggestionsPane) build() {
	iw, ih := p.inner()
	p.rows, p.starts = nil, nil
	if iw <= 0 {
		return
	}
	switch {
	case !p.has:
		p.rows = []string{p.st().Empty.Render(fit("Replies appear when the customer speaks.", iw))}
	case p.data.Abstain || len(p.data.Suggestions) == 0:
		reason := p.data.Reason
		if reason == "" {
			reason = "nothing in the knowledge base fits"
		}
		for _, r := range wrapText("No confident suggestion — "+reason, iw) {
			p.rows = append(p.rows, p.st().Abstain.Render(fit(r, iw)))
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
	p.scrollToSelected(ih)
}

// renderReply renders one reply: a meta row (pointer, number, confidence,
// source, article, mark) and the text wrapped under it.
func (p *suggestionsPane) renderReply(i int, s engine.Suggestion, w int) []string {
	sel := i == p.selected
	pointer, num, text := "  ", p.st().Number.Render(" "+itoa(i+1)+" "), p.st().Text
	if sel {
		pointer = p.st().Pointer.Render("▌ ")
		num = p.st().SelectedNumber.Render(" " + itoa(i+1) + " ")
		text = p.st().SelectedText
	}
	conf := clampf(s.Confidence, 0, 1)
	meta := pointer + num + " " + bar(conf, 8, p.st().BarFill, p.st().BarEmpty) + " " +
		p.st().Percent.Render(padLeft(percent(conf), 4))
	var about []string
	if s.Source != "" {
		about = append(about, p.st().Source.Render(s.Source))
	}
	for _, a := range nonEmpty(s.ArticleID, s.Title) {
		about = append(about, p.st().Article.Render(a))
	}
	if len(about) > 0 {
		meta += "  " + strings.Join(about, p.st().Article.Render(" · "))
	}
	mk := p.renderMark(p.marks[s.ID])
	rows := []string{spread(meta, mk, w)}
	if mk == "" {
		rows[0] = fit(meta, w)
	}
	indent := 6
	for _, r := range wrapText(s.Text, max(w-indent, 1)) {
		rows = append(rows, fit(pointerCont(sel, p.st())+"    "+text.Render(r), w))
	}
	return rows
}

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
	case engine.VerdictHelpful:
		parts = append(parts, p.st().Helpful.Render("✓ helpful"))
	case engine.VerdictNotHelpful:
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
	p.offset = clamp(p.offset, 0, maxOff)
}

// View renders the pane at exactly its size.
func (p suggestionsPane) View() string {
	_, ih := p.inner()
	body := p.rows[min(p.offset, len(p.rows)):min(p.offset+ih, len(p.rows))]
	info := ""
	if c := p.Count(); c > 0 {
		info = itoa(p.selected+1) + "/" + itoa(c)
	}
	return p.render(&p.th.Frame, "Suggested replies", info, body)
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
