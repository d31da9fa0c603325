package rules

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testRules = `
offers:
  - id: travel-card
    title: Voyager travel card
    consent: marketing
    score: 0.8
    when:
      segment: gold
      product_missing: travel-card
      tenure_min: 24
      intents: [overdraft-fees]
  - id: retention
    title: Waive the fee
    consent: retention_offers
    score: 0.9
    when: {tenure_min: 60}
warnings:
  - id: fraud
    kind: fraud
    severity: critical
    when: {speaker: customer, phrases: ["didn't authorise", "not me"]}
  - id: vulnerable
    kind: vulnerable
    when: {phrases: ["I don't understand"]}
  - id: angry
    kind: complaint
    reason: "Customer high in {emotion}: {quote}"
    when: {speaker: customer, emotion_above: {anger: 0.6}}
  - id: sad
    kind: complaint
    severity: info
    when: {sentiment_below: -0.7, speaker: customer}
  - id: fees-topic
    kind: complaint
    severity: info
    when: {intents: [overdraft-fees]}
  - id: supervisor
    kind: supervisor
    severity: critical
    reason: "Customer asked for a {phrase}"
    when: {phrases: [supervisor, manager]}
  - id: dead-air
    kind: silence
    severity: info
    when: {silence_seconds: 8}
  - id: talkover
    kind: talkover
    severity: info
    when: {speaker: agent, talkover_seconds: 1.5}
  - id: recording
    kind: disclosure
    must_say: ["this call is recorded"]
    within_turns: 2
`

func mustRules(t *testing.T, src string) *RuleSet {
	t.Helper()
	rs, err := ParseRules("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("ParseRules: %v", err)
	}
	return rs
}

func turn(i int, speaker string, start, end float64, text string) TurnInfo {
	return TurnInfo{Index: i, Speaker: speaker, Text: text, UtteranceID: fmt.Sprintf("u%d", i), Start: start, End: end}
}

func warningByID(out Output, id string) (Warning, bool) {
	for _, w := range out.Warnings {
		if w.ID == id {
			return w, true
		}
	}
	return Warning{}, false
}

func TestWarningsCiteTheirUtterance(t *testing.T) {
	rs := mustRules(t, testRules)
	tests := []struct {
		name      string
		in        Input
		id        string
		kind      string
		utterance string
		quote     string
		reason    string // substring
	}{
		{
			name: "fraud phrase",
			in: Input{Turns: []TurnInfo{
				turn(0, "agent", 0, 2, "How can I help?"),
				turn(1, "customer", 3, 6, "There is a payment I DIDN'T  authorise on card 4111 1111 1111 1111"),
			}},
			id: "fraud", kind: KindFraud, utterance: "u1", quote: "DIDN'T  authorise", reason: `said "DIDN'T authorise"`,
		},
		{
			name: "phrase needs whole words",
			in: Input{Turns: []TurnInfo{
				turn(0, "customer", 0, 2, "that is nothing to do with me"),
				turn(1, "customer", 3, 4, "it's not me, honestly"),
			}},
			id: "fraud", kind: KindFraud, utterance: "u1", quote: "not me",
		},
		{
			name: "vulnerable phrase",
			in: Input{Turns: []TurnInfo{
				turn(0, "agent", 0, 2, "Tap the button."),
				turn(1, "customer", 3, 5, "I'm afraid I don't understand all this."),
			}},
			id: "vulnerable", kind: KindVulnerable, utterance: "u1", quote: "I don't understand",
		},
		{
			name: "complaint by emotion, quote redacted",
			in: Input{Turns: []TurnInfo{
				{Index: 0, Speaker: "customer", Text: "fine", UtteranceID: "u0", Emotions: map[string]float64{"anger": 0.2}},
				{Index: 1, Speaker: "customer", Text: "Email me at jo@example.com now!", UtteranceID: "u1", Emotions: map[string]float64{"anger": 0.7}},
			}},
			id: "angry", kind: KindComplaint, utterance: "u1", quote: "Email me at [EMAIL] now!", reason: "Customer high in anger: Email me at [EMAIL] now!",
		},
		{
			name: "complaint quoting an answer to the agent's question, redacted",
			in: Input{Turns: []TurnInfo{
				{Index: 0, Speaker: "agent", Text: "can you confirm your date of birth", UtteranceID: "u0"},
				{Index: 1, Speaker: "customer", Text: "march fourth eighty eight, how many times do I have to say it", UtteranceID: "u1", Emotions: map[string]float64{"anger": 0.7}},
			}},
			id: "angry", kind: KindComplaint, utterance: "u1", quote: "[DOB], how many times do I have to say it",
		},
		{
			name: "complaint by sentiment",
			in: Input{Turns: []TurnInfo{
				{Index: 0, Speaker: "agent", Text: "Sorry", UtteranceID: "u0", Score: -0.9},
				{Index: 1, Speaker: "customer", Text: "This is awful", UtteranceID: "u1", Score: -0.8},
			}},
			id: "sad", kind: KindComplaint, utterance: "u1", quote: "This is awful",
		},
		{
			name: "complaint by intent of the last turn",
			in: Input{Turns: []TurnInfo{
				turn(0, "customer", 0, 2, "hi"),
				turn(1, "customer", 3, 4, "about the fees"),
			}, Intents: []string{"overdraft-fees"}},
			id: "fees-topic", kind: KindComplaint, utterance: "u1", reason: "about overdraft fees",
		},
		{
			name: "supervisor",
			in: Input{Turns: []TurnInfo{
				turn(0, "customer", 0, 2, "Let me talk to your Supervisor."),
			}},
			id: "supervisor", kind: KindSupervisor, utterance: "u0", quote: "Supervisor", reason: "Customer asked for a Supervisor",
		},
		{
			name: "silence cites the turn before the gap",
			in: Input{Turns: []TurnInfo{
				turn(0, "customer", 0, 5, "Can you check?"),
				turn(1, "agent", 6, 8, "One moment."),
				turn(2, "agent", 17, 18, "Thanks for waiting."),
			}},
			id: "dead-air", kind: KindSilence, utterance: "u1", reason: "9 s of silence",
		},
		{
			name: "silence still going on",
			in: Input{Turns: []TurnInfo{
				turn(0, "customer", 0, 5, "Hello?"),
			}, Now: 14},
			id: "dead-air", kind: KindSilence, utterance: "u0",
		},
		{
			name: "talkover",
			in: Input{Turns: []TurnInfo{
				turn(0, "customer", 0, 10, "So the thing is that I was charged twice"),
				turn(1, "agent", 7, 12, "Right, right, I see"),
			}},
			id: "talkover", kind: KindTalkover, utterance: "u1", reason: "for 3.0 s",
		},
		{
			name: "disclosure missed within two agent turns",
			in: Input{Turns: []TurnInfo{
				turn(0, "agent", 0, 1, "Hello, Larkspur Bank."),
				turn(1, "customer", 2, 3, "Hi."),
				turn(2, "agent", 4, 5, "How can I help?"),
				turn(3, "agent", 6, 7, "This call is recorded."),
			}},
			id: "recording", kind: KindDisclosure, utterance: "u2", reason: "within 2 turns",
		},
		{
			name: "disclosure missed by the end",
			in: Input{Turns: []TurnInfo{
				turn(0, "agent", 0, 1, "Hello."),
				turn(1, "customer", 2, 3, "Bye."),
			}, Ended: true},
			id: "recording", kind: KindDisclosure, utterance: "u0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := rs.Evaluate(tc.in)
			w, ok := warningByID(out, tc.id)
			if !ok {
				t.Fatalf("no warning %s in %+v", tc.id, out.Warnings)
			}
			if w.Kind != tc.kind || w.UtteranceID != tc.utterance {
				t.Errorf("kind %q utterance %q, want %q %q", w.Kind, w.UtteranceID, tc.kind, tc.utterance)
			}
			if tc.quote != "" && w.Quote != tc.quote {
				t.Errorf("quote %q, want %q", w.Quote, tc.quote)
			}
			if !strings.Contains(w.Reason, tc.reason) {
				t.Errorf("reason %q, want it to contain %q", w.Reason, tc.reason)
			}
			if strings.Contains(w.Reason+w.Quote, "4111") || strings.Contains(w.Reason+w.Quote, "jo@example") {
				t.Errorf("personal data in %+v", w)
			}
		})
	}
}

func TestWarningsThatMustNotFire(t *testing.T) {
	rs := mustRules(t, testRules)
	tests := []struct {
		name string
		in   Input
		id   string
	}{
		{"phrase inside a word", Input{Turns: []TurnInfo{turn(0, "customer", 0, 1, "my managerial role")}}, "supervisor"},
		{"wrong speaker", Input{Turns: []TurnInfo{turn(0, "agent", 0, 1, "you didn't authorise it?")}}, "fraud"},
		{"short gap", Input{Turns: []TurnInfo{turn(0, "customer", 0, 1, "a"), turn(1, "agent", 5, 6, "b")}}, "dead-air"},
		{"silence after the call ended", Input{Turns: []TurnInfo{turn(0, "customer", 0, 1, "bye")}, Ended: true, Now: 60}, "dead-air"},
		{"short overlap", Input{Turns: []TurnInfo{turn(0, "customer", 0, 5, "a"), turn(1, "agent", 4, 6, "b")}}, "talkover"},
		{"disclosure said", Input{Turns: []TurnInfo{turn(0, "agent", 0, 1, "Hi, this   call is RECORDED."), turn(1, "agent", 2, 3, "ok")}, Ended: true}, "recording"},
		{"disclosure window still open", Input{Turns: []TurnInfo{turn(0, "agent", 0, 1, "Hi.")}}, "recording"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if w, ok := warningByID(rs.Evaluate(tc.in), tc.id); ok {
				t.Errorf("unexpected warning %+v", w)
			}
		})
	}
}

func TestWarningKeepsItsFirstTrigger(t *testing.T) {
	rs := mustRules(t, testRules)
	turns := []TurnInfo{
		turn(0, "customer", 0, 2, "I want a manager."),
		turn(1, "agent", 3, 4, "Sure."),
		turn(2, "customer", 5, 6, "A manager, now. Or a supervisor."),
	}
	first := rs.Evaluate(Input{Turns: turns[:1]})
	all := rs.Evaluate(Input{Turns: turns})
	again := rs.Evaluate(Input{Turns: turns})
	if !reflect.DeepEqual(all, again) {
		t.Fatalf("not deterministic:\n%+v\n%+v", all, again)
	}
	w1, _ := warningByID(first, "supervisor")
	w2, _ := warningByID(all, "supervisor")
	if w1 != w2 || w2.UtteranceID != "u0" {
		t.Errorf("citation moved: %+v then %+v", w1, w2)
	}
	n := 0
	for _, w := range all.Warnings {
		if w.ID == "supervisor" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("supervisor fired %d times, want once", n)
	}
}

func TestOffersNeedConsent(t *testing.T) {
	rs := mustRules(t, testRules)
	base := Profile{ID: "c1", Segment: "Gold", Products: []string{"checking"}, TenureMonths: 72}
	tests := []struct {
		name    string
		consent map[string]bool
		want    []string
		skipped []string
	}{
		{"all consent", map[string]bool{"marketing": true, "retention_offers": true}, []string{"retention", "travel-card"}, nil},
		{"marketing only", map[string]bool{"marketing": true}, []string{"travel-card"}, []string{"offer retention: no retention_offers consent"}},
		{"explicitly refused", map[string]bool{"marketing": false, "retention_offers": false}, nil, []string{
			"offer travel-card: no marketing consent", "offer retention: no retention_offers consent"}},
		{"no consent recorded", nil, nil, []string{"offer travel-card: no marketing consent", "offer retention: no retention_offers consent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			p.Consent = tc.consent
			out := rs.Evaluate(Input{Profile: &p, Intents: []string{"Overdraft-Fees"}})
			var got []string
			for _, o := range out.Offers {
				got = append(got, o.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("offers %v, want %v", got, tc.want)
			}
			if !reflect.DeepEqual(out.Skipped, tc.skipped) {
				t.Errorf("skipped %q, want %q", out.Skipped, tc.skipped)
			}
		})
	}
	p := base
	p.Consent = map[string]bool{"marketing": true}
	out := rs.Evaluate(Input{Profile: &p, Intents: []string{"overdraft-fees"}})
	if want := "Gold customer for 6 years with no travel card; asked about overdraft fees"; out.Offers[0].Reason != want {
		t.Errorf("reason %q, want %q", out.Offers[0].Reason, want)
	}
}

func TestUnknownCustomerGetsWarningsButNoOffers(t *testing.T) {
	rs := mustRules(t, testRules)
	out := rs.Evaluate(Input{
		Turns:   []TurnInfo{turn(0, "customer", 0, 1, "Get me a supervisor")},
		Intents: []string{"overdraft-fees"},
	})
	if len(out.Offers) != 0 {
		t.Errorf("offers for an unknown customer: %+v", out.Offers)
	}
	if _, ok := warningByID(out, "supervisor"); !ok {
		t.Errorf("no supervisor warning: %+v", out.Warnings)
	}
	if len(out.Skipped) != 1 || !strings.Contains(out.Skipped[0], "unknown") {
		t.Errorf("skipped %q", out.Skipped)
	}
}

func TestRulesFileErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown key", `
warnings:
  - id: ok
    kind: fraud
    when: {phrases: [x]}
  - id: bad
    kind: fraud
    colour: red
    when: {phrases: [x]}
`, []string{`bad.yaml:8: warning: unknown key "colour"`}},
		{"unknown key in when", `
offers:
  - id: bad
    title: T
    when: {tenure_minimum: 3}
`, []string{`bad.yaml:5: offer "bad" when: unknown key "tenure_minimum"`}},
		{"unknown channel, mood, and a mood both fitting and avoided", `
offers:
  - id: bad
    title: T
    channels: [fax]
    when: {segment: gold}
  - id: bad2
    title: T
    when: {segment: gold, mood: [grumpy]}
  - id: bad3
    title: T
    when: {segment: gold, mood: [neutral]}
    avoid: {mood: [neutral], colour: red}
`, []string{`bad.yaml:5: offer "bad" channels: unknown value "fax" (want one of voice, chat)`,
			`bad.yaml:9: offer "bad2" mood: unknown value "grumpy"`,
			`offer "bad3" avoid: unknown key "colour"`,
			`bad.yaml:12: offer "bad3": mood "neutral" both fits and is avoided`}},
		{"bad severity and kind", `
warnings:
  - id: bad
    kind: fraud
    severity: urgent
    when: {phrases: [x]}
  - id: bad2
    kind: theft
    when: {phrases: [x]}
`, []string{`bad.yaml:5: warning "bad": unknown severity "urgent"`, `bad.yaml:8: warning "bad2": unknown kind "theft"`}},
		{"duplicate and missing id", `
offers:
  - id: dup
    title: A
    when: {tenure_min: 1}
warnings:
  - id: dup
    kind: fraud
    when: {phrases: [x]}
  - kind: fraud
    when: {phrases: [x]}
`, []string{`bad.yaml:7: warning "dup": duplicate id (first at line 3)`, `bad.yaml:10: warning without an id`}},
		{"contradictory tenure", `
offers:
  - id: bad
    title: T
    when:
      tenure_min: 60
      tenure_max: 12
`, []string{`bad.yaml:6: offer "bad": tenure_min 60 is above tenure_max 12`}},
		{"empty when", `
warnings:
  - id: bad
    kind: complaint
    when: {}
`, []string{`bad.yaml:5: warning "bad": empty when`}},
		{"product both missing and required", `
offers:
  - id: bad
    title: T
    when: {product_has: [card], product_missing: Card}
`, []string{`bad.yaml:5: offer "bad": product "Card" is both missing and required`}},
		{"silence without seconds, disclosure without phrases", `
warnings:
  - id: s
    kind: silence
    when: {speaker: agent}
  - id: d
    kind: disclosure
    within_turns: 2
`, []string{`bad.yaml:3: warning "s": silence_seconds goes with kind silence`, `bad.yaml:6: warning "d": a disclosure needs must_say`}},
		{"unknown emotion and placeholder", `
warnings:
  - id: e
    kind: complaint
    reason: "{name} is angry"
    when: {emotion_above: {angry: 0.5}}
`, []string{`bad.yaml:5: warning "e": reason uses unknown placeholder {name}`, `bad.yaml:6: warning "e": unknown emotion "angry"`}},
		{"wrong type", `
offers:
  - id: bad
    title: T
    score: high
    when: {tenure_min: 1}
`, []string{`bad.yaml:5: offer "bad" score:`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			valid := "\n  - id: still-works\n    kind: supervisor\n    when: {phrases: [manager]}\n"
			src := tc.src
			if strings.Contains(src, "warnings:") {
				src += valid
			} else {
				src += "warnings:" + valid
			}
			rs, err := ParseRules("bad.yaml", []byte(src))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.File != "bad.yaml" || fe.Line == 0 {
				t.Errorf("error %v is not an *Error with file and line", err)
			}
			if rs == nil {
				t.Fatal("no partial rule set")
			}
			out := rs.Evaluate(Input{Turns: []TurnInfo{turn(0, "customer", 0, 1, "get me a manager")}})
			if _, ok := warningByID(out, "still-works"); !ok {
				t.Errorf("valid rule did not load: %+v", rs.Warnings)
			}
			for _, w := range rs.Warnings {
				if w.ID == "bad" || w.ID == "bad2" {
					t.Errorf("broken rule %q loaded", w.ID)
				}
			}
		})
	}
}

func TestRulesFileSyntaxError(t *testing.T) {
	_, err := ParseRules("broken.yaml", []byte("offers:\n  - id: [x\n"))
	if err == nil || !strings.Contains(err.Error(), "broken.yaml") || !strings.Contains(err.Error(), "line") {
		t.Errorf("error %v, want file and line", err)
	}
	if _, err := LoadRules("testdata/missing.yaml"); err == nil {
		t.Error("no error for a missing file")
	}
}

// sampleLine is one line of a bundled sample call (engine/samples).
type sampleLine struct {
	Type     string  `json:"type"`
	Customer string  `json:"customer"`
	Offset   float64 `json:"offset"`
	Duration float64 `json:"duration"`
	Speaker  string  `json:"speaker"`
	Text     string  `json:"text"`
}

// readSample reads a bundled sample call as the customer id and its turns.
func readSample(t *testing.T, name string) (string, []TurnInfo) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "engine", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var customer string
	var turns []TurnInfo
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l sampleLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Type == "call" {
			customer = l.Customer
			continue
		}
		i := len(turns)
		turns = append(turns, TurnInfo{Index: i, Speaker: l.Speaker, Text: l.Text, UtteranceID: fmt.Sprintf("u%d", i),
			Start: l.Offset, End: l.Offset + l.Duration})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return customer, turns
}

func TestCenterRulesOnSampleCalls(t *testing.T) {
	rs, err := BundledRules()
	if err != nil {
		t.Fatalf("center.yaml: %v", err)
	}
	profiles, err := BundledProfiles()
	if err != nil {
		t.Fatalf("customers.json: %v", err)
	}
	tests := []struct {
		file, channel string
		intents       []string
		offers        []string
		warnings      map[string]string // id → utterance
	}{
		// No offer during a lost card: no travel card, no virtual card.
		{"lost-card-happy.jsonl", "voice", []string{"card-lost-stolen", "card-delivery"}, nil,
			map[string]string{"recording-disclosure": "u2"}},
		{"angry-overdraft-fees.jsonl", "voice", []string{"overdraft-fees"}, []string{"loyalty-fee-waiver", "overdraft-protection"},
			map[string]string{"recording-disclosure": "u2", "complaint-words": "u9", "supervisor-request": "u11", "churn-threat": "u13"}},
		// No sweep into savings while money moves out of them, and no
		// recorded-call disclosure on chat.
		{"chat-balance-transfer.jsonl", "chat", []string{"account-balance", "transfer-between-accounts"}, nil,
			map[string]string{}},
		{"elderly-app-login.jsonl", "voice", []string{"password-reset", "mobile-app-problems"}, nil,
			map[string]string{"recording-disclosure": "u2", "vulnerable-customer": "u1", "fraud-words": "u11", "dead-air": "u21"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			customer, turns := readSample(t, tc.file)
			p, ok, err := profiles.Lookup(context.Background(), customer)
			if err != nil || !ok {
				t.Fatalf("no profile for %q: %v", customer, err)
			}
			out := rs.Evaluate(Input{Profile: &p, Turns: turns, Intents: tc.intents, Ended: true, Channel: tc.channel})
			var offers []string
			for _, o := range out.Offers {
				offers = append(offers, o.ID)
				if o.Reason == "" || strings.Contains(o.Reason, "{") {
					t.Errorf("offer %s reason %q", o.ID, o.Reason)
				}
			}
			if !reflect.DeepEqual(offers, tc.offers) {
				t.Errorf("offers %v, want %v (skipped %q)", offers, tc.offers, out.Skipped)
			}
			got := map[string]string{}
			for _, w := range out.Warnings {
				got[w.ID] = w.UtteranceID
			}
			if !reflect.DeepEqual(got, tc.warnings) {
				t.Errorf("warnings %v, want %v\n%+v", got, tc.warnings, out.Warnings)
			}
		})
	}
}

func TestTypographicApostropheAndIntentSpelling(t *testing.T) {
	rs := mustRules(t, testRules)
	out := rs.Evaluate(Input{Turns: []TurnInfo{turn(0, "customer", 0, 1, "I didn’t authorise that")}})
	if w, ok := warningByID(out, "fraud"); !ok || w.Quote != "didn’t authorise" {
		t.Errorf("fraud: %+v %v", w, ok)
	}
	p := Profile{ID: "c", Segment: "gold", TenureMonths: 30, Consent: map[string]bool{"marketing": true}}
	out = rs.Evaluate(Input{Profile: &p, Intents: []string{"Overdraft fees"}})
	if len(out.Offers) != 1 || out.Offers[0].ID != "travel-card" {
		t.Errorf("offers %+v", out.Offers)
	}
}

func ExampleRuleSet_Evaluate() {
	rs, err := ParseRules("center.yaml", []byte(`
offers:
  - id: travel-card
    title: Offer the Voyager travel card
    when: {segment: gold, product_missing: travel-card, intents: [card-declined]}
warnings:
  - id: supervisor
    kind: supervisor
    severity: critical
    reason: "Customer asked for a {phrase}"
    when: {speaker: customer, phrases: [supervisor, manager]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out := rs.Evaluate(Input{
		Profile: &Profile{ID: "Daniel Okafor", Segment: "gold", TenureMonths: 50, Consent: map[string]bool{"marketing": true}},
		Turns:   []TurnInfo{{Speaker: "customer", Text: "My card was declined abroad. Get me a manager.", UtteranceID: "u7"}},
		Intents: []string{"card-declined"},
	})
	for _, o := range out.Offers {
		fmt.Printf("offer %s: %s (%s)\n", o.ID, o.Title, o.Reason)
	}
	for _, w := range out.Warnings {
		fmt.Printf("%s %s at %s: %s\n", w.Severity, w.Kind, w.UtteranceID, w.Reason)
	}
	// Output:
	// offer travel-card: Offer the Voyager travel card (Gold customer for 4 years with no travel card; asked about card declined; now: just asked, customer neutral (+0.00))
	// critical supervisor at u7: Customer asked for a manager
}

// TestEmotionAliases keeps rules files written before the gauges were
// renamed working: fear reads as anxiety, joy as satisfaction.
func TestEmotionAliases(t *testing.T) {
	rs, err := ParseRules("old.yaml", []byte(`
warnings:
  - id: worried
    kind: fraud
    when: {emotion_above: {fear: 0.5, joy: 0.9}}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := rs.Warnings[0].When.EmotionAbove
	if len(got) != 2 || got["anxiety"] != 0.5 || got["satisfaction"] != 0.9 {
		t.Errorf("emotion_above = %v, want anxiety 0.5 and satisfaction 0.9", got)
	}
}
