package assist

import (
	"regexp"
	"strings"
)

// Cues are what a customer turn does in the conversation, beside how it
// sounds: the acts the alerts follow. An apology, thanks or acceptance
// de-escalates the call; a request for a supervisor or a threat to leave
// escalates it. They are read with rules over the words, and for
// acceptance the agent's last reply, because the emotion model reads the
// words alone: "I'm sorry I yelled" is remorse to a model trained on
// Reddit, and a calming customer to an agent.
type Cues struct {
	Apology    bool `json:"apology,omitempty"`
	Thanks     bool `json:"thanks,omitempty"`
	Acceptance bool `json:"acceptance,omitempty"`
	// Supervisor and Leave hold the words that asked for a supervisor or
	// threatened to leave, "" when none did.
	Supervisor string `json:"supervisor,omitempty"`
	Leave      string `json:"leave,omitempty"`
}

// Cue names, as Names lists them (and the sentiment event carries them).
const (
	CueApology    = "apology"
	CueThanks     = "thanks"
	CueAcceptance = "acceptance"
	CueSupervisor = "supervisor"
	CueLeave      = "leave"
)

// Deescalates reports whether the turn calms the call: an apology, thanks
// or acceptance that neither asks for a supervisor nor threatens to leave.
func (c Cues) Deescalates() bool {
	return (c.Apology || c.Thanks || c.Acceptance) && c.Supervisor == "" && c.Leave == ""
}

// Names lists the cues present, in a fixed order.
func (c Cues) Names() []string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{
		{c.Apology, CueApology}, {c.Thanks, CueThanks}, {c.Acceptance, CueAcceptance},
		{c.Supervisor != "", CueSupervisor}, {c.Leave != "", CueLeave},
	} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return out
}

var (
	supervisorRe = regexp.MustCompile(`(?i)\b(supervisor|manager|someone (else )?in charge|escalate (this|it|my)|speak to (someone|somebody) (else|higher)|higher up|your boss)\b`)
	churnRe      = regexp.MustCompile(`(?i)\b(cancel (my|the|this) (account|card|membership|subscription|service|plan)|clos(e|ing) (my|the|all my) accounts?|switch(ing)? (to another )?(banks?|providers?|carriers?)|take my (business|money) elsewhere|leav(e|ing) (this|your) (bank|company)|mov(e|ing) (my money|everything) to|(go|going|gonna) (to|with) (a|another) (bank|competitor|provider)|i'?m done with (you|this|your))\b`)

	// apologyRe is the customer apologising. "Sorry, but …" is a
	// complaint with a courtesy in front, not an apology.
	apologyRe      = regexp.MustCompile(`(?i)\b((i'?m|i am) (so |really |very |truly )?sorry|i apologi[sz]e|my apologies|sorry (about|for) (that|yelling|shouting|snapping|the (outburst|attitude|tone))|sorry,? (i|i'?ve been) (yelled|shouted|snapped|was rude|lost my temper))\b`)
	apologyButRe   = regexp.MustCompile(`(?i)\bsorry,? but\b`)
	thanksRe       = regexp.MustCompile(`(?i)\b(thank(s| you| u)|thx|much appreciated|(i|really) appreciate (it|that|this|you|your|the))\b`)
	sarcasticRe    = regexp.MustCompile(`(?i)\b(thanks? (a lot )?for nothing|no thanks to|thanks? a lot,? (for )?(nothing|wasting)|yeah,? right|sure,? (like|whatever)|fine,? whatever|great,? just great|oh,? great|wonderful,? just)\b`)
	acceptPhraseRe = regexp.MustCompile(`(?i)\b(sounds (good|great|fair|fine)|that works|that('?ll| will) (work|do)|go ahead|(please )?do (that|it)|set (that|it) up|please do|that'?s (better|fair|great|perfect|fine|good)|fair enough|deal|i'?ll take (it|that)|let'?s do (that|it)|that helps|works for me|i appreciate that)\b`)
	// acceptWordRe opens a short agreement: "Fine, do that", "Sure".
	acceptWordRe = regexp.MustCompile(`(?i)^\W*(ok(ay)?|fine|sure|yes|yeah|yep|alright|all right|right|great|perfect|good)\b`)
	// offerRe is the agent offering or doing something for the customer,
	// which a short "fine" or "sure" accepts.
	offerRe = regexp.MustCompile(`(?i)\b(i can|i could|i'?ll|i will|i'?ve|i have|would you like|do you want|shall i|should i|want me to|let me|we can|i'?d suggest|refund(ed)?|waive[ds]?|credit(ed)?|set (that|it) up|send (you|a)|reverse[ds]?|link)\b`)
	// stillNegativeRe keeps a turn that accepts and complains at once
	// ("Fine, but this is ridiculous") from counting as acceptance.
	stillNegativeRe = regexp.MustCompile(`(?i)\b(but|ridiculous|unacceptable|not (ok|okay|fine|good|acceptable|happy)|still (not|don'?t|waiting)|never|worst|useless|terrible|awful|joke|furious|angry|insane)\b`)
)

// ReadCues reads the cues of a customer turn. agentLast is the agent's
// reply just before it ("" when none), against which a short "fine" or
// "sure" is an acceptance.
func ReadCues(text, agentLast string) Cues {
	var c Cues
	c.Supervisor = supervisorRe.FindString(text)
	c.Leave = churnRe.FindString(text)
	if sarcasticRe.MatchString(text) {
		return c
	}
	c.Apology = apologyRe.MatchString(text) && !apologyButRe.MatchString(text)
	c.Thanks = thanksRe.MatchString(text) && !strings.Contains(strings.ToLower(text), "no thank")
	if !stillNegativeRe.MatchString(text) {
		c.Acceptance = acceptPhraseRe.MatchString(text) ||
			(acceptWordRe.MatchString(text) && agentLast != "" && offerRe.MatchString(agentLast) && !strings.Contains(text, "?"))
	}
	return c
}

// politeRe matches politeness formulas that carry no emotion: "I'm afraid
// I don't understand" is confusion, not fear; "I'd like to" is a request,
// not joy; "no, that's all" is a goodbye, not a refusal. ModelText drops
// them before the model reads a turn.
var politeRe = regexp.MustCompile(`(?i)\b(i'?m afraid( that)?( (?:of|for)\b)?|i am afraid( that)?( (?:of|for)\b)?|i'?d like to|i would like to|((i'?m|i am) )?(so )?sorry to (bother|trouble) you|if you don'?t mind|(no,? )?(that'?s|that is|that'?ll be|that will be) (all|everything)( for (now|today))?|no,? that'?s it|oh,? dear)\b`)

// ModelText returns text without its politeness formulas, as the emotion
// model reads it both in training and at run time. "I'm afraid of"
// and "afraid for" keep their fear.
func ModelText(text string) string {
	if !strings.ContainsAny(text, "aAiIsSnNtToO") {
		return text
	}
	return politeRe.ReplaceAllStringFunc(text, func(m string) string {
		l := strings.ToLower(m)
		if strings.HasSuffix(l, " of") || strings.HasSuffix(l, " for") {
			return m
		}
		return " "
	})
}

// InContext adjusts a customer turn's score for what the turn does:
//   - an apology, thanks or acceptance is never a negative turn: its
//     polarity is at least 0 (thanks and acceptance at least
//     calmPositive), and half of its hostile and distressed gauges
//     (anger, frustration, sadness, fear) move to neutral (apology) or
//     joy (thanks, acceptance);
//   - a bare acknowledgement ("sure", "ok", "yes") that accepts nothing
//     is read as neutral: half its polarity and half its joy go, since
//     "sure" after a fee explanation is no delight.
//
// The turn's words, not these rules, still decide everything else.
func InContext(s Score, text string, cues Cues) Score {
	switch {
	case cues.Deescalates():
		to, floor := EmotionJoy, calmPositive
		if !cues.Thanks && !cues.Acceptance {
			to, floor = EmotionNeutral, 0
		}
		s.Polarity = max(s.Polarity, floor)
		s.Emotions = shiftGauges(s.Emotions, []string{EmotionAnger, EmotionFrustration, EmotionSadness, EmotionFear}, to, 0.5)
	case cues.Supervisor == "" && cues.Leave == "" && isFillerOnly(text) && len(lowerWords(text)) <= 3:
		s.Polarity *= 0.5
		s.Emotions = shiftGauges(s.Emotions, []string{EmotionJoy}, EmotionNeutral, 0.5)
	}
	return s
}

// calmPositive is the least polarity a thanks or an acceptance reads.
const calmPositive = 0.2

// shiftGauges returns a copy of emotions with share of each gauge in from
// moved to to; the weights still sum to what they summed to.
func shiftGauges(emotions map[string]float64, from []string, to string, share float64) map[string]float64 {
	if emotions == nil {
		return nil
	}
	out := make(map[string]float64, len(emotions))
	for k, v := range emotions {
		out[k] = v
	}
	for _, g := range from {
		moved := out[g] * share
		out[g] -= moved
		out[to] += moved
	}
	return out
}
