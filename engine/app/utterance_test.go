package app

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
)

func TestUtteranceLineAndJSON(t *testing.T) {
	u := Utterance{Hypothesis: audio.Hypothesis{Text: "ask not", Final: true, Start: 5210 * time.Millisecond, End: 61*time.Second + 70*time.Millisecond}, Channel: 1}
	if got, want := u.Line(1), "00:05.21–01:01.07  ask not"; got != want {
		t.Errorf("mono line %q, want %q", got, want)
	}
	if got, want := u.Line(2), "00:05.21–01:01.07  ch1  ask not"; got != want {
		t.Errorf("stereo line %q, want %q", got, want)
	}
	data, err := json.Marshal(u)
	if want := `{"channel":1,"start_ms":5210,"end_ms":61070,"text":"ask not"}`; err != nil || string(data) != want {
		t.Errorf("JSON %s, %v; want %s", data, err, want)
	}
}
