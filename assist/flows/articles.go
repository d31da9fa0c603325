package flows

import (
	"strings"

	"github.com/larkspur-labs/assist/kb"
)

// FromArticles makes a guided flow of every knowledge article with at
// least two follow-up actions, so that a center's own articles can carry
// checklists as the ABCD guidelines do. The article's id and title name the
// flow; its questions are the words customers use for it (keywords and
// description), with its title and answer; each action, in order, is a
// step (articleStep): its cues are its own words, their "your" form and
// what agents say when doing or finishing that kind of action.
func FromArticles(articles []kb.Article) []Flow {
	var out []Flow
	for _, a := range articles {
		if len(a.Actions) < 2 {
			continue
		}
		f := Flow{
			ID: a.ID, Title: a.Title,
			Description: strings.Join(append([]string{a.Title, a.Answer}, a.Questions...), "\n"),
		}
		for _, q := range a.Questions {
			if q = strings.ToLower(strings.TrimSpace(strings.Trim(q, "?.!"))); q != "" {
				f.Keywords = append(f.Keywords, q)
			}
		}
		seen := map[string]bool{}
		for _, act := range a.Actions {
			id := slug(act)
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			f.Steps = append(f.Steps, articleStep(id, act))
		}
		if len(f.Steps) >= 2 {
			out = append(out, f)
		}
	}
	return out
}

// slug turns an action into a step id: lower case, words joined by "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

// articleStep makes a step of an article's action. Its leading verb says
// how it ticks: saying it performs an offer or an explanation (Said, with
// the object's word pairs as cues: "Offer low-balance alerts" is done once
// the agent says "low-balance alert"); a question is finished by the
// customer's answer (Answered); any other action by its done cues, the
// agent's tools, or the agent moving on.
func articleStep(id, action string) Step {
	a := strings.ToLower(strings.TrimSpace(strings.TrimRight(action, ".")))
	st := Step{ID: id, Title: action, Cues: []string{a}}
	for _, owner := range []string{"the caller's ", "the customer's ", "the member's ", "the "} {
		if strings.Contains(a, owner) {
			st.Cues = append(st.Cues, strings.Replace(a, owner, "your ", 1))
			break
		}
	}
	verb, object, _ := strings.Cut(a, " ")
	if saidVerbs[verb] {
		// Saying it is doing it: its object's words are the cues, and only
		// the head of the object picks common cues ("Mention pending
		// transactions that lower the available balance" is about
		// transactions, not balances), whose done cues do not apply.
		st.Said = true
		st.Cues = append(st.Cues, objectPairs(object)...)
		head := objectHead(object)
		for _, c := range commonCues {
			if strings.Contains(head, c.word) {
				st.Cues = append(st.Cues, c.said...)
				break // the first, most specific kind only
			}
		}
		return st
	}
	st.Answered, st.Guided = askedVerbs[verb], guidedVerbs[verb]
	// The verb and the object's head pick the common cues ("Confirm the
	// amount to refund" is a confirmation, not a refund); a guided step's
	// whole text does, since its object is the customer.
	about := verb + " " + objectHead(object)
	if st.Guided {
		about = a
	}
	for _, c := range commonCues {
		if strings.Contains(about, c.word) {
			st.Cues = append(st.Cues, c.said...)
			st.DoneCues = append(st.DoneCues, c.done...)
		}
	}
	return st
}

// objectHead is an object up to its first clause or preposition: "pending
// transactions" of "pending transactions that lower the balance".
func objectHead(object string) string {
	words := strings.Fields(object)
	for len(words) > 0 && headBreaks[words[0]] {
		words = words[1:]
	}
	for i, w := range words {
		if headBreaks[w] {
			return strings.Join(words[:i], " ")
		}
	}
	return strings.Join(words, " ")
}

// headBreaks end an object's head.
var headBreaks = map[string]bool{
	"that": true, "which": true, "if": true, "before": true, "when": true, "on": true, "for": true,
	"to": true, "from": true, "with": true, "linked": true, "as": true, "by": true, "about": true,
}

// saidVerbs lead actions that saying performs; askedVerbs lead questions
// the customer answers; guidedVerbs lead steps of several exchanges.
var (
	saidVerbs = map[string]bool{
		"offer": true, "suggest": true, "mention": true, "explain": true, "quote": true, "warn": true,
		"tell": true, "remind": true, "recommend": true, "read": true, "acknowledge": true, "apologise": true, "apologize": true,
	}
	askedVerbs  = map[string]bool{"ask": true, "confirm": true, "collect": true, "check": true}
	guidedVerbs = map[string]bool{"guide": true, "walk": true, "help": true, "troubleshoot": true}
)

// objectPairs are the adjacent pairs of content words in an action's
// object, the last word without its plural "s", so that "overdraft
// protection linked to savings" gives "overdraft protection" and
// "low-balance alerts" gives "low balance", "balance alert"; a long word
// standing alone counts by itself ("website").
func objectPairs(object string) []string {
	var words []string
	var out []string
	flush := func() {
		if len(words) == 1 && len(words[0]) >= 7 {
			out = append(out, words[0])
		}
		for i := 0; i+1 < len(words); i++ {
			out = append(out, words[i]+" "+words[i+1])
		}
		words = words[:0]
	}
	for w := range strings.FieldsSeq(normalize(object)) {
		if stopwords[w] || pairBreaks[w] {
			flush()
			continue
		}
		words = append(words, strings.TrimSuffix(w, "s"))
	}
	flush()
	return out
}

// pairBreaks end a run of object words.
var pairBreaks = map[string]bool{"linked": true, "as": true, "via": true, "when": true, "before": true, "after": true, "about": true, "eligible": true}

// commonCues maps a word of an action to what agents say while doing it
// (said: the step starts) and once it is done (done: the step ticks), more
// specific words first. It is written from how agents talk; the bundled
// calls' annotations (engine/samples/steps.json) measure it, and the
// shared dialogue sets were not used.
var commonCues = []struct {
	word       string
	said, done []string
}{
	{"identity",
		[]string{"your full name", "date of birth", "last four", "security question", "verify your identity", "confirm your identity", "send you a code", "sent a code", "sending a code", "digit code"},
		[]string{"you're verified", "you are verified", "already verified", "thanks for verifying", "thank you for verifying", "identity is confirmed", "verified you", "that matches", "all verified"}},
	{"lock",
		[]string{"lock the card", "lock your card", "freeze the card"},
		[]string{"i've locked", "i have locked", "ive locked", "card is locked", "card is now locked", "frozen", "froze the card"}},
	{"block",
		[]string{"block the card", "block your card"},
		[]string{"i've blocked", "i have blocked", "card is blocked"}},
	{"replacement",
		[]string{"new card", "replacement card", "order a new", "send you a new", "order a replacement"},
		[]string{"ordered a new", "ordered a replacement", "on its way", "new card is on"}},
	{"transactions",
		[]string{"recent transactions", "any charges you don't recognize", "these charges", "those charges", "check nobody used"},
		[]string{"i can see", "last payment", "last transaction", "payments posted", "nothing after that", "no other charges", "nothing unusual"}},
	{"refund",
		[]string{"refund"},
		[]string{"refunded", "i've credited", "credited back", "reversed the", "money back", "back today"}},
	{"waive",
		[]string{"waive"},
		[]string{"waived", "reversed the fee"}},
	{"reset",
		[]string{"reset link", "reset your password", "reset code", "forgot password"},
		[]string{"sent you a link", "password is reset", "welcome back"}},
	{"password",
		[]string{"forgot password", "new password"},
		[]string{"welcome back", "you're in", "password is changed"}},
	{"expedited",
		[]string{"expedited", "express delivery", "overnight", "send it express"},
		[]string{"by express", "express is on", "upgraded the delivery"}},
	{"amount",
		[]string{"to confirm", "can you confirm", "could you confirm"},
		nil},
	{"screen",
		[]string{"screen say", "what does it say", "what do you see"},
		nil},
	{"escalate",
		[]string{"supervisor", "escalate", "my manager"},
		nil},
	{"address",
		[]string{"your address", "new address"},
		[]string{"updated your address"}},
	{"transfer",
		[]string{"move the money", "make the transfer"},
		[]string{"transfer is done", "transfer is instant", "moved the money", "i've moved", "transferred"}},
	{"new balance",
		[]string{"now shows", "now has", "new balance"},
		nil},
	{"balance",
		[]string{"your balance", "balance is", "available balance", "current balance", "available"},
		nil},
	{"mobile number",
		[]string{"your mobile", "mobile ending", "phone number ending", "text to your"},
		nil},
	{"published rate",
		[]string{"apy", "interest rate", "rate is", "paying"},
		nil},
	{"unlock",
		[]string{"unlock"},
		[]string{"unlocked", "not locked"}},
	{"locked",
		[]string{"locked out", "login locks"},
		[]string{"unlocked it", "not locked"}},
	{"scams",
		[]string{"scam", "double check", "double-check", "can't be cancelled", "cannot be cancelled"},
		nil},
	{"payment",
		[]string{"larkspur pay", "send money"},
		[]string{"payment is sent", "sent the payment"}},
}

// Mentions reports whether an utterance says what an action or offer is
// about: one of the word pairs of its object ("Link savings as overdraft
// protection ($10 transfer…)" is mentioned by "…link your savings account
// as overdraft protection…"). Single words do not count, being too common.
func Mentions(action, utterance string) bool {
	_, object, _ := strings.Cut(strings.ToLower(strings.TrimSpace(action)), " ")
	padded := " " + normalize(utterance) + " "
	for _, c := range objectPairs(object) {
		if !strings.Contains(c, " ") {
			continue
		}
		if p, ok := newPhrase(c); ok && p.in(padded) {
			return true
		}
	}
	return false
}
