package evalsuite

import (
	"context"
	"fmt"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/internal/datasets"
)

// The flows group runs `assist eval flows` (eval.Flows) on the ABCD sample
// chats, with the guidelines beside them.

const (
	abcdDir    = "abcd_guidelines"
	abcdSample = abcdDir + "/abcd_sample.json"
)

var flowsGroup = group{
	name:  "flows",
	needs: []string{abcdSample, abcdDir + "/" + datasets.ABCDGuidelinesFile, abcdDir + "/kb.json", abcdDir + "/ontology.json"},
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		all, err := flows.LoadABCD(s.data(abcdDir))
		if err != nil {
			return nil, err
		}
		chats, err := eval.LoadABCDChats(s.data(abcdSample))
		if err != nil {
			return nil, err
		}
		rep, err := eval.Flows(ctx, all, chats, nil)
		if err != nil {
			return nil, err
		}
		hits := int(rep.NextActionAccuracy*float64(rep.NextActionN) + 0.5)
		return []Row{{
			Figure:  fmt.Sprintf("guided flows: the %d ABCD sample chats through the tracker of the %d ABCD subflows", rep.N, len(all)),
			Command: "assist eval flows --data " + dataArg(abcdSample),
			Value: fmt.Sprintf("flow accuracy %s, subflow accuracy %s; median %g turns to the right subflow (never right: %d); next action %d of %d (%s)",
				frac(rep.FlowAccuracy), frac(rep.SubflowAccuracy), rep.TurnsToCorrectMedian, rep.NeverCorrect, hits, rep.NextActionN, frac(rep.NextActionAccuracy)),
			Figures: rep,
		}}, nil
	},
}
