package guide

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/assist/rules"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/internal/stats"
	"github.com/larkspur-labs/assist/kb"
)

const testRules = `
offers:
  - id: virtual-card
    title: Show the instant virtual card in the app
    reason: "{segment} customer without the mobile wallet"
    consent: marketing
    score: 0.61234
    when:
      product_missing: mobile-wallet
warnings:
  - id: supervisor
    kind: supervisor
    severity: critical
    reason: Customer asked for a supervisor
    when:
      phrases: [supervisor, manager]
      speaker: customer
  - id: recorded
    kind: disclosure
    reason: The agent has not said the call is recorded
    must_say: [this call is recorded]
`

func parseRules(t *testing.T) *rules.RuleSet {
	t.Helper()
	rs, err := rules.ParseRules("test.yaml", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func customer(id, text string) Turn { return Turn{UtteranceID: id, Speaker: "customer", Text: text} }
func agent(id, text string) Turn    { return Turn{UtteranceID: id, Speaker: "agent", Text: text} }

func TestOffersAndWarnings(t *testing.T) {
	profiles := rules.NewProfiles(rules.Profile{ID: "cust-1", Segment: "gold", Consent: map[string]bool{"marketing": true}})
	g := (&Config{Rules: parseRules(t), Profiles: profiles}).NewCall()
	if err := g.LookupProfile(context.Background(), "cust-1"); err != nil {
		t.Fatal(err)
	}
	adv := g.CustomerTurn(customer("u1", "I lost my debit card"))
	if len(adv.Warnings) != 0 || adv.Step != nil {
		t.Errorf("first turn: %+v", adv)
	}
	if len(adv.Offers) != 1 || adv.Offers[0].Title != "Show the instant virtual card in the app" ||
		adv.Offers[0].Reason != "Gold customer without the mobile wallet; now: customer neutral (+0.00)" || adv.Offers[0].Score != 0.612 {
		t.Errorf("offers %+v, want the virtual card with its score rounded", adv.Offers)
	}
	if ws, change := g.AgentTurn(agent("u2", "I can block it for you.")); len(ws) != 0 || change != nil {
		t.Errorf("agent turn: %+v, %+v", ws, change)
	}
	adv = g.CustomerTurn(customer("u3", "Get me a supervisor now"))
	if len(adv.Warnings) != 1 || adv.Warnings[0].Kind != "supervisor" || adv.Warnings[0].Severity != "critical" ||
		adv.Warnings[0].UtteranceID != "u3" || !strings.HasPrefix(adv.Warnings[0].Reason, "Customer asked for a supervisor — ") {
		t.Errorf("supervisor warning: %+v", adv.Warnings)
	}
	if len(adv.Offers) != 1 {
		t.Errorf("the offer is not made on the second customer turn: %+v", adv.Offers)
	}
	if adv := g.CustomerTurn(customer("u4", "A manager, please")); len(adv.Warnings) != 0 {
		t.Errorf("a warning raised twice: %+v", adv.Warnings)
	}
	ws, cl := g.Finish(12)
	if len(ws) != 1 || ws[0].Kind != "disclosure" || cl != nil {
		t.Errorf("end: %+v, %+v; want the disclosure warning and no checklist", ws, cl)
	}
	if ws, _ := g.Finish(12); len(ws) != 0 {
		t.Errorf("the disclosure warning raised twice: %+v", ws)
	}
}

// failingProfiles is a profile service that is down.
type failingProfiles struct{}

func (failingProfiles) Lookup(context.Context, string) (rules.Profile, bool, error) {
	return rules.Profile{}, false, errors.New("connection refused")
}

func TestProfileLookupFailure(t *testing.T) {
	g := (&Config{Rules: parseRules(t), Profiles: failingProfiles{}}).NewCall()
	if err := g.LookupProfile(context.Background(), "cust-1"); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("lookup error %v", err)
	}
	if adv := g.CustomerTurn(customer("u1", "I lost my debit card")); len(adv.Offers) != 0 {
		t.Errorf("offers without a profile: %+v", adv.Offers)
	}
	if err := g.LookupProfile(context.Background(), ""); err != nil {
		t.Errorf("no customer id: %v", err)
	}
}

func TestNilConfigHasNoGuidance(t *testing.T) {
	var c *Config
	g := c.NewCall()
	if g != nil {
		t.Fatalf("NewCall on a nil Config = %+v", g)
	}
	if err := g.LookupProfile(context.Background(), "x"); err != nil || g.Checklist() != nil || g.Show() != nil {
		t.Error("a nil Call is not inert")
	}
}

func TestChecklist(t *testing.T) {
	fl, err := flows.LoadABCD(datasetstest.Sample(t, "abcd"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Flows: fl, Matcher: flows.NewTextMatcher(fl)}
	first := Turn{
		UtteranceID: "u1", Speaker: "customer", Text: "I forgot my password and can't log in to my account",
		Ranked: &assist.Ranked{Suggestions: []assist.Suggestion{{ArticleID: "a1", Title: "Reset a password"}}},
	}
	pullUp := agent("u2", "I can help. Let me pull up your account. May I have your full name?")
	enterDetails := agent("u4", "Thanks. Could you give me your phone number so I can enter the details?")

	// Until recommendations go out there is nothing to republish.
	unshown := cfg.NewCall()
	unshown.CustomerTurn(first)
	unshown.AgentTurn(pullUp)
	if _, change := unshown.AgentTurn(enterDetails); change != nil || unshown.Action("make-password") != nil {
		t.Error("a change before any recommendation went out")
	}

	g := cfg.NewCall()
	adv := g.CustomerTurn(first)
	cl := g.Show()
	if cl == nil || cl.ID != "recover_password" || cl.Next != "pull-up-account" || stats.Round(cl.Confidence, 3) != cl.Confidence {
		t.Fatalf("first checklist %+v", cl)
	}
	if adv.Step == nil || adv.Step.Title != cl.Steps[0].Title || adv.Step.Score != cl.Confidence ||
		!strings.HasPrefix(adv.Step.Reason, "step 1 of ") || !strings.HasSuffix(adv.Step.Reason, " (0 done)") {
		t.Errorf("next step %+v for checklist %+v", adv.Step, cl)
	}

	// Asking for the name starts the first step; moving on to the details
	// finishes it: the checklist moves on, and the change replaces the old
	// next step by the new one.
	if _, change := g.AgentTurn(pullUp); change != nil {
		t.Errorf("change when a step only started: %+v", change)
	}
	adv = g.CustomerTurn(customer("u3", "Crystal Minh"))
	g.Show()
	_, change := g.AgentTurn(enterDetails)
	if change == nil || change.Drop == nil || *change.Drop != *adv.Step || change.Step == nil || change.Step.Title == adv.Step.Title {
		t.Fatalf("change after the agent's turn: %+v", change)
	}
	cl = g.Show()
	if !cl.Steps[0].Done || cl.Next != "enter-details" {
		t.Errorf("checklist after asking for the details: %+v", cl)
	}
	if done := g.StepsDone(); len(done) != 1 || done[0] != cl.Steps[0].Title {
		t.Errorf("steps done %q, want the first step's title %q", done, cl.Steps[0].Title)
	}
	if done := unshown.StepsDone(); len(done) == 0 {
		t.Errorf("no steps done on the unshown call, whose agent entered the details")
	}
	if done := (&Config{}).NewCall().StepsDone(); done != nil {
		t.Errorf("steps done %q without a checklist", done)
	}
	// Nothing new: no change.
	if _, change := g.AgentTurn(agent("u5", "One moment.")); change != nil {
		t.Errorf("change without progress: %+v", change)
	}
	if g.Action("pull-up-account") != nil {
		t.Error("an action already seen asks for a republish")
	}
	before := g.step
	change = g.Action("make-password")
	if change == nil || change.Drop != before {
		t.Fatalf("change after the make-password action: %+v", change)
	}
	g.Show()
	_, end := g.Finish(30)
	if end == nil || !end.Steps[0].Done || !end.Steps[2].Done {
		t.Errorf("final checklist %+v", end)
	}
}

const fitRules = `
offers:
  - id: travel-card
    title: Offer the travel card
    when:
      segment: gold
      intents: [travel-notice, card-lost-stolen]
    avoid:
      intents: [card-lost-stolen]
  - id: protection
    title: Offer overdraft protection
    when:
      segment: gold
      mood: [neutral, positive]
    avoid:
      warnings: [supervisor, complaint]
warnings:
  - id: supervisor
    kind: supervisor
    when:
      phrases: [supervisor]
      speaker: customer
  - id: recorded
    kind: disclosure
    must_say: [this call is recorded]
    within_turns: 1
    channels: [voice]
`

// ranked is a customer turn's ranking whose top article is id.
func ranked(id string) *assist.Ranked {
	return &assist.Ranked{Suggestions: []assist.Suggestion{{ArticleID: id, Title: id}}}
}

func TestOffersFitTheMomentAndRulesTheChannel(t *testing.T) {
	rs, err := rules.ParseRules("fit.yaml", []byte(fitRules))
	if err != nil {
		t.Fatal(err)
	}
	profiles := rules.NewProfiles(rules.Profile{ID: "c", Segment: "gold", Consent: map[string]bool{"marketing": true}})
	offers := func(adv Advice) string {
		var ids []string
		for _, o := range adv.Offers {
			ids = append(ids, o.Title)
		}
		return strings.Join(ids, ", ")
	}
	tests := []struct {
		name, channel string
		turns         []Turn
		// wantOffers are the offers of the last customer turn.
		wantOffers string
		// wantDisclosure says the voice-only disclosure fires.
		wantDisclosure bool
	}{
		{"travel question on voice", "voice", []Turn{
			{UtteranceID: "u1", Speaker: "customer", Text: "I'm travelling to Spain", Ranked: ranked("travel-notice")},
			agent("u2", "Sure, let me note that."),
		}, "Offer overdraft protection, Offer the travel card", true},
		{"no travel card after a lost card, on chat", "chat", []Turn{
			{UtteranceID: "u1", Speaker: "customer", Text: "I lost my card", Ranked: ranked("card-lost-stolen")},
			agent("u2", "I've locked it."),
			{UtteranceID: "u3", Speaker: "customer", Text: "I'm travelling next week", Ranked: ranked("travel-notice")},
		}, "Offer overdraft protection", false},
		{"no offer once a supervisor was asked for", "voice", []Turn{
			{UtteranceID: "u1", Speaker: "customer", Text: "get me a supervisor"},
		}, "", false},
		{"no offer to a negative customer", "voice", []Turn{
			{UtteranceID: "u1", Speaker: "customer", Text: "this is awful", Score: assist.Score{Polarity: -0.8}},
		}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := (&Config{Rules: rs, Profiles: profiles}).NewCall()
			g.SetChannel(tt.channel)
			if err := g.LookupProfile(context.Background(), "c"); err != nil {
				t.Fatal(err)
			}
			var last Advice
			disclosed := false
			for _, u := range tt.turns {
				if u.Speaker == "customer" {
					last = g.CustomerTurn(u)
					for _, w := range last.Warnings {
						disclosed = disclosed || w.Kind == "disclosure"
					}
					continue
				}
				ws, _ := g.AgentTurn(u)
				for _, w := range ws {
					disclosed = disclosed || w.Kind == "disclosure"
				}
			}
			if got := offers(last); got != tt.wantOffers {
				t.Errorf("offers %q, want %q", got, tt.wantOffers)
			}
			for _, o := range last.Offers {
				if !strings.Contains(o.Reason, "now: ") {
					t.Errorf("offer %q does not say why now: %q", o.Title, o.Reason)
				}
			}
			if disclosed != tt.wantDisclosure {
				t.Errorf("voice-only disclosure fired %v, want %v", disclosed, tt.wantDisclosure)
			}
		})
	}
}

func TestOfferMadeIsNotShownAgain(t *testing.T) {
	rs, err := rules.ParseRules("o.yaml", []byte(`
offers:
  - id: protection
    title: Link savings as overdraft protection ($10 transfer instead of a $35 fee)
    when: {segment: gold}
`))
	if err != nil {
		t.Fatal(err)
	}
	profiles := rules.NewProfiles(rules.Profile{ID: "c", Segment: "gold", Consent: map[string]bool{"marketing": true}})
	g := (&Config{Rules: rs, Profiles: profiles}).NewCall()
	if err := g.LookupProfile(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	if adv := g.CustomerTurn(customer("u1", "I was charged overdraft fees")); len(adv.Offers) != 1 {
		t.Fatalf("offers %+v, want the protection", adv.Offers)
	}
	g.AgentTurn(agent("u2", "Let me look at your savings."))
	if adv := g.CustomerTurn(customer("u3", "ok")); len(adv.Offers) != 1 {
		t.Errorf("a mention of savings alone made the offer: %+v", adv.Offers)
	}
	g.AgentTurn(agent("u4", "If I link your savings account as overdraft protection, a transfer covers it."))
	if adv := g.CustomerTurn(customer("u5", "fine, set that up")); len(adv.Offers) != 0 {
		t.Errorf("the offer the agent made is shown again: %+v", adv.Offers)
	}
}

func TestNewNeedKeepsTheFlowLeftInTheRecord(t *testing.T) {
	arts, err := kb.Sample()
	if err != nil {
		t.Fatal(err)
	}
	fl := flows.FromArticles(arts)
	rs, err := rules.ParseRules("o.yaml", []byte(`
offers:
  - id: savings
    title: Offer the high-yield savings account
    when: {segment: gold}
    avoid: {flows: [card-lost-stolen]}
`))
	if err != nil {
		t.Fatal(err)
	}
	profiles := rules.NewProfiles(rules.Profile{ID: "c", Segment: "gold", Consent: map[string]bool{"marketing": true}})
	g := (&Config{Flows: fl, Matcher: flows.NewTextMatcher(fl), Rules: rs, Profiles: profiles}).NewCall()
	if err := g.LookupProfile(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	g.CustomerTurn(customer("u1", "I lost my debit card yesterday, I can't find it anywhere"))
	g.Show()
	g.AgentTurn(agent("u2", "I'm sorry. I've locked your card."))
	adv := g.CustomerTurn(customer("u3", "thanks. another thing, how much interest rate do you pay on the savings account these days?"))
	cl := g.Show()
	if cl == nil || cl.ID != "interest-rates" || len(cl.Earlier) != 1 || cl.Earlier[0].ID != "card-lost-stolen" {
		t.Fatalf("checklist %+v, want interest-rates after card-lost-stolen", cl)
	}
	locked := false
	for _, s := range cl.Earlier[0].Steps {
		locked = locked || s.ID == "lock-the-card" && s.Done && s.UtteranceID == "u2"
	}
	if !locked {
		t.Errorf("the lock is not kept done in the flow left: %+v", cl.Earlier[0])
	}
	if len(adv.Offers) != 0 {
		t.Errorf("an offer avoiding the lost-card flow shows after the call moved on from it: %+v", adv.Offers)
	}
	if !slices.Contains(g.StepsDone(), "Lock the card") {
		t.Errorf("steps done %q lack the earlier flow's lock", g.StepsDone())
	}
}
