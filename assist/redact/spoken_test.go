package redact

import (
	"slices"
	"strings"
	"testing"
)

func TestSpokenRewritesNumberWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"four one one one", "4111"},
		{"double five", "55"},
		{"triple seven", "777"},
		{"oh three oh four eighty eight", "030488"},
		{"4 one 1 one", "4111"},
		{"Four One One One", "4111"},
		{"four, one, one, one", "4111"},
		{"forty one eleven, eleven eleven", "41111111"},
		{"fifteen hundred", "1500"},
		{"twenty two", "22"},
		{"forty-one", "41"},
		{"forty four twelve", "4412"},
		{"nineteen oh five", "1905"},
		{"twenty twenty-four", "2024"},
		{"two thousand and five", "2005"},
		{"two thousand five hundred twenty", "2520"},
		{"one million two hundred thousand", "1200000"},
		{"a hundred and thirty four dollars", "134 dollars"},
		{"march fourth nineteen eighty-eight", "march 4th 1988"},
		{"the fourth of march eighty eight", "the 4th of march 88"},
		{"march four nineteen eighty eight", "march 4 1988"},
		{"may the first", "may the 1st"},
		{"the twenty first of june", "the 21st of june"},
		{"the twelfth", "the 12th"},
		{"plus four four two oh seven nine four six oh nine five eight", "+442079460958"},
		{"double oh seven", "007"},
		{"eleven a m", "11 a m"},
		// Left as they are: one digit word alone, "oh" alone or as an
		// interjection, digits only, words inside other words.
		{"I have two kids", ""},
		{"one of them", ""},
		{"oh I see", ""},
		{"oh, four", ""},
		{"five o'clock", ""},
		{"4111 1111 1111 1111", ""},
		{"someone is phoney", ""},
		{"a lot", ""},
		{"and so on", ""},
		{"plus tax", ""},
		{"double check", ""},
	} {
		w, ok := spoken(c.in)
		if got := w.text; got != c.want || ok != (c.want != "") {
			t.Errorf("spoken(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestSpokenMapsBackToTheWords(t *testing.T) {
	in := "my card is four one one one one one one one one one one one one one one one, thanks"
	w, ok := spoken(in)
	if !ok {
		t.Fatal("nothing rewritten")
	}
	i := strings.Index(w.text, "4111111111111111")
	start, end := w.origin(i, i+16)
	if got, want := in[start:end], "four one one one one one one one one one one one one one one one"; got != want {
		t.Errorf("origin = %q, want %q", got, want)
	}
	// Before and after the phrase, positions move by the phrase's change in
	// length; a span that starts inside the phrase takes all of it.
	if s, e := w.origin(0, 2); in[s:e] != "my" {
		t.Errorf("origin(0, 2) = %q", in[s:e])
	}
	if s, e := w.origin(len(w.text)-6, len(w.text)); in[s:e] != "thanks" {
		t.Errorf("origin of the tail = %q", in[s:e])
	}
	if s, e := w.origin(i+3, i+5); in[s:e] != in[start:end] {
		t.Errorf("origin inside the phrase = %q", in[s:e])
	}
}

// spokenRedact is personal data said aloud, as a recogniser writes it: each
// text must yield exactly one finding of the kind, covering pii.
var spokenRedact = []struct {
	kind Kind
	in   string
	pii  string
}{
	{KindCard, "my card number is four one one one one one one one one one one one one one one one",
		"four one one one one one one one one one one one one one one one"},
	{KindCard, "it's five five double oh double oh double oh double oh double oh double oh oh four ok",
		"five five double oh double oh double oh double oh double oh double oh oh four"},
	{KindCard, "4 one 1 one 1111 one one one one 1111", "4 one 1 one 1111 one one one one 1111"},
	{KindCard, "amex three seven eight two eight two two four six three one oh oh oh five",
		"three seven eight two eight two two four six three one oh oh oh five"},
	{KindCard, "forty one eleven, eleven eleven, eleven eleven, eleven eleven is the card",
		"forty one eleven, eleven eleven, eleven eleven, eleven eleven"},
	{KindPhone, "you can call me at four one five five five five oh one two three",
		"four one five five five five oh one two three"},
	{KindPhone, "my number is oh seven seven double oh nine double oh one two three",
		"oh seven seven double oh nine double oh one two three"},
	{KindPhone, "london plus four four two oh seven nine four six oh nine five eight",
		"plus four four two oh seven nine four six oh nine five eight"},
	{KindPhone, "my mobile is plus one four one five five five five oh one two three",
		"plus one four one five five five five oh one two three"},
	{KindSSN, "my social is one two three four five six seven eight nine", "one two three four five six seven eight nine"},
	{KindSSN, "social security number oh seven eight oh five one one two oh", "oh seven eight oh five one one two oh"},
	{KindAccount, "account number one two three four five six seven eight", "one two three four five six seven eight"},
	{KindAccount, "my account number is double oh one two three four five six seven eight",
		"double oh one two three four five six seven eight"},
	{KindAccount, "sort code twenty oh oh oh oh oh", "twenty oh oh oh oh oh"},
	{KindDOB, "my date of birth is march fourth nineteen eighty-eight", "march fourth nineteen eighty-eight"},
	{KindDOB, "I was born on the fourth of march eighty eight", "fourth of march eighty eight"},
	{KindDOB, "date of birth oh three oh four eighty eight", "oh three oh four eighty eight"},
	{KindDOB, "born march the fourth nineteen eighty eight", "march the fourth nineteen eighty eight"},
	{KindDOB, "born march four nineteen eighty eight", "march four nineteen eighty eight"},
	{KindDOB, "my birthday is may first", "may first"},
	{KindDOB, "dob twelve oh four nineteen ninety", "twelve oh four nineteen ninety"},
	{KindDOB, "I was born the twenty first of june two thousand and one", "twenty first of june two thousand and one"},
	{KindDOB, "My date of birth is March 4th, nineteen eighty-eight.", "March 4th, nineteen eighty-eight"},
}

// spokenKeep are near misses: numbers said aloud that an agent must still
// read, and spoken personal data that fails its check.
var spokenKeep = []string{
	"I have two kids",
	"one of them",
	"call me in five minutes",
	"call me back in twenty minutes",
	"about a hundred dollars",
	"on the fourth floor",
	"Flight nine",
	"it's been a really bad week",
	"twenty twenty-four",
	"it was twenty twenty-four when I opened it",
	"one moment",
	"one second please",
	"born in nineteen eighty five", // a year alone
	"the charge on march fourth",   // a date without a birth cue
	"the charge on the fourth of march twenty twenty four",
	"my account was charged fifteen hundred dollars", // an amount
	"my account balance is a hundred and thirty four dollars",
	"the amount is one hundred and thirty five dollars",
	"the last four are six two oh one", // last four, with no question
	"my card ending in four four one two",
	"four one one one one one one one one one one one one one one two", // Luhn fails
	"order number one two three four five six seven eight nine",        // nine digits, no SSN cue
	"four one five five five five oh one two three",                    // ten digits, no phone cue
	"eleven a m on monday",
	"room two oh four",
	"I'll need two or three days",
	"call nine one one",
	"oh no, oh dear",
	"double check the second one",
	"I called three times in two weeks",
	"I was born at five o'clock",
}

func TestSpokenRedact(t *testing.T) {
	r := allRedactor(t)
	for _, c := range spokenRedact {
		fs := r.Find(c.in)
		start := strings.Index(c.in, c.pii)
		want := []Finding{{Kind: c.kind, Start: start, End: start + len(c.pii)}}
		if !slices.Equal(fs, want) {
			t.Errorf("Find(%q) = %+v, want %+v (%q)", c.in, fs, want, c.pii)
		}
	}
}

func TestSpokenKeep(t *testing.T) {
	r := allRedactor(t)
	for _, in := range spokenKeep {
		if got := r.Redact(in); got != in {
			t.Errorf("Redact(%q) = %q, want it unchanged", in, got)
		}
	}
}

func TestSpokenFormsLeaveDigitFindingsAlone(t *testing.T) {
	r := allRedactor(t)
	for _, c := range []struct{ in, want string }{
		// Digits keep their findings when number words stand beside them.
		{"card 4111 1111 1111 1111 one more thing", "card [CARD] one more thing"},
		{"my date of birth is 12/03/1985 and I have two kids", "my date of birth is [DOB] and I have two kids"},
		// A spoken card and a typed one in one turn.
		{"four one one one one one one one one one one one one one one one or 5500 0000 0000 0004", "[CARD] or [CARD]"},
		// The placeholder replaces the words, punctuation around them stays.
		{"card: four one one one one one one one one one one one one one one one.", "card: [CARD]."},
	} {
		if got := r.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
