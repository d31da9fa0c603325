package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// SGDDialogue is one dialogue of the Schema-Guided Dialogue banking
// subset (sgd_banks_dialogues.jsonl): crowd-paraphrased conversations
// between a user and a virtual agent, without timing.
type SGDDialogue struct {
	ID    string
	Turns []SGDTurn
	// Line is the dialogue's line in the file.
	Line int
}

// SGDTurn is one turn of a dialogue.
type SGDTurn struct {
	// Speaker is "USER" or "SYSTEM".
	Speaker   string
	Utterance string
	// ActiveIntent is the user's intent on a USER turn ("CheckBalance",
	// or "NONE").
	ActiveIntent string
}

// ReadSGD reads the JSONL export of SGD dialogues, one dialogue a line. A
// line that is not a dialogue with a dialogue_id is a *LineError; when skip
// is not nil, skip gets it and the line is left out instead.
func ReadSGD(name string, r io.Reader, skip func(*LineError)) ([]SGDDialogue, error) {
	return readJSONL(name, r, skip, func(line []byte, n int) (SGDDialogue, error) {
		var d struct {
			DialogueID string `json:"dialogue_id"`
			Turns      []struct {
				Speaker      string `json:"speaker"`
				Utterance    string `json:"utterance"`
				ActiveIntent string `json:"active_intent"`
			} `json:"turns"`
		}
		if err := json.Unmarshal(line, &d); err != nil {
			return SGDDialogue{}, fmt.Errorf("malformed SGD dialogue (%v)", err)
		}
		if d.DialogueID == "" {
			return SGDDialogue{}, errors.New("SGD dialogue without dialogue_id")
		}
		out := SGDDialogue{ID: d.DialogueID, Turns: make([]SGDTurn, len(d.Turns)), Line: n}
		for i, t := range d.Turns {
			out.Turns[i] = SGDTurn(t)
		}
		return out, nil
	})
}
