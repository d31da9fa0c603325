package agent

import (
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// headerData is everything the header shows. The screen fills it as its
// state changes; the header only draws it.
type headerData struct {
	callID  string
	info    event.CallStarted
	started bool
	ended   bool
	elapsed time.Duration

	modelStatus string
	latencyMS   float64
	hasLatency  bool
	// degraded is why the model server is not drafting replies now, from
	// the displayed call's latest suggestions; "" when it is, or when
	// there is none.
	degraded string

	replay   bool
	paused   bool
	speed    float64
	finished bool // the event stream has closed
	// offline says the connection to the service is down, since
	// offlineFor.
	offline    bool
	offlineFor time.Duration
	index      int // call i of total, when known
	total      int
	// agentState is the agent's state when the view publishes it, and
	// stateFor how long the agent has been in it.
	agentState event.AgentState
	stateFor   time.Duration
}

// headerPane draws the two-line call header: who and how long on the
// first line, the machinery (models, latency, replay) on the second.
type headerPane struct {
	w, h int
	th   *theme.Styles
	data headerData
}

// SetSize sets the header's size.
func (p *headerPane) SetSize(w, h int) { p.w, p.h = max(w, 0), max(h, 0) }

// st returns the pane's styles.
func (p headerPane) st() *theme.HeaderStyles { return &p.th.Header }

// SetStyles changes the theme.
func (p *headerPane) SetStyles(th *theme.Styles) { p.th = th }

// SetData replaces what the header shows.
func (p *headerPane) SetData(d headerData) { p.data = d }

// View renders the header at exactly its size.
func (p headerPane) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	lines := []string{p.callLine(), p.statusLine()}
	if p.h == 1 {
		lines = lines[:1]
	}
	for len(lines) < p.h {
		lines = append(lines, p.bar(""))
	}
	return strings.Join(lines[:p.h], "\n")
}

// callLine is the first line: state, title, id, people, elapsed time.
// When the line is too narrow, the details go in this order: channel, call
// id, queue, then the labels; the title is cut last.
func (p headerPane) callLine() string {
	d, st := p.data, p.st()
	offline := ""
	if d.offline {
		offline = st.Paused.Render(" ○ reconnecting… " + common.SinceString(d.offlineFor) + " ")
	}
	if !d.started && d.callID == "" {
		return p.line(offline+st.Title.Render(" assist")+st.Label.Render(" · waiting for a call"), "")
	}
	state := st.Live.Render(" ● LIVE  ")
	switch {
	case d.offline:
		state = offline + st.Sep.Render(" ")
	case d.ended:
		state = st.Ended.Render(" ■ ENDED  ")
	}
	title := d.info.Title
	if title == "" {
		title = "Call"
	}
	right := st.Clock.Render(durationString(d.elapsed) + " ")
	room := p.w - lipgloss.Width(right) - 1
	id, channel := d.callID, string(d.info.Channel)
	variants := []struct {
		id, channel, queue string
		labels             bool
	}{
		{id, channel, d.info.Queue, true},
		{id, "", d.info.Queue, true},
		{"", "", d.info.Queue, true},
		{"", "", "", true},
		{"", "", "", false},
	}
	var left string
	for _, v := range variants {
		left = state + st.Title.Render(title)
		if ids := strings.Join(nonEmpty(v.id, v.channel), " · "); ids != "" {
			left += st.ID.Render("  " + ids)
		}
		if v.labels {
			left += st.Sep.Render("   ") + p.fields([][2]string{
				{"queue", v.queue}, {"customer", d.info.Customer}, {"agent", d.info.Agent},
			})
		} else if vs := nonEmpty(d.info.Customer, d.info.Agent); len(vs) > 0 {
			left += st.Sep.Render("   ") + st.Value.Render(strings.Join(vs, " ↔ "))
		}
		if lipgloss.Width(left) <= room {
			break
		}
	}
	return p.line(left, right)
}

// statusLine is the second line: model status, a degraded model server
// and latency on the left, replay state and playlist position on the
// right. A degraded server comes before the latency, so a narrow line cuts
// the latency first.
func (p headerPane) statusLine() string {
	d, st := p.data, p.st()
	left := st.Status.Render(" " + d.modelStatus)
	if d.degraded != "" {
		left += st.Sep.Render("  │  ") + st.Degraded.Render("⚠ degraded: "+d.degraded)
	}
	if d.hasLatency {
		left += st.Sep.Render("  │  ") + st.Label.Render("reply ") + st.Value.Render(latencyString(d.latencyMS))
	}
	var right []string
	switch {
	case d.finished && d.replay:
		right = append(right, st.Ended.Render("■ replay finished"))
	case d.finished:
		right = append(right, st.Ended.Render("■ stream closed"))
	case d.replay && d.paused:
		right = append(right, st.Paused.Render("▮▮ paused "+speedString(d.speed)))
	case d.replay:
		right = append(right, st.Playing.Render("▶ playing "+speedString(d.speed)))
	}
	if d.total > 0 {
		right = append(right, st.Label.Render("call ")+st.Value.Render(strconv.Itoa(d.index)+"/"+strconv.Itoa(d.total)))
	}
	if d.agentState != "" {
		state := st.Value.Render(d.agentState.Label() + " " + durationString(d.stateFor))
		if d.agentState == event.AgentWrapUp || d.agentState == event.AgentAway {
			state = st.Paused.Render(d.agentState.Label() + " " + durationString(d.stateFor))
		}
		right = append(right, st.Label.Render("you: ")+state)
	}
	return p.line(left, strings.Join(right, st.Sep.Render("  │  "))+st.Bar.Render(" "))
}

// fields renders label/value pairs, skipping empty values.
func (p headerPane) fields(kv [][2]string) string {
	var parts []string
	for _, f := range kv {
		if f[1] != "" {
			parts = append(parts, p.st().Label.Render(f[0]+" ")+p.st().Value.Render(f[1]))
		}
	}
	return strings.Join(parts, p.st().Sep.Render("  "))
}

// line lays out one header line with the bar background across the width.
func (p headerPane) line(left, right string) string {
	return common.BarLine(p.st().Bar, p.w, left, right)
}

// bar renders s on the bar background across the width.
func (p headerPane) bar(s string) string { return common.FitBar(p.st().Bar, p.st().Bar.Render(s), p.w) }
