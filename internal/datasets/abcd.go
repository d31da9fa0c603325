package datasets

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The files of ABCD (ASAPP's Action-Based Conversations Dataset) that hold
// its agent guidelines, in one folder.
const (
	ABCDGuidelinesFile = "guidelines.json"
	ABCDKBFile         = "kb.json"
	ABCDOntologyFile   = "ontology.json"
)

// ABCDFlow is one flow of the ABCD agent guidelines (guidelines.json), such
// as "Product Defect", with its subflows in file order.
type ABCDFlow struct {
	Title       string
	Description string
	Subflows    []ABCDSubflow
	// Line is where the flow starts in the file.
	Line int
}

// ABCDSubflow is one subflow of a flow, such as "Initiate Refund": what the
// agent is told, and the steps to take.
type ABCDSubflow struct {
	Title        string
	Instructions []string
	Actions      []ABCDStep
	// Line is where the subflow starts in the file.
	Line int
}

// ABCDStep is one step of a subflow: the button the agent clicks ("N/A"
// for something to say), what to do, and its sub-points.
type ABCDStep struct {
	Type    string   `json:"type"`
	Button  string   `json:"button"`
	Text    string   `json:"text"`
	Subtext []string `json:"subtext"`
}

// ReadABCDGuidelines reads guidelines.json: an object of flows, each
// {"description", "subflows"}, whose subflows are objects
// {"instructions": [text...], "actions": [step...]}. Flows and subflows
// keep their file order, which ontology.json's subflow lists follow. A flow
// without "subflows" or a member of the wrong type is a *LineError with the
// column.
func ReadABCDGuidelines(name string, r io.Reader) ([]ABCDFlow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read abcd guidelines %s: %w", name, err)
	}
	doc := jsonDoc{name: name, data: data}
	members, err := doc.members(data, 0, "the file")
	if err != nil {
		return nil, err
	}
	flows := make([]ABCDFlow, 0, len(members))
	for _, m := range members {
		f, err := doc.abcdFlow(m)
		if err != nil {
			return nil, err
		}
		flows = append(flows, f)
	}
	return flows, nil
}

// abcdFlow reads one flow: its description and its subflows in order.
func (d jsonDoc) abcdFlow(m jsonValue) (ABCDFlow, error) {
	f := ABCDFlow{Title: m.key, Line: d.line(m.offset)}
	fields, err := d.members(m.raw, m.offset, fmt.Sprintf("flow %q", m.key))
	if err != nil {
		return f, err
	}
	var subflows []jsonValue
	found := false
	for _, field := range fields {
		switch field.key {
		case "description":
			if err := d.decode(field, strconv.Quote(field.key), &f.Description); err != nil {
				return f, err
			}
		case "subflows":
			found = true
			if subflows, err = d.members(field.raw, field.offset, fmt.Sprintf("the subflows of flow %q", m.key)); err != nil {
				return f, err
			}
		}
	}
	if !found {
		return f, d.errorAt(m.offset, "flow %q has no \"subflows\"", m.key)
	}
	for _, sub := range subflows {
		var s struct {
			Instructions []string   `json:"instructions"`
			Actions      []ABCDStep `json:"actions"`
		}
		if err := d.decode(sub, strconv.Quote(sub.key), &s); err != nil {
			return f, err
		}
		f.Subflows = append(f.Subflows, ABCDSubflow{
			Title: sub.key, Instructions: s.Instructions, Actions: s.Actions, Line: d.line(sub.offset),
		})
	}
	return f, nil
}

// IsABCDGuidelines reports whether r starts like guidelines.json: an object
// whose first member is a flow, an object with "subflows". It reads only as
// far as that member.
func IsABCDGuidelines(r io.Reader) bool {
	dec := json.NewDecoder(bufio.NewReader(r))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	if _, err := dec.Token(); err != nil { // the first flow's name
		return false
	}
	var flow map[string]json.RawMessage
	if err := dec.Decode(&flow); err != nil {
		return false
	}
	_, ok := flow["subflows"]
	return ok
}

// ReadABCDKB reads kb.json: each subflow's id and the actions it requires,
// in order ("recover_password": ["pull-up-account", ...]).
func ReadABCDKB(name string, r io.Reader) (map[string][]string, error) {
	var kb map[string][]string
	if err := readJSON(name, r, "the file", &kb); err != nil {
		return nil, err
	}
	return kb, nil
}

// ABCDOntology is the part of ontology.json that ties the guidelines to
// kb.json.
type ABCDOntology struct {
	// Subflows lists each flow's subflow ids ("account_access":
	// ["recover_username", ...]) in the order guidelines.json lists the
	// flow's subflows by title.
	Subflows map[string][]string
}

// ReadABCDOntology reads ontology.json.
func ReadABCDOntology(name string, r io.Reader) (ABCDOntology, error) {
	var onto struct {
		Intents struct {
			Subflows map[string][]string `json:"subflows"`
		} `json:"intents"`
	}
	if err := readJSON(name, r, "the file", &onto); err != nil {
		return ABCDOntology{}, err
	}
	return ABCDOntology{Subflows: onto.Intents.Subflows}, nil
}

// ABCDChat is one conversation of ABCD's data files (abcd_sample.json, the
// splits of abcd_v1.1.json): its scenario and its turns, as written and
// delexicalised.
type ABCDChat struct {
	// ConvoID is convo_id as written (a number in the published files).
	ConvoID      string
	CustomerName string
	// Flow and Subflow label the scenario, e.g. "product_defect" and
	// "return_size" (or, for an FAQ question, "timing_4").
	Flow, Subflow string
	// Original are the turns as typed; Speaker is "customer", "agent" or
	// "action" (a row recording the agent's tool action, not speech).
	Original []ABCDTurn
	// Delexed has a turn for each of Original's, with names and numbers
	// replaced by slots; on an action turn, Action names the action.
	Delexed []ABCDTurn
	// Line is where the chat starts in the file.
	Line int
}

// ABCDTurn is one turn of a chat.
type ABCDTurn struct {
	Speaker string
	Text    string
	// Action is, on a delexicalised action turn, the action taken
	// (targets[2], e.g. "pull-up-account").
	Action string
}

// ReadABCDChats reads a JSON list of ABCD chats. A file that is not a JSON
// list is an error. A chat that is not well formed (a turn that is not
// [speaker, text], an action turn without its action) is a *LineError; when
// skip is not nil, skip gets it and the chat is left out instead.
func ReadABCDChats(name string, r io.Reader, skip func(*LineError)) ([]ABCDChat, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read abcd chats %s: %w", name, err)
	}
	doc := jsonDoc{name: name, data: data}
	elems, err := doc.elements(data, 0, "the file")
	if err != nil {
		return nil, err
	}
	chats := make([]ABCDChat, 0, len(elems))
	for i, e := range elems {
		c, err := doc.abcdChat(i+1, e)
		if err != nil {
			le, ok := err.(*LineError)
			if !ok || skip == nil {
				return nil, err
			}
			skip(le)
			continue
		}
		chats = append(chats, c)
	}
	return chats, nil
}

// abcdChat reads the n-th chat of a file.
func (d jsonDoc) abcdChat(n int, e jsonValue) (ABCDChat, error) {
	var raw struct {
		ConvoID  json.RawMessage `json:"convo_id"`
		Scenario struct {
			Personal struct {
				CustomerName string `json:"customer_name"`
			} `json:"personal"`
			Flow    string `json:"flow"`
			Subflow string `json:"subflow"`
		} `json:"scenario"`
		Original [][]string `json:"original"`
		Delexed  []struct {
			Speaker string `json:"speaker"`
			Text    string `json:"text"`
			Targets []any  `json:"targets"`
		} `json:"delexed"`
	}
	if err := d.decode(e, fmt.Sprintf("chat %d", n), &raw); err != nil {
		return ABCDChat{}, err
	}
	c := ABCDChat{
		ConvoID:      strings.Trim(string(raw.ConvoID), `"`),
		CustomerName: raw.Scenario.Personal.CustomerName,
		Flow:         raw.Scenario.Flow,
		Subflow:      raw.Scenario.Subflow,
		Line:         d.line(e.offset),
	}
	for j, row := range raw.Original {
		if len(row) != 2 {
			return c, d.errorAt(e.offset, "chat %d (convo_id %s): original row %d: want [speaker, text]", n, c.ConvoID, j+1)
		}
		c.Original = append(c.Original, ABCDTurn{Speaker: row[0], Text: row[1]})
	}
	for j, t := range raw.Delexed {
		turn := ABCDTurn{Speaker: t.Speaker, Text: t.Text}
		if t.Speaker == "action" {
			if len(t.Targets) < 3 {
				return c, d.errorAt(e.offset, "chat %d (convo_id %s): delexed turn %d: action turn without targets[2]", n, c.ConvoID, j+1)
			}
			turn.Action, _ = t.Targets[2].(string)
		}
		c.Delexed = append(c.Delexed, turn)
	}
	return c, nil
}
