package eval

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/stats"
)

// LoadABCDChats reads a JSON list of ABCD chats (abcd_sample.json, a split
// of abcd_v1.1.json) for replay: each chat's scenario labels and its
// delexicalised turns. A chat without a subflow or turns is an error.
func LoadABCDChats(path string) ([]flows.Chat, error) {
	records, err := datasets.Load(path, func(name string, r io.Reader) ([]datasets.ABCDChat, error) {
		return datasets.ReadABCDChats(name, r, nil)
	})
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("eval flows: %s holds no conversations", path)
	}
	chats := make([]flows.Chat, 0, len(records))
	for i, r := range records {
		if r.Subflow == "" || len(r.Delexed) == 0 {
			return nil, fmt.Errorf("%s:%d: conversation %d (convo_id %s): no scenario.subflow or no delexed turns", path, r.Line, i+1, r.ConvoID)
		}
		c := flows.Chat{ID: r.ConvoID, Flow: r.Flow, Subflow: r.Subflow}
		for _, t := range r.Delexed {
			c.Turns = append(c.Turns, flows.ChatTurn(t))
		}
		chats = append(chats, c)
	}
	return chats, nil
}

// FlowsReport holds the figures of a guided-flow evaluation.
type FlowsReport struct {
	// N is the number of chats.
	N int `json:"n"`
	// FlowAccuracy and SubflowAccuracy compare the tracker's flow at the
	// end of each chat with the chat's scenario.
	FlowAccuracy    float64 `json:"flow_accuracy"`
	SubflowAccuracy float64 `json:"subflow_accuracy"`
	// TurnsToCorrectMedian is the median first utterance index from which
	// the subflow is right to the end; a chat never right counts as its
	// length.
	TurnsToCorrectMedian float64 `json:"turns_to_correct_subflow_median"`
	// NeverCorrect counts the chats that counted as their length.
	NeverCorrect int `json:"never_correct"`
	// NextActionAccuracy is, over all NextActionN action turns, how often
	// the tracker's next step was the action taken.
	NextActionAccuracy float64 `json:"next_action_accuracy"`
	NextActionN        int     `json:"next_action_n"`
	// ObserveUS is the mean time per observed turn, in µs.
	ObserveUS float64 `json:"observe_us"`
}

// Flows replays every chat through a tracker of all (flows.ReplayChat) and
// scores it. each, when not nil, gets every chat's result in order.
func Flows(ctx context.Context, all []flows.Flow, chats []flows.Chat, each func(flows.ChatResult)) (FlowsReport, error) {
	m := flows.NewTextMatcher(all)
	var (
		rep                 FlowsReport
		turns               []float64
		flowOK, subOK, hits int
		elapsed             time.Duration
		nTurns              int
	)
	for _, c := range chats {
		if err := ctx.Err(); err != nil {
			return FlowsReport{}, err
		}
		start := time.Now()
		res := flows.ReplayChat(all, m, c)
		elapsed += time.Since(start)
		nTurns += len(c.Turns)
		if res.PredSubflow == res.Subflow {
			subOK++
		}
		if res.PredFlow == res.Flow {
			flowOK++
		}
		if res.TurnsToCorrect >= res.Utterances {
			rep.NeverCorrect++
		}
		turns = append(turns, float64(res.TurnsToCorrect))
		hits += res.NextHits
		rep.NextActionN += res.NextN
		if each != nil {
			each(res)
		}
	}
	n := float64(len(chats))
	rep.N = len(chats)
	rep.FlowAccuracy = stats.Round(float64(flowOK)/n, 4)
	rep.SubflowAccuracy = stats.Round(float64(subOK)/n, 4)
	rep.TurnsToCorrectMedian = stats.Median(turns)
	if rep.NextActionN > 0 {
		rep.NextActionAccuracy = stats.Round(float64(hits)/float64(rep.NextActionN), 4)
	}
	if nTurns > 0 {
		rep.ObserveUS = stats.Round(float64(elapsed.Microseconds())/float64(nTurns), 4)
	}
	return rep, nil
}
