package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/larkspur-labs/assist/internal/atomicfile"
)

// StoredCalls choose the stored calls export and report read: the service
// that keeps them, how far back, and which queue.
type StoredCalls struct {
	Service ServiceAddress
	// Since reads the calls that started within this long ago; every
	// stored call when zero.
	Since time.Duration
	// Queue reads the calls of this queue only, when not empty.
	Queue string
	// Analyst, when set, reads as that analyst through the service's API
	// instead of as the service user from the store itself.
	Analyst string
}

// read folds the stored calls in the window, as the service user name,
// and returns them with the window's start.
func (s StoredCalls) read(ctx context.Context, name string) ([]*event.CallRecord, time.Time, error) {
	since := export.Since(nil, s.Since)
	calls, err := ReadCalls(ctx, s.Service, name, s.Analyst, since, s.Queue)
	return calls, since, err
}

// ExportOptions configure 'assist export'.
type ExportOptions struct {
	StoredCalls
	// Format is export.FormatJSONL or export.FormatCSV.
	Format string
	// Output is the file written; stdout when empty or "-".
	Output string
	// Redact lists the kinds of personal data removed from the exported
	// text; nothing is removed when empty.
	Redact []redact.Kind
	// Out receives the calls without Output; ErrOut what was exported.
	Out, ErrOut io.Writer
}

// Export writes the stored calls with their transcripts and suggestions,
// redacted, as JSONL or CSV, then says how many it wrote where.
func Export(ctx context.Context, o *ExportOptions) error {
	var r *redact.Redactor // nil redacts nothing
	if len(o.Redact) > 0 {
		var err error
		if r, err = redact.New(redact.Config{Kinds: o.Redact}); err != nil {
			return err
		}
	}
	calls, since, err := o.read(ctx, "export")
	if err != nil {
		return err
	}
	export.Redact(calls, r)
	// Call transcripts are personal data: the file is its owner's only.
	if err := atomicfile.WriteOutput(o.Output, 0o600, o.Out, func(w io.Writer) error { return export.Write(w, o.Format, calls) }); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(calls) == 0 {
		fmt.Fprintln(o.ErrOut, export.NoCallsLine(since, o.Queue))
		return nil
	}
	dest := "stdout"
	if o.Output != "" && o.Output != "-" {
		dest = o.Output
	}
	fmt.Fprintf(o.ErrOut, "exported %d calls, %d utterances, to %s\n", len(calls), export.Turns(calls), dest)
	return nil
}

// ReportOptions configure 'assist report'.
type ReportOptions struct {
	StoredCalls
	// JSON prints a JSON list, one object per queue (per agent with
	// Agents), instead of a table.
	JSON bool
	// Agents reports each agent's time in each state instead of the
	// queues; the text report ends with it anyway.
	Agents bool
	// Out receives the report; ErrOut, with JSON, the line saying there
	// were no calls.
	Out, ErrOut io.Writer
}

// Report summarises the stored calls per queue: volume, handling time,
// sentiment, intents and acceptance.
func Report(ctx context.Context, o *ReportOptions) error {
	if o.Agents {
		return reportAgents(ctx, o)
	}
	calls, since, err := o.read(ctx, "report")
	if err != nil {
		return err
	}
	queues := export.Report(calls)
	if o.JSON {
		if len(queues) == 0 {
			fmt.Fprintln(o.ErrOut, export.NoCallsLine(since, o.Queue))
		}
		if err := export.WriteReportJSON(o.Out, queues); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return nil
	}
	if len(queues) == 0 {
		fmt.Fprintln(o.Out, export.NoCallsLine(since, o.Queue))
		return nil
	}
	if err := export.WriteReportText(o.Out, queues, since); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	agents, err := o.agentTimes(ctx, since)
	if err != nil || len(agents) == 0 {
		return err
	}
	fmt.Fprintln(o.Out)
	fmt.Fprintln(o.Out, "Agents: time in each state")
	if err := export.WriteAgentsText(o.Out, agents); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// reportAgents writes each agent's time in each state in the window.
func reportAgents(ctx context.Context, o *ReportOptions) error {
	since := export.Since(nil, o.Since)
	agents, err := o.agentTimes(ctx, since)
	if err != nil {
		return err
	}
	if o.JSON {
		return export.WriteAgentsJSON(o.Out, agents)
	}
	if len(agents) == 0 {
		fmt.Fprintln(o.Out, "no agent states in the store")
		return nil
	}
	return export.WriteAgentsText(o.Out, agents)
}

// agentTimes reads the agents' stored states and folds them over the
// window from since to now.
func (s StoredCalls) agentTimes(ctx context.Context, since time.Time) ([]export.AgentReport, error) {
	changes, err := ReadAgentStates(ctx, s.Service, "report", s.Analyst)
	if err != nil {
		return nil, err
	}
	return export.AgentTimes(changes, since, time.Now()), nil
}
