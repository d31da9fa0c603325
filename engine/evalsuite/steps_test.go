package evalsuite

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// TestStepsOnAnnotatedCalls replays the bundled calls and the Harper
// Valley sample against their annotations: every annotated call and
// utterance must exist, and the report must count what the rows show.
func TestStepsOnAnnotatedCalls(t *testing.T) {
	for _, o := range []FlowsOptions{
		{Bundled: true},
		{Bundled: true, Steps: "testdata/hvb_steps.json", Calls: datasetstest.Sample(t, "hvb/hvb_sample_conversations.jsonl")},
	} {
		var out, errOut bytes.Buffer
		o.Out, o.ErrOut = &out, &errOut
		if err := Steps(&o); err != nil {
			t.Fatalf("%s: %v", o.Steps, err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var rep eval.StepsReport
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
			t.Fatalf("%s: last line %q: %v", o.Steps, lines[len(lines)-1], err)
		}
		ok := 0
		for _, l := range lines[1 : len(lines)-1] {
			if f := strings.Fields(l); f[len(f)-1] == "ok" || f[len(f)-1] == "late" {
				ok++
			}
		}
		if rep.Calls != 4 || rep.Done == 0 || rep.Ticks < ok || rep.Precision != round3(float64(ok)/float64(max(rep.Ticks, 1))) {
			t.Errorf("%s: report %+v against %d right rows", o.Steps, rep, ok)
		}
	}
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// TestRepliesOnAnnotatedCalls ranks the bundled calls' annotated turns
// without the encoder: every annotated call, utterance and article must
// exist, and the report must count what the rows show.
func TestRepliesOnAnnotatedCalls(t *testing.T) {
	for _, o := range []RepliesOptions{
		{},
		{Replies: "testdata/hvb_replies.json", Calls: datasetstest.Sample(t, "hvb/hvb_sample_conversations.jsonl")},
	} {
		checkReplies(t, o)
	}
}

// checkReplies runs `eval replies` and checks its report against its rows.
func checkReplies(t *testing.T, o RepliesOptions) {
	t.Helper()
	var out, errOut bytes.Buffer
	o.Out, o.ErrOut = &out, &errOut
	if err := Replies(t.Context(), &o); err != nil {
		t.Fatalf("%s: %v", o.Replies, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var rep eval.RepliesReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	top1 := 0
	for _, l := range lines[1 : len(lines)-1] {
		if f := strings.Fields(l); f[len(f)-1] == "ok" && f[2] != eval.NoArticle {
			top1++
		}
	}
	if rep.Calls != 4 || rep.ArticleTurns == 0 || rep.ArticleTurns+rep.NoneTurns != len(lines)-2 || rep.Top1 != round3(float64(top1)/float64(rep.ArticleTurns)) {
		t.Errorf("%s: report %+v against %d rows, %d right on an article", o.Replies, rep, len(lines)-2, top1)
	}
}
