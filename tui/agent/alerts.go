package agent

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// alertsPane is the alerts overlay: every alert of the call, newest first,
// in full: severity, time and type, how many times it came, the rule that
// raised it, every reason (the recommendations pane cuts them to a row),
// and the utterance it cites, quoted. It takes the summary overlay's place
// (layout.Summary) and the navigation keys while open.
type alertsPane struct {
	scrollBox
	th *theme.Styles // shared, never changed once built

	callID string
	alerts []alertEntry
}

// newAlertsPane returns an empty alerts overlay, always drawn focused.
func newAlertsPane(th *theme.Styles) alertsPane {
	p := alertsPane{th: th}
	p.SetFocused(true)
	return p
}

// SetStyles changes the theme.
func (p *alertsPane) SetStyles(th *theme.Styles) {
	p.th = th
	p.build()
}

// SetSize sets the pane's outer size.
func (p *alertsPane) SetSize(w, h int) {
	p.Box.SetSize(w, h)
	p.build()
}

// SetData shows a call's alerts, newest first. Another call scrolls back
// to the top.
func (p *alertsPane) SetData(callID string, alerts []alertEntry) {
	if callID != p.callID {
		p.offset = 0
	}
	p.callID, p.alerts = callID, alerts
	p.build()
}

// build renders the rows at the current size.
func (p *alertsPane) build() {
	iw, _ := p.Inner()
	p.rows = nil
	if iw <= 0 {
		return
	}
	rs, ss := &p.th.Recommendations, &p.th.Summary
	if len(p.alerts) == 0 {
		p.rows = []string{rs.Empty.Render(common.Fit("No alerts in this call.", iw))}
	}
	pad := strings.Repeat(" ", tagWidth)
	wrapped := func(label, text string) {
		lines := wrapText(text, max(iw-tagWidth-len(label), 1))
		for i, l := range lines {
			lead := pad + ss.Label.Render(label)
			if i > 0 {
				lead = pad + strings.Repeat(" ", len(label))
			}
			p.rows = append(p.rows, common.Fit(lead+ss.Value.Render(l), iw))
		}
	}
	for i, a := range p.alerts {
		if i > 0 {
			p.rows = append(p.rows, "")
		}
		tag, st := severityTag(rs, a.Severity)
		head := st.Render(common.PadRight(tag, tagWidth-1)) + " " + rs.Title.Render(clockString(a.at)+"  "+humanize(a.Type))
		if a.count > 1 {
			head += rs.Reason.Render("  ×" + strconv.Itoa(a.count))
		}
		p.rows = append(p.rows, common.Fit(head, iw))
		rule := "built-in alert " + a.Type
		if a.Rule != "" {
			rule = "rule " + a.Rule
		}
		wrapped("from    ", rule)
		wrapped("why     ", a.Reason)
		for j := len(a.reasons) - 1; j >= 0; j-- {
			if a.reasons[j] != a.Reason {
				wrapped("also    ", a.reasons[j])
			}
		}
		switch {
		case a.said != "":
			wrapped("cites   ", a.speaker+" at "+clockString(a.at)+" ("+a.UtteranceID+"): “"+a.said+"”")
		case a.UtteranceID != "":
			wrapped("cites   ", a.UtteranceID+" (not in the transcript)")
		}
	}
	p.clampOffset()
}

// severityTag returns the tag and style of an alert severity.
func severityTag(rs *theme.RecommendationStyles, severity string) (string, lipgloss.Style) {
	switch severity {
	case event.SeverityCritical:
		return "CRITICAL", rs.Critical
	case event.SeverityWarning:
		return "WARNING", rs.Warning
	}
	return "INFO", rs.Info
}

// View renders the overlay at exactly its size.
func (p alertsPane) View() string {
	body, below := p.window()
	var notes []string
	notes = append(notes, plural(len(p.alerts), "alert"))
	if below > 0 {
		notes = append(notes, "↓ "+strconv.Itoa(below)+" more")
	}
	return p.Render(&p.th.Frame, "Alerts", strings.Join(notes, "  "), body)
}
