package redact

import "strings"

// A customer who is asked "can you confirm your date of birth?" answers
// "march fourth eighty eight", with no cue of their own: the cue is in the
// agent's turn. FindAnswer reads the customer's turn knowing the question,
// and then a number of the kind asked for needs no cue in the answer:
//
//   - date of birth: any date (not a year alone);
//   - account: 6–17 digits that are not an amount, a date or a card;
//   - SSN: nine digits outside the numbers never issued;
//   - phone: a bare 10-digit North American or 11-digit number;
//   - the last four digits of a card, SSN, account or phone: a group of
//     four digits on its own, not an amount, with the kind the question
//     names nearest "last four" (a card when it names none).
//
// A turn asks when it holds "?" or a request word ("what", "can you",
// "confirm", "please", "and your" …); a date of birth named at all counts.
// A question that names an order, reference, tracking or similar number
// asks for that, not for the account or phone it mentions. Card numbers
// need no question: a Luhn-valid number is a card anywhere; asked for a
// card, 13–19 digits are one without the check digit. Postcodes are
// not a kind (see the package doc), so a question for one changes nothing.

// ask is what the agent's question asked the customer for.
type ask struct {
	kinds uint8 // bit set of the kinds the answer may give without a cue
	// lastFour is the kind a group of four digits standing alone is taken
	// for; "" unless the question asked for the last four digits.
	lastFour Kind
}

// askPhrases name each kind in an agent's question.
var askPhrases = []struct {
	kind    Kind
	phrases []string
}{
	{KindDOB, []string{"date of birth", "birth date", "birthdate", "birthday", "dob", "d.o.b", "when were you born", "born on"}},
	{KindCard, []string{"card", "cards", "card number", "visa", "mastercard", "amex"}},
	{KindSSN, []string{"social security", "ssn", "social"}},
	{KindAccount, []string{"account", "accounts", "acct", "sort code", "routing", "member number", "membership number", "customer number"}},
	{KindPhone, []string{"phone", "telephone", "cellphone", "mobile", "cell", "landline", "callback number",
		"call back number", "contact number", "best number", "reach you"}},
}

// requestWords make a turn that names a kind a request for it; a date of
// birth named at all is asked for (agents never mention one idly).
var requestWords = []string{
	"what", "what's", "whats", "which", "can", "could", "would", "may", "confirm", "verify", "tell", "give",
	"read", "provide", "need", "please", "repeat", "spell", "go ahead", "and your", "let me have",
}

// otherNumbers are numbers an agent asks for that are not personal data;
// a question naming one asks for it, not for the account or phone it
// mentions ("what's the order number on the account?").
var otherNumbers = []string{
	"order number", "order", "reference", "ref", "tracking", "confirmation number", "case number",
	"ticket", "claim number", "invoice", "transaction id", "booking",
}

// lastFourPhrases ask for the last digits of a number.
var lastFourPhrases = []string{
	"last four", "last 4", "final four", "last digits", "ending in", "ends in", "ending with", "end in",
}

// asks reads what an agent's turn asks the customer for.
func asks(question string) ask {
	if question == "" {
		return ask{}
	}
	q := lowerASCII(question)
	request := strings.Contains(q, "?")
	for _, w := range requestWords {
		if request {
			break
		}
		request = phraseAt(q, w) >= 0
	}
	other := false
	for _, w := range otherNumbers {
		if other = phraseAt(q, w) >= 0; other {
			break
		}
	}
	var a ask
	var at [len(allKinds)]int // where each kind is first named, -1 if not
	for i := range at {
		at[i] = -1
	}
	for _, kp := range askPhrases {
		first := -1
		for _, p := range kp.phrases {
			if i := phraseAt(q, p); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
		if first < 0 || (!request && kp.kind != KindDOB) {
			continue
		}
		if (kp.kind == KindAccount || kp.kind == KindPhone) && other {
			continue
		}
		a.kinds |= kp.kind.bit()
		at[kindIndex(kp.kind)] = first
	}
	if !request {
		return a
	}
	lf := -1
	for _, p := range lastFourPhrases {
		if i := phraseAt(q, p); i >= 0 && (lf < 0 || i < lf) {
			lf = i
		}
	}
	if lf < 0 {
		return a
	}
	// The kind named nearest after "last four", else nearest before it,
	// else a card: the last four a caller is asked for most.
	var after, before Kind
	afterAt, beforeAt := -1, -1
	for _, k := range [...]Kind{KindCard, KindSSN, KindAccount, KindPhone} {
		switch i := at[kindIndex(k)]; {
		case i < 0:
		case i > lf && (afterAt < 0 || i < afterAt):
			after, afterAt = k, i
		case i < lf && i > beforeAt:
			before, beforeAt = k, i
		}
	}
	switch {
	case after != "":
		a.lastFour = after
	case before != "":
		a.lastFour = before
	default:
		a.lastFour = KindCard
	}
	a.kinds |= a.lastFour.bit()
	return a
}

// kindIndex returns the kind's index in allKinds.
func kindIndex(k Kind) int {
	for i, a := range allKinds {
		if a == k {
			return i
		}
	}
	return 0
}

// phraseAt returns where phrase occurs in text as whole words, or -1;
// text is lower-case.
func phraseAt(text, phrase string) int {
	for off := 0; ; {
		i := strings.Index(text[off:], phrase)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(phrase)
		if (i == 0 || !isLetter(text[i-1])) && (end == len(text) || !isLetter(text[end])) {
			return i
		}
		off = i + 1
	}
}

// lowerASCII lowers ASCII letters only, so byte offsets stay the same.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// lastFours finds, in the answer to a question for the last four digits,
// a group of four digits on its own: not an amount, not a time or date,
// and not one group of a longer grouped number.
func (s *scanner) lastFours() {
	k := s.ask.lastFour
	if k == "" {
		return
	}
	for i, r := range s.runs {
		if r.len() != 4 || !s.leftFree(r.start, tightSeps) || !s.rightFree(r.end, tightSeps) || s.at(r.start-1) == '+' ||
			s.afterCurrency(r.start) || s.beforeCurrency(r.end) ||
			(i > 0 && (s.joined(i-1, ' ') || s.joined(i-1, '-'))) || s.groupSep(i, " -") != 0 {
			continue
		}
		s.addHit(k, r.start, r.end, true)
	}
}

// FindAnswer is Find for a customer's turn that answers question, the
// agent's turn before it: a number of a kind the question asked for needs
// no cue in the answer (see the package doc). With an empty question it is
// Find.
func (r *Redactor) FindAnswer(question, answer string) []Finding {
	return findings(r.find(answer, asks(question)))
}

// RedactAnswer is Redact for a customer's turn that answers question.
func (r *Redactor) RedactAnswer(question, answer string) string {
	return replace(answer, r.find(answer, asks(question)), Kind.Placeholder)
}
