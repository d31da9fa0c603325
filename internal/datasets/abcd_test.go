package datasets

import (
	"errors"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestReadABCDGuidelines(t *testing.T) {
	flows, err := Load(datasetstest.Sample(t, "abcd/"+ABCDGuidelinesFile), ReadABCDGuidelines)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	subflows := 0
	for _, f := range flows {
		titles = append(titles, f.Title)
		subflows += len(f.Subflows)
	}
	want := []string{"Product Defect", "Order Issue", "Account Access", "Troubleshoot Site", "Manage Account",
		"Purchase Dispute", "Shipping Issue", "Subscription Inquiry", "Single-Item Query", "Storewide Query"}
	if !reflect.DeepEqual(titles, want) || subflows != 55 {
		t.Fatalf("flows %q with %d subflows, want %q in file order with 55", titles, subflows, want)
	}
	pd := flows[0]
	if pd.Description != "refunds and returns" || pd.Line != 1 {
		t.Errorf("first flow: description %q, line %d", pd.Description, pd.Line)
	}
	refund := pd.Subflows[0]
	if refund.Title != "Initiate Refund" || refund.Line <= pd.Line || len(refund.Instructions) == 0 {
		t.Errorf("first subflow %q on line %d, %d instructions", refund.Title, refund.Line, len(refund.Instructions))
	}
	if s := refund.Actions[0]; s.Type != "interaction" || s.Button != "Pull up Account" || !strings.HasPrefix(s.Text, "All chats in this flow") {
		t.Errorf("first step %+v", s)
	}
}

func TestReadABCDGuidelinesErrors(t *testing.T) {
	tests := []struct{ name, input, want string }{
		{"not an object", "[1, 2]", "g.json:1: want the file to be a JSON object (column 1)"},
		{"syntax error", "{\n  \"Flow\": {\n    \"subflows\": {,}\n  }\n}", "g.json:3: bad JSON: invalid character ','"},
		{"truncated", "{\n  \"Flow\": {\"subflows\": {", "g.json:2: bad JSON: the file ends before the JSON does"},
		{"empty", "", "g.json:1: bad JSON: the file ends before the JSON does"},
		{"trailing data", `{"F": {"subflows": {}}}` + "\n{}", "g.json:2: unexpected data after the end of the file"},
		{"flow not an object", `{"Flow": "x"}`, `g.json:1: want flow "Flow" to be a JSON object (column 10)`},
		{"no subflows", `{"Flow": {"description": "d"}}`, `g.json:1: flow "Flow" has no "subflows"`},
		{"description not text", `{"Flow": {"description": 1, "subflows": {}}}`, `g.json:1: "description": want a string, got number`},
		{"wrong type", "{\"Flow\": {\"subflows\": {\n\"Sub\": {\"instructions\": \"Do it.\"}}}}", `g.json:2: "Sub" field instructions: want an array, got string`},
		{"wrong step type", "{\"Flow\": {\"subflows\": {\n\"Sub\": {\"actions\": [{\"button\": 3}]}}}}", `g.json:2: "Sub" field actions.button: want a string, got number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadABCDGuidelines("g.json", strings.NewReader(tt.input))
			var le *LineError
			if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want a *LineError starting %q", err, tt.want)
			}
		})
	}
}

func TestIsABCDGuidelines(t *testing.T) {
	f, err := os.Open(datasetstest.Sample(t, "abcd/"+ABCDGuidelinesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !IsABCDGuidelines(f) {
		t.Error("the guidelines are not recognised")
	}
	for _, in := range []string{"", "[]", `{"a": 1}`, `{"a": {"description": "x"}}`, "question,answer\n"} {
		if IsABCDGuidelines(strings.NewReader(in)) {
			t.Errorf("%q taken for the guidelines", in)
		}
	}
}

func TestReadABCDKBAndOntology(t *testing.T) {
	kb, err := Load(datasetstest.Sample(t, "abcd/"+ABCDKBFile), ReadABCDKB)
	if err != nil {
		t.Fatal(err)
	}
	if got := kb["recover_password"]; len(kb) != 55 || !reflect.DeepEqual(got, []string{"pull-up-account", "enter-details", "make-password"}) {
		t.Errorf("%d sequences, recover_password %q", len(kb), got)
	}
	onto, err := Load(datasetstest.Sample(t, "abcd/"+ABCDOntologyFile), ReadABCDOntology)
	if err != nil {
		t.Fatal(err)
	}
	if got := onto.Subflows["account_access"]; len(onto.Subflows) != 10 || len(got) == 0 || got[0] != "recover_username" {
		t.Errorf("%d flows, account_access %q", len(onto.Subflows), got)
	}
	_, err = ReadABCDKB("kb.json", strings.NewReader("{\n\"recover_password\": [1]}"))
	if !strings.HasPrefix(errText(err), "kb.json:2: the file: want a string, got number") {
		t.Errorf("kb.json with a number: %v", err)
	}
	if _, err := ReadABCDOntology("ontology.json", strings.NewReader(`{"intents": `)); !strings.HasPrefix(errText(err), "ontology.json:1: bad JSON") {
		t.Errorf("truncated ontology: %v", err)
	}
}

func TestReadABCDChats(t *testing.T) {
	chats, err := Load(datasetstest.Sample(t, "abcd/abcd_sample.json"), func(name string, r io.Reader) ([]ABCDChat, error) {
		return ReadABCDChats(name, r, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(chats) != 3 {
		t.Fatalf("%d chats, want 3", len(chats))
	}
	c := chats[0]
	if c.ConvoID != "3592" || c.CustomerName != "crystal minh" || c.Flow != "product_defect" || c.Subflow != "return_size" || c.Line != 1 {
		t.Errorf("first chat %s %q %s/%s on line %d", c.ConvoID, c.CustomerName, c.Flow, c.Subflow, c.Line)
	}
	if len(c.Original) != 29 || len(c.Delexed) != 29 || c.Original[2].Speaker != "customer" || c.Delexed[0].Text != "hi!" {
		t.Errorf("turns: %d original, %d delexed", len(c.Original), len(c.Delexed))
	}
	actions := 0
	for i, d := range c.Delexed {
		if (d.Speaker == "action") != (d.Action != "") || d.Speaker != c.Original[i].Speaker {
			t.Errorf("turn %d: %+v, original %+v", i+1, d, c.Original[i])
		}
		if d.Action != "" {
			actions++
		}
	}
	first := slices.IndexFunc(c.Delexed, func(t ABCDTurn) bool { return t.Action != "" })
	if actions == 0 || c.Delexed[first].Action != "pull-up-account" {
		t.Errorf("%d actions, the first %+v", actions, c.Delexed[first])
	}
}

func TestReadABCDChatsSkipsMalformedChats(t *testing.T) {
	const input = "[\n" +
		`{"convo_id": 1, "scenario": {"flow": "f", "subflow": "s"}, "original": [["customer", "hi"]], "delexed": [{"speaker": "customer", "text": "hi"}]},` + "\n" +
		`{"convo_id": 2, "original": [["customer"]]},` + "\n" +
		`{"convo_id": 3, "delexed": [{"speaker": "action", "text": "x", "targets": ["a"]}]},` + "\n" +
		`"not a chat"` + "\n]"
	if _, err := ReadABCDChats("c.json", strings.NewReader(input), nil); !strings.HasPrefix(errText(err), "c.json:3: chat 2 (convo_id 2): original row 1: want [speaker, text]") {
		t.Errorf("strict: %v", err)
	}
	var skipped []string
	chats, err := ReadABCDChats("c.json", strings.NewReader(input), func(le *LineError) { skipped = append(skipped, le.Error()) })
	if err != nil || len(chats) != 1 || chats[0].ConvoID != "1" {
		t.Fatalf("lenient: %v, %+v", err, chats)
	}
	if len(skipped) != 3 || !strings.HasPrefix(skipped[1], "c.json:4: chat 3 (convo_id 3): delexed turn 1: action turn without targets[2]") ||
		!strings.HasPrefix(skipped[2], "c.json:5: chat 4: want an object, got string") {
		t.Errorf("skipped %q", skipped)
	}
	if _, err := ReadABCDChats("c.json", strings.NewReader(`[{"convo_id": 1,`), func(*LineError) {}); err == nil {
		t.Error("a truncated file was read")
	}
}
