package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/datasets"
)

// ContactTurn is one customer turn of the project's hand-labelled
// contact-center set (assist/eval/contactcenter, labelling rules in its
// README): the turn, what came just before it, and its polarity and gauge.
type ContactTurn struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	// Split is "dev" (tune on it) or "test" (report only).
	Split string `json:"split"`
	// AgentBefore is the agent's last turn before this one and
	// CustomerBefore the customer's; "" when there is none.
	AgentBefore    string `json:"agent_before"`
	CustomerBefore string `json:"customer_before"`
	Text           string `json:"text"`
	// Polarity is one of assist.Polarities, Gauge one of assist.Emotions.
	Polarity string `json:"polarity"`
	Gauge    string `json:"gauge"`
}

// ContactSplits are the halves of the contact-center set.
var ContactSplits = []string{"dev", "test"}

// LoadContactTurns reads the contact-center set at path (JSON lines),
// keeping the turns of split ("dev" or "test"; "" keeps both). Every line
// must be a labelled turn: a bad one is an error naming its line.
func LoadContactTurns(path, split string) ([]ContactTurn, error) {
	if split != "" && !slices.Contains(ContactSplits, split) {
		return nil, fmt.Errorf("contact-center set: split %q, want dev or test", split)
	}
	turns, err := datasets.LoadJSONL(path, func(line []byte) (ContactTurn, error) {
		var t ContactTurn
		if err := json.Unmarshal(line, &t); err != nil {
			return t, err
		}
		switch {
		case t.Text == "":
			return t, errors.New("no text")
		case !slices.Contains(assist.Polarities, t.Polarity):
			return t, fmt.Errorf("polarity %q, want positive, negative or neutral", t.Polarity)
		case !slices.Contains(assist.Emotions, t.Gauge):
			return t, fmt.Errorf("gauge %q is not one of %v", t.Gauge, assist.Emotions)
		case !slices.Contains(ContactSplits, t.Split):
			return t, fmt.Errorf("split %q, want dev or test", t.Split)
		}
		return t, nil
	})
	if err != nil {
		return nil, fmt.Errorf("contact-center set: %w", err)
	}
	if split != "" {
		turns = slices.DeleteFunc(turns, func(t ContactTurn) bool { return t.Split != split })
	}
	if len(turns) == 0 {
		return nil, fmt.Errorf("contact-center set %s: no turns in split %q", path, split)
	}
	return turns, nil
}

// ContactSentiment reads the contact-center set as a sentiment test set
// (gauges: its gauge labels) whose turns are read in context: each with the
// agent's reply before it.
func ContactSentiment(path, split string, gauges bool) (SentimentSet, error) {
	turns, err := LoadContactTurns(path, split)
	if err != nil {
		return SentimentSet{}, err
	}
	var set SentimentSet
	for _, t := range turns {
		gold := t.Polarity
		if gauges {
			gold = t.Gauge
		}
		set.add(t.Text, gold)
		set.Context = append(set.Context, t.AgentBefore)
	}
	return set, nil
}
