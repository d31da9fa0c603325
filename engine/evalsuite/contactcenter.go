package evalsuite

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/samples"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// The contact-center groups measure the embedded model on the project's
// own hand-labelled set and scripted calls (assist/eval/contactcenter, in
// the repository, read from Options.ContactSet) and, for the alerts, the
// bundled sample calls.

// DefaultContactSet is where the contact-center set sits, relative to the
// repository root that `make eval` runs from.
const DefaultContactSet = "assist/eval/contactcenter"

func (s *suite) contactSet(name string) string {
	dir := s.opts.ContactSet
	if dir == "" {
		dir = DefaultContactSet
	}
	return filepath.Join(dir, name)
}

var contactCenterGroup = group{
	name: "contactcenter",
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		m, err := assist.EmbeddedEmotionModel()
		if err != nil {
			return nil, err
		}
		path := s.contactSet("turns.jsonl")
		var rows []Row
		for _, split := range eval.ContactSplits {
			cmd := "assist eval sentiment --format contactcenter --test " + DefaultContactSet + "/turns.jsonl --split " + split
			set, err := eval.ContactSentiment(path, split, false)
			if err != nil {
				return nil, fmt.Errorf("%w (run from the repository root, or set the set's folder)", err)
			}
			for _, c := range []eval.Classifier{eval.ModelClassifier(m), eval.NewVader()} {
				rep, err := eval.Sentiment(c, set)
				if err != nil {
					return nil, err
				}
				name, suffix := m.Name()+", each turn after the agent's reply", ""
				if c.Name() == "vader" {
					name, suffix = "VADER", " --baseline vader"
				}
				rows = append(rows, Row{
					Figure:  fmt.Sprintf("contact-center set, %s half, %d hand-labelled customer turns, %s", split, rep.N, name),
					Command: cmd + suffix, Value: sentimentValue(rep), Figures: rep,
				})
			}
			gset, err := eval.ContactSentiment(path, split, true)
			if err != nil {
				return nil, err
			}
			rep, err := eval.Gauges(m, gset)
			if err != nil {
				return nil, err
			}
			rows = append(rows, Row{
				Figure:  fmt.Sprintf("contact-center set, %s half: the top gauge against the labelled one (%d turns)", split, rep.N),
				Command: cmd + " --gauges", Value: gaugeValue(rep), Figures: rep,
			})
		}
		return rows, nil
	},
}

// gaugeValue sums up a gauge report: accuracy, macro-F1 and each gauge's F1.
func gaugeValue(rep eval.SentimentReport) string {
	var f1 []string
	for _, g := range assist.Emotions {
		if v, ok := rep.F1[g]; ok {
			f1 = append(f1, fmt.Sprintf("%s %.2f", g, v))
		}
	}
	return fmt.Sprintf("accuracy %s, macro-F1 %s (%s)", frac(rep.Accuracy), frac(rep.MacroF1), strings.Join(f1, ", "))
}

var alertsGroup = group{
	name: "alerts",
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		m, err := assist.EmbeddedEmotionModel()
		if err != nil {
			return nil, err
		}
		expect, err := eval.ReadExpectedAlerts(s.contactSet("alerts.jsonl"))
		if err != nil {
			return nil, fmt.Errorf("%w (run from the repository root, or set the set's folder)", err)
		}
		calls, _, err := transcript.LoadFile(s.contactSet("calls.jsonl"), transcript.FormatAuto)
		if err != nil {
			return nil, err
		}
		names, err := fs.Glob(samples.FS, "*.jsonl")
		if err != nil {
			return nil, err
		}
		args := ""
		for _, n := range names {
			got, _, err := transcript.LoadFS(samples.FS, n, transcript.FormatAuto)
			if err != nil {
				return nil, err
			}
			calls = append(calls, got...)
			args += " --calls engine/samples/" + n
		}
		rep, err := eval.Alerts(m, alertCalls(calls), expect)
		if err != nil {
			return nil, err
		}
		return []Row{{
			Figure:  fmt.Sprintf("alerts on %d calls (the samples and the contact-center set's scripted calls) against the ones expected", rep.Calls),
			Command: "assist eval alerts" + args + " --calls " + DefaultContactSet + "/calls.jsonl --expect " + DefaultContactSet + "/alerts.jsonl",
			Value: fmt.Sprintf("%d of %d expected alerts raised, %d false, %d after a de-escalation",
				rep.Matched, rep.Expected, rep.False, rep.AfterDeescalation),
			Figures: rep,
		}}, nil
	},
}

// alertCalls turns transcripts into the calls eval.Alerts replays.
func alertCalls(calls []transcript.Call) []eval.AlertCall {
	out := make([]eval.AlertCall, 0, len(calls))
	for _, c := range calls {
		ac := eval.AlertCall{ID: c.ID}
		for _, u := range c.Utterances {
			ac.Turns = append(ac.Turns, assist.Turn{Speaker: u.Speaker, Text: u.Text})
		}
		out = append(out, ac)
	}
	return out
}
