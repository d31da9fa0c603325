package evalsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/assist/flows"
)

// FlowsOptions configure 'assist eval flows'.
type FlowsOptions struct {
	// Data is the ABCD conversations, a JSON list like abcd_sample.json;
	// Guidelines the folder of guidelines.json, kb.json and ontology.json.
	Data, Guidelines string
	// Bundled measures step ticks instead (Steps): on Calls against the
	// annotations in Steps, the bundled calls and theirs when empty.
	Bundled      bool
	Steps, Calls string
	// Out receives a row per chat, then the report as a line of JSON;
	// ErrOut what was read.
	Out, ErrOut io.Writer
}

// Flows measures guided-flow tracking on the ABCD conversations (see
// eval.Flows).
func Flows(ctx context.Context, o *FlowsOptions) error {
	all, err := flows.LoadABCD(o.Guidelines)
	if err != nil {
		return fmt.Errorf("%w (set --guidelines to the ABCD guidelines folder)", err)
	}
	chats, err := eval.LoadABCDChats(o.Data)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "eval flows: %d flows from %s, %d conversations\n", len(all), o.Guidelines, len(chats))
	tw := tabwriter.NewWriter(o.Out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, eval.ChatTableHeader)
	rep, err := eval.Flows(ctx, all, chats, func(res flows.ChatResult) { fmt.Fprintln(tw, eval.ChatRow(res)) })
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "chats never on the right subflow count as their length: %d of %d\n", rep.NeverCorrect, rep.N)
	return json.NewEncoder(o.Out).Encode(rep)
}
