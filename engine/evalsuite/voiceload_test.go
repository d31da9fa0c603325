package evalsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
)

// TestVoiceLoadServesRealCalls runs the voice load on two short clips of
// pocketsphinx-testdata: three calls, two at a time, so two batches. It
// checks what was served and measured, not how fast: that depends on the
// machine.
func TestVoiceLoadServesRealCalls(t *testing.T) {
	sphinxtest.Recognizer(t) // skips without PocketSphinx and its test clips
	var out, errOut bytes.Buffer
	cards := filepath.Join(SphinxTestData, "cards")
	err := VoiceLoad(context.Background(), &VoiceLoadOptions{
		Calls: 3, Concurrent: 2,
		WAVs: []string{filepath.Join(cards, "001.wav"), filepath.Join(cards, "003.wav")},
		Out:  &out, ErrOut: &errOut,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var rep VoiceLoadReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not the report: %v\n%s", err, out.String())
	}
	// Each call: both clips on each track, one after the other.
	if rep.Calls != 3 || rep.Concurrent != 2 || rep.Utterances != 12 || rep.ClientErrors != 0 {
		t.Errorf("served %+v, want 3 calls of 4 utterances, 2 at a time, no errors", rep)
	}
	if len(rep.RSSBatchesMB) != 2 || rep.RSSBaseMB <= 0 || rep.RSSWarmMB <= rep.RSSBaseMB || rep.RSSPeakMB < rep.RSSBatchesMB[0] {
		t.Errorf("memory %+v, want two batches, over the base once decoders are warm", rep)
	}
	if rep.Warmed != 4 || rep.Finals == 0 || rep.LagMSP99 < rep.LagMSP50 || rep.LagMSMax < rep.LagMSP99 {
		t.Errorf("warmed %d decoders, %d finals, lag p50 %v p99 %v max %v", rep.Warmed, rep.Finals, rep.LagMSP50, rep.LagMSP99, rep.LagMSMax)
	}
	if !strings.Contains(out.String(), "per concurrent call") || strings.Count(errOut.String(), "eval voice-load: batch") != 2 {
		t.Errorf("summary or batch lines missing:\n%s\n%s", out.String(), errOut.String())
	}
}

func TestVoiceLoadRefusesBadOptions(t *testing.T) {
	for _, o := range []VoiceLoadOptions{
		{Calls: 0, Concurrent: 1},
		{Calls: 1, Concurrent: 0},
		{Calls: 1, Concurrent: 1, WAVs: []string{"one.wav"}},
		{Sweep: []int{2, 0}},
	} {
		if err := VoiceLoad(context.Background(), &o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
