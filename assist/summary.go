package assist

import (
	"slices"
	"strings"
)

// Extractive sums up a call by picking sentences from its transcript. It is
// the embedded summary: shown the moment a call ends, and the one that
// stands when no model server is configured or it fails. Every sentence
// it picks is verbatim from one turn (Situation may be cut at a word and
// end in "…"), so the summary never says what nobody said, and it holds
// only what the transcript and the topics held: redact the turns first and
// the summary is redacted too. The same request always gives the same
// summary.
//
//   - Reason is the strongest topic, req.Topics[0]; without topics, a few
//     words of the Situation sentence from its problem word ("lost my debit
//     card") or its first clause.
//   - Situation is what the customer came with: from their first turn that
//     is more than greetings and fillers, the first sentence with a problem
//     word ("lost", "charged", "can't", "won't", "wrong", "never received",
//     "cancel" …), or else the longest; the next sentence of the turn is
//     added when both fit in situationLen bytes. Leading "hi," or "yeah,"
//     is dropped.
//   - Resolution is how the call ended: the agent's recap just before the
//     closing ("You've got seventy dollars coming back … Is there anything
//     else?"), or else the agent's last sentence with an action cue, or else
//     the agent's last substantive sentence before the goodbyes.
//   - Action is what the agent did: up to two agent sentences with action
//     cues other than the Resolution, in transcript order, completed actions
//     ("I've locked", "refunded", "done", "your transfer is complete")
//     before intentions ("I'll", "let me", "I'm going to", "I can").
//     Questions, identity checks ("a code", "date of birth"), "I can see /
//     hear / understand" and "well done" are not actions. A sentence of one
//     or two words ("Done!") is read with the next one of its turn. When the
//     call has a single action it is the Action, and the Resolution is what
//     the agent said next in that turn ("Done! The transfer is instant." →
//     "Checking now shows $1,512.40 …"), or else their last substantive
//     sentence before the goodbyes.
//   - Satisfaction starts from customerMood (the customer's rolling score:
//     above NeutralBand satisfied, below −NeutralBand dissatisfied) and
//     moves one step up for thanks in the customer's last turn or one step
//     down for a complaint there; an angry call that ends in thanks is
//     neutral.
//   - Entities are product words of the topic titles (at most three), then
//     the amounts ("$12.50", "€30", "200 dollars", "a hundred and five
//     dollars"), dates ("March 3", "12/03/2024", "Tuesday") and times
//     ("10:30", "5pm") of the transcript in the order they were said,
//     deduplicated, at most maxEntities. A date in a turn about a birth, or
//     in the answer to one, is left out: it is personal data.
//   - Disposition is req.Dispositions[0], or else the strongest topic, or
//     else "no topic identified", as in Call.Wrapup.
func Extractive(req SummaryRequest, customerMood float64) Summary {
	s := Summary{Source: "extractive", Disposition: "no topic identified"}
	situation, reason := customerSituation(req.Turns)
	s.Situation, s.Reason = situation, reason
	if len(req.Topics) > 0 {
		s.Reason = req.Topics[0]
		s.Disposition = req.Topics[0]
	}
	if len(req.Dispositions) > 0 {
		s.Disposition = req.Dispositions[0]
	}
	s.Action, s.Resolution = agentActions(req.Turns)
	s.Satisfaction = satisfaction(req.Turns, customerMood)
	s.Entities = callEntities(req)
	return s
}

// situationLen bounds the Situation, in bytes.
const situationLen = 200

// maxEntities bounds the Entities of a summary.
const maxEntities = 8

// isCustomer reports whether a turn is the customer's; every other speaker
// is the agent's side, as in Call.Sentiment.
func isCustomer(t Turn) bool { return t.Speaker == "customer" }

// customerSituation returns the Situation and the Reason phrase from the
// customer's first substantive turn, both empty when there is none.
func customerSituation(turns []Turn) (situation, reason string) {
	for _, t := range turns {
		if !isCustomer(t) {
			continue
		}
		spans := sentenceSpans(t.Text)
		pick, longest := -1, -1
		for i, sp := range spans {
			sentence := t.Text[sp[0]:sp[1]]
			if isGreeting(sentence) {
				continue
			}
			if longest < 0 || sp[1]-sp[0] > spans[longest][1]-spans[longest][0] {
				longest = i
			}
			if hasProblemCue(lowerWords(sentence)) {
				pick = i
				break
			}
		}
		if pick < 0 {
			pick = longest
		}
		if pick < 0 {
			continue
		}
		start, end := spans[pick][0]+leadingGreetingLen(t.Text[spans[pick][0]:spans[pick][1]]), spans[pick][1]
		reason = reasonPhrase(t.Text[start:end])
		if next := pick + 1; next < len(spans) && spans[next][1]-start <= situationLen &&
			!isGreeting(t.Text[spans[next][0]:spans[next][1]]) {
			end = spans[next][1]
		}
		return cutAtWord(t.Text[start:end], situationLen), reason
	}
	return "", ""
}

// salutations open a greeting: "Hi Priya.", "Good morning, Sam.".
var salutations = setOf("hi", "hello", "hey", "hiya", "howdy", "morning", "afternoon", "evening", "good")

// isGreeting reports whether a sentence is only a greeting or filler words:
// small talk, or up to four words opening with a salutation, after an
// optional "oh", "yeah", "well" or "so" ("Oh, hello dear.").
func isGreeting(sentence string) bool {
	ws := lowerWords(sentence)
	if len(ws) == 0 || isFillerOnly(sentence) {
		return true
	}
	if len(ws) > 4 {
		return false
	}
	if len(ws) > 1 && (ws[0] == "oh" || ws[0] == "yeah" || ws[0] == "well" || ws[0] == "so") {
		return salutations[ws[1]]
	}
	return salutations[ws[0]]
}

// leadingGreetingLen returns the length of the greeting or filler words
// that open a sentence before a comma ("hi, ", "Oh, hello, "), so that the
// Situation starts where the problem does.
func leadingGreetingLen(sentence string) int {
	n := 0
	for {
		rest := sentence[n:]
		comma := strings.IndexByte(rest, ',')
		if comma < 0 {
			return n
		}
		ws := lowerWords(rest[:comma])
		if len(ws) == 0 || len(ws) > 2 {
			return n
		}
		for _, w := range ws {
			if !salutations[w] && !openerWords[w] {
				return n
			}
		}
		n += comma + 1
		for n < len(sentence) && sentence[n] == ' ' {
			n++
		}
	}
}

// openerWords may open a turn before its point: "Yeah, hi, …", "Oh, …".
var openerWords = setOf("oh", "yeah", "yes", "ok", "okay", "so", "well", "um", "uh", "hmm", "right", "alright")

// problemWords state a customer's problem.
var problemWords = setOf(
	"lost", "stolen", "charged", "charge", "charges", "fee", "fees", "can't", "cannot", "cant", "won't",
	"wont", "didn't", "doesn't", "isn't", "wasn't", "hasn't", "haven't", "wrong", "cancel", "cancelled",
	"canceled", "locked", "blocked", "frozen", "declined", "refund", "dispute", "fraud", "scam", "hacked",
	"error", "problem", "issue", "missing", "broken", "stuck", "failed", "unable", "forgot", "overdraft",
	"twice", "unauthorized", "unrecognized",
)

// problemPairs are two-word problem cues whose words alone are not.
var problemPairs = [][2]string{
	{"never", "received"}, {"never", "arrived"}, {"never", "got"}, {"not", "received"},
	{"not", "working"}, {"not", "arrived"},
}

// problemCueAt returns the index of the first problem cue in words, or -1.
func problemCueAt(words []string) int {
	for i, w := range words {
		if problemWords[w] {
			return i
		}
		if i+1 < len(words) && slices.Contains(problemPairs, [2]string{w, words[i+1]}) {
			return i
		}
	}
	return -1
}

func hasProblemCue(words []string) bool { return problemCueAt(words) >= 0 }

// reasonWords bounds the Reason phrase taken from a sentence.
const reasonWords = 10

// reasonPhrase returns a few words of a sentence that name the problem:
// from its problem cue, or from its start after a request opener ("can you
// tell me …" gives "tell me …"), to the end of the clause, at most
// reasonWords words ("$12.50" is one), verbatim.
func reasonPhrase(sentence string) string {
	spans := wordSpans(sentence)
	words := make([]string, len(spans))
	for i, sp := range spans {
		words[i] = strings.ToLower(strings.ReplaceAll(sentence[sp[0]:sp[1]], "’", "'"))
	}
	from := problemCueAt(words)
	if from < 0 {
		from = requestOpenerLen(words)
	}
	if from >= len(spans) {
		return ""
	}
	to, n := from, 1
	for to+1 < len(spans) {
		gap := sentence[spans[to][1]:spans[to+1][0]]
		inNumber := len(gap) == 1 && strings.Contains(".,:", gap) &&
			isDigitByte(sentence[spans[to][1]-1]) && isDigitByte(sentence[spans[to+1][0]])
		if !inNumber && (n == reasonWords || strings.ContainsAny(gap, ",;:.!?()")) {
			break
		}
		if !inNumber {
			n++
		}
		to++
	}
	return sentence[spans[from][0]:spans[to][1]]
}

// requestOpeners are the polite openings of a request, skipped in a Reason.
var requestOpeners = [][]string{
	{"can", "you", "please"}, {"could", "you", "please"}, {"can", "you"}, {"could", "you"}, {"would", "you"},
	{"i", "would", "like", "to"}, {"i'd", "like", "to"}, {"i", "want", "to"}, {"i", "need", "to"}, {"please"},
}

func requestOpenerLen(words []string) int {
	for _, o := range requestOpeners {
		if len(words) > len(o) && slices.Equal(words[:len(o)], o) {
			return len(o)
		}
	}
	return 0
}
