package samples

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
)

// header is the first line of a call file.
type header struct {
	Type     string `json:"type"`
	CallID   string `json:"call_id"`
	Title    string `json:"title"`
	Queue    string `json:"queue"`
	Agent    string `json:"agent"`
	Customer string `json:"customer"`
	Channel  string `json:"channel"`
}

// utterance is every later line.
type utterance struct {
	Offset   *float64 `json:"offset"`
	Duration *float64 `json:"duration"`
	Speaker  string   `json:"speaker"`
	Text     string   `json:"text"`
}

// TestSampleCallsAreWellFormed checks the replayed samples and the chat
// calls simulate plays: their format, ids unique across both, and their
// size; a chat call has fewer, shorter turns than a phone call.
func TestSampleCallsAreWellFormed(t *testing.T) {
	ids := map[string]string{}
	for _, set := range []struct {
		fsys    fs.FS
		glob    string
		minUtts int
		channel string // "" for either
	}{
		{FS, "*.jsonl", 15, ""},
		{ChatFS, "chat/*.jsonl", 12, "chat"},
	} {
		checkSampleCalls(t, set.fsys, set.glob, set.minUtts, set.channel, ids)
	}
}

func checkSampleCalls(t *testing.T, fsys fs.FS, glob string, minUtts int, channel string, ids map[string]string) {
	names, err := fs.Glob(fsys, glob)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 3 {
		t.Fatalf("%s: %d calls, want at least 3", glob, len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			if !sc.Scan() {
				t.Fatal("empty file")
			}
			var h header
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&h); err != nil {
				t.Fatalf("line 1: %v", err)
			}
			if h.Type != "call" || h.CallID == "" || h.Title == "" || h.Queue == "" || h.Agent == "" || h.Customer == "" {
				t.Errorf("line 1: incomplete call header %+v", h)
			}
			if h.Channel != "voice" && h.Channel != "chat" || channel != "" && h.Channel != channel {
				t.Errorf("line 1: channel %q, want %s", h.Channel, cmp.Or(channel, "voice or chat"))
			}
			if other, dup := ids[h.CallID]; dup {
				t.Errorf("call id %s also used by %s", h.CallID, other)
			}
			ids[h.CallID] = name

			var n, customer int
			var lastOffset, end float64
			for line := 2; sc.Scan(); line++ {
				var u utterance
				dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&u); err != nil {
					t.Fatalf("line %d: %v", line, err)
				}
				switch {
				case u.Offset == nil || u.Duration == nil:
					t.Errorf("line %d: offset and duration are required", line)
					continue
				case *u.Offset < lastOffset:
					t.Errorf("line %d: offset %.1f before the previous %.1f", line, *u.Offset, lastOffset)
				case *u.Duration <= 0:
					t.Errorf("line %d: duration %.1f, want > 0", line, *u.Duration)
				case u.Speaker != "customer" && u.Speaker != "agent":
					t.Errorf("line %d: speaker %q", line, u.Speaker)
				case strings.TrimSpace(u.Text) == "":
					t.Errorf("line %d: empty text", line)
				}
				lastOffset, end = *u.Offset, *u.Offset+*u.Duration
				n++
				if u.Speaker == "customer" {
					customer++
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if n < minUtts || n > 30 {
				t.Errorf("%d utterances, want %d to 30", n, minUtts)
			}
			if customer < 5 {
				t.Errorf("%d customer utterances, want at least 5", customer)
			}
			if end < 120 || end > 300 {
				t.Errorf("call lasts %.0f s, want 2 to 5 minutes", end)
			}
		})
	}
}
