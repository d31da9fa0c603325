package flows

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/kb"
)

// loadABCD loads the ABCD guidelines of the bundled sample.
func loadABCD(t testing.TB) []Flow {
	t.Helper()
	flows, err := LoadABCD(datasetstest.Sample(t, "abcd"))
	if err != nil {
		t.Fatal(err)
	}
	return flows
}

func TestLoadABCD(t *testing.T) {
	flows := loadABCD(t)
	if len(flows) != 55 {
		t.Fatalf("got %d flows, want 55", len(flows))
	}
	byID := map[string]Flow{}
	for _, f := range flows {
		byID[f.ID] = f
		for _, s := range f.Steps {
			if s.Title == "" || s.Title == s.ID {
				t.Errorf("%s: step %q has no title", f.ID, s.ID)
			}
		}
	}
	f := byID["recover_password"]
	if f.Group != "account_access" || f.Title != "Recover Password" {
		t.Errorf("recover_password: group %q title %q", f.Group, f.Title)
	}
	var ids []string
	for _, s := range f.Steps {
		ids = append(ids, s.ID)
	}
	if got := strings.Join(ids, " "); got != "pull-up-account enter-details make-password" {
		t.Errorf("recover_password steps %q", got)
	}
	if byID["jeans"].Group != "single_item_query" || byID["timing"].Title != "Timing FAQ" {
		t.Errorf("jeans %+v timing %+v", byID["jeans"].Group, byID["timing"].Title)
	}
}

func TestLoadABCDErrors(t *testing.T) {
	good := map[string]string{
		datasets.ABCDGuidelinesFile: `{"Account Access": {"description": "d", "subflows": {"Recover Password": {"instructions": ["Help"], "actions": []}}}}`,
		datasets.ABCDKBFile:         `{"recover_password": ["pull-up-account", "make-password"]}`,
		datasets.ABCDOntologyFile:   `{"intents": {"subflows": {"account_access": ["recover_password"]}}}`,
	}
	write := func(t *testing.T, over map[string]string) string {
		dir := t.TempDir()
		for name, text := range good {
			if o, ok := over[name]; ok {
				text = o
			}
			if text == "-" {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	flows, err := LoadABCD(write(t, nil))
	if err != nil || len(flows) != 1 || len(flows[0].Steps) != 2 {
		t.Fatalf("good files: %v %+v", err, flows)
	}
	tests := []struct {
		name string
		over map[string]string
		want []string
	}{
		{"broken guidelines", map[string]string{datasets.ABCDGuidelinesFile: `{"Account Access": {"description": "d",`}, []string{datasets.ABCDGuidelinesFile, "bad JSON"}},
		{"broken kb", map[string]string{datasets.ABCDKBFile: `{"recover_password": [1]}`}, []string{datasets.ABCDKBFile}},
		{"missing ontology", map[string]string{datasets.ABCDOntologyFile: "-"}, []string{datasets.ABCDOntologyFile, "no such file"}},
		{"no actions", map[string]string{datasets.ABCDKBFile: `{}`}, []string{datasets.ABCDKBFile, "recover_password", "no actions"}},
		{"unknown flow", map[string]string{datasets.ABCDOntologyFile: `{"intents": {"subflows": {"other": ["x"]}}}`}, []string{"account_access", "not in"}},
		{"count mismatch", map[string]string{datasets.ABCDOntologyFile: `{"intents": {"subflows": {"account_access": ["a", "b"]}}}`}, []string{"has 1 subflows", "has 2"}},
		{"not an object", map[string]string{datasets.ABCDGuidelinesFile: `[]`}, []string{datasets.ABCDGuidelinesFile, "to be a JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadABCD(write(t, tt.over))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// testFlows are two small flows sharing a first step.
var testFlows = []Flow{
	{ID: "recover_password", Group: "account_access", Title: "Recover Password", Description: "forgot password reset",
		Keywords: []string{"password"}, Steps: []Step{NewStep("pull-up-account"), NewStep("enter-details"), NewStep("make-password")}},
	{ID: "return_size", Group: "product_defect", Title: "Return Due to Size", Description: "return item wrong size",
		Keywords: []string{"size"}, Steps: []Step{NewStep("pull-up-account"), NewStep("validate-purchase"), NewStep("membership")}},
}

func stepIDs(st State) (done []string, next string) {
	for _, s := range st.Steps {
		if s.Done {
			done = append(done, s.Step.ID)
		}
	}
	if st.Next != nil {
		next = st.Next.ID
	}
	return done, next
}

func TestTrackerTicksByCuesAndActions(t *testing.T) {
	tr := NewTracker(testFlows, NewTextMatcher(testFlows))
	if st := tr.State(); st.Flow != nil || st.Next != nil {
		t.Fatalf("state before any turn: %+v", st)
	}
	tr.Observe(SpeakerCustomer, "Hi, I forgot my password")
	st := tr.State()
	if st.Flow == nil || st.Flow.ID != "recover_password" {
		t.Fatalf("flow %+v, want recover_password", st.Flow)
	}
	if st.Confidence <= 0.5 || st.Confidence > 1 {
		t.Errorf("confidence %v", st.Confidence)
	}
	if _, next := stepIDs(st); next != "pull-up-account" {
		t.Errorf("next %q, want pull-up-account", next)
	}
	tr.Observe(SpeakerAgent, "Sure, can I have your full name?")
	st = tr.State()
	done, next := stepIDs(st)
	if len(done) != 0 || next != "pull-up-account" || !st.Steps[0].Started || st.Steps[0].StartedAt != 1 {
		t.Errorf("after the name cue the first step is started, not done: done %v next %q %+v", done, next, st.Steps[0])
	}
	// Out of order: the last step first. It finishes the started first step
	// (the agent moved on); Next stays the first not done.
	tr.ObserveAction("make-password")
	st = tr.State()
	done, next = stepIDs(st)
	if strings.Join(done, " ") != "pull-up-account make-password" || next != "enter-details" {
		t.Errorf("after make-password: done %v next %q", done, next)
	}
	if !st.Steps[2].ByAction || st.Steps[0].ByAction || st.Steps[0].DoneAt != 2 || st.Steps[2].DoneAt != 2 {
		t.Errorf("ByAction or DoneAt wrong: %+v", st.Steps)
	}
	// A later step's cue finishes the earlier started one too.
	tr2 := NewTracker(testFlows, NewTextMatcher(testFlows))
	tr2.Observe(SpeakerCustomer, "I need to return this, wrong size")
	tr2.Observe(SpeakerAgent, "may I have your full name?")
	tr2.Observe(SpeakerAgent, "thanks, and your username, email address and order id?")
	if done, next := stepIDs(tr2.State()); strings.Join(done, " ") != "pull-up-account" || next != "validate-purchase" {
		t.Errorf("cues only: done %v next %q", done, next)
	}
	tr.ObserveAction("enter-details")
	if _, next = stepIDs(tr.State()); next != "" {
		t.Errorf("all done, yet next %q", next)
	}
}

func TestTrackerHysteresis(t *testing.T) {
	tr := NewTracker(testFlows, NewTextMatcher(testFlows))
	tr.Observe(SpeakerCustomer, "I forgot my password and cannot reset the password")
	tr.Observe(SpeakerCustomer, "it's the size")
	if id := tr.State().Flow.ID; id != "recover_password" {
		t.Errorf("one weak mention switched the flow to %s", id)
	}
}

func TestMatcherClearUtterances(t *testing.T) {
	flows := loadABCD(t)
	m := NewTextMatcher(flows)
	tests := map[string]string{
		"I forgot my password":                                      "recover_password",
		"my promo code is not working":                              "promo_code_invalid",
		"I want to return these jeans, they're the wrong size":      "return_size",
		"the website is so slow, pages take forever to load":        "slow_speed",
		"I was charged an extra fee on my order and don't know why": "status_mystery_fee",
	}
	for text, want := range tests {
		got := m.Match([]string{text})
		if got[0].FlowID != want {
			t.Errorf("%q: got %s (%.2f), then %s (%.2f); want %s", text, got[0].FlowID, got[0].Score, got[1].FlowID, got[1].Score, want)
		}
		tr := NewTracker(flows, m)
		tr.Observe(SpeakerCustomer, text)
		if st := tr.State(); st.Flow == nil || st.Flow.ID != want {
			t.Errorf("%q: tracker picked %+v, want %s", text, st.Flow, want)
		}
	}
}

func TestSubflowID(t *testing.T) {
	known := func(s string) bool { return s == "timing" || s == "status_2x" }
	for in, want := range map[string]string{"timing_4": "timing", "timing": "timing", "refund_status": "refund_status"} {
		if got := SubflowID(in, known); got != want {
			t.Errorf("SubflowID(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	flows := loadABCD(b)
	m := NewTextMatcher(flows)
	lines := []string{"hi i need to return an item", "crystal minh", "i got the wrong size.", "username: x", "i'm a bronze"}
	for b.Loop() {
		tr := NewTracker(flows, m)
		for _, l := range lines {
			tr.Observe(SpeakerCustomer, l)
			tr.Observe(SpeakerAgent, "may i have your username, email address and order id please?")
		}
	}
}

func TestPhraseWholeWords(t *testing.T) {
	p, _ := newPhrase("stain")
	fee, _ := newPhrase("Fee")
	two, _ := newPhrase("promo code")
	for text, want := range map[string]bool{"a stain": true, "two stains here": true, "it's stained": true, "no staining": false} {
		if got := p.in(" " + normalize(text) + " "); got != want {
			t.Errorf("stain in %q: %v, want %v", text, got, want)
		}
	}
	if fee.in(" i feel fine ") || !fee.in(" this fee and ") {
		t.Error("fee matched inside feel, or not on its own")
	}
	if !two.in(" "+normalize("My PROMO-code isn't working")+" ") || two.words() != 2 {
		t.Error("promo code not found across punctuation and case")
	}
}

func TestFlowsFromArticles(t *testing.T) {
	articles, err := kb.Sample()
	if err != nil {
		t.Fatal(err)
	}
	fl := FromArticles(articles)
	var lost *Flow
	for i := range fl {
		if fl[i].ID == "card-lost-stolen" {
			lost = &fl[i]
		}
	}
	if lost == nil || len(lost.Steps) < 3 || lost.Steps[0].ID != "verify-the-caller-s-identity" {
		t.Fatalf("card-lost-stolen flow %+v", lost)
	}
	tr := NewTracker(fl, NewTextMatcher(fl))
	tr.Observe("customer", "I lost my debit card, I think it was stolen")
	tr.Observe("agent", "First let me verify your identity.")
	tr.ObserveAction("lock-the-card")
	st := tr.State()
	if st.Flow == nil || st.Flow.ID != "card-lost-stolen" {
		t.Fatalf("matched %+v", st.Flow)
	}
	if !st.Steps[0].Done || !st.Steps[1].Done || st.Next == nil || st.Next.ID != st.Steps[2].Step.ID {
		t.Errorf("steps %+v next %+v", st.Steps, st.Next)
	}
}

func TestTrackerTicksFromBothSides(t *testing.T) {
	arts := []kb.Article{{
		ID: "fees", Title: "Overdraft fees", Answer: "a",
		Questions: []string{"overdraft fees"},
		Actions: []string{"Verify the caller's identity", "Confirm the amount to refund",
			"Refund an eligible fee", "Guide the customer through the app", "Offer low-balance alerts"},
	}}
	fl := FromArticles(arts)
	type turn struct{ speaker, text string }
	tests := []struct {
		name  string
		turns []turn
		// want maps a step to the turn that ticked it and by what.
		want map[string]string
	}{
		{"done cue ticks at once", []turn{
			{"customer", "overdraft fees again"},
			{"agent", "can I have your full name and date of birth?"},
			{"customer", "Jo Doe, fourth of March"},
			{"agent", "and the six digit code I sent?"},
			{"customer", "831 550"},
			{"agent", "thank you, you're verified"},
		}, map[string]string{"verify-the-caller-s-identity": "5 agent"}},
		{"the agent moving on accepts the answer", []turn{
			{"customer", "overdraft fees again"},
			{"agent", "can I have your full name?"},
			{"customer", "Jo Doe"},
			{"agent", "thanks Jo, let me look at those fees"},
		}, map[string]string{"verify-the-caller-s-identity": "3 customer"}},
		{"a refusal is no answer", []turn{
			{"customer", "overdraft fees again"},
			{"agent", "I can refund one fee"},
			{"customer", "One? No. Get me your supervisor"},
			{"agent", "I understand"},
			{"customer", "fine"},
			{"agent", "I've refunded the first fee"},
		}, map[string]string{"refund-an-eligible-fee": "5 agent"}},
		{"a question step ticks at the answer", []turn{
			{"customer", "overdraft fees again"},
			{"agent", "just to confirm, thirty five dollars?"},
			{"customer", "yes please"},
		}, map[string]string{"confirm-the-amount-to-refund": "2 customer"}},
		{"an offer ticks when said", []turn{
			{"customer", "overdraft fees again"},
			{"agent", "I'd also suggest a low-balance text alert"},
		}, map[string]string{"offer-low-balance-alerts": "1 agent"}},
		{"a guided step waits for its done cue, said by the customer", []turn{
			{"customer", "overdraft fees again"},
			{"agent", "let me guide you through the app, can you see the menu?"},
			{"customer", "yes I see it"},
			{"agent", "tap Settings"},
			{"customer", "I'm signed in, it says welcome back"},
		}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(fl, NewTextMatcher(fl))
			for _, u := range tt.turns {
				tr.Observe(u.speaker, u.text)
			}
			got := map[string]string{}
			for _, s := range tr.State().Steps {
				if s.Done && s.By != ByInferred {
					got[s.Step.ID] = fmt.Sprintf("%d %s", s.DoneAt, s.By)
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("ticks %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTrackerFollowsNewNeeds(t *testing.T) {
	articles, err := kb.Sample()
	if err != nil {
		t.Fatal(err)
	}
	fl := FromArticles(articles)
	type turn struct{ speaker, text string }
	tests := []struct {
		name  string
		turns []turn
		// flow is the flow at the end; earlier the call's other flows.
		flow, earlier string
		// ticked is a step of an earlier flow that must show done.
		ticked string
	}{
		{"a new need once the flow is done", []turn{
			{"customer", "could you move two hundred dollars from my checking to my savings account"},
			{"agent", "Sure, to confirm: $200 from checking to savings?"},
			{"customer", "yes"},
			{"agent", "Done, I've moved the money. Savings now shows $2,200."},
			{"customer", "thanks. another thing, how much interest rate do you pay on the savings account these days?"},
		}, "interest-rates", "transfer-between-accounts", "make-the-internal-transfer"},
		{"a short follow-up stays", []turn{
			{"customer", "could you move two hundred dollars from my checking to my savings account"},
			{"agent", "Sure, to confirm: $200 from checking to savings?"},
			{"customer", "yes"},
			{"agent", "Done, I've moved the money. Savings now shows $2,200."},
			{"customer", "what interest rate?"},
		}, "transfer-between-accounts", "", ""},
		{"a step under way holds the flow", []turn{
			{"customer", "I lost my debit card yesterday, I can't find it anywhere"},
			{"agent", "I'm sorry. I'll lock your card, and I can order a replacement card for you."},
			{"customer", "ok. what interest rate do you pay on the savings account these days?"},
		}, "card-lost-stolen", "", ""},
		{"a step under way for a while does not hold the flow", []turn{
			{"customer", "I forgot my password for online banking, how do I reset it?"},
			{"agent", "Let me walk you through it: tap Forgot password on the sign-in screen."},
			{"customer", "ok hold on"},
			{"agent", "Sure, take your time."},
			{"customer", "ok"},
			{"agent", "No rush."},
			{"customer", "still looking"},
			{"agent", "That's fine."},
			{"customer", "ok. another thing, how much interest rate do you pay on the savings account these days?"},
		}, "interest-rates", "password-reset", ""},
		{"the agent doing another flow's own step keeps it", []turn{
			{"customer", "the larkspur app on my phone won't let me sign in, it keeps crashing"},
			{"agent", "What does the screen say, and which phone do you use?"},
			{"customer", "it says access suspended"},
			{"agent", "Your online access was locked, so I've unlocked it for you."},
		}, "mobile-app-problems", "account-locked", "unlock-online-banking-access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(fl, NewTextMatcher(fl))
			for _, u := range tt.turns {
				tr.Observe(u.speaker, u.text)
			}
			st := tr.State()
			var earlier []string
			ticked := false
			for _, e := range st.Earlier {
				earlier = append(earlier, e.Flow.ID)
				for _, s := range e.Steps {
					ticked = ticked || s.Done && s.Step.ID == tt.ticked
				}
			}
			if st.Flow == nil || st.Flow.ID != tt.flow || strings.Join(earlier, " ") != tt.earlier {
				t.Fatalf("flow %v earlier %q, want %s earlier %q", st.Flow != nil && st.Flow.ID == tt.flow, earlier, tt.flow, tt.earlier)
			}
			if tt.ticked != "" && !ticked {
				t.Errorf("step %s of an earlier flow not done: %+v", tt.ticked, st.Earlier)
			}
		})
	}
}
