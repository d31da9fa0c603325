package agent

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// tagWidth is the width of the kind and severity column.
const tagWidth = 10

// recommendationsPane shows the latest next-best actions and the call's
// alerts, newest first, under a supervisor's latest coaching note, the
// call's end and latest summary when it has them, all below the guided flow's checklist when a flow matched.
// When the pane is short, reasons move onto the title row instead of a
// row of their own, and the checklist folds into one line. The summary
// shows as one entry; the summary overlay has the whole of it.
type recommendationsPane struct {
	scrollBox
	th *theme.Styles // shared, never changed once built

	callID string
	recs   []event.Recommendation
	alerts []alertEntry
	ended  *event.CallEnded
	flow   *event.FlowState
	sum    *event.Summary
	coach  *event.Coaching
	sumKey string // the key that opens the summary, for the entry's hint
	// alertsKey is the key that opens the alerts overlay, for the title.
	alertsKey string
}

// newRecommendationsPane returns an empty recommendations pane.
func newRecommendationsPane(th *theme.Styles) recommendationsPane {
	return recommendationsPane{th: th}
}

// st returns the pane's styles.
func (p recommendationsPane) st() *theme.RecommendationStyles { return &p.th.Recommendations }

// SetStyles changes the theme.
func (p *recommendationsPane) SetStyles(th *theme.Styles) {
	p.th = th
	p.build()
}

// SetSize sets the pane's outer size.
func (p *recommendationsPane) SetSize(w, h int) {
	p.Box.SetSize(w, h)
	p.build()
}

// SetData shows a call's recommendations, alerts, its end once it has
// ended, its guided flow's checklist (nil when no flow matched), its
// latest summary (nil when none), whose entry says that sumKey opens it,
// and a supervisor's latest coaching note (nil when none). A new call
// scrolls back to the top.
func (p *recommendationsPane) SetData(callID string, recs []event.Recommendation, alerts []alertEntry, ended *event.CallEnded, flow *event.FlowState, sum *event.Summary, coach *event.Coaching, sumKey string) {
	if callID != p.callID {
		p.callID, p.offset = callID, 0
	}
	p.recs, p.alerts, p.ended, p.flow, p.sum, p.coach, p.sumKey = recs, alerts, ended, flow, sum, coach, sumKey
	p.build()
}

// build renders the rows at the current size.
func (p *recommendationsPane) build() {
	iw, ih := p.Inner()
	p.rows = nil
	if iw <= 0 {
		return
	}
	items := 0
	if p.coach != nil {
		items++
	}
	if p.ended != nil {
		items++
	}
	if p.sum != nil {
		items++
	}
	items += len(p.alerts)
	for _, r := range p.recs {
		if !p.inChecklist(r) {
			items++
		}
	}
	p.rows = p.flowRows(iw, ih)
	detailed := items*2+1 <= ih-len(p.rows)

	if p.coach != nil {
		// First: the supervisor is talking to the agent now.
		p.rows = append(p.rows, p.coachRows(iw, detailed)...)
	}
	if e := p.ended; e != nil {
		text := "Call ended"
		if e.Disposition != "" {
			text += " · " + e.Disposition
		}
		p.rows = append(p.rows, p.item(p.st().Other, "ENDED", text, e.Summary, "", iw, detailed)...)
	}
	if p.sum != nil {
		p.rows = append(p.rows, p.summaryItem(iw, detailed)...)
	}
	if detailed {
		p.rows = append(p.rows, p.recRows(p.recs, iw, true)...)
		p.rows = append(p.rows, p.alertRows(p.alerts, iw, true)...)
	} else {
		// Short of room: the newest alert first, since it needs the agent's
		// attention, then the recommendations, then older alerts.
		n := min(len(p.alerts), 1)
		p.rows = append(p.rows, p.alertRows(p.alerts[:n], iw, false)...)
		p.rows = append(p.rows, p.recRows(p.recs, iw, false)...)
		p.rows = append(p.rows, p.alertRows(p.alerts[n:], iw, false)...)
	}
	if len(p.rows) == 0 {
		p.rows = []string{p.st().Empty.Render(common.Fit("Nothing to recommend yet.", iw))}
	}
	p.clampOffset()
}

// maxCoachRows bounds the rows of a coaching note's text: three when the
// pane is short of room.
const maxCoachRows = 6

// coachRows renders the coaching note: the tag and who wrote it, then its
// text wrapped under it, cut with "…" past maxCoachRows.
func (p *recommendationsPane) coachRows(w int, detailed bool) []string {
	c := p.coach
	rows := []string{common.Fit(p.st().Coach.Render(common.PadRight("COACH", tagWidth-1))+" "+p.st().Reason.Render("from "+c.From), w)}
	limit := maxCoachRows
	if !detailed {
		limit = maxCoachRows / 2
	}
	text := wrapText(c.Text, max(w-tagWidth, 1))
	if len(text) > limit {
		text = text[:limit]
		text[limit-1] = common.Fit(text[limit-1]+" …", max(w-tagWidth, 1))
	}
	for _, line := range text {
		rows = append(rows, common.Fit(strings.Repeat(" ", tagWidth)+p.st().Title.Render(line), w))
	}
	return rows
}

// summaryItem renders the summary's entry: its reason for contact, then
// where it comes from, the outcome and how to read the rest.
func (p *recommendationsPane) summaryItem(w int, detailed bool) []string {
	s := p.sum
	title := firstNonEmpty(s.Reason, s.Situation, "Call summary")
	about := []string{summarySourceLabel(s.Source)}
	if p.sumKey != "" {
		about = append(about, p.sumKey+" to read")
	}
	about = append(about, nonEmpty(s.Disposition, s.Satisfaction)...)
	return p.item(p.st().Summary, "SUMMARY", title, strings.Join(about, " · "), "", w, detailed)
}

// recRows renders the recommendations.
func (p *recommendationsPane) recRows(recs []event.Recommendation, w int, detailed bool) []string {
	var rows []string
	for _, r := range recs {
		if p.inChecklist(r) {
			continue
		}
		title := r.Title
		if r.ArticleID != "" && !strings.Contains(title, r.ArticleID) {
			title = r.ArticleID + " · " + title
		}
		score := ""
		if r.Score > 0 {
			score = percent(r.Score)
		}
		tag, st := p.kind(r.Kind)
		rows = append(rows, p.item(st, tag, title, r.Reason, score, w, detailed)...)
	}
	return rows
}

// inChecklist reports whether a recommendation is the checklist's next
// step, which the checklist above already points at.
func (p *recommendationsPane) inChecklist(r event.Recommendation) bool {
	if p.flow == nil || r.Kind != "action" || r.ArticleID != "" {
		return false
	}
	next := nextStep(p.flow)
	return next != nil && next.Title == r.Title
}

// alertRows renders the alerts, newest first, under a heading when they
// follow the recommendations or the checklist.
func (p *recommendationsPane) alertRows(alerts []alertEntry, w int, detailed bool) []string {
	var rows []string
	if len(alerts) > 0 && detailed && (len(p.recs) > 0 || p.ended != nil || p.flow != nil) {
		rows = append(rows, common.Fit(p.st().Heading.Render("Alerts ")+p.st().Reason.Render(strings.Repeat("─", max(w-7, 0))), w))
	}
	for _, a := range alerts {
		tag, st := p.severity(a.Severity)
		title := clockString(a.at) + "  " + humanize(a.Type)
		if !a.cited && a.UtteranceID != "" {
			title += " · " + a.UtteranceID // not in the transcript: cite it by id
		}
		if a.count > 1 {
			title += " ×" + strconv.Itoa(a.count)
		}
		rows = append(rows, p.item(st, tag, title, a.Reason, "", w, detailed)...)
	}
	return rows
}

// item renders one entry: a tag column, the title, an optional score on the
// right, and the reason below it (detailed) or after it (dense).
func (p *recommendationsPane) item(tagStyle lipgloss.Style, tag, title, reason, score string, w int, detailed bool) []string {
	head := tagStyle.Render(common.PadRight(tag, tagWidth-1)) + " " + p.st().Title.Render(title)
	if !detailed && reason != "" {
		head += p.st().Reason.Render(" — " + reason)
	}
	rows := []string{common.Spread(head, p.st().Reason.Render(score), w)}
	if score == "" {
		rows[0] = common.Fit(head, w)
	}
	if detailed && reason != "" {
		rows = append(rows, common.Fit(strings.Repeat(" ", tagWidth)+p.st().Reason.Render(reason), w))
	}
	return rows
}

// kind returns the tag and style of a recommendation kind.
func (p *recommendationsPane) kind(k string) (string, lipgloss.Style) {
	switch k {
	case "action":
		return "ACTION", p.st().Action
	case "article":
		return "ARTICLE", p.st().Article
	case "offer":
		return "OFFER", p.st().Offer
	case "escalate":
		return "ESCALATE", p.st().Escalate
	case "risk":
		return "RISK", p.st().Risk
	}
	return strings.ToUpper(k), p.st().Other
}

// severity returns the tag and style of an alert severity.
func (p *recommendationsPane) severity(s string) (string, lipgloss.Style) {
	return severityTag(p.st(), s)
}

// alertCount counts the alerts for the pane title.
func (p recommendationsPane) alertCount() string {
	if len(p.alerts) == 0 {
		return ""
	}
	critical := 0
	for _, a := range p.alerts {
		if a.Severity == event.SeverityCritical {
			critical++
		}
	}
	s := plural(len(p.alerts), "alert")
	if critical > 0 {
		s += " · " + strconv.Itoa(critical) + " critical"
	}
	if p.alertsKey != "" {
		s += " · " + p.alertsKey + " opens"
	}
	return s
}

// View renders the pane at exactly its size.
func (p recommendationsPane) View() string {
	body, _ := p.window()
	return p.Render(&p.th.Frame, "Next best action", p.alertCount(), body)
}

// firstNonEmpty returns the first argument that is not empty, or "".
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// humanize turns an identifier such as churn_risk into words.
func humanize(s string) string {
	return strings.NewReplacer("_", " ", "-", " ", ".", " ").Replace(s)
}

// plural formats a count and a noun, such as "1 alert" or "2 alerts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
