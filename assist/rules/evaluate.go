package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/larkspur-labs/assist/assist/redact"
)

// Input is what Evaluate knows about the call so far.
type Input struct {
	// Profile is the customer's profile, nil when the customer is unknown.
	Profile *Profile
	// Turns are the call's final utterances so far, in order.
	Turns []TurnInfo
	// Intents are the call's top knowledge-base article ids or titles so
	// far. When no turn carries its own Intents they count as the intents
	// of the last turn.
	Intents []string
	// Ended is true once the call is over; open disclosure windows then
	// fire.
	Ended bool
	// Now is the call offset in seconds at evaluation time, used to see a
	// silence that is still going on; zero means unknown. A silence seen
	// this way is measured again, and may vanish, if the next turn turns
	// out to have started earlier than Now.
	Now float64
	// Channel is the call's channel, "voice" or "chat"; "" when unknown,
	// when every rule applies.
	Channel string
	// Flow is the id of the checklist's flow now, "" for none; Earlier
	// the ids of the call's other flows (those it was on before): an offer
	// avoiding a flow holds back while any of them is it.
	Flow    string
	Earlier []string
	// Raised are the kinds of the warnings and alerts raised so far in the
	// call (see the package doc).
	Raised []string
}

// TurnInfo is one utterance with its scores.
type TurnInfo struct {
	Index       int
	Speaker     string // customer or agent
	Text        string
	UtteranceID string
	Start, End  float64 // offsets in the call, seconds
	Score       float64 // sentiment, −1..1
	Emotions    map[string]float64
	// Intents are the top intents as of this turn, if the caller keeps them
	// per turn; that keeps intent-triggered warnings citing the same turn as
	// the call goes on.
	Intents []string
}

// Output is what the rules say about the call.
type Output struct {
	// Offers are ranked by score, best first.
	Offers []Offer
	// Warnings are in the order of the turns that triggered them.
	Warnings []Warning
	// Skipped says why offers whose conditions held were not made, for
	// debugging and audits (missing consent, unknown customer).
	Skipped []string
}

// Offer is a personalised offer for the agent to make.
type Offer struct {
	ID     string
	Title  string
	Reason string
	Score  float64
}

// Warning is a risk or compliance warning for the agent.
type Warning struct {
	ID          string
	Kind        string
	Severity    string
	Reason      string
	UtteranceID string // the utterance that triggered it
	Quote       string // the triggering words, redacted of personal data
}

// quoteRunes bounds a quote taken from a whole turn.
const quoteRunes = 120

// redactor redacts quotes; it is immutable and safe to share.
var redactor, _ = redact.New(redact.Config{})

// Evaluate applies the rules to the call so far. It is pure and
// deterministic: the same input gives the same output. Each warning rule
// fires at most once and cites the first turn that triggered it, so as
// turns are added a warning that has fired keeps its citation.
func (rs *RuleSet) Evaluate(in Input) Output {
	var out Output
	if rs == nil {
		return out
	}
	out.Offers, out.Skipped = rs.offers(in)
	type hit struct {
		turn int
		w    Warning
	}
	var hits []hit
	for i := range rs.Warnings {
		r := &rs.Warnings[i]
		if !onChannel(r.Channels, in.Channel) {
			continue
		}
		if turn, w, ok := r.evaluate(in); ok {
			hits = append(hits, hit{turn, w})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.turn, b.turn) })
	for _, h := range hits {
		out.Warnings = append(out.Warnings, h.w)
	}
	return out
}

// offers returns the offers that apply, ranked, and why others were held
// back.
func (rs *RuleSet) offers(in Input) ([]Offer, []string) {
	var offers []Offer
	var skipped []string
	if in.Profile == nil {
		if len(rs.Offers) > 0 {
			skipped = append(skipped, "no offers: customer unknown")
		}
		return nil, skipped
	}
	p := in.Profile
	intents := callIntents(in)
	sentiment, haveSentiment := customerSentiment(in.Turns)
	mood, moodScore, haveMood := moodNow(in.Turns)
	for _, o := range rs.Offers {
		if !onChannel(o.Channels, in.Channel) {
			continue
		}
		vars, ok := o.When.match(p, intents, sentiment, haveSentiment)
		if !ok {
			continue
		}
		if len(o.When.Flows) > 0 && !containsFold(o.When.Flows, in.Flow) || len(o.When.Mood) > 0 && (!haveMood || !slices.Contains(o.When.Mood, mood)) {
			continue
		}
		if why := o.Avoid.holds(in, intents, mood, haveMood); why != "" {
			skipped = append(skipped, fmt.Sprintf("offer %s: held back during %s", o.ID, why))
			continue
		}
		if !p.Consent[o.Consent] {
			skipped = append(skipped, fmt.Sprintf("offer %s: no %s consent", o.ID, o.Consent))
			continue
		}
		reason := o.Reason
		if reason == "" {
			reason = defaultOfferReason(o.When, vars)
		}
		reason = tidy(fill(reason, vars))
		if now := whyNow(o.When, in, vars, reason, mood, moodScore, haveMood); now != "" {
			reason += "; now: " + now
		}
		offers = append(offers, Offer{ID: o.ID, Title: o.Title, Reason: reason, Score: o.Score})
	}
	slices.SortStableFunc(offers, func(a, b Offer) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return offers, skipped
}

// match reports whether the profile meets the conditions, with the
// template variables.
func (c OfferWhen) match(p *Profile, intents []string, sentiment float64, haveSentiment bool) (map[string]string, bool) {
	if len(c.Segment) > 0 && !containsFold(c.Segment, p.Segment) {
		return nil, false
	}
	for _, prod := range c.ProductMissing {
		if containsFold(p.Products, prod) {
			return nil, false
		}
	}
	for _, prod := range c.ProductHas {
		if !containsFold(p.Products, prod) {
			return nil, false
		}
	}
	if c.TenureMin != nil && p.TenureMonths < *c.TenureMin || c.TenureMax != nil && p.TenureMonths > *c.TenureMax {
		return nil, false
	}
	if c.PastContactsMin != nil && len(p.PastContacts) < *c.PastContactsMin {
		return nil, false
	}
	if c.SentimentBelow != nil || c.SentimentAbove != nil {
		if !haveSentiment || c.SentimentBelow != nil && sentiment >= *c.SentimentBelow ||
			c.SentimentAbove != nil && sentiment <= *c.SentimentAbove {
			return nil, false
		}
	}
	intent := ""
	if len(c.Intents) > 0 {
		if intent = firstIntent(c.Intents, intents); intent == "" {
			return nil, false
		}
	}
	return map[string]string{
		"segment":       capitalize(p.Segment),
		"tenure":        tenure(p.TenureMonths),
		"missing":       humanList(c.ProductMissing),
		"has":           humanList(c.ProductHas),
		"intent":        humanize(intent),
		"past_contacts": strconv.Itoa(len(p.PastContacts)),
	}, true
}

// defaultOfferReason builds a reason from the conditions that matter, such
// as "Gold customer for 4 years with no travel card; asked about fees".
func defaultOfferReason(c OfferWhen, vars map[string]string) string {
	var b strings.Builder
	if vars["segment"] != "" {
		b.WriteString("{segment} customer")
	} else {
		b.WriteString("Customer")
	}
	b.WriteString(" for {tenure}")
	if len(c.ProductMissing) > 0 {
		b.WriteString(" with no {missing}")
	}
	if len(c.ProductHas) > 0 {
		b.WriteString(", has {has}")
	}
	if c.PastContactsMin != nil {
		b.WriteString(", {past_contacts} past contacts")
	}
	if len(c.Intents) > 0 {
		b.WriteString("; asked about {intent}")
	}
	return b.String()
}

// evaluate returns the index of the triggering turn and the warning, if the
// rule fires.
func (r *WarningRule) evaluate(in Input) (int, Warning, bool) {
	if r.Kind == KindDisclosure {
		return r.disclosure(in)
	}
	c := r.When
	maxEnd := 0.0
	var ends [2]float64 // latest end per speaker: customer, agent
	for i, t := range in.Turns {
		vars := map[string]string{"speaker": t.Speaker}
		maxEnd = max(maxEnd, t.End)
		other := ends[speakerSlot(t.Speaker, true)]
		ends[speakerSlot(t.Speaker, false)] = max(ends[speakerSlot(t.Speaker, false)], t.End)
		if c.SilenceSeconds != nil {
			// The silence follows this turn: up to the next turn, or to Now
			// while the call goes on.
			next := in.Now
			if i+1 < len(in.Turns) {
				next = in.Turns[i+1].Start
			} else if in.Ended {
				next = 0
			}
			gap := next - maxEnd
			if gap < *c.SilenceSeconds {
				continue
			}
			vars["seconds"] = strconv.FormatFloat(gap, 'f', 0, 64)
		}
		if c.TalkoverSeconds != nil {
			if i == 0 {
				continue
			}
			overlap := min(other, t.End) - t.Start
			if overlap < *c.TalkoverSeconds {
				continue
			}
			vars["seconds"] = strconv.FormatFloat(overlap, 'f', 1, 64)
		}
		quote, ok := r.matchTurn(in, i, vars)
		if !ok {
			continue
		}
		w := Warning{ID: r.ID, Kind: r.Kind, Severity: r.Severity, UtteranceID: t.UtteranceID, Quote: quote}
		vars["quote"] = quote
		reason := r.Reason
		if reason == "" {
			reason = r.defaultReason()
		}
		w.Reason = tidy(fill(reason, vars))
		return i, w, true
	}
	return 0, Warning{}, false
}

// matchTurn checks the per-turn conditions on turn i and returns the quote.
func (r *WarningRule) matchTurn(in Input, i int, vars map[string]string) (string, bool) {
	c := r.When
	t := in.Turns[i]
	if c.Speaker != "" && t.Speaker != c.Speaker {
		return "", false
	}
	if c.SentimentBelow != nil && t.Score >= *c.SentimentBelow {
		return "", false
	}
	if len(c.EmotionAbove) > 0 {
		name := ""
		for _, e := range emotions { // fixed order, so the same emotion is named each time
			if lvl, ok := c.EmotionAbove[e]; ok && t.Emotions[e] >= lvl {
				name = e
				break
			}
		}
		if name == "" {
			return "", false
		}
		vars["emotion"] = name
	}
	if len(c.Intents) > 0 {
		intent := firstIntent(c.Intents, turnIntents(in, i))
		if intent == "" {
			return "", false
		}
		vars["intent"] = humanize(intent)
	}
	if r.phrases != nil {
		m := r.phrases.FindStringSubmatchIndex(t.Text)
		if m == nil {
			return "", false
		}
		phrase := redactTurn(in, i, t.Text[m[2]:m[3]])
		vars["phrase"] = phrase
		return phrase, true
	}
	return quoteOf(in, i), true
}

// disclosure checks a disclosure rule: after its trigger (or the call's
// start) the agent must say a must_say phrase within WithinTurns agent
// turns, or before the call ends when WithinTurns is zero.
func (r *WarningRule) disclosure(in Input) (int, Warning, bool) {
	if r.mustSay == nil {
		return 0, Warning{}, false
	}
	start, quote := 0, ""
	vars := map[string]string{"turns": strconv.Itoa(r.WithinTurns), "speaker": SpeakerAgent}
	if hasTrigger(r.When) {
		found := false
		for i := range in.Turns {
			if q, ok := r.matchTurn(in, i, vars); ok {
				start, quote, found = i, q, true
				break
			}
		}
		if !found {
			return 0, Warning{}, false
		}
		if r.phrases == nil {
			quote = ""
		}
	}
	agentTurns, last := 0, -1
	fire := -1
	for i := start; i < len(in.Turns); i++ {
		t := in.Turns[i]
		if t.Speaker != SpeakerAgent {
			continue
		}
		if r.mustSay.MatchString(t.Text) {
			return 0, Warning{}, false
		}
		agentTurns++
		last = i
		if r.WithinTurns > 0 && agentTurns == r.WithinTurns {
			fire = i
			break
		}
	}
	if fire < 0 {
		if !in.Ended || len(in.Turns) == 0 {
			return 0, Warning{}, false
		}
		fire = last
		if fire < 0 {
			fire = len(in.Turns) - 1
		}
	}
	vars["quote"] = quote
	reason := r.Reason
	if reason == "" {
		reason = r.defaultReason()
	}
	return fire, Warning{
		ID: r.ID, Kind: r.Kind, Severity: r.Severity,
		Reason:      tidy(fill(reason, vars)),
		UtteranceID: in.Turns[fire].UtteranceID,
		Quote:       quote,
	}, true
}

func hasTrigger(c WarningWhen) bool {
	return len(c.Phrases) > 0 || len(c.Intents) > 0 || len(c.EmotionAbove) > 0 || c.SentimentBelow != nil || c.Speaker != ""
}

func (r *WarningRule) defaultReason() string {
	c := r.When
	switch {
	case r.Kind == KindDisclosure:
		if r.WithinTurns > 0 {
			return fmt.Sprintf("Agent has not said the required disclosure (%q) within {turns} turns", r.MustSay[0])
		}
		return fmt.Sprintf("Agent did not say the required disclosure (%q) on this call", r.MustSay[0])
	case c.SilenceSeconds != nil:
		return "{seconds} s of silence after the {speaker}'s turn"
	case c.TalkoverSeconds != nil:
		return "The {speaker} talked over the other side for {seconds} s"
	case len(c.Phrases) > 0:
		return capitalize(r.Kind) + " risk: the {speaker} said \"{phrase}\""
	case len(c.EmotionAbove) > 0:
		return capitalize(r.Kind) + " risk: the {speaker} sounds high in {emotion}"
	case len(c.Intents) > 0:
		return capitalize(r.Kind) + " risk: the call is about {intent}"
	default:
		return capitalize(r.Kind) + " risk: the {speaker} sounds negative"
	}
}

// speakerSlot indexes per-speaker state; other selects the other speaker.
func speakerSlot(speaker string, other bool) int {
	agent := speaker == SpeakerAgent
	if other {
		agent = !agent
	}
	if agent {
		return 1
	}
	return 0
}

// turnIntents returns the intents as of turn i.
func turnIntents(in Input, i int) []string {
	perTurn := slices.ContainsFunc(in.Turns, func(t TurnInfo) bool { return len(t.Intents) > 0 })
	if perTurn {
		return in.Turns[i].Intents
	}
	if i == len(in.Turns)-1 {
		return in.Intents
	}
	return nil
}

// callIntents returns every intent seen in the call.
func callIntents(in Input) []string {
	all := slices.Clone(in.Intents)
	for _, t := range in.Turns {
		all = append(all, t.Intents...)
	}
	return all
}

// onChannel reports whether a rule for the channels applies on channel ch:
// always when it names none or the channel is unknown.
func onChannel(chs List, ch string) bool {
	return len(chs) == 0 || ch == "" || containsFold(chs, ch)
}

// holds returns what the offer must not interrupt now ("fraud report",
// "a fraud warning", "a negative customer"), or "" when nothing.
func (a OfferAvoid) holds(in Input, intents []string, mood string, haveMood bool) string {
	if i := firstIntent(a.Intents, intents); i != "" {
		return humanize(i)
	}
	for _, f := range append([]string{in.Flow}, in.Earlier...) {
		if f != "" && containsFold(a.Flows, f) {
			return humanize(f)
		}
	}
	for _, w := range a.Warnings {
		if slices.ContainsFunc(in.Raised, func(r string) bool { return strings.EqualFold(alertFamily(r), alertFamily(w)) }) {
			return "a " + humanize(alertFamily(w)) + " warning"
		}
	}
	if haveMood && slices.Contains(a.Mood, mood) {
		return "a " + mood + " customer"
	}
	return ""
}

// alertFamily is an alert type without the engine's suffixes:
// supervisor_request is supervisor, churn_risk churn.
func alertFamily(t string) string {
	return strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(t), "_request"), "_risk")
}

// moodTurns is how many of the customer's last turns make their mood now.
const moodTurns = 2

// moodNow is the customer's mood now, from the mean score of their last
// moodTurns turns, with that score; ok is false before they spoke.
func moodNow(turns []TurnInfo) (mood string, score float64, ok bool) {
	n := 0
	for i := len(turns) - 1; i >= 0 && n < moodTurns; i-- {
		if turns[i].Speaker == SpeakerCustomer {
			score += turns[i].Score
			n++
		}
	}
	if n == 0 {
		return "", 0, false
	}
	score /= float64(n)
	switch {
	case score < -0.25:
		return MoodNegative, score, true
	case score > 0.25:
		return MoodPositive, score, true
	}
	return MoodNeutral, score, true
}

// whyNow says why an offer fits this moment: the topic it fits, whether
// the customer's last turn was about it (the topic itself left out when
// the reason already names it), and the customer's mood.
func whyNow(c OfferWhen, in Input, vars map[string]string, reason, mood string, score float64, haveMood bool) string {
	if len(in.Turns) == 0 {
		return "" // no moment to speak of
	}
	var parts []string
	switch topic := vars["intent"]; {
	case len(c.Flows) > 0 && in.Flow != "":
		parts = append(parts, "on "+humanize(in.Flow))
	case topic != "":
		named := strings.Contains(reason, topic)
		just := firstIntent(c.Intents, lastCustomerIntents(in)) != ""
		switch {
		case just && named:
			parts = append(parts, "just asked")
		case just:
			parts = append(parts, "just asked about "+topic)
		case named:
			parts = append(parts, "asked earlier in the call")
		default:
			parts = append(parts, topic+" earlier in the call")
		}
	}
	if haveMood {
		parts = append(parts, fmt.Sprintf("customer %s (%+.2f)", mood, score))
	}
	return strings.Join(parts, ", ")
}

// lastCustomerIntents are the intents of the customer's last turn.
func lastCustomerIntents(in Input) []string {
	for i := len(in.Turns) - 1; i >= 0; i-- {
		if in.Turns[i].Speaker == SpeakerCustomer {
			return turnIntents(in, i)
		}
	}
	return nil
}

// customerSentiment is the mean score of the customer's turns.
func customerSentiment(turns []TurnInfo) (float64, bool) {
	sum, n := 0.0, 0
	for _, t := range turns {
		if t.Speaker == SpeakerCustomer {
			sum += t.Score
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// firstIntent returns the first of the rule's intents that is among the
// call's, or "". Intents compare case-insensitively with "-" and "_" taken
// as spaces, so an article id matches its title-like spelling
// ("overdraft-fees", "Overdraft fees").
func firstIntent(want, have []string) string {
	for _, w := range want {
		nw := normIntent(w)
		if slices.ContainsFunc(have, func(h string) bool { return normIntent(h) == nw }) {
			return w
		}
	}
	return ""
}

func normIntent(s string) string { return strings.ToLower(tidy(humanize(s))) }

// quoteOf returns turn i's text, redacted and shortened.
func quoteOf(in Input, i int) string {
	q := strings.Join(strings.Fields(redactTurn(in, i, in.Turns[i].Text)), " ")
	if utf8.RuneCountInString(q) > quoteRunes {
		q = string([]rune(q)[:quoteRunes-1]) + "…"
	}
	return q
}

// questionTurns is how far back redactTurn looks for the agent's question
// a turn may answer: it stays open for two customer turns, after agent
// turns that ask nothing.
const questionTurns = 8

// redactTurn redacts text, turn i or a part of it, as the customer's
// answer to the agent's question before it when it is one: "march fourth
// eighty eight" after "can you confirm your date of birth?".
func redactTurn(in Input, i int, text string) string {
	d := redactor.Dialogue()
	for _, t := range in.Turns[max(0, i-questionTurns):i] {
		d.Note(t.Speaker, t.Text)
	}
	return d.Redact(in.Turns[i].Speaker, text)
}

func tenure(months int) string {
	switch {
	case months < 12:
		return plural(months, "month")
	case months%12 == 0 || months >= 36:
		return plural(months/12, "year")
	default:
		return plural(months/12, "year") + " " + plural(months%12, "month")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// humanize turns an id such as "travel-card" into "travel card".
func humanize(s string) string {
	return strings.NewReplacer("-", " ", "_", " ").Replace(s)
}

func humanList(items []string) string {
	h := make([]string, len(items))
	for i, s := range items {
		h[i] = humanize(s)
	}
	switch len(h) {
	case 0:
		return ""
	case 1:
		return h[0]
	}
	return strings.Join(h[:len(h)-1], ", ") + " or " + h[len(h)-1]
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// tidy collapses the spaces an empty placeholder leaves behind.
func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }
