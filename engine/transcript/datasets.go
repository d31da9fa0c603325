package transcript

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// sgdDialogue is a line of the Schema-Guided Dialogue JSONL export
// (../shared/data/sgd_banks_dialogues): USER turns are the customer,
// SYSTEM turns the agent. The data has no timing, so it is estimated.
type sgdDialogue struct {
	DialogueID string   `json:"dialogue_id"`
	Services   []string `json:"services"`
	Turns      []struct {
		Speaker      string `json:"speaker"`
		Utterance    string `json:"utterance"`
		ActiveIntent string `json:"active_intent"`
	} `json:"turns"`
}

func sgdCall(name string, line []byte) (Call, []string, error) {
	var d sgdDialogue
	if err := json.Unmarshal(line, &d); err != nil {
		return Call{}, nil, fmt.Errorf("malformed SGD dialogue (%s)", shortErr(err))
	}
	if d.DialogueID == "" {
		return Call{}, nil, fmt.Errorf("SGD dialogue without dialogue_id")
	}
	c := Call{ID: "sgd-" + d.DialogueID, Queue: "banking", Agent: "virtual agent", Channel: "chat"}
	intents := map[string]bool{}
	var problems []string
	var t timeline
	for i, turn := range d.Turns {
		speaker, ok := normalizeSpeaker(turn.Speaker)
		if !ok {
			problems = append(problems, fmt.Sprintf("turn %d: unknown speaker %q skipped", i+1, turn.Speaker))
			continue
		}
		text, ps := cleanText(turn.Utterance)
		problems = append(problems, prefix(fmt.Sprintf("turn %d: ", i+1), ps)...)
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
	c.Title = "SGD " + d.DialogueID
	if len(intents) > 0 {
		c.Title += " · " + strings.Join(sortedKeys(intents), ", ")
	}
	return c, problems, nil
}

// hvbConversation is a line of the Harper Valley Bank sample
// (../shared/data/harper_valley_bank_sample): timed segments with a speaker
// role and a human transcript.
type hvbConversation struct {
	SID        string `json:"sid"`
	AgentName  string `json:"agent_name"`
	CallerName string `json:"caller_name"`
	Tasks      []struct {
		TaskType string `json:"task_type"`
	} `json:"tasks"`
	Segments []struct {
		SpeakerRole     string  `json:"speaker_role"`
		StartMS         float64 `json:"start_ms"`
		DurationMS      float64 `json:"duration_ms"`
		HumanTranscript string  `json:"human_transcript"`
	} `json:"segments"`
}

func hvbCall(name string, line []byte) (Call, []string, error) {
	var h hvbConversation
	if err := json.Unmarshal(line, &h); err != nil {
		return Call{}, nil, fmt.Errorf("malformed Harper Valley conversation (%s)", shortErr(err))
	}
	if h.SID == "" {
		return Call{}, nil, fmt.Errorf("Harper Valley conversation without sid")
	}
	c := Call{ID: "hvb-" + h.SID, Queue: "banking", Agent: h.AgentName, Customer: h.CallerName, Channel: "voice"}
	var tasks []string
	for _, t := range h.Tasks {
		if t.TaskType != "" {
			tasks = append(tasks, t.TaskType)
		}
	}
	c.Title = "Harper Valley · " + strings.Join(tasks, ", ")
	var problems []string
	var t timeline
	// Segments are sorted by start time so an unordered file still replays in order.
	segs := h.Segments
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].StartMS < segs[j].StartMS })
	for i, s := range segs {
		speaker, ok := normalizeSpeaker(s.SpeakerRole)
		if !ok {
			problems = append(problems, fmt.Sprintf("segment %d: unknown speaker role %q skipped", i+1, s.SpeakerRole))
			continue
		}
		text, ps := cleanText(s.HumanTranscript)
		problems = append(problems, prefix(fmt.Sprintf("segment %d: ", i+1), ps)...)
		if text == "" || text == "[noise]" {
			continue
		}
		off, dur := s.StartMS/1000, s.DurationMS/1000
		u, p := t.place(&off, &dur, text)
		if p != "" {
			problems = append(problems, fmt.Sprintf("segment %d: %s", i+1, p))
		}
		u.Speaker, u.Text = speaker, text
		c.Utterances = append(c.Utterances, u)
	}
	return c, problems, nil
}

// abcdChat is one chat of the ABCD data set (../shared/data/abcd_guidelines):
// "original" holds [speaker, text] pairs. Rows whose speaker is "action"
// record the agent's tool actions, not speech: they become the call's
// Actions, named from "delexed".
type abcdChat struct {
	ConvoID  int `json:"convo_id"`
	Scenario struct {
		Personal struct {
			CustomerName string `json:"customer_name"`
		} `json:"personal"`
		Flow    string `json:"flow"`
		Subflow string `json:"subflow"`
	} `json:"scenario"`
	Original [][]string `json:"original"`
	// Delexed has a row for each of Original's; an action row names its
	// action in targets[2].
	Delexed []struct {
		Speaker string `json:"speaker"`
		Targets []any  `json:"targets"`
	} `json:"delexed"`
}

func parseABCD(name string, data []byte) ([]Call, []Warning, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("%s: malformed ABCD file: %s", name, shortErr(err))
	}
	var (
		calls []Call
		warns []Warning
	)
	for i, r := range raw {
		var chat abcdChat
		if err := json.Unmarshal(r, &chat); err != nil {
			warns = append(warns, Warning{File: name, Msg: fmt.Sprintf("chat %d: malformed (%s); skipped", i+1, shortErr(err))})
			continue
		}
		c := Call{
			ID:       fmt.Sprintf("abcd-%d", chat.ConvoID),
			Title:    strings.TrimSpace("ABCD · " + strings.ReplaceAll(chat.Scenario.Flow, "_", " ") + " / " + strings.ReplaceAll(chat.Scenario.Subflow, "_", " ")),
			Queue:    "retail",
			Customer: chat.Scenario.Personal.CustomerName,
			Channel:  "chat",
		}
		var t timeline
		for j, row := range chat.Original {
			if len(row) != 2 {
				warns = append(warns, Warning{File: name, Msg: fmt.Sprintf("chat %d row %d: want [speaker, text]; skipped", chat.ConvoID, j+1)})
				continue
			}
			if row[0] == "action" {
				if j < len(chat.Delexed) && chat.Delexed[j].Speaker == "action" && len(chat.Delexed[j].Targets) > 2 {
					if id, ok := chat.Delexed[j].Targets[2].(string); ok && id != "" {
						c.Actions = append(c.Actions, Action{After: len(c.Utterances), ID: id})
					}
				}
				continue
			}
			speaker, ok := normalizeSpeaker(row[0])
			if !ok {
				warns = append(warns, Warning{File: name, Msg: fmt.Sprintf("chat %d row %d: unknown speaker %q; skipped", chat.ConvoID, j+1, row[0])})
				continue
			}
			text, ps := cleanText(row[1])
			for _, p := range ps {
				warns = append(warns, Warning{File: name, Msg: fmt.Sprintf("chat %d row %d: %s", chat.ConvoID, j+1, p)})
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
	return calls, warns, nil
}

func prefix(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
