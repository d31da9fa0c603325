package event

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"
)

func TestWriterEscapesEveryControlCharacter(t *testing.T) {
	hostile := "a\x1b[31mred\x07 \u009b2J csi \u0085nel \x7fdel \u00a0nbsp <b>"
	e := Event{Kind: KindFinal, CallID: "c\u009b1", Seq: 1, TS: time.Unix(0, 0),
		Payload: Utterance{UtteranceID: "u1", Speaker: SpeakerCustomer, Text: hostile, Final: true}}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.Write(e); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	line := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	for len(line) > 0 {
		r, n := utf8.DecodeRune(line)
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("raw control character %U in %s", r, buf.Bytes())
		}
		line = line[n:]
	}
	var back Event
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Payload.(Utterance).Text; got != hostile {
		t.Errorf("text = %q, want %q", got, hostile)
	}
	if back.CallID != e.CallID {
		t.Errorf("call id = %q, want %q", back.CallID, e.CallID)
	}
}

func TestWriteStreamWritesUntilTheChannelCloses(t *testing.T) {
	events := make(chan Event, 3)
	for i := range 3 {
		events <- Event{Kind: KindAlert, CallID: "c", Seq: uint64(i + 1), TS: time.Unix(0, 0), Payload: Alert{Type: "t", Severity: SeverityInfo, Reason: "r"}}
	}
	close(events)
	var buf bytes.Buffer
	if err := WriteStream(context.Background(), &buf, events); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	n := 0
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		if e.Seq != uint64(n) {
			t.Errorf("line %d has seq %d", n, e.Seq)
		}
	}
	if n != 3 {
		t.Errorf("%d lines, want 3", n)
	}
}
