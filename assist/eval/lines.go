package eval

import (
	"fmt"
	"path/filepath"

	"github.com/larkspur-labs/assist/assist/flows"
)

// Summary compares the fused ranker with full text alone, on two lines.
func (r IntentReport) Summary() string {
	return fmt.Sprintf("fused:     top-1 %.4f  top-3 %.4f\nfull text: top-1 %.4f  top-3 %.4f",
		r.Top1, r.Top3, r.FullTextTop1, r.FullTextTop3)
}

// String is the file's line in a speech-recognition run: its name, word
// error rate, edits over reference words, and what was recognised.
func (f ASRFile) String() string {
	return fmt.Sprintf("%s: wer %.3f (%d/%d)  %q", filepath.Base(f.Path), f.WER(), f.Edits, f.Words, f.Text)
}

// ChatTableHeader heads a table of ChatRow lines.
const ChatTableHeader = "convo\tflow\tsubflow\tpredicted\tok\tturns_to_correct\tutterances\tnext_action"

// ChatRow is a chat's row in the table of a flows run, its columns
// separated by tabs: id, flow and subflow, the predicted flow/subflow (-
// for none), whether the subflow is right, turns to the right subflow,
// utterances, and next-step hits over action turns.
func ChatRow(res flows.ChatResult) string {
	pred := res.PredFlow + "/" + res.PredSubflow
	if res.PredSubflow == "" {
		pred = "-"
	}
	return fmt.Sprintf("%s\t%s\t%s\t%s\t%v\t%d\t%d\t%d/%d", res.ID, res.Flow, res.Subflow, pred, res.PredSubflow == res.Subflow,
		res.TurnsToCorrect, res.Utterances, res.NextHits, res.NextN)
}
