package evalsuite

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// AlertsOptions configure 'assist eval alerts'.
type AlertsOptions struct {
	// Calls are transcript files (any format transcript reads) and Expect
	// the JSON-lines file of the alerts each call should raise.
	Calls  []string
	Expect string
	// Models is a folder of polarity.model and gauges.model to use instead
	// of the embedded ones.
	Models string
	// Out receives a line per difference, then the report as a line of
	// JSON; ErrOut what was read.
	Out, ErrOut io.Writer
}

// Alerts replays calls through the sentiment model and the alert rules and
// compares the alerts raised with the expected ones (see eval.Alerts).
func Alerts(o *AlertsOptions) error {
	expect, err := eval.ReadExpectedAlerts(o.Expect)
	if err != nil {
		return err
	}
	m, err := eval.EmotionModel(o.Models)
	if err != nil {
		return err
	}
	var calls []eval.AlertCall
	for _, path := range o.Calls {
		got, warns, err := transcript.LoadFile(path, transcript.FormatAuto)
		if err != nil {
			return err
		}
		for _, w := range warns {
			fmt.Fprintln(o.ErrOut, "warning:", w)
		}
		calls = append(calls, alertCalls(got)...)
	}
	fmt.Fprintf(o.ErrOut, "eval alerts: %s on %d calls, expectations for %d\n", m.Name(), len(calls), len(expect))
	rep, err := eval.Alerts(m, calls, expect)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(o.Out, "%s turn %d: %s %s  %q\n", p.CallID, p.Turn, p.What, p.Type, p.Text)
	}
	return json.NewEncoder(o.Out).Encode(rep)
}
