package eval

import (
	"testing"

	"github.com/larkspur-labs/assist/assist/flows"
)

func TestReportLines(t *testing.T) {
	r := IntentReport{Top1: 0.9, Top3: 0.97, FullTextTop1: 0.7, FullTextTop3: 0.85}
	if got, want := r.Summary(), "fused:     top-1 0.9000  top-3 0.9700\nfull text: top-1 0.7000  top-3 0.8500"; got != want {
		t.Errorf("intent summary %q, want %q", got, want)
	}
	f := ASRFile{Path: "/data/clips/a.wav", Text: "he was not", Edits: 1, Words: 4}
	if got, want := f.String(), `a.wav: wer 0.250 (1/4)  "he was not"`; got != want {
		t.Errorf("asr line %q, want %q", got, want)
	}
	res := flows.ChatResult{ID: "7", Flow: "order", Subflow: "status", PredFlow: "order", PredSubflow: "status", Utterances: 9, TurnsToCorrect: 3, NextHits: 2, NextN: 4}
	if got, want := ChatRow(res), "7\torder\tstatus\torder/status\ttrue\t3\t9\t2/4"; got != want {
		t.Errorf("chat row %q, want %q", got, want)
	}
	if got := ChatRow(flows.ChatResult{ID: "8", Flow: "order", Subflow: "status"}); got != "8\torder\tstatus\t-\tfalse\t0\t0\t0/0" {
		t.Errorf("no prediction: %q", got)
	}
}
