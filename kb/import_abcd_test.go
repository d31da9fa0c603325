package kb

import (
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestImportABCDGuidelines(t *testing.T) {
	articles, err := datasets.Load(datasetstest.Sample(t, "abcd/guidelines.json"), func(_ string, r io.Reader) ([]Article, error) {
		return ImportABCD("guidelines.json", r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(articles) != 55 {
		t.Fatalf("got %d articles, want 55 (one per subflow)", len(articles))
	}
	var flows []string
	withQuestions := 0
	for _, a := range articles {
		checkImported(t, a)
		if len(a.Actions) == 0 {
			t.Errorf("%s has no actions", a.ID)
		}
		if len(a.Questions) > 0 {
			withQuestions++
		}
		flows = appendNew(flows, a.Tags[0])
	}
	wantFlows := []string{"product-defect", "order-issue", "account-access", "troubleshoot-site", "manage-account",
		"purchase-dispute", "shipping-issue", "subscription-inquiry", "single-item-query", "storewide-query"}
	if !reflect.DeepEqual(flows, wantFlows) {
		t.Errorf("flows = %q, want %q in file order", flows, wantFlows)
	}
	if withQuestions != 8 {
		t.Errorf("%d articles have questions, want the 8 FAQ subflows", withQuestions)
	}

	got := byID(articles)
	refund := got["product-defect-initiate-refund"]
	if refund == nil {
		t.Fatal("no product-defect-initiate-refund")
	}
	want := Article{
		ID: "product-defect-initiate-refund", Title: "Initiate Refund", Tags: []string{"product-defect"},
		Answer:  "Start by asking for the refund reason. Then, to complete the refund, perform the following actions",
		Actions: []string{"Pull up account", "Validate purchase", "Record reason", "Enter details", "Offer refund"},
		Lang:    DefaultLang, Source: "guidelines.json", Body: refund.Body,
	}
	if !reflect.DeepEqual(*refund, want) {
		t.Errorf("initiate refund:\ngot  %#v\nwant %#v", *refund, want)
	}
	for _, part := range []string{
		"Part of the Product Defect flow (refunds and returns).\n\n## Steps\n\n1. **Pull up account.** All chats in this flow",
		"\n   - Email Address\n",
		"5. **Offer refund.** Dollar amount",
		"## Notes\n\nAs always, wrap up by nicely asking",
	} {
		if !strings.Contains(refund.Body, part) {
			t.Errorf("initiate refund body lacks %q:\n%s", part, refund.Body)
		}
	}

	// Steps without a button stay in the body only.
	username := got["account-access-recover-username"]
	if !reflect.DeepEqual(username.Actions, []string{"Pull up account", "Verify identity"}) || !strings.Contains(username.Body, "3. You make up their username") {
		t.Errorf("recover username: %q\n%s", username.Actions, username.Body)
	}
	stain := got["product-defect-return-due-to-stain"]
	if slices.Contains(stain.Actions, "End conversation") || !strings.Contains(stain.Body, "     - Gold members get unlimited returns\n") {
		t.Errorf("return due to stain: %q\n%s", stain.Actions, stain.Body)
	}
	boots := got["single-item-query-boots-faq"]
	if len(boots.Questions) != 8 || boots.Questions[0] != "how remove a paint stain" || boots.Questions[7] != "comes with warranty" {
		t.Errorf("boots questions = %q", boots.Questions)
	}
	checkRoundTrip(t, articles)
}

// TestImportABCDActionsMatchKB compares the actions with the dataset's own
// action sequences (kb.json), paired with the subflows through ontology.json,
// which lists them in the same order as guidelines.json.
func TestImportABCDActionsMatchKB(t *testing.T) {
	articles, err := datasets.Load(datasetstest.Sample(t, "abcd/guidelines.json"), ImportABCD)
	if err != nil {
		t.Fatal(err)
	}
	ontology, err := datasets.Load(datasetstest.Sample(t, "abcd/ontology.json"), datasets.ReadABCDOntology)
	if err != nil {
		t.Fatal(err)
	}
	sequences, err := datasets.Load(datasetstest.Sample(t, "abcd/kb.json"), datasets.ReadABCDKB)
	if err != nil {
		t.Fatal(err)
	}

	var differ []string
	seen := map[string]int{} // subflows seen per flow
	for _, a := range articles {
		flow := strings.ReplaceAll(a.Tags[0], "-", "_")
		subflows := ontology.Subflows[flow]
		i := seen[flow]
		if i >= len(subflows) {
			t.Fatalf("%s: flow %s has only %d subflows in ontology.json", a.ID, flow, len(subflows))
		}
		if len(a.Actions) != len(sequences[subflows[i]]) {
			differ = append(differ, a.ID)
		}
		seen[flow]++
	}
	// These two name a button only inside a step's sub-points.
	if want := []string{"product-defect-refund-status", "subscription-inquiry-manage-pay-bill"}; !reflect.DeepEqual(differ, want) {
		t.Errorf("action counts differ from kb.json for %q, want only %q", differ, want)
	}
}

func TestImportABCDErrors(t *testing.T) {
	const ok = `{"Flow": {"description": "d", "subflows": {"Sub": {"instructions": ["Do it."], "actions": []}}}}`
	tests := []struct {
		name, input string
		want        []string // every problem, in order; a prefix of each
	}{
		{"empty", " \n", []string{"import abcd g.json: empty file"}},
		{"not an object", "[1, 2]", []string{"g.json:1: want the file to be a JSON object (column 1)"}},
		{"syntax error", "{\n  \"Flow\": {\n    \"subflows\": {,}\n  }\n}", []string{"g.json:3: bad JSON: invalid character ','"}},
		{"truncated", "{\n  \"Flow\": {\"subflows\": {", []string{"g.json:2: bad JSON: the file ends before the JSON does"}},
		{"trailing data", ok + "\n{}", []string{"g.json:2: unexpected data after the end of the file"}},
		{"flow not an object", `{"Flow": "x"}`, []string{`g.json:1: want flow "Flow" to be a JSON object (column 10)`}},
		{"no subflows key", `{"Flow": {"description": "d"}}`, []string{`g.json:1: flow "Flow" has no "subflows"`}},
		{"no subflows at all", `{"Flow": {"subflows": {}}}`, []string{"import abcd g.json: no subflows"}},
		{"wrong type", "{\"Flow\": {\"subflows\": {\n\"Sub\": {\"instructions\": \"Do it.\"}}}}",
			[]string{`g.json:2: "Sub" field instructions: want an array, got string`}},
		{"wrong step type", "{\"Flow\": {\"subflows\": {\n\"Sub\": {\"actions\": [{\"button\": 3}]}}}}",
			[]string{`g.json:2: "Sub" field actions.button: want a string, got number`}},
		{"nothing to answer with", "{\"Flow\": {\"subflows\": {\n\"Sub\": {\"instructions\": [\" \"], \"actions\": [{\"button\": \"Go\"}]},\n\"Sub \": {}}}}", []string{
			`g.json:2: subflow "Sub" of flow "Flow": no instructions or step text to use as the answer`,
			`g.json:3: subflow "Sub " of flow "Flow": no instructions or step text to use as the answer`,
		}},
		{"same id twice", "{\"Flow\": {\"subflows\": {\n\"Sub\": {\"instructions\": [\"a\"]},\n\"sub\": {\"instructions\": [\"b\"]}}}}",
			[]string{`g.json:3: duplicate id "flow-sub": already used on line 2`}},
		{"no id", `{"技": {"subflows": {"術": {"instructions": ["a"]}}}}`, []string{`g.json:1: subflow "術" of flow "技": no letters or digits`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ImportABCD("g.json", strings.NewReader(tt.input))
			if err == nil {
				t.Fatalf("no error; got %d articles", len(got))
			}
			checkProblems(t, err, tt.want)
		})
	}
	if _, err := ImportABCD("g.json", strings.NewReader(ok)); err != nil {
		t.Errorf("minimal file: %v", err)
	}
	var pe *ParseError
	if _, err := ImportABCD("g.json", strings.NewReader("{\n\n  x")); !errors.As(err, &pe) || pe.Line != 3 {
		t.Errorf("syntax error = %#v, want a *ParseError on line 3", err)
	}
}
