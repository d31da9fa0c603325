package event

import (
	"encoding/json"
	"testing"
	"time"
)

func TestVoiceStatusJSONFieldNames(t *testing.T) {
	s := VoiceStatus{Worker: "w1", Active: 3, Capacity: 4, Overflow: 1, HandedOver: 2, Refused: 5, TS: time.Unix(0, 0).UTC()}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"worker":"w1","active":3,"capacity":4,"overflow":1,"handed_over":2,"refused":5,"ts":"1970-01-01T00:00:00Z"}`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
	var back VoiceStatus
	if err := json.Unmarshal(data, &back); err != nil || back != s {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func TestSumVoice(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	a := VoiceStatus{Worker: "a", Active: 3, Capacity: 4, Overflow: 1, HandedOver: 2, Refused: 1, TS: t0}
	b := VoiceStatus{Worker: "b", Active: 4, Capacity: 4, Refused: 6, TS: t0.Add(time.Second)}
	unbounded := VoiceStatus{Worker: "c", Active: 9, TS: t0}
	for _, tt := range []struct {
		name string
		in   []VoiceStatus
		want VoiceStatus
		full bool
	}{
		{"none", nil, VoiceStatus{}, false},
		{"one", []VoiceStatus{a}, VoiceStatus{Active: 3, Capacity: 4, Overflow: 1, HandedOver: 2, Refused: 1, TS: t0}, false},
		{"two, one full", []VoiceStatus{a, b}, VoiceStatus{Active: 7, Capacity: 8, Overflow: 1, HandedOver: 2, Refused: 7, TS: t0.Add(time.Second)}, false},
		{"every slot taken", []VoiceStatus{b, b}, VoiceStatus{Active: 8, Capacity: 8, Refused: 12, TS: b.TS}, true},
		{"one without a bound", []VoiceStatus{b, unbounded}, VoiceStatus{Active: 13, Refused: 6, TS: b.TS}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := SumVoice(tt.in...)
			if got != tt.want {
				t.Errorf("SumVoice = %+v, want %+v", got, tt.want)
			}
			if got.Full() != tt.full {
				t.Errorf("Full() = %v, want %v", got.Full(), tt.full)
			}
		})
	}
}
