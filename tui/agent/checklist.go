package agent

import (
	"strconv"
	"strings"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
)

// Checklist marks. Ticked and empty ballot boxes read as a checklist at a
// glance, even in the plain theme; the arrow points at the step the engine
// recommends next.
const (
	stepDone = "☑ "
	stepTodo = "☐ "
	nextMark = "→ "
	noMark   = "  "
)

// flowRows renders the guided flow's checklist for the top of the pane,
// in at most ih rows of width w, or nothing when no flow matched.
//
// The whole checklist (a title line, one row per step and, once the call
// has ended, a line naming the missed steps) is shown only when it takes
// no more than half the pane, so the recommendations and alerts below it
// stay in sight. Otherwise, as at 80×24, it folds into one line: the
// title, how many steps are done and the next one (or, after the call,
// the missed ones), which is what the agent acts on.
func (p *recommendationsPane) flowRows(w, ih int) []string {
	f := p.flow
	if f == nil || w <= 0 || ih <= 0 {
		return nil
	}
	ended := p.ended != nil
	full := 1 + len(f.Steps)
	if ended {
		full++ // the missed or all-done line
	}
	if len(f.Earlier) > 0 {
		full++ // the earlier flows' line
	}
	if full <= ih/2 {
		return p.fullChecklist(w, ended)
	}
	return []string{p.compactChecklist(w, ended)}
}

// fullChecklist renders the title line and every step, the next one
// pointed at and highlighted while the call is live, and after the call a
// line saying which steps were missed.
func (p *recommendationsPane) fullChecklist(w int, ended bool) []string {
	f, st := p.flow, p.st()
	title := st.FlowTitle.Render("Flow: "+f.Title) + st.Reason.Render("  ("+percent(f.Confidence)+")")
	rows := []string{common.Spread(title, st.Reason.Render(flowProgress(f)), w)}
	for _, s := range f.Steps {
		var row string
		switch {
		case s.Done:
			row = noMark + st.FlowDone.Render(stepDone+s.Title)
		case ended:
			row = noMark + st.FlowMissed.Render(stepTodo+s.Title)
		case s.ID == f.Next:
			row = st.FlowNext.Render(nextMark + stepTodo + s.Title)
		default:
			row = noMark + st.FlowTodo.Render(stepTodo+s.Title)
		}
		rows = append(rows, common.Fit(row, w))
	}
	if ended {
		rows = append(rows, common.Fit(p.flowOutcome(), w))
	}
	if len(f.Earlier) > 0 {
		// The flows the call was on before keep their ticks in the record;
		// one line says how far each got.
		var parts []string
		for i := range f.Earlier {
			parts = append(parts, f.Earlier[i].Title+" "+flowProgress(&f.Earlier[i]))
		}
		rows = append(rows, common.Fit(st.Reason.Render("earlier: "+strings.Join(parts, " · ")), w))
	}
	return rows
}

// compactChecklist renders the checklist as one line, such as
// "Flow: Reset password · 1/3 done · next: Verify identity".
func (p *recommendationsPane) compactChecklist(w int, ended bool) string {
	f, st := p.flow, p.st()
	line := st.FlowTitle.Render("Flow: "+f.Title) + st.Reason.Render(" · "+flowProgress(f))
	switch {
	case ended:
		line += st.Reason.Render(" · ") + p.flowOutcome()
	case nextStep(f) != nil:
		line += st.Reason.Render(" · ") + st.FlowNext.Render("next: "+nextStep(f).Title)
	}
	return common.Fit(line, w)
}

// flowOutcome says how the checklist ended: the missed steps in the
// warning style, or that every step was done.
func (p *recommendationsPane) flowOutcome() string {
	var missed []string
	for _, s := range p.flow.Steps {
		if !s.Done {
			missed = append(missed, s.Title)
		}
	}
	if len(missed) == 0 {
		return p.st().FlowComplete.Render("all steps done")
	}
	return p.st().FlowMissed.Render("missed: " + strings.Join(missed, ", "))
}

// flowProgress counts the steps done, such as "1/3 done".
func flowProgress(f *event.FlowState) string {
	done := 0
	for _, s := range f.Steps {
		if s.Done {
			done++
		}
	}
	return strconv.Itoa(done) + "/" + strconv.Itoa(len(f.Steps)) + " done"
}

// nextStep returns the step the engine recommends next, or nil when there
// is none or Next names no step of the flow.
func nextStep(f *event.FlowState) *event.FlowStep {
	if f.Next == "" {
		return nil
	}
	for i := range f.Steps {
		if f.Steps[i].ID == f.Next && !f.Steps[i].Done {
			return &f.Steps[i]
		}
	}
	return nil
}
