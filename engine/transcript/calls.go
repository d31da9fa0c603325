package transcript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// The project's JSONL call format. A file holds one or more calls; each
// starts with a header line and continues with one line per utterance:
//
//	{"type":"call","call_id":"demo-1","title":"Card lost","queue":"cards","agent":"Maya","customer":"Jo","channel":"voice"}
//	{"offset":1.2,"duration":2.5,"speaker":"agent","text":"Larkspur Bank, this is Maya."}
//	{"offset":4.0,"duration":3.1,"speaker":"customer","text":"Hi, I lost my card."}
//
// offset and duration are seconds; without offset an utterance follows the
// previous one after a short pause, and without duration its length is
// estimated from its words. Utterance lines before any header belong to a
// call named after the file.
type callLine struct {
	Type     string   `json:"type"`
	CallID   string   `json:"call_id"`
	Title    string   `json:"title"`
	Queue    string   `json:"queue"`
	Agent    string   `json:"agent"`
	Customer string   `json:"customer"`
	Channel  string   `json:"channel"`
	Offset   *float64 `json:"offset"`
	Duration *float64 `json:"duration"`
	Speaker  string   `json:"speaker"`
	Text     *string  `json:"text"`
}

func parseCalls(name string, data []byte) ([]Call, []Warning) {
	var (
		calls []Call
		warns []Warning
		cur   *Call
		clock timeline
	)
	warn := func(line int, format string, args ...any) {
		warns = append(warns, Warning{name, line, fmt.Sprintf(format, args...)})
	}
	for i, raw := range lines(data) {
		n := i + 1
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if !utf8.Valid(raw) {
			// encoding/json replaces the bad bytes; say so.
			warn(n, "invalid UTF-8 replaced")
		}
		var l callLine
		if err := json.Unmarshal(raw, &l); err != nil {
			warn(n, "malformed JSON (%v); line skipped", shortErr(err))
			continue
		}
		switch l.Type {
		case "call":
			calls = append(calls, Call{
				ID: l.CallID, Title: l.Title, Queue: l.Queue, Agent: l.Agent,
				Customer: l.Customer, Channel: l.Channel,
			})
			cur = &calls[len(calls)-1]
			if cur.ID == "" {
				cur.ID = fmt.Sprintf("%s-%d", baseName(name), len(calls))
			}
			if cur.Channel == "" {
				cur.Channel = "voice"
			} else if cur.Channel != "voice" && cur.Channel != "chat" {
				warn(n, "unknown channel %q; using voice", cur.Channel)
				cur.Channel = "voice"
			}
			clock = timeline{}
			continue
		case "", "utterance":
		default:
			warn(n, "unknown line type %q; line skipped", l.Type)
			continue
		}
		speaker, ok := normalizeSpeaker(l.Speaker)
		if !ok {
			warn(n, "unknown speaker %q (want customer or agent); line skipped", l.Speaker)
			continue
		}
		if l.Text == nil {
			warn(n, "utterance has no text; line skipped")
			continue
		}
		text, problems := cleanText(*l.Text)
		for _, p := range problems {
			warn(n, "%s", p)
		}
		if text == "" {
			warn(n, "empty utterance; line skipped")
			continue
		}
		if cur == nil {
			calls = append(calls, Call{ID: baseName(name), Title: baseName(name), Channel: "voice"})
			cur = &calls[len(calls)-1]
		}
		u, problem := clock.place(l.Offset, l.Duration, text)
		if problem != "" {
			warn(n, "%s", problem)
		}
		u.Speaker, u.Text = speaker, text
		cur.Utterances = append(cur.Utterances, u)
	}
	return calls, warns
}

// timeline places utterances in time, filling in missing offsets and
// durations and keeping offsets from running backwards.
type timeline struct {
	lastOffset, lastEnd float64
	started             bool
}

func (t *timeline) place(offset, duration *float64, text string) (Utterance, string) {
	var problem string
	var u Utterance
	switch {
	case offset == nil:
		u.Offset = t.next()
	case *offset < 0:
		problem = fmt.Sprintf("negative offset %.2f; placed after the previous utterance", *offset)
		u.Offset = t.next()
	case t.started && *offset < t.lastOffset:
		problem = fmt.Sprintf("offset %.2f runs backwards; moved to %.2f", *offset, t.lastOffset)
		u.Offset = t.lastOffset
	default:
		u.Offset = *offset
	}
	if duration != nil && *duration > 0 {
		u.Duration = *duration
	} else {
		u.Duration = estimateDuration(text)
	}
	t.started = true
	t.lastOffset = u.Offset
	t.lastEnd = max(t.lastEnd, u.End())
	return u, problem
}

func (t *timeline) next() float64 {
	if !t.started {
		return 0
	}
	return t.lastEnd + turnGapSeconds
}

// shortErr keeps JSON errors to one readable line.
func shortErr(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
