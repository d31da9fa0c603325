package redact

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// answers are a customer's turns after the agent's question, with their
// exact redaction.
var answers = []struct{ question, answer, want string }{
	// Dates of birth: any date, said or typed.
	{"can you confirm your date of birth?", "march fourth eighty eight", "[DOB]"},
	{"and your date of birth please", "sure it's the fourth of march eighty eight", "sure it's the [DOB]"},
	{"what's your date of birth", "oh three oh four eighty eight", "[DOB]"},
	{"what's your date of birth", "03/04/88", "[DOB]"},
	{"Could you verify the DOB on the account?", "March 4, 1988", "[DOB]"},
	{"thank you and your birthday", "it's the twenty first of june", "it's the [DOB]"},
	// The last four digits: the kind the question names.
	{"what are the last four digits of your card?", "four four one two", "[CARD]"},
	{"what are the last four digits of your card?", "forty four twelve", "[CARD]"},
	{"what are the last four digits of your card?", "it's 4412", "it's [CARD]"},
	{"can you read me the last four of your social", "six two oh one", "[SSN]"},
	{"can you give me the last four digits of the phone number on file", "oh one two three", "[PHONE]"},
	{"can you confirm the last four digits?", "four four one two", "[CARD]"},
	{"what does the card end in", "it ends in double four one two", "it ends in [CARD]"},
	// Whole numbers without the cue in the answer.
	{"what's the account number", "one two three four five six seven eight", "[ACCOUNT]"},
	{"what's the account number", "12345678", "[ACCOUNT]"},
	{"what's the best number to reach you on", "four one five five five five oh one two three", "[PHONE]"},
	{"can I have your social security number", "one two three four five six seven eight nine", "[SSN]"},
	{"can I have your social security number", "sure, 123456789", "sure, [SSN]"},
	{"can you read me the card number", "four one one one one one one one one one one one one one one one", "[CARD]"},
	// Several kinds asked at once.
	{"can you confirm your date of birth and the last four of your social?", "march fourth eighty eight and six two oh one",
		"[DOB] and [SSN]"},
	// Near misses: nothing of the kind asked, or no question at all.
	{"can you confirm your date of birth?", "one moment", "one moment"},
	{"can you confirm your date of birth?", "I was born in nineteen eighty eight", "I was born in nineteen eighty eight"},
	{"what are the last four digits of your card?", "I was charged fifteen hundred dollars", "I was charged fifteen hundred dollars"},
	{"what are the last four digits of your card?", "I have two cards", "I have two cards"},
	// A card number read out fails its check digit when one digit was
	// misheard; asked for a card, it is still a card.
	{"can you read me the card number", "four one one one one one one one one one one one one one one two", "[CARD]"},
	{"what are the last four digits of your card?", "4111 1111 1111 1112", "[CARD]"},
	{"what's the account number", "4111 1111 1111 1112", "[ACCOUNT]"},
	{"what are the last four digits of your card?", "at 10:30 on 2024-03-12", "at 10:30 on 2024-03-12"},
	{"what's the account number", "it's the one with fifteen hundred dollars", "it's the one with fifteen hundred dollars"},
	{"how can I help you today", "march fourth eighty eight", "march fourth eighty eight"},
	{"your card will arrive in five days", "great, four four one two is the old one", "great, four four one two is the old one"},
	{"which one would you like to check", "my checking account", "my checking account"},
	{"what's the order number on the account?", "one two three four five six seven eight", "one two three four five six seven eight"},
	{"", "four four one two", "four four one two"},
}

func TestRedactAnswer(t *testing.T) {
	r := allRedactor(t)
	for _, c := range answers {
		if got := r.RedactAnswer(c.question, c.answer); got != c.want {
			t.Errorf("RedactAnswer(%q, %q) = %q, want %q", c.question, c.answer, got, c.want)
		}
	}
}

func TestAsks(t *testing.T) {
	for _, c := range []struct {
		question string
		kinds    []Kind
		lastFour Kind
	}{
		{"can you confirm your date of birth?", []Kind{KindDOB}, ""},
		{"and the date of birth", []Kind{KindDOB}, ""}, // a date of birth needs no request word
		{"what are the last four digits of your card?", []Kind{KindCard}, KindCard},
		{"the last four of your social please", []Kind{KindSSN}, KindSSN},
		{"I need your card number and the last four of your social", []Kind{KindCard, KindSSN}, KindSSN},
		{"for the account, can you tell me the last four", []Kind{KindAccount}, KindAccount},
		{"what's a good phone number for you", []Kind{KindPhone}, ""},
		{"your new card is on its way", nil, ""},
		{"I've updated the account", nil, ""},
		{"what's the postcode", nil, ""}, // not a kind
		{"what's the order number on the account?", nil, ""},
		{"can you read me the tracking number we sent to your phone", nil, ""},
		{"what's the reference on the card payment", []Kind{KindCard}, ""},
		{"how can I help you today", nil, ""},
	} {
		a := asks(c.question)
		if got := kindsOf(a.kinds); !slices.Equal(got, c.kinds) || a.lastFour != c.lastFour {
			t.Errorf("asks(%q) = %v, last four %q; want %v, %q", c.question, got, a.lastFour, c.kinds, c.lastFour)
		}
	}
}

func TestDialogueCarriesTheQuestion(t *testing.T) {
	d := allRedactor(t).Dialogue()
	for _, turn := range []struct{ speaker, text, want string }{
		{SpeakerAgent, "thanks for calling, can you confirm your date of birth?", ""},
		{SpeakerCustomer, "sure, one second", ""}, // the question stays open
		{SpeakerCustomer, "it's march fourth eighty eight", "it's [DOB]"},
		{SpeakerCustomer, "and march fifth is my wife's", ""}, // answered: closed
		{SpeakerAgent, "thank you. what are the last four digits of the card?", ""},
		{SpeakerAgent, "take your time", ""}, // asks nothing: the question stays
		{SpeakerCustomer, "four four one two", "[CARD]"},
		{SpeakerCustomer, "twenty twenty four", ""},
		{SpeakerAgent, "and your phone number", ""},
		{SpeakerCustomer, "hang on", ""},
		{SpeakerCustomer, "I don't have it", ""},
		{SpeakerCustomer, "four one five five five five oh one two three", ""}, // two turns later: closed
		{SpeakerAgent, "what's your date of birth", ""},
		{"ivr", "march fourth eighty eight", ""}, // another speaker neither asks nor answers
		{SpeakerCustomer, "march fourth eighty eight", "[DOB]"},
		{SpeakerAgent, "so that's four one one one one one one one one one one one one one one one", "so that's [CARD]"},
	} {
		want := turn.want
		if want == "" {
			want = turn.text
		}
		if got := d.Redact(turn.speaker, turn.text); got != want {
			t.Errorf("%s: Redact(%q) = %q, want %q", turn.speaker, turn.text, got, want)
		}
	}
	if got := (&Redactor{}).Dialogue(); got.Redact(SpeakerCustomer, "x") != "x" {
		t.Error("a Dialogue of no kinds changed a turn")
	}
	var nilRedactor *Redactor
	if got := nilRedactor.Dialogue().Redact(SpeakerCustomer, "4111 1111 1111 1111"); got != "4111 1111 1111 1111" {
		t.Errorf("a nil Redactor's Dialogue redacted: %q", got)
	}
}

func TestCallsRememberAnswers(t *testing.T) {
	c := NewCalls(allRedactor(t))
	c.Turn("c1", SpeakerAgent, "can you confirm your date of birth?")
	if got := c.Partial("c1", SpeakerCustomer, "march fourth eighty"); got != "[DOB]" {
		t.Errorf("Partial = %q, want [DOB]", got)
	}
	if got := c.Turn("c1", SpeakerCustomer, "March fourth eighty eight"); got != "[DOB]" {
		t.Errorf("Turn = %q, want [DOB]", got)
	}
	// Without its question, the answer is still redacted while the call
	// lasts, however it is cut or joined.
	for in, want := range map[string]string{
		"march fourth eighty eight":                                "[DOB]",
		"customer: MARCH FOURTH EIGHTY EIGHT. agent: thank you":    "customer: [DOB]. agent: thank you",
		"card 4111 1111 1111 1111, born march fourth eighty eight": "card [CARD], born [DOB]",
		"march fourth eighty eighty":                               "march fourth eighty eighty", // not the same words
		"the charge on march fourth":                               "the charge on march fourth",
	} {
		if got := c.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	// Another call's question is not this call's.
	if got := c.Turn("c2", SpeakerCustomer, "four four one two"); got != "four four one two" {
		t.Errorf("c2 Turn = %q", got)
	}
	// A partial turn notes nothing.
	c.Partial("c2", SpeakerAgent, "what are the last four digits of your card?")
	if got := c.Turn("c2", SpeakerCustomer, "four four one two"); got != "four four one two" {
		t.Errorf("after a partial question: %q", got)
	}
	c.End("c1")
	if got := c.Redact("march fourth eighty eight"); got != "march fourth eighty eight" {
		t.Errorf("after End: %q", got)
	}
	var none *Calls
	if none.Turn("c", SpeakerCustomer, "4111 1111 1111 1111") != "4111 1111 1111 1111" || none.Redact("x") != "x" {
		t.Error("a nil Calls redacted")
	}
	none.End("c")
}

func TestCallsBounded(t *testing.T) {
	c := NewCalls(allRedactor(t))
	c.Turn("c", SpeakerAgent, "what's your date of birth")
	for i := range maxAnswers + 5 {
		c.Turn("c", SpeakerCustomer, []string{"march fourth eighty eight", "may first nineteen ninety"}[i%2])
		c.Turn("c", SpeakerAgent, "and your date of birth again?")
	}
	if n := len(c.calls["c"].answers); n != maxAnswers || c.answers != maxAnswers {
		t.Errorf("%d answers remembered (%d counted), want %d", n, c.answers, maxAnswers)
	}
	if got := c.firstWords["march"] + c.firstWords["may"]; got != maxAnswers {
		t.Errorf("first words count %d answers, want %d", got, maxAnswers)
	}
	c.End("c")
	if c.answers != 0 || len(c.calls) != 0 || len(c.firstWords) != 0 {
		t.Errorf("after End: %d answers, %d calls, first words %v", c.answers, len(c.calls), c.firstWords)
	}
	// A call that never ends is forgotten once maxCalls others started.
	c.Turn("lost", SpeakerAgent, "what's your date of birth")
	c.Turn("lost", SpeakerCustomer, "march fourth eighty eight")
	for i := range maxCalls {
		c.Turn(fmt.Sprint(i), SpeakerCustomer, "hello")
	}
	if _, ok := c.calls["lost"]; ok || len(c.calls) != maxCalls || c.answers != 0 || len(c.firstWords) != 0 {
		t.Errorf("after %d more calls: lost call kept %v, %d calls, %d answers", maxCalls, ok, len(c.calls), c.answers)
	}
}

func TestCallsConcurrentUse(t *testing.T) {
	c := NewCalls(allRedactor(t))
	var wg sync.WaitGroup
	for i := range 8 {
		id := string(rune('a' + i))
		wg.Go(func() {
			for range 50 {
				c.Turn(id, SpeakerAgent, "can you confirm your date of birth?")
				if got := c.Turn(id, SpeakerCustomer, "march fourth eighty eight"); got != "[DOB]" {
					t.Errorf("Turn = %q", got)
				}
				if got := c.Redact("born? march fourth eighty eight"); got != "born? [DOB]" {
					t.Errorf("Redact = %q", got)
				}
			}
			c.End(id)
		})
	}
	wg.Wait()
}
