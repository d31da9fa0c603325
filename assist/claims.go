package assist

import (
	"regexp"
	"slices"
	"strings"
)

// A knowledge article's answer is written for the moment its steps are
// done ("I've locked your card right now"). Suggested while they are not,
// it would have the agent say something untrue. pendingReply rewrites such
// a claim into the step to take ("I'll lock your card right now") until
// an agent turn of the call says it was done; the claimed verb is matched
// to one of the article's actions ("Lock the card"), which gives both its
// base form and the step to show.

// claimRe finds a first-person claim of something done: "I've locked",
// "I have just sent". Group 1 is the word before it (a claim after "once"
// or "when" is a condition, not a claim), group 2 the claim's opening
// words, group 3 the participle.
var claimRe = regexp.MustCompile(`(?i)(\b\w+\s+)?\b(I've|I have)(?:\s+just|\s+already)?\s+([a-z]+)\b`)

// conditionWords before a claim make it a condition ("once I've verified
// you, I'll change it").
var conditionWords = map[string]bool{
	"once": true, "when": true, "after": true, "if": true, "until": true,
	"as": true, "before": true, "soon": true,
}

// irregular are the past participles of irregular verbs agents' steps use.
var irregular = map[string]string{
	"sent": "send", "made": "make", "put": "put", "set": "set", "given": "give",
	"taken": "take", "found": "find", "paid": "pay", "read": "read", "got": "get",
	"gotten": "get", "done": "do", "told": "tell", "frozen": "freeze", "cut": "cut",
}

// isParticiple says whether word is the past participle of the verb base.
func isParticiple(word, base string) bool {
	word, base = strings.ToLower(word), strings.ToLower(base)
	if b, ok := irregular[word]; ok {
		return b == base
	}
	switch {
	case word == base+"ed", word == base+"d":
		return true
	case strings.HasSuffix(base, "y") && word == base[:len(base)-1]+"ied":
		return true
	case len(base) > 0 && word == base+base[len(base)-1:]+"ed":
		return true // stop → stopped
	}
	return false
}

// pendingReply rewrites the claims of text that name one of actions and
// that neither an agent turn of history says done nor done (the titles of
// the checklist's steps done) holds, and returns the new text and
// those actions, the steps to take. Text without such claims is returned
// as is, with no steps.
func pendingReply(text string, actions []string, history []Turn, done []string) (string, []string) {
	var steps []string
	out := claimRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := claimRe.FindStringSubmatch(m)
		if before := strings.ToLower(strings.TrimSpace(sub[1])); conditionWords[before] {
			return m
		}
		verb := sub[3]
		for _, a := range actions {
			base, _, _ := strings.Cut(strings.TrimSpace(a), " ")
			if base == "" || !isParticiple(verb, base) {
				continue
			}
			if agentSaid(history, verb) || slices.ContainsFunc(done, func(d string) bool { return strings.EqualFold(d, a) }) {
				return m
			}
			steps = append(steps, a)
			// Keep the word before the claim and the claim's casing: "I've
			// locked" → "I'll lock".
			return sub[1] + sub[2][:1] + "'ll " + strings.ToLower(base)
		}
		return m
	})
	return out, steps
}

// agentSaid says whether an agent turn of history has the participle as a
// word ("I've locked the card", "it's locked now").
func agentSaid(history []Turn, participle string) bool {
	for _, t := range history {
		if t.Speaker != "agent" {
			continue
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(t.Text), func(r rune) bool {
			return !('a' <= r && r <= 'z' || r == '\'')
		}) {
			if w == strings.ToLower(participle) {
				return true
			}
		}
	}
	return false
}
