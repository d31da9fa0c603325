package transcript

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/larkspur-labs/assist/internal/datasets"
)

// skipLine turns a data-set line that could not be read into a warning.
func skipLine(warns *[]Warning, what string) func(*datasets.LineError) {
	return func(le *datasets.LineError) {
		*warns = append(*warns, Warning{le.File, le.Line, le.Msg + "; " + what + " skipped"})
	}
}

// inFileOrder sorts warnings by line: the lines a reader skipped come first
// out of it, the problems of the calls it read after.
func inFileOrder(warns []Warning) []Warning {
	slices.SortStableFunc(warns, func(a, b Warning) int { return a.Line - b.Line })
	return warns
}

// parseSGD reads Schema-Guided Dialogue JSONL: USER turns are the customer,
// SYSTEM turns the agent. The data has no timing, so it is estimated.
func parseSGD(name string, data []byte) ([]Call, []Warning, error) {
	var warns []Warning
	dialogues, err := datasets.ReadSGD(name, bytes.NewReader(data), skipLine(&warns, "line"))
	if err != nil {
		return nil, warns, err
	}
	calls := make([]Call, 0, len(dialogues))
	for _, d := range dialogues {
		c := Call{ID: "sgd-" + d.ID, Queue: "banking", Agent: "virtual agent", Channel: "chat"}
		intents := map[string]bool{}
		warn := func(msg string) { warns = append(warns, Warning{name, d.Line, msg}) }
		var t timeline
		for i, turn := range d.Turns {
			speaker, ok := normalizeSpeaker(turn.Speaker)
			if !ok {
				warn(fmt.Sprintf("turn %d: unknown speaker %q skipped", i+1, turn.Speaker))
				continue
			}
			text, ps := cleanText(turn.Utterance)
			for _, p := range ps {
				warn(fmt.Sprintf("turn %d: %s", i+1, p))
			}
			if text == "" {
				continue
			}
			if turn.ActiveIntent != "" && turn.ActiveIntent != "NONE" {
				intents[turn.ActiveIntent] = true
			}
			u, _ := t.place(nil, nil, text)
			u.Speaker, u.Text = speaker, text
			c.Utterances = append(c.Utterances, u)
		}
		c.Title = "SGD " + d.ID
		if len(intents) > 0 {
			c.Title += " · " + strings.Join(sortedKeys(intents), ", ")
		}
		calls = append(calls, c)
	}
	return calls, inFileOrder(warns), nil
}

// parseHVB reads the Harper Valley Bank JSONL: timed segments with a
// speaker role and a human transcript.
func parseHVB(name string, data []byte) ([]Call, []Warning, error) {
	var warns []Warning
	conversations, err := datasets.ReadHVB(name, bytes.NewReader(data), skipLine(&warns, "line"))
	if err != nil {
		return nil, warns, err
	}
	calls := make([]Call, 0, len(conversations))
	for _, h := range conversations {
		c := Call{ID: "hvb-" + h.SID, Queue: "banking", Agent: h.AgentName, Customer: h.CallerName, Channel: "voice"}
		var tasks []string
		for _, t := range h.Tasks {
			if t != "" {
				tasks = append(tasks, t)
			}
		}
		c.Title = "Harper Valley · " + strings.Join(tasks, ", ")
		warn := func(msg string) { warns = append(warns, Warning{name, h.Line, msg}) }
		var t timeline
		// Segments are sorted by start time so an unordered file still replays in order.
		segs := h.Segments
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].StartMS < segs[j].StartMS })
		for i, s := range segs {
			speaker, ok := normalizeSpeaker(s.SpeakerRole)
			if !ok {
				warn(fmt.Sprintf("segment %d: unknown speaker role %q skipped", i+1, s.SpeakerRole))
				continue
			}
			text, ps := cleanText(s.HumanTranscript)
			for _, p := range ps {
				warn(fmt.Sprintf("segment %d: %s", i+1, p))
			}
			if text == "" || text == "[noise]" {
				continue
			}
			off, dur := s.StartMS/1000, s.DurationMS/1000
			u, p := t.place(&off, &dur, text)
			if p != "" {
				warn(fmt.Sprintf("segment %d: %s", i+1, p))
			}
			u.Speaker, u.Text = speaker, text
			c.Utterances = append(c.Utterances, u)
		}
		calls = append(calls, c)
	}
	return calls, inFileOrder(warns), nil
}

// parseABCD reads a JSON list of ABCD chats. Rows whose speaker is
// "action" record the agent's tool actions, not speech: they become the
// call's Actions, named from the delexicalised turns.
func parseABCD(name string, data []byte) ([]Call, []Warning, error) {
	var warns []Warning
	chats, err := datasets.ReadABCDChats(name, bytes.NewReader(data), skipLine(&warns, "chat"))
	if err != nil {
		return nil, warns, err
	}
	calls := make([]Call, 0, len(chats))
	for _, chat := range chats {
		c := Call{
			ID:       "abcd-" + chat.ConvoID,
			Title:    strings.TrimSpace("ABCD · " + strings.ReplaceAll(chat.Flow, "_", " ") + " / " + strings.ReplaceAll(chat.Subflow, "_", " ")),
			Queue:    "retail",
			Customer: chat.CustomerName,
			Channel:  "chat",
		}
		var t timeline
		for j, row := range chat.Original {
			if row.Speaker == "action" {
				if j < len(chat.Delexed) && chat.Delexed[j].Action != "" {
					c.Actions = append(c.Actions, Action{After: len(c.Utterances), ID: chat.Delexed[j].Action})
				}
				continue
			}
			speaker, ok := normalizeSpeaker(row.Speaker)
			if !ok {
				warns = append(warns, Warning{File: name, Line: chat.Line, Msg: fmt.Sprintf("chat %s row %d: unknown speaker %q; skipped", chat.ConvoID, j+1, row.Speaker)})
				continue
			}
			text, ps := cleanText(row.Text)
			for _, p := range ps {
				warns = append(warns, Warning{File: name, Line: chat.Line, Msg: fmt.Sprintf("chat %s row %d: %s", chat.ConvoID, j+1, p)})
			}
			if text == "" {
				continue
			}
			u, _ := t.place(nil, nil, text)
			u.Speaker, u.Text = speaker, text
			c.Utterances = append(c.Utterances, u)
		}
		calls = append(calls, c)
	}
	return calls, inFileOrder(warns), nil
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
