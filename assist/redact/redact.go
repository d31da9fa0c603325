// Package redact finds personal data in contact-center text and replaces it
// with placeholders ([CARD], [IBAN], [SSN], [PHONE], [EMAIL], [DOB],
// [ACCOUNT]) before the text is shown, stored or sent to a model server.
//
// Precision matters as much as recall: an agent must still read amounts,
// order numbers, times, prices and years. So a rule fires on the shape of a
// number together with a checksum (cards, IBANs), a fixed national format
// (SSNs, phone numbers), or a cue word just before it (dates of birth,
// account numbers, bare SSNs and bare phone numbers). The rules, kind by
// kind:
//
//   - card: 13–19 digits, either one run or grouped by single spaces or
//     single hyphens as 4-4-4-4 (the last group 1–4 digits, up to 19 digits)
//     or Amex/Diners 4-6-5 and 4-6-4, passing the Luhn check. All zeros is
//     not a card. A run glued to other digits by "-", ".", "/", "," or ":"
//     is part of a longer code and is not a card, and neither is a 4-4-4-4
//     prefix followed by another group of four (a 20+ digit tracking
//     number). A shorter trailing group after a space ("4111 1111 1111 1111
//     12/27") is left as it is.
//   - iban: two letters, two check digits 02–98 and 11–30 letters or digits,
//     compact or in groups of four separated by single spaces (the last
//     group shorter), case-insensitive, passing the ISO 13616 mod-97 check.
//     For DE GB FR ES IT NL BE CH AT IE PL PT SE DK NO FI LU the length must
//     be the country's; other countries are accepted on the checksum alone,
//     but at least half of the account part must be digits, so that words
//     after a code like "ok12" cannot pass by the 1-in-97 chance.
//   - ssn: ddd-dd-dddd or ddd dd dddd outside the numbers never issued (area
//     000, 666 or 900–999, group 00, serial 0000); a bare run of nine digits
//     only within four words after "ssn", "social security" or "social".
//     The last four digits alone ("last four are 6201") are not redacted
//     unless they answer the agent's question for them: agents verify
//     callers with them and they identify no one on their own.
//   - phone: international, "+" and 8–15 digits in groups separated by
//     single spaces, dots or hyphens, a group may be in parentheses ("+44
//     (0)20 7946 0958"), a trailing single digit is not part of the number;
//     North American, (ddd) ddd-dddd, ddd-ddd-dddd, ddd.ddd.dddd or ddd ddd
//     dddd with an optional leading "1", area code and exchange starting 2–9;
//     UK, 0 and 10 more digits in two to four groups of 3–6 digits
//     ("020 7946 0958", "07700 900123", "(0161) 496 0000"). A bare run of 10
//     digits (North American), or 11 starting with 1 or 0, is a phone number
//     only within three words after "phone", "mobile", "cell", "tel",
//     "landline", "my number", "contact number", "call me", "text me" or
//     "reach me". Dates, times, amounts, card numbers and short numbers never
//     have these shapes.
//   - email: local@domain.tld, the local part of letters, digits and
//     ". _ % + -" (so plus-addressing works), the domain two or more labels
//     of letters, digits and inner hyphens, the last one two or more letters.
//     Quoted local parts, IP-literal domains and non-ASCII addresses are
//     left out: they do not occur in chats and would cost precision.
//   - dob: a date — d/m/y or m/d/y with "/", "-" or "." and a 2- or 4-digit
//     year, y-m-d, "12 March 1985", "12th of March, 1985", "March 12, 1985",
//     "Mar. 12th '85", "March the 12th", ddmmyyyy and the like without
//     separators, and without the year ("my birthday is March 12") — only
//     within five words after "born", "birth", "birthday", "birthdate",
//     "dob" or "d.o.b", or in the answer to a question for the date of
//     birth. Every other date is kept: the agent needs "the charge on March
//     3". A year alone ("born in 1985") is kept; it does not identify
//     anyone.
//   - account: 6–17 digits, one run or groups of two or more digits joined by
//     single spaces or hyphens, within four words after "account", "acct",
//     "a/c", "routing", "sort code", "member number" or "customer number".
//     Not an amount (after a currency sign, before a currency word such as
//     "dollars", or with a decimal part), not a date (yyyy-mm-dd, dd-mm-yyyy)
//     and not a Luhn-valid card number (that is a card).
//
// Choices that apply to all kinds:
//
//   - A cue word governs the first number after it only: the words between
//     the cue and the number may not hold digits or a placeholder, and the
//     cue does not reach across "?", "!" or a line break. Cues after the
//     number ("12/03/1985 is my birthday") do not count.
//   - PINs, passwords and one-time codes ("PIN 1234", "the code is 831550")
//     are not a kind: four to six digits are mostly amounts, times, years and
//     order numbers, and a PIN should never reach a transcript (the IVR takes
//     it by keypad). They stay as spoken.
//   - Numbers said in words, as speech recognizers write them, are read as
//     digits and judged by the same rules: "four one one one …" (a card if
//     it passes Luhn), "double five", "triple seven", "oh" for zero between
//     other number words, "4 one 1 one", "forty one eleven", "fifteen
//     hundred", "two thousand and five", ordinals in dates ("march fourth
//     nineteen eighty-eight", "the fourth of march eighty eight", "march the
//     fourth"), six or eight digits said as a date after a birth cue ("oh
//     three oh four eighty eight") and "plus" before a phone number. The
//     placeholder replaces the words. A digit word alone ("one of them",
//     "two kids"), "oh" alone and words inside other words are left as
//     they are; see spoken.go for how a phrase is read.
//   - An answer to the agent's question needs no cue of its own:
//     FindAnswer and RedactAnswer read a customer's turn with the agent's
//     question before it, and a number of a kind the question asked for
//     ("can you confirm your date of birth?", "what are the last four
//     digits of your card?") is personal data without a cue in the answer
//     (see answer.go). Dialogue carries the question across a
//     conversation's turns, and Calls does so for the calls in progress and
//     remembers the answers for text that leaves the process later without
//     its question.
//   - Each stretch of text has one kind, chosen in the order email, iban,
//     card, ssn, dob, phone, account; a disabled kind is still recognized (a
//     card number with cards disabled stays visible, it does not become an
//     account number).
//   - Redact is idempotent: a placeholder holds no digits, and a candidate
//     touching one, or one separator away from it, is not redacted (before
//     redaction it may have run into the finding the placeholder replaced),
//     so redacting redacted text changes nothing. The fuzz test checks it.
//
// Postcodes are not a kind: an agent reads them back to find a branch or a
// delivery, and alone they name a street, not a person.
//
// A Redactor is immutable and safe for concurrent use; a nil *Redactor
// redacts nothing, so a caller can hold an optional one.
package redact

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is a kind of personal data.
type Kind string

// The kinds of personal data a Redactor finds.
const (
	KindCard    Kind = "card"
	KindIBAN    Kind = "iban"
	KindSSN     Kind = "ssn"
	KindPhone   Kind = "phone"
	KindEmail   Kind = "email"
	KindDOB     Kind = "dob"
	KindAccount Kind = "account"
)

// allKinds lists every kind in the order they are documented.
var allKinds = [...]Kind{KindCard, KindIBAN, KindSSN, KindPhone, KindEmail, KindDOB, KindAccount}

// AllKinds returns every kind, in a fixed order.
func AllKinds() []Kind { return append([]Kind(nil), allKinds[:]...) }

// bit returns the kind's bit in a Redactor's set, 0 for an unknown kind.
func (k Kind) bit() uint8 {
	for i, a := range allKinds {
		if a == k {
			return 1 << i
		}
	}
	return 0
}

// Placeholder returns the text that replaces a finding of the kind, such as
// "[CARD]".
func (k Kind) Placeholder() string {
	switch k {
	case KindCard:
		return "[CARD]"
	case KindIBAN:
		return "[IBAN]"
	case KindSSN:
		return "[SSN]"
	case KindPhone:
		return "[PHONE]"
	case KindEmail:
		return "[EMAIL]"
	case KindDOB:
		return "[DOB]"
	case KindAccount:
		return "[ACCOUNT]"
	}
	return "[" + strings.ToUpper(string(k)) + "]"
}

// ParseKinds parses a comma-separated list of kinds such as "card,iban",
// case-insensitive and ignoring spaces; "all" stands for every kind. The
// result has no duplicates and follows AllKinds' order. An empty list is an
// error rather than "all", so that a flag left empty by mistake does not
// switch redaction to its widest setting silently.
func ParseKinds(list string) ([]Kind, error) {
	var set uint8
	empty := true
	for _, part := range strings.Split(list, ",") {
		name := strings.ToLower(strings.TrimSpace(part))
		if name == "" {
			continue
		}
		empty = false
		if name == "all" {
			set = allBits
			continue
		}
		b := Kind(name).bit()
		if b == 0 {
			return nil, fmt.Errorf("unknown kind %q (want %s or all)", strings.TrimSpace(part), kindNames())
		}
		set |= b
	}
	if empty {
		return nil, errors.New("empty kind list (want all or some of " + kindNames() + ")")
	}
	return kindsOf(set), nil
}

const allBits = 1<<len(allKinds) - 1

func kindNames() string {
	names := make([]string, len(allKinds))
	for i, k := range allKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func kindsOf(set uint8) []Kind {
	var ks []Kind
	for _, k := range allKinds {
		if set&k.bit() != 0 {
			ks = append(ks, k)
		}
	}
	return ks
}

// Config chooses what a Redactor redacts.
type Config struct {
	// Kinds are the kinds to redact; empty means all of them.
	Kinds []Kind
}

// Redactor replaces personal data in text with placeholders. It is
// immutable, so one Redactor serves any number of goroutines.
type Redactor struct {
	kinds uint8 // bit set of the enabled kinds
}

// New returns a Redactor for the kinds in cfg, or an error naming a kind it
// does not know.
func New(cfg Config) (*Redactor, error) {
	if len(cfg.Kinds) == 0 {
		return &Redactor{kinds: allBits}, nil
	}
	r := &Redactor{}
	for _, k := range cfg.Kinds {
		b := k.bit()
		if b == 0 {
			return nil, fmt.Errorf("new redactor: unknown kind %q (want %s)", string(k), kindNames())
		}
		r.kinds |= b
	}
	return r, nil
}

// Kinds returns the kinds the Redactor redacts, none for a nil Redactor.
func (r *Redactor) Kinds() []Kind {
	if r == nil {
		return nil
	}
	return kindsOf(r.kinds)
}

// Finding is one piece of personal data in a text: its kind and its byte
// offsets, text[Start:End].
type Finding struct {
	Kind       Kind
	Start, End int
}

// Find returns the personal data in text of the Redactor's kinds, in order
// and without overlaps. A nil Redactor finds nothing.
func (r *Redactor) Find(text string) []Finding {
	return findings(r.find(text, ask{}))
}

// find scans text as it is, then reads the number words in what that
// leaves, as redaction leaves it (the findings already replaced by their
// placeholders), rewritten with digits; a finding in the rewritten text
// covers the words it came from. So spoken forms never change what the
// digits alone give, and a second pass over redacted text sees what the
// first pass saw.
func (r *Redactor) find(text string, a ask) []hit {
	if r == nil {
		return nil
	}
	var out []hit
	if worthScanning(text) {
		out = scanText(text, a, nil)
	}
	if !hasNumberWord(text) {
		return r.enabled(out)
	}
	rest, back := text, rewritten{}
	if len(out) > 0 {
		rest, back = replaceMapped(text, out)
	}
	if w, ok := spoken(rest); ok {
		n := len(out)
		for _, h := range scanText(w.text, a, nil) {
			h.Start, h.End = w.origin(h.Start, h.End)
			h.Start, h.End = back.origin(h.Start, h.End)
			out = append(out, h)
		}
		if len(out) > n {
			sortHits(out)
		}
	}
	return r.enabled(out)
}

// enabled keeps the hits of the Redactor's kinds.
func (r *Redactor) enabled(hs []hit) []hit {
	kept := hs[:0]
	for _, h := range hs {
		if r.kinds&h.Kind.bit() != 0 {
			kept = append(kept, h)
		}
	}
	return kept
}

// scanText runs the detectors over text, for an answer to a when a is set,
// and appends what they find to out, sorted.
func scanText(text string, a ask, out []hit) []hit {
	var runBuf [32]span
	var findBuf [8]hit
	s := scanner{text: text, runs: digitRuns(text, runBuf[:0]), found: findBuf[:0], ask: a}
	s.scan()
	return append(out, s.found...)
}

// replaceMapped is replace with each kind's placeholder, and the map of
// the result back to text.
func replaceMapped(text string, hs []hit) (string, rewritten) {
	var b strings.Builder
	b.Grow(len(text))
	reps := make([]replacement, 0, len(hs))
	last := 0
	for _, h := range hs {
		b.WriteString(text[last:h.Start])
		n := b.Len()
		b.WriteString(h.Kind.Placeholder())
		reps = append(reps, replacement{oStart: h.Start, oEnd: h.End, nStart: n, nEnd: b.Len()})
		last = h.End
	}
	b.WriteString(text[last:])
	return b.String(), rewritten{text: b.String(), reps: reps}
}

func overlapsAny(hs []hit, start, end int) bool {
	for _, h := range hs {
		if start < h.End && h.Start < end {
			return true
		}
	}
	return false
}

// sortHits sorts by start: there are a handful at most.
func sortHits(hs []hit) {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].Start < hs[j-1].Start; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}

// findings returns the public findings of hits, nil for none.
func findings(hs []hit) []Finding {
	if len(hs) == 0 {
		return nil
	}
	out := make([]Finding, len(hs))
	for i, h := range hs {
		out[i] = h.Finding
	}
	return out
}

// Redact returns text with every finding replaced by its kind's
// placeholder; the rest of the text is unchanged. A nil Redactor returns
// text as it is.
func (r *Redactor) Redact(text string) string {
	return r.RedactWith(text, Kind.Placeholder)
}

// RedactWith is Redact with the placeholder that placeholder returns for
// each kind, such as "{card}" in a reply template. Only Redact's own
// placeholders make redacting redacted text a no-op: the scanner knows
// their brackets.
func (r *Redactor) RedactWith(text string, placeholder func(Kind) string) string {
	return replace(text, r.find(text, ask{}), placeholder)
}

// replace returns text with each hit, in order and without overlaps,
// replaced by its kind's placeholder.
func replace(text string, hs []hit, placeholder func(Kind) string) string {
	if len(hs) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, h := range hs {
		b.WriteString(text[last:h.Start])
		b.WriteString(placeholder(h.Kind))
		last = h.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// worthScanning reports whether text could hold a finding at all: every
// kind needs a digit except email, which needs an "@". Most chat turns have
// neither and cost one pass over their bytes.
func worthScanning(text string) bool {
	for i := 0; i < len(text); i++ {
		if c := text[i]; isDigit(c) || c == '@' {
			return true
		}
	}
	return false
}
