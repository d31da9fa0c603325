package assist

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// sampleCall reads one of the bundled sample calls (engine/samples) in the
// project's JSONL call format. Package assist may not import engine, so it
// reads the file itself: a header line, then one utterance per line.
func sampleCall(t *testing.T, name string) []Turn {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "engine", "samples", name))
	if err != nil {
		t.Fatalf("read sample call: %v", err)
	}
	var turns []Turn
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var u struct {
			Type    string `json:"type"`
			Speaker string `json:"speaker"`
			Text    string `json:"text"`
		}
		if err := json.Unmarshal([]byte(line), &u); err != nil {
			t.Fatalf("%s:%d: %v", name, i+1, err)
		}
		if u.Type == "call" {
			continue
		}
		turns = append(turns, Turn{Speaker: u.Speaker, Text: u.Text})
	}
	if len(turns) == 0 {
		t.Fatalf("%s: no turns", name)
	}
	return turns
}

// checkVerbatim asserts that every non-empty field the summary picked from
// the transcript is what the right speaker said: Situation a stretch of a
// customer turn, each sentence of Action and the Resolution a stretch of an
// agent turn.
func checkVerbatim(t *testing.T, name string, turns []Turn, s Summary) {
	t.Helper()
	said := func(customer bool, text string) bool {
		for _, tu := range turns {
			if isCustomer(tu) == customer && strings.Contains(tu.Text, text) {
				return true
			}
		}
		return false
	}
	if s.Situation != "" && !said(true, strings.TrimSuffix(s.Situation, "…")) {
		t.Errorf("%s: Situation %q is not a customer's words", name, s.Situation)
	}
	for _, sp := range sentenceSpans(s.Action) {
		if a := s.Action[sp[0]:sp[1]]; !said(false, a) {
			t.Errorf("%s: Action sentence %q is not an agent's words", name, a)
		}
	}
	if s.Resolution != "" && !said(false, s.Resolution) {
		t.Errorf("%s: Resolution %q is not an agent's words", name, s.Resolution)
	}
	if len(s.Entities) > maxEntities {
		t.Errorf("%s: %d entities, want at most %d", name, len(s.Entities), maxEntities)
	}
	seen := map[string]bool{}
	for _, e := range s.Entities {
		if seen[strings.ToLower(e)] || e == "" {
			t.Errorf("%s: entity %q empty or repeated in %q", name, e, s.Entities)
		}
		seen[strings.ToLower(e)] = true
	}
	if s.Source != "extractive" {
		t.Errorf("%s: Source = %q", name, s.Source)
	}
	if s.Satisfaction != Satisfied && s.Satisfaction != NotSure && s.Satisfaction != Dissatisfied {
		t.Errorf("%s: Satisfaction = %q", name, s.Satisfaction)
	}
}

func TestExtractiveOnSampleCalls(t *testing.T) {
	for _, c := range []struct {
		file   string
		topics []string // titles of the sample knowledge base the call is about
		mood   float64
		want   Summary // the fields to check exactly; Entities are checked for presence
		absent []string
	}{
		{
			file:   "lost-card-happy.jsonl",
			topics: []string{"Lost or stolen card", "Activate a new card"},
			mood:   0.42,
			want: Summary{
				Situation:    "I think I lost my debit card. I had it at the farmers market this morning and now it's not in my wallet.",
				Action:       "Okay, I've locked that card right now, so nobody can make a purchase or take out cash with it. I'll order a replacement now.",
				Resolution:   "Done, it's on its way by express.",
				Satisfaction: Satisfied,
				Reason:       "Lost or stolen card",
				Entities:     []string{"card"},
				Disposition:  "Lost or stolen card",
			},
		},
		{
			file:   "angry-overdraft-fees.jsonl",
			topics: []string{"Overdraft fees and fee refunds", "Complaints and supervisor requests"},
			mood:   -0.31,
			want: Summary{
				Situation:  "I just looked at my account and you people charged me a hundred and five dollars in overdraft fees. Three fees in one day.",
				Action:     "I've refunded the first fee, and I've sent the other two to my team lead with a note about your history with us. She just approved the second one while we've been talking.",
				Resolution: "You've got seventy dollars coming back, overdraft protection from savings, and a low-balance alert.",
				// An angry call that ends in thanks.
				Satisfaction: NotSure,
				Reason:       "Overdraft fees and fee refunds",
				Entities:     []string{"overdraft fee", "a hundred and five dollars", "thirty-five dollars", "Tuesday", "seventy dollars"},
				Disposition:  "Overdraft fees and fee refunds",
			},
			// The date of birth given in answer to the agent's question.
			absent: []string{"March fourth", "fee"},
		},
		{
			file:   "chat-balance-transfer.jsonl",
			topics: []string{"Check an account balance", "Move money between your own accounts"},
			mood:   0.2,
			want: Summary{
				Situation:    "can you tell me how much i have in my savings and checking?",
				Action:       "Done! The transfer is instant.",
				Resolution:   "Checking now shows $1,512.40 available and savings $3,670.15.",
				Satisfaction: Satisfied,
				Reason:       "Check an account balance",
				Entities:     []string{"account", "balance", "$312.40", "$4,870.15", "friday", "$1,200"},
				Disposition:  "Check an account balance",
			},
		},
		{
			file:   "elderly-app-login.jsonl",
			topics: []string{"Reset the online banking password or app passcode", "Mobile app problems"},
			mood:   0.1,
			want: Summary{
				Situation:    "My grandson changed my password on the computer last week and now the bank app on my phone won't let me log in.",
				Action:       "After too many tries the login locks, so I've just unlocked it for you.",
				Resolution:   "Nothing has happened to your money, it's all safe.",
				Satisfaction: Satisfied,
				Reason:       "Reset the online banking password or app passcode",
				Entities:     []string{"online banking", "password", "app"},
				Disposition:  "Reset the online banking password or app passcode",
			},
			absent: []string{"twelfth of June"},
		},
	} {
		turns := sampleCall(t, c.file)
		s := Extractive(SummaryRequest{Turns: turns, Topics: c.topics}, c.mood)
		checkVerbatim(t, c.file, turns, s)
		got := s
		got.Entities, got.Source = c.want.Entities, ""
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.file, got, c.want)
		}
		for _, e := range c.want.Entities {
			if !slices.Contains(s.Entities, e) {
				t.Errorf("%s: Entities %q lack %q", c.file, s.Entities, e)
			}
		}
		for _, e := range c.absent {
			for _, got := range s.Entities {
				if got == e || strings.Contains(e, " ") && strings.Contains(got, e) {
					t.Errorf("%s: Entities %q hold %q", c.file, s.Entities, e)
				}
			}
		}

		// Without topics the Reason comes from the customer's words.
		bare := Extractive(SummaryRequest{Turns: turns}, c.mood)
		checkVerbatim(t, c.file+" without topics", turns, bare)
		if bare.Reason == "" || !strings.Contains(s.Situation, bare.Reason) {
			t.Errorf("%s: Reason without topics %q is not from the Situation %q", c.file, bare.Reason, s.Situation)
		}
		if bare.Disposition != "no topic identified" {
			t.Errorf("%s: Disposition without topics = %q", c.file, bare.Disposition)
		}
		if again := Extractive(SummaryRequest{Turns: turns, Topics: c.topics}, c.mood); !reflect.DeepEqual(again, s) {
			t.Errorf("%s: not deterministic:\n%+v\n%+v", c.file, s, again)
		}
	}
}

// TestExtractiveOnSGD summarizes the Schema-Guided Dialogue bank dialogues
// (crowd-written, not real calls): every summary must be verbatim, and
// Situation, Action and Resolution must be found where these dialogues hold
// them — every dialogue states a request and ends with the system's
// answer, and most have the system complete a transfer.
func TestExtractiveOnSGD(t *testing.T) {
	dialogues, err := datasets.Load(datasetstest.Sample(t, "sgd/sgd_banks_dialogues.jsonl"), func(name string, r io.Reader) ([]datasets.SGDDialogue, error) {
		return datasets.ReadSGD(name, r, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	var n, situations, actions, resolutions int
	for _, d := range dialogues {
		turns := make([]Turn, len(d.Turns))
		for i, u := range d.Turns {
			turns[i] = Turn{Speaker: "agent", Text: u.Utterance}
			if u.Speaker == "USER" {
				turns[i].Speaker = "customer"
			}
		}
		s := Extractive(SummaryRequest{Turns: turns, Topics: []string{"Check an account balance"}}, 0)
		checkVerbatim(t, d.ID, turns, s)
		n++
		if s.Situation != "" {
			situations++
		}
		if s.Action != "" {
			actions++
		}
		if s.Resolution != "" {
			resolutions++
		}
	}
	t.Logf("%d dialogues: Situation %d, Action %d, Resolution %d", n, situations, actions, resolutions)
	if n != 60 || situations != n || resolutions != n || actions < n*3/4 {
		t.Errorf("%d dialogues: Situation %d, Action %d, Resolution %d; want all, ¾ and all", n, situations, actions, resolutions)
	}
}

func TestExtractiveGreetingsOnly(t *testing.T) {
	turns := []Turn{
		{Speaker: "agent", Text: "Thank you for calling Larkspur Bank, this is Sam. How can I help?"},
		{Speaker: "customer", Text: "Hi Sam. Good morning!"},
		{Speaker: "agent", Text: "Good morning!"},
		{Speaker: "customer", Text: "Oh, hello dear. Yes, thanks."},
	}
	s := Extractive(SummaryRequest{Turns: turns, Topics: []string{"Lost or stolen card"}}, 0)
	if s.Situation != "" || s.Reason != "Lost or stolen card" || s.Disposition != "Lost or stolen card" {
		t.Errorf("greetings only: Situation %q, Reason %q, Disposition %q; want empty and the topic", s.Situation, s.Reason, s.Disposition)
	}
	if s.Action != "" {
		t.Errorf("greetings only: Action %q", s.Action)
	}
	s = Extractive(SummaryRequest{Turns: turns}, 0)
	if s.Situation != "" || s.Reason != "" || s.Disposition != "no topic identified" {
		t.Errorf("greetings only, no topic: %+v", s)
	}
	empty := Extractive(SummaryRequest{}, 0)
	if want := (Summary{Satisfaction: NotSure, Disposition: "no topic identified", Source: "extractive"}); !reflect.DeepEqual(empty, want) {
		t.Errorf("empty transcript: %+v, want %+v", empty, want)
	}
}

func TestExtractiveFields(t *testing.T) {
	turns := []Turn{
		{Speaker: "customer", Text: "Hello. My card was charged twice for the same $12.50 coffee on March 3 at 10:30, and the app won't let me dispute it."},
		{Speaker: "agent", Text: "I'm sorry about that. I can see both charges. Let me check them."},
		{Speaker: "agent", Text: "I've reversed the duplicate charge of $12.50. It will show within 2 business days."},
		{Speaker: "customer", Text: "Great, thanks!"},
		{Speaker: "agent", Text: "Is there anything else? Have a good day."},
	}
	s := Extractive(SummaryRequest{Turns: turns, Topics: []string{"Dispute a charge or unrecognized payment"}, Dispositions: []string{"refund-issued", "other"}}, 0)
	want := Summary{
		Situation:    "My card was charged twice for the same $12.50 coffee on March 3 at 10:30, and the app won't let me dispute it.",
		Action:       "Let me check them.",
		Resolution:   "I've reversed the duplicate charge of $12.50.",
		Satisfaction: Satisfied,
		Reason:       "Dispute a charge or unrecognized payment",
		Entities:     []string{"charge", "payment", "$12.50", "March 3", "10:30"},
		Disposition:  "refund-issued",
		Source:       "extractive",
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Extractive:\n got %+v\nwant %+v", s, want)
	}
	s = Extractive(SummaryRequest{Turns: turns}, 0)
	if s.Reason != "charged twice for the same $12.50 coffee on March 3" {
		t.Errorf("Reason without topics = %q", s.Reason)
	}
}

func TestSentenceSpans(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"no final punctuation here", []string{"no final punctuation here"}},
		{"Hi Priya. I think I lost my debit card.", []string{"Hi Priya.", "I think I lost my debit card."}},
		{"Mr. Smith called. He was upset!", []string{"Mr. Smith called.", "He was upset!"}},
		{"Call Dr. Jones at 5 p.m. tomorrow. Thanks", []string{"Call Dr. Jones at 5 p.m. tomorrow.", "Thanks"}},
		{"The rate is 3.80% APY. Nice.", []string{"The rate is 3.80% APY.", "Nice."}},
		{"I paid $12.50, e.g. for coffee. Then I left", []string{"I paid $12.50, e.g. for coffee.", "Then I left"}},
		{"Okay. That's... okay, that's better.", []string{"Okay.", "That's... okay, that's better."}},
		{"Wait... What? Really?! Yes", []string{"Wait...", "What?", "Really?!", "Yes"}},
		{`She said "stop." Then she left.`, []string{`She said "stop."`, "Then she left."}},
		{"It's invoice No. 5 from J. R. Smith. Paid.", []string{"It's invoice No. 5 from J. R. Smith.", "Paid."}},
		{"line one\nline two", []string{"line one", "line two"}},
		{"ok thanks. rent is due friday", []string{"ok thanks.", "rent is due friday"}},
		{"version 1.2.3 is out…  Update now", []string{"version 1.2.3 is out…", "Update now"}},
	} {
		var got []string
		for _, sp := range sentenceSpans(c.in) {
			got = append(got, c.in[sp[0]:sp[1]])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("sentenceSpans(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"you charged me $12.50 and €30, then £1,200.", []string{"$12.50", "€30", "£1,200"}},
		{"that's 200 dollars, or 1,200.50 euros", []string{"200 dollars", "1,200.50 euros"}},
		{"a hundred and five dollars in fees", []string{"a hundred and five dollars"}},
		{"a thirty-five dollar fee and ten bucks", []string{"thirty-five dollar", "ten bucks"}},
		{"on March 3, the 3rd of March 2024, 12 April and March 3rd, 2024", []string{"March 3", "3rd of March 2024", "12 April", "March 3rd, 2024"}},
		{"posted 12/03/2024 and 2024-03-12", []string{"12/03/2024", "2024-03-12"}},
		{"at 10:30, 5:30pm, 9 am or 7 p.m. on Tuesday", []string{"10:30", "5:30pm", "9 am", "7 p.m.", "Tuesday"}},
		// Not amounts, dates or times.
		{"version 1.2.3, 3.80% APY, order 55120, in March, may I, 25:99, 2 days", nil},
		{"[CARD] ending 1234 on 99/99/2024", nil},
	} {
		var got []string
		for _, m := range mentions(c.in) {
			got = append(got, c.in[m.start:m.end])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("mentions(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestProductWords(t *testing.T) {
	for title, want := range map[string][]string{
		"Lost or stolen card":                                {"card"},
		"Overdraft fees and fee refunds":                     {"overdraft fee", "fee"},
		"Reset the online banking password or app passcode":  {"online banking", "password", "app", "passcode"},
		"Direct deposit, routing and account numbers":        {"direct deposit", "account number"},
		"Schedule a branch appointment":                      {"branch appointment"},
		"Customer threatening to leave the bank":             nil,
		"Travel notice and using your debit card abroad":     {"travel notice", "debit card"},
		"Interest rates on savings, loans and credit cards":  {"interest rate", "loan", "credit card"},
		"Send or receive a wire transfer":                    {"wire transfer"},
		"Verify the caller's identity":                       nil,
		"Check an account balance":                           {"account", "balance"},
		"Complaints and supervisor requests":                 nil,
		"Dispute a charge or unrecognized payment":           {"charge", "payment"},
		"Stop a check or a recurring payment; order checks.": {"payment"},
	} {
		if got := productWords(title); !slices.Equal(got, want) {
			t.Errorf("productWords(%q) = %q, want %q", title, got, want)
		}
	}
}

func TestSatisfaction(t *testing.T) {
	ending := func(last string) []Turn {
		return []Turn{{Speaker: "customer", Text: "My card is blocked."}, {Speaker: "agent", Text: "I've unblocked it."}, {Speaker: "customer", Text: last}}
	}
	for _, c := range []struct {
		mood float64
		last string
		want string
	}{
		{0.3, "Okay.", Satisfied},
		{0, "Okay.", NotSure},
		{0.04, "Okay.", NotSure},
		{-0.3, "Okay.", Dissatisfied},
		{0, "Thanks so much, that was helpful!", Satisfied},
		{-0.3, "Fine. Thanks.", NotSure},
		{0, "This is ridiculous.", Dissatisfied},
		{0.3, "Still not fixed, I want to close my account.", NotSure},
		{-0.3, "Thanks for nothing.", Dissatisfied},
	} {
		if got := satisfaction(ending(c.last), c.mood); got != c.want {
			t.Errorf("satisfaction(mood %+.2f, %q) = %q, want %q", c.mood, c.last, got, c.want)
		}
	}
}

func TestActionScore(t *testing.T) {
	for text, want := range map[string]int{
		"I've locked that card right now.":                2,
		"Done, it's on its way by express.":               2,
		"Your transfer is complete.":                      2,
		"She just approved the second one.":               2,
		"I'll order a replacement now.":                   1,
		"Let me pull up the account.":                     1,
		"I'm going to escalate this today.":               1,
		"I can waive the fee this once.":                  1,
		"I can see the account went negative.":            0,
		"I've sent a six-digit code to your phone.":       0,
		"Can I confirm your full name and date of birth?": 0,
		"Well done, you're in.":                           0,
		"The payment you sent yesterday is pending.":      0,
		"Would you like me to set that up for you?":       0,
	} {
		u := agentUnit{text: text, words: lowerWords(text)}
		if got := actionScore(u); got != want {
			t.Errorf("actionScore(%q) = %d, want %d", text, got, want)
		}
	}
}
