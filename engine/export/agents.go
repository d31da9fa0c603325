package export

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/stats"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// AgentSource is a store of the agents' state changes; the service's
// store and an analyst's terminal are.
type AgentSource interface {
	// ReadAgentStates hands fn every stored state change, oldest first.
	ReadAgentStates(ctx context.Context, fn func(event.AgentStatus) error) error
}

// AgentReport is one agent's time in each state within a window, in
// seconds, and the calls it was on.
type AgentReport struct {
	Agent      string  `json:"agent"`
	AvailableS float64 `json:"available_s"`
	OnCallS    float64 `json:"on_call_s"`
	WrapUpS    float64 `json:"wrap_up_s"`
	AwayS      float64 `json:"away_s"`
	// Calls counts the calls the agent went on within the window.
	Calls int `json:"calls"`
}

// ReadAgentStates reads every stored state change from src.
func ReadAgentStates(ctx context.Context, src AgentSource) ([]event.AgentStatus, error) {
	var out []event.AgentStatus
	err := src.ReadAgentStates(ctx, func(s event.AgentStatus) error {
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the agents' states: %w", err)
	}
	return out, nil
}

// AgentTimes folds the state changes into each agent's time in each state
// between since (the start of the store when zero) and now: a state lasts
// from its change to the agent's next one, the last until now unless it
// is a sign-out. Agents with no time in the window are left out; the rest
// are ordered by name.
func AgentTimes(changes []event.AgentStatus, since, now time.Time) []AgentReport {
	byAgent := map[string][]event.AgentStatus{}
	for _, c := range changes {
		if c.Agent != "" {
			byAgent[c.Agent] = append(byAgent[c.Agent], c)
		}
	}
	var out []AgentReport
	for agent, cs := range byAgent {
		slices.SortStableFunc(cs, func(a, b event.AgentStatus) int { return a.Since.Compare(b.Since) })
		r := AgentReport{Agent: agent}
		seen := map[string]bool{}
		counted := false
		for i, c := range cs {
			end := now
			if i+1 < len(cs) {
				end = cs[i+1].Since
			}
			start := c.Since
			if !since.IsZero() && start.Before(since) {
				start = since
			}
			if end.After(now) {
				end = now
			}
			if c.State == event.AgentOnCall && c.CallID != "" && !seen[c.CallID] && !c.Since.Before(since) && !c.Since.After(now) {
				seen[c.CallID] = true
				r.Calls++
			}
			d := end.Sub(start).Seconds()
			if d <= 0 {
				continue
			}
			switch c.State {
			case event.AgentAvailable:
				r.AvailableS += d
			case event.AgentOnCall:
				r.OnCallS += d
			case event.AgentWrapUp:
				r.WrapUpS += d
			case event.AgentAway:
				r.AwayS += d
			default:
				continue
			}
			counted = true
		}
		if !counted && r.Calls == 0 {
			continue
		}
		for _, f := range []*float64{&r.AvailableS, &r.OnCallS, &r.WrapUpS, &r.AwayS} {
			*f = stats.Round(*f, 3)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b AgentReport) int { return cmp.Compare(a.Agent, b.Agent) })
	return out
}

// WriteAgentsJSON writes the agents as an indented JSON list.
func WriteAgentsJSON(w io.Writer, agents []AgentReport) error {
	if agents == nil {
		agents = []AgentReport{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(agents)
}

// WriteAgentsText writes the agents' table: time in each state as
// hours:minutes:seconds, and the calls.
func WriteAgentsText(w io.Writer, agents []AgentReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AGENT\tAVAILABLE\tON CALL\tWRAP-UP\tAWAY\tCALLS")
	for _, a := range agents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", termtext.Sanitize(a.Agent),
			FormatHMS(a.AvailableS), FormatHMS(a.OnCallS), FormatHMS(a.WrapUpS), FormatHMS(a.AwayS), a.Calls)
	}
	return tw.Flush()
}

// FormatHMS writes seconds as hours:minutes:seconds, rounded to the
// second.
func FormatHMS(seconds float64) string {
	s := int(seconds + 0.5)
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
