package assist

import (
	"slices"
	"strings"
)

// agentUnit is a sentence of an agent turn; a sentence of one or two words
// ("Done!", "Of course.") is joined to the next one of the turn.
type agentUnit struct {
	turn  int
	text  string
	words []string
}

func agentUnits(turns []Turn) []agentUnit {
	var out []agentUnit
	for ti, t := range turns {
		if isCustomer(t) {
			continue
		}
		spans := sentenceSpans(t.Text)
		for k := 0; k < len(spans); k++ {
			start := spans[k][0]
			for k+1 < len(spans) && len(lowerWords(t.Text[start:spans[k][1]])) <= 2 {
				k++
			}
			text := t.Text[start:spans[k][1]]
			out = append(out, agentUnit{turn: ti, text: text, words: lowerWords(text)})
		}
	}
	return out
}

func (u agentUnit) question() bool {
	return strings.HasSuffix(strings.TrimRight(u.text, "\"')]”’ "), "?")
}

// has reports whether the unit's words contain phrase, a space-separated
// run of lowercase words.
func (u agentUnit) has(phrase string) bool {
	return containsPhrase(u.words, strings.Fields(phrase))
}

func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		if slices.Equal(words[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// doneVerbs report a completed action when the agent's side is their
// subject or the sentence is passive ("I've just unlocked", "she
// approved", "it's been refunded", "your transfer is complete").
var doneVerbs = setOf(
	"blocked", "refunded", "sent", "updated", "cancelled", "canceled", "processed", "locked", "unlocked",
	"ordered", "approved", "reset", "activated", "replaced", "transferred", "waived", "credited",
	"reversed", "issued", "reissued", "fixed", "closed", "changed", "added", "removed", "scheduled",
	"escalated", "submitted", "initiated", "complete", "completed", "success", "successful",
	"successfully", "confirmed",
)

// doneSubjects may stand up to three words before a doneVerb.
var doneSubjects = setOf("i", "i've", "we", "we've", "she", "he", "they", "it's", "that's", "just", "has", "have", "been", "was", "is")

// verificationPhrases mark the identity check, which is not what the call
// was about.
var verificationPhrases = []string{
	"code", "verify", "verified", "verification", "confirm your", "date of birth", "full name",
	"last four", "security question", "social security",
}

// perceptionVerbs after "I can" are empathy, not action: "I can see …".
var perceptionVerbs = setOf("see", "hear", "understand", "imagine", "tell", "assure", "appreciate", "help")

// actionScore rates an agent unit as an action: 2 for a completed one ("I've
// …", "I have …", "done", a done verb), 1 for an intention ("I'll", "I
// will", "let me", "I'm going to", "I can …"), 0 for none, a question or
// an identity check.
func actionScore(u agentUnit) int {
	if len(u.words) < 3 || u.question() {
		return 0
	}
	for _, p := range verificationPhrases {
		if u.has(p) {
			return 0
		}
	}
	score := 0
	ws := u.words
	for i, w := range ws {
		next := ""
		if i+1 < len(ws) {
			next = ws[i+1]
		}
		switch {
		case w == "i've", w == "i" && next == "have", w == "done" && (i == 0 || ws[i-1] != "well"):
			return 2
		case doneVerbs[w]:
			for k := max(0, i-3); k < i; k++ {
				if doneSubjects[ws[k]] {
					return 2
				}
			}
		case w == "i'll", w == "i" && next == "will", w == "let" && next == "me",
			w == "i'm" && next == "going" && i+2 < len(ws) && ws[i+2] == "to":
			score = 1
		case w == "i" && next == "can" && i+2 < len(ws) && !perceptionVerbs[ws[i+2]]:
			score = 1
		}
	}
	return score
}

// closingPhrases mark the agent's closing of the call.
var closingPhrases = []string{
	"anything else", "thank you for calling", "thanks for calling", "thank you for staying",
	"thank you for your patience", "have a great", "have a good", "have a nice", "have a lovely",
	"have a better", "have a wonderful", "goodbye", "bye", "take care", "enjoy",
}

// courtesyOpeners open a courtesy that says nothing of the problem.
var courtesyOpeners = []string{
	"you're welcome", "you are welcome", "you're very welcome", "thank you", "thanks", "no problem",
	"my pleasure", "not at all", "no need to apologise", "no need to apologize", "of course",
}

func (u agentUnit) closing() bool {
	for _, p := range closingPhrases {
		if u.has(p) {
			return true
		}
	}
	return false
}

func (u agentUnit) courtesy() bool {
	if isFillerOnly(u.text) {
		return true
	}
	if len(u.words) > 7 {
		return false
	}
	for _, p := range courtesyOpeners {
		if f := strings.Fields(p); len(u.words) >= len(f) && slices.Equal(u.words[:len(f)], f) {
			return true
		}
	}
	return false
}

// substantive reports whether a unit says something about the problem:
// not a question and not a courtesy.
func substantive(u agentUnit) bool { return !u.question() && !u.courtesy() }

// agentActions returns the Action and Resolution of a call; see Extractive.
func agentActions(turns []Turn) (action, resolution string) {
	units := agentUnits(turns)
	// The closing: the trailing run of goodbyes and courtesies.
	closing := len(units)
	for closing > 0 && (units[closing-1].closing() || units[closing-1].courtesy()) {
		closing--
	}
	res := -1
	if last := closing - 1; last >= 0 && !units[last].question() {
		for _, u := range units[closing:] {
			if u.turn == units[last].turn && u.closing() {
				res = last // the recap before "Is there anything else?"
				break
			}
		}
	}
	var acts []int
	scores := make([]int, closing)
	for i := range closing {
		if scores[i] = actionScore(units[i]); scores[i] > 0 {
			acts = append(acts, i)
		}
	}
	if res < 0 && len(acts) > 0 {
		res = acts[len(acts)-1]
	}
	// The best two other actions, shown in transcript order.
	others := slices.DeleteFunc(slices.Clone(acts), func(i int) bool { return i == res })
	slices.SortStableFunc(others, func(a, b int) int { return scores[b] - scores[a] })
	others = others[:min(2, len(others))]
	slices.Sort(others)
	if len(others) == 0 && res >= 0 && scores[res] > 0 {
		// One action only: it is the Action, and what the agent said next
		// in the same turn ("Done! The transfer is instant. Checking now
		// shows …"), or else their last words before the closing, is the
		// Resolution.
		others = []int{res}
		next := -1
		for i := res + 1; i < closing && units[i].turn == units[res].turn && next < 0; i++ {
			if substantive(units[i]) {
				next = i
			}
		}
		for i := closing - 1; i > res && next < 0; i-- {
			if substantive(units[i]) {
				next = i
			}
		}
		if next >= 0 {
			res = next
		}
	}
	if res < 0 {
		for i := closing - 1; i >= 0; i-- {
			if substantive(units[i]) {
				res = i
				break
			}
		}
	}
	texts := make([]string, len(others))
	for k, i := range others {
		texts[k] = units[i].text
	}
	if res >= 0 {
		resolution = units[res].text
	}
	return strings.Join(texts, " "), resolution
}

// thanksWords and complaintWords in the customer's last turn move the
// Satisfaction one step.
var (
	thanksWords = setOf("thank", "thanks", "thankyou", "appreciate", "appreciated", "great", "perfect",
		"amazing", "awesome", "brilliant", "wonderful", "excellent", "helpful", "cheers", "lovely", "fantastic")
	complaintWords = setOf("ridiculous", "useless", "unacceptable", "terrible", "awful", "worst",
		"disappointed", "disappointing", "complaint", "complain", "furious", "pathetic", "joke", "waste",
		"rubbish", "horrible", "disgusting", "incompetent")
	complaintPhrases = []string{
		"not happy", "still not", "for nothing", "close my account", "closing my account", "never again",
		"speak to a manager", "speak to your manager", "talk to your supervisor", "speak to a supervisor",
	}
)

// satisfaction rates the customer at the end of the call; see Extractive.
func satisfaction(turns []Turn, customerMood float64) string {
	score := 0
	switch {
	case customerMood > NeutralBand:
		score++
	case customerMood < -NeutralBand:
		score--
	}
	for i := len(turns) - 1; i >= 0; i-- {
		if !isCustomer(turns[i]) {
			continue
		}
		ws := lowerWords(turns[i].Text)
		complaint, thanks := false, false
		for _, w := range ws {
			complaint = complaint || complaintWords[w]
			thanks = thanks || thanksWords[w]
		}
		for _, p := range complaintPhrases {
			complaint = complaint || containsPhrase(ws, strings.Fields(p))
		}
		switch {
		case complaint:
			score--
		case thanks:
			score++
		}
		break
	}
	switch {
	case score > 0:
		return Satisfied
	case score < 0:
		return Dissatisfied
	}
	return NotSure
}
