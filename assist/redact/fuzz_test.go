package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// FuzzRedact checks the properties every caller relies on, for any text
// and any choice of kinds: Redact never panics, is idempotent, and changes
// nothing but the findings, each replaced by its placeholder; Find returns
// in-bounds, ordered, non-overlapping findings.
//
//	go test -run '^$' -fuzz FuzzRedact -fuzztime 20s ./assist/redact
func FuzzRedact(f *testing.F) {
	for _, c := range mustRedact {
		f.Add(c.in, uint8(allBits))
	}
	for _, in := range mustKeep {
		f.Add(in, uint8(allBits))
	}
	for _, c := range sentences {
		f.Add(c.in, uint8(allBits))
	}
	for _, c := range spokenRedact {
		f.Add(c.in, uint8(allBits))
	}
	for _, in := range spokenKeep {
		f.Add(in, uint8(allBits))
	}
	for _, in := range []string{
		"4111 1111 1111 1111 4111 1111 1111 1111", "4111111111111111 5500000000000004",
		"account 12345678 and 87654321", "born 12 March 1985 and 3 April 1990",
		"+1 415 555 0123-45-6789", "a@b.co@c.com", "x.@y.com .a@b.cd", "[CARD] 5500 0000 0000 0004",
		"GB82 WEST 1234 5698 7654 3299", "ssn 123-45-6789-1", "(0161) 496 0000 (415) 555-0123",
		"+00000000+00000000", "4111111111111111(415) 555-0123",
		"4111111111111111 four one one one one one one one one one one one one one one one",
		"[CARD] four one one one one one one one one one one one one one one one", "account 12345678 one two three",
		"born march fourth 12/03/1985 eighty eight", "plus plus one four one five five five five oh one two three",
		"double double five", "a hundred and and five", "march the the fourth", "oh, oh oh four",
	} {
		f.Add(in, uint8(allBits))
		f.Add(in, uint8(KindCard.bit()|KindPhone.bit()))
	}
	f.Fuzz(func(t *testing.T, text string, kinds uint8) {
		r := &Redactor{kinds: kinds & allBits}
		fs := r.Find(text)
		last := 0
		var want strings.Builder
		for _, fd := range fs {
			if fd.Start < last || fd.End <= fd.Start || fd.End > len(text) {
				t.Fatalf("Find(%q): bad or overlapping finding %+v after offset %d", text, fd, last)
			}
			if r.kinds&fd.Kind.bit() == 0 {
				t.Fatalf("Find(%q): finding of a disabled kind %+v", text, fd)
			}
			want.WriteString(text[last:fd.Start])
			want.WriteString(fd.Kind.Placeholder())
			last = fd.End
		}
		want.WriteString(text[last:])
		once := r.Redact(text)
		if once != want.String() {
			t.Fatalf("Redact(%q) = %q, want the text with only its findings replaced: %q", text, once, want.String())
		}
		if twice := r.Redact(once); twice != once {
			t.Fatalf("Redact is not idempotent:\n in:    %q\n once:  %q\n twice: %q", text, once, twice)
		}
	})
}

// FuzzRedactAnswer checks RedactAnswer as FuzzRedact checks Redact, for
// any question: it never panics, is idempotent, and changes nothing but its
// findings.
//
//	go test -run '^$' -fuzz FuzzRedactAnswer -fuzztime 20s ./assist/redact
func FuzzRedactAnswer(f *testing.F) {
	for _, c := range answers {
		f.Add(c.question, c.answer, uint8(allBits))
	}
	f.Add("last four of the card, the account, the social, the phone?", "4412 oh one two three 2024", uint8(allBits))
	f.Add("date of birth?", "oh three oh four eighty eight 03/04/88 march the 4th", uint8(KindDOB.bit()))
	f.Fuzz(func(t *testing.T, question, text string, kinds uint8) {
		r := &Redactor{kinds: kinds & allBits}
		fs := r.FindAnswer(question, text)
		last := 0
		var want strings.Builder
		for _, fd := range fs {
			if fd.Start < last || fd.End <= fd.Start || fd.End > len(text) || r.kinds&fd.Kind.bit() == 0 {
				t.Fatalf("FindAnswer(%q, %q): bad finding %+v after offset %d", question, text, fd, last)
			}
			want.WriteString(text[last:fd.Start])
			want.WriteString(fd.Kind.Placeholder())
			last = fd.End
		}
		want.WriteString(text[last:])
		once := r.RedactAnswer(question, text)
		if once != want.String() {
			t.Fatalf("RedactAnswer(%q, %q) = %q, want %q", question, text, once, want.String())
		}
		if twice := r.RedactAnswer(question, once); twice != once {
			t.Fatalf("RedactAnswer is not idempotent:\n q:     %q\n in:    %q\n once:  %q\n twice: %q", question, text, once, twice)
		}
	})
}

// soupTokens are the pieces personal data and its near misses are made of.
var soupTokens = []string{
	"4111", "1111", "5500", "0000", "0004", "3782", "822463", "10005", "4111111111111111", "123", "45",
	"6789", "078", "05", "1120", "415", "555", "0123", "020", "7946", "0958", "07700", "900123", "1",
	"12", "03", "1985", "85", "2024", "GB82", "WEST", "1234", "5698", "7654", "32", "DE89370400440532013000",
	" ", " ", " ", "-", "-", ".", "/", ",", ":", "(", ")", "+", "+44", "+1", "'", "@", "x.com", "a.b",
	"jo", "account", "acct", "a/c", "sort code", "routing", "ssn", "social", "born", "birth", "dob",
	"d.o.b", "phone", "call me", "March", "Mar.", "12th", "of", "the", "is", "$", "dollars", "%", "?",
	"[CARD]", "[PHONE]", "[ACCOUNT]", "[DOB]", "[", "]", "\n", "é", "€",
	// Spoken forms.
	" one", " one", " four", " four", " oh", " oh", " zero", " two", " five", " nine", " eleven", " twenty",
	" eighty", " nineteen", " hundred", " thousand", " and", " a", " double", " triple", " plus", " fourth",
	" first", " twenty first", "-", ", ", " the", " march", " may", " my number is", " last four",
}

// soupQuestions are agent turns the soup's texts may answer.
var soupQuestions = []string{
	"", "can you confirm your date of birth?", "what are the last four digits of your card?",
	"the last four of your social please", "what's the account number", "what's the best number to reach you",
}

// TestRedactTokenSoup checks idempotency over texts built from soupTokens,
// with any choice of kinds, read as answers to any of soupQuestions: they
// reach the detectors' corner cases (chains of groups running into one
// another, placeholders next to numbers, number words next to digits) far
// more often than random bytes do. Before spoken forms it ran clean for 3
// million texts on each of a dozen seeds; with them and the questions, for
// 500,000 on each of 18 (two bugs found on the way are fixed and covered);
// 20,000 keep it in every test run.
func TestRedactTokenSoup(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := &Redactor{}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(14) {
			b.WriteString(soupTokens[rng.IntN(len(soupTokens))])
		}
		text := b.String()
		r.kinds = uint8(rng.IntN(allBits + 1))
		q := soupQuestions[rng.IntN(len(soupQuestions))]
		once := r.RedactAnswer(q, text)
		if twice := r.RedactAnswer(q, once); twice != once {
			t.Fatalf("Redact is not idempotent:\n q:     %q\n in:    %q\n once:  %q\n twice: %q", q, text, once, twice)
		}
	}
}
