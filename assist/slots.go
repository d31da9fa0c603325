package assist

import (
	"regexp"
	"strings"
	"unicode"
)

// An article's answer often asks for the details the task needs ("Tell me
// the amount and which account it should come from"), which the customer
// has often just given ("can I move 1200 from savings into checking?").
// dropGivenAsks removes from such a request the details the customer's
// recent turns already hold, and the whole request when nothing is left
// to ask.

// slot is a detail a reply may ask for: asked finds the request for it in
// an answer, given finds it in a customer's words.
type slot struct {
	name         string
	asked, given *regexp.Regexp
}

var slots = []slot{
	{"amount",
		regexp.MustCompile(`(?i)\b(amount|how much)\b`),
		regexp.MustCompile(`(?i)(\$\s?\d|\b\d{2,}[\d,]*(\.\d\d)?\b|\b(hundred|thousand|fifty|twenty|thirty|forty|sixty|seventy|eighty|ninety)\b|\b\d+\s*(dollars|bucks)\b)`)},
	{"account",
		regexp.MustCompile(`(?i)\baccounts?\b`),
		regexp.MustCompile(`(?i)\b(checking|savings|current account|account ending)\b`)},
	{"date",
		regexp.MustCompile(`(?i)\b(date|what day|which day)\b`),
		regexp.MustCompile(`(?i)\b(today|tomorrow|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|august|september|october|november|december|\d{1,2}/\d{1,2})\b`)},
	{"card",
		regexp.MustCompile(`(?i)\b(which card|the card)\b`),
		regexp.MustCompile(`(?i)\b(card ending|(debit|credit) card)\b`)},
}

// askRe finds a request for details: "Tell me …" up to the end of its
// clause (a comma, semicolon or full stop), with what follows it up to the
// next word when the clause goes on with "and" (", and it will show").
var askRe = regexp.MustCompile(`(?i)\b(?:please |can you |could you )?(tell me|give me|let me know) ([^,;.?!]+)([,;]\s*(?:and|then)\s+|[.?!]\s*|[,;]\s*|$)`)

// dropGivenAsks returns text without the parts of its requests that ask
// for details customer (the customer's recent turns, joined) holds.
func dropGivenAsks(text, customer string) string {
	out := askRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := askRe.FindStringSubmatch(m)
		body, tail := sub[2], sub[3]
		parts := askParts(body)
		if parts == nil {
			return m // asks for nothing the slots know
		}
		var keep []string
		for _, p := range parts {
			if !allGiven(p, customer) {
				keep = append(keep, p)
			}
		}
		if len(keep) == len(parts) {
			return m
		}
		if len(keep) > 0 {
			return m[:len(m)-len(body)-len(tail)] + strings.Join(keep, " and ") + tail
		}
		// The whole request goes, with the "and" that joined it to what
		// follows; that now starts a sentence.
		return removed
	})
	return tidy(out)
}

// askParts splits a request's body at "and" into the details it asks
// for; a part naming no slot ("go to" in "which account it should come
// from and go to") belongs to the one before. It returns nil when no part
// names a slot.
func askParts(body string) []string {
	var parts []string
	named := false
	for _, p := range strings.Split(body, " and ") {
		if slotsAsked(p) == nil && len(parts) > 0 {
			parts[len(parts)-1] += " and " + p
			continue
		}
		named = named || slotsAsked(p) != nil
		parts = append(parts, p)
	}
	if !named {
		return nil
	}
	return parts
}

// slotsAsked are the slots a part of a request asks for.
func slotsAsked(part string) []slot {
	var out []slot
	for _, s := range slots {
		if s.asked.MatchString(part) {
			out = append(out, s)
		}
	}
	return out
}

// allGiven says whether the customer gave every slot part asks for; a
// part that asks for none is not given.
func allGiven(part, customer string) bool {
	asked := slotsAsked(part)
	for _, s := range asked {
		if !s.given.MatchString(customer) {
			return false
		}
	}
	return len(asked) > 0
}

// removed marks where a request was taken out, for tidy.
const removed = "\x00"

// tidy fixes what removing a request leaves: the words after it start a
// sentence, and the spacing is single.
func tidy(s string) string {
	if !strings.Contains(s, removed) {
		return s
	}
	var b strings.Builder
	upper := false
	for _, r := range s {
		switch {
		case string(r) == removed:
			upper = true
			continue
		case upper && unicode.IsLetter(r):
			r = unicode.ToUpper(r)
			upper = false
		case upper && !unicode.IsSpace(r):
			upper = false
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
