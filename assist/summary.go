package assist

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
			if hasProblemCue(tokens(sentence)) {
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
	ws := tokens(sentence)
	if len(ws) == 0 || isSmallTalk(sentence) {
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
		ws := tokens(rest[:comma])
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

// wordSpans returns the byte spans of the words of text: letters, digits,
// apostrophes and inner hyphens ("thirty-five", "won't").
func wordSpans(text string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' ||
			(r == '-' && start >= 0 && i+1 < len(text) && isWordByte(text[i+1]))
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// cutAtWord shortens text to at most n bytes, at a word boundary, marking
// the cut with "…".
func cutAtWord(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	return strings.TrimRight(text[:cut], " ,;:-") + "…"
}

// sentenceSpans splits text into sentences and returns their byte spans,
// trimmed of spaces. A sentence ends at ".", "!", "?" or "…" (with any
// closing quotes) before a space, at a line break, or at the end of the
// text, punctuated or not. It does not end inside a number ("$12.50",
// "3.80%"), after a title or an initial ("Mr.", "Dr.", "J."), after a
// dotted abbreviation or an ellipsis followed by a lowercase word ("e.g.
// the", "That's... okay"), or after "No." before a number.
func sentenceSpans(text string) [][2]int {
	var out [][2]int
	start := 0
	emit := func(end int) {
		s, e := start, end
		for s < e && isSpaceByte(text[s]) {
			s++
		}
		for e > s && isSpaceByte(text[e-1]) {
			e--
		}
		if s < e {
			out = append(out, [2]int{s, e})
		}
		start = end
	}
	for i := 0; i < len(text); {
		if text[i] == '\n' {
			emit(i)
			i++
			continue
		}
		j := i
		for j < len(text) {
			if c := text[j]; c == '.' || c == '!' || c == '?' {
				j++
			} else if strings.HasPrefix(text[j:], "…") {
				j += len("…")
			} else {
				break
			}
		}
		if j == i {
			i++
			continue
		}
		for j < len(text) && strings.IndexByte("\"')]", text[j]) >= 0 {
			j++
		}
		for _, q := range []string{"”", "’"} {
			if strings.HasPrefix(text[j:], q) {
				j += len(q)
			}
		}
		if j == len(text) || (isSpaceByte(text[j]) && endsSentence(text, i, j)) {
			emit(j)
		}
		i = j
	}
	emit(len(text))
	return out
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// titles are the abbreviations after which a full stop never ends a
// sentence.
var titles = setOf("mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "mt", "vs", "approx", "dept", "inc", "ltd", "co")

// endsSentence decides whether the punctuation text[i:j], followed by a
// space, ends a sentence.
func endsSentence(text string, i, j int) bool {
	next := ""
	if k := strings.IndexFunc(text[j:], func(r rune) bool { return !unicode.IsSpace(r) }); k >= 0 {
		next = text[j+k:]
	}
	r, _ := utf8.DecodeRuneInString(next)
	lowerNext := unicode.IsLower(r)
	punct := strings.TrimRight(text[i:j], "\"')]”’")
	if punct == "." {
		w := i
		for w > 0 && (isWordByte(text[w-1]) && text[w-1] < 0x80 || text[w-1] == '.') {
			w--
		}
		word := strings.ToLower(text[w:i])
		switch {
		case titles[word]:
			return false
		case len(word) == 1 && 'a' <= word[0] && word[0] <= 'z' && text[w] >= 'A' && text[w] <= 'Z':
			return false // an initial: "J. Smith"
		case strings.Contains(word, "."):
			return !lowerNext && !unicode.IsDigit(r) // "e.g. the", "5 p.m. Then"
		case word == "no" && unicode.IsDigit(r):
			return false
		}
		return true
	}
	if strings.Contains(punct, "..") || strings.Contains(punct, "…") {
		return !lowerNext
	}
	return true
}

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
			for k+1 < len(spans) && len(tokens(t.Text[start:spans[k][1]])) <= 2 {
				k++
			}
			text := t.Text[start:spans[k][1]]
			out = append(out, agentUnit{turn: ti, text: text, words: tokens(text)})
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
	if isSmallTalk(u.text) {
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
		ws := tokens(turns[i].Text)
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

// maxProducts bounds the product words among the Entities, so that the
// amounts and dates of the call find room.
const maxProducts = 3

// productTerms are the product words looked for in topic titles; a longer
// term is tried before one it contains ("debit card" before "card").
var productTerms = func() [][]string {
	var terms [][]string
	for _, t := range []string{
		"debit card", "credit card", "virtual card", "card", "pin", "checking account", "savings account",
		"account number", "routing number", "account", "direct deposit", "deposit", "wire transfer",
		"transfer", "overdraft protection", "overdraft fee", "overdraft", "fee", "mobile app", "app",
		"online banking", "password", "passcode", "loan", "mortgage", "statement", "transaction history",
		"interest rate", "checkbook", "atm", "cash withdrawal", "balance", "branch appointment",
		"travel notice", "payment", "charge", "apple pay", "google pay",
	} {
		terms = append(terms, strings.Fields(t))
	}
	slices.SortStableFunc(terms, func(a, b []string) int { return len(b) - len(a) })
	return terms
}()

// productWords returns the product terms in a topic title, in the order
// they appear; a plural counts ("Overdraft fees" gives "overdraft fee").
func productWords(title string) []string {
	ws := tokens(title)
	var out []string
	for i := 0; i < len(ws); {
		n := 0
		for _, t := range productTerms {
			if i+len(t) > len(ws) || !slices.Equal(ws[i:i+len(t)-1], t[:len(t)-1]) {
				continue
			}
			if last := ws[i+len(t)-1]; last == t[len(t)-1] || last == t[len(t)-1]+"s" {
				n = len(t)
				out = append(out, strings.Join(t, " "))
				break
			}
		}
		i += max(n, 1)
	}
	return out
}

// callEntities returns the Entities of a call; see Extractive.
func callEntities(req SummaryRequest) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) bool {
		key := strings.TrimSuffix(strings.ToLower(strings.ReplaceAll(s, ",", "")), "s")
		if len(out) == maxEntities || seen[key] {
			return false
		}
		seen[key] = true
		out = append(out, s)
		return true
	}
	products := 0
	var taken []string
	for _, title := range req.Topics {
		for _, p := range productWords(title) {
			// "fee" says nothing once "overdraft fee" is there.
			if products < maxProducts && !slices.ContainsFunc(taken, func(t string) bool { return containsPhrase(strings.Fields(t), strings.Fields(p)) }) && add(p) {
				taken = append(taken, p)
				products++
			}
		}
	}
	afterBirth := false
	for _, t := range req.Turns {
		aboutBirth := mentionsBirth(t.Text)
		for _, m := range mentions(t.Text) {
			if m.date && (aboutBirth || afterBirth) {
				continue // a date of birth is personal data
			}
			add(t.Text[m.start:m.end])
		}
		afterBirth = aboutBirth
	}
	return out
}

// mentionsBirth reports whether text speaks of a birth date.
func mentionsBirth(text string) bool {
	for _, w := range tokens(text) {
		switch w {
		case "born", "birth", "birthday", "birthdate", "dob":
			return true
		}
	}
	return false
}

// mention is an amount, date or time in a text, text[start:end].
type mention struct {
	start, end int
	date       bool
}

// mentions returns the amounts, dates and times of text in order, without
// overlaps.
func mentions(text string) []mention {
	var all []mention
	all = append(all, signAmounts(text)...)
	all = append(all, wordMentions(text)...)
	all = append(all, numericMentions(text)...)
	slices.SortStableFunc(all, func(a, b mention) int { return a.start - b.start })
	var out []mention
	for _, m := range all {
		if len(out) > 0 && m.start < out[len(out)-1].end {
			continue
		}
		out = append(out, m)
	}
	return out
}

// signAmounts finds amounts written with a currency sign: "$12.50",
// "€ 30", "£1,200".
func signAmounts(text string) []mention {
	var out []mention
	for i, r := range text {
		if r != '$' && r != '€' && r != '£' {
			continue
		}
		j := i + utf8.RuneLen(r)
		if j < len(text) && text[j] == ' ' {
			j++
		}
		k := j
		for k < len(text) && (isDigitByte(text[k]) || (text[k] == ',' || text[k] == '.') && k+1 < len(text) && isDigitByte(text[k+1])) {
			k++
		}
		if k > j && isDigitByte(text[j]) {
			out = append(out, mention{start: i, end: k})
		}
	}
	return out
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// currencyNames after a number make it an amount: "200 dollars".
var currencyNames = setOf("dollar", "dollars", "buck", "bucks", "cent", "cents", "euro", "euros",
	"pound", "pounds", "quid", "pence", "usd", "eur", "gbp")

// numberWords are the words of a number written out.
var numberWords = setOf("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
	"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
	"nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
	"hundred", "thousand", "million", "billion")

// isNumberWord reports whether w is a number in digits or words
// ("thirty-five" too).
func isNumberWord(w string) bool {
	if w != "" && strings.Trim(w, "0123456789") == "" {
		return true
	}
	for _, part := range strings.Split(w, "-") {
		if !numberWords[part] {
			return false
		}
	}
	return w != ""
}

// weekdays name a day of the week, a date as a caller says it.
var weekdays = setOf("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

// monthNames maps month names and abbreviations to themselves.
var monthNames = setOf("january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
	"sep", "sept", "oct", "nov", "dec")

// wordMentions finds amounts with a currency word ("200 dollars", "a
// hundred and five dollars"), weekdays, and dates with a month name
// ("March 3", "3rd of March 2024").
func wordMentions(text string) []mention {
	spans := wordSpans(text)
	words := make([]string, len(spans))
	for i, sp := range spans {
		words[i] = strings.ToLower(text[sp[0]:sp[1]])
	}
	gap := func(i int) string { return text[spans[i][1]:spans[i+1][0]] } // between words i and i+1
	var out []mention
	for i, w := range words {
		switch {
		case currencyNames[w]:
			j := i
			for j > 0 {
				prev := words[j-1]
				g := gap(j - 1)
				spaced := strings.TrimSpace(g) == ""
				digits := (g == "," || g == ".") && isNumberWord(prev) && isNumberWord(words[j]) && isDigitByte(prev[0])
				if !spaced && !digits {
					break
				}
				if isNumberWord(prev) || prev == "and" && j < i && j > 1 && isNumberWord(words[j-2]) ||
					prev == "a" && j < i && (words[j] == "hundred" || words[j] == "thousand" || words[j] == "million") {
					j--
					continue
				}
				break
			}
			for j < i && words[j] == "and" {
				j++
			}
			if j < i {
				out = append(out, mention{start: spans[j][0], end: spans[i][1]})
			}
		case weekdays[w]:
			out = append(out, mention{start: spans[i][0], end: spans[i][1], date: true})
		case monthNames[w]:
			if start, end, ok := monthDate(text, spans, words, i); ok {
				out = append(out, mention{start: start, end: end, date: true})
			}
		}
	}
	return out
}

// monthDate reads a date around the month name words[i]: "March 3",
// "March 3rd, 2024", "3 March", "3rd of March 2024".
func monthDate(text string, spans [][2]int, words []string, i int) (start, end int, ok bool) {
	isDay := func(w string) bool {
		d := strings.TrimRight(w, "stndrh")
		if len(d) == 0 || len(d) > 2 || strings.Trim(d, "0123456789") != "" {
			return false
		}
		n := int(d[0] - '0')
		if len(d) == 2 {
			n = n*10 + int(d[1]-'0')
		}
		return n >= 1 && n <= 31
	}
	near := func(a, b int) bool { // words a and b (a < b) are separated by spaces or ". " only
		g := strings.TrimSpace(text[spans[a][1]:spans[b][0]])
		return g == "" || g == "."
	}
	year := func(k int, end int) int { // extends end over a year after word k
		if k+1 < len(words) && len(words[k+1]) == 4 && isNumberWord(words[k+1]) {
			if g := strings.TrimSpace(text[spans[k][1]:spans[k+1][0]]); g == "" || g == "," {
				return spans[k+1][1]
			}
		}
		return end
	}
	if i+1 < len(words) && isDay(words[i+1]) && near(i, i+1) {
		return spans[i][0], year(i+1, spans[i+1][1]), true
	}
	d := i - 1
	if d >= 1 && words[d] == "of" && near(d, i) {
		d--
	}
	if d >= 0 && isDay(words[d]) && near(d, d+1) {
		return spans[d][0], year(i, spans[i][1]), true
	}
	return 0, 0, false
}

// numericMentions finds numeric dates ("12/03/2024", "2024-03-12") and
// times ("10:30", "5:30pm", "9 am").
func numericMentions(text string) []mention {
	var out []mention
	for i := 0; i < len(text); i++ {
		if !isDigitByte(text[i]) || i > 0 && isWordByte(text[i-1]) {
			continue
		}
		if end, ok := numericDate(text, i); ok {
			out = append(out, mention{start: i, end: end, date: true})
			i = end
		} else if end, ok := clockTime(text, i); ok {
			out = append(out, mention{start: i, end: end})
			i = end
		}
	}
	return out
}

// digitRun returns the end of the digits at i.
func digitRun(text string, i int) int {
	for i < len(text) && isDigitByte(text[i]) {
		i++
	}
	return i
}

func numericDate(text string, i int) (end int, ok bool) {
	a := digitRun(text, i)
	if a == len(text) || strings.IndexByte("/-.", text[a]) < 0 {
		return 0, false
	}
	sep := text[a]
	b := digitRun(text, a+1)
	if b == a+1 || b == len(text) || text[b] != sep {
		return 0, false
	}
	c := digitRun(text, b+1)
	if c == b+1 || c < len(text) && (isWordByte(text[c]) || text[c] == sep && c+1 < len(text) && isDigitByte(text[c+1])) {
		return 0, false
	}
	x, y, z := atoi(text[i:a]), atoi(text[a+1:b]), atoi(text[b+1:c])
	switch la, lb, lc := a-i, b-a-1, c-b-1; {
	case la <= 2 && lb <= 2 && (lc == 2 || lc == 4):
		return c, x >= 1 && y >= 1 && x <= 31 && y <= 31 && (x <= 12 || y <= 12)
	case la == 4 && lb <= 2 && lc <= 2:
		return c, y >= 1 && y <= 12 && z >= 1 && z <= 31
	}
	return 0, false
}

func clockTime(text string, i int) (end int, ok bool) {
	h := digitRun(text, i)
	if h-i > 2 || atoi(text[i:h]) > 24 {
		return 0, false
	}
	end = h
	minutes := false
	if h+3 <= len(text) && text[h] == ':' && isDigitByte(text[h+1]) && isDigitByte(text[h+2]) && text[h+1] < '6' {
		end, minutes = h+3, true
		if end < len(text) && isDigitByte(text[end]) {
			return 0, false
		}
	}
	k := end
	if k < len(text) && text[k] == ' ' {
		k++
	}
	for _, ampm := range []string{"a.m.", "p.m.", "am", "pm"} {
		if len(text)-k >= len(ampm) && strings.EqualFold(text[k:k+len(ampm)], ampm) &&
			(k+len(ampm) == len(text) || !isWordByte(text[k+len(ampm)]) || ampm[len(ampm)-1] == '.') {
			return k + len(ampm), true
		}
	}
	if minutes && (end == len(text) || !isWordByte(text[end])) {
		return end, true
	}
	return 0, false
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
