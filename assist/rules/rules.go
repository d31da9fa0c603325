// Package rules turns a contact center's reviewable rules file and the
// customer's profile into personalised offers and risk and compliance
// warnings for the agent. It is pure Go, knows nothing of the bus or the
// terminal, and Evaluate is deterministic: the same input gives the same
// output.
//
// # The rules file
//
// A rules file is YAML with two lists, offers and warnings. Every rule has an
// id unique in the file. Unknown keys, bad kinds or severities, missing or
// duplicate ids and contradictory conditions are errors that name the file
// and line ("center.yaml:12: offer "travel-card": tenure_min 60 is above
// tenure_max 12"); LoadRules collects them all, drops only the broken rules
// and returns the rest with the joined error, so one typo does not switch a
// whole center's rules off.
//
//	offers:
//	  - id: travel-card
//	    title: Offer the Voyager travel card
//	    reason: "{segment} customer for {tenure} with no travel card; asked about {intent}"
//	    consent: marketing          # profile flag that must be true; default marketing
//	    score: 0.8                  # 0..1, ranks the offers; default 0.5
//	    when:
//	      segment: gold             # one value or a list; case-insensitive
//	      product_missing: travel-card
//	      product_has: [checking]
//	      tenure_min: 24            # months, inclusive
//	      tenure_max: 240
//	      intents: [travel-notice, card-declined]  # any; article ids or titles
//	      sentiment_above: -0.2     # mean score of the customer's turns so far
//	      sentiment_below: 1
//	      past_contacts_min: 1
//	      flows: [card-lost-stolen]  # any; the checklist's flow now
//	      mood: [neutral, positive]  # the customer's mood now: negative|neutral|positive
//	    avoid:                      # never interrupt these; any one holds the offer back
//	      intents: [fraud-report, card-lost-stolen]  # any intent of the call so far
//	      flows: [complaint-escalation]              # the checklist's flow now
//	      warnings: [fraud, complaint, churn, supervisor, vulnerable]  # raised so far
//	      mood: [negative]
//	    channels: [voice, chat]     # default any
//	warnings:
//	  - id: fraud-words
//	    kind: fraud                 # fraud|vulnerable|complaint|churn|disclosure|supervisor|silence|talkover
//	    severity: critical          # info|warning|critical; default warning
//	    reason: "Possible fraud: customer said {quote}"
//	    when:
//	      speaker: customer         # customer|agent; default any
//	      phrases: ["someone took money", "didn't authorise"]  # any, case-insensitive, whole words
//	      intents: [fraud-report]
//	      emotion_above: {anxiety: 0.5}  # any emotion at or above its level
//	      sentiment_below: -0.5
//	  - id: dead-air
//	    kind: silence
//	    when: {silence_seconds: 8}  # a gap of 8 s or more after a turn
//	  - id: recording-disclosure
//	    kind: disclosure
//	    must_say: ["this call is recorded", "call may be recorded"]
//	    within_turns: 2             # agent turns; 0 means only checked at call end
//	    channels: [voice]           # voice|chat; default any: a recorded-call
//	                                # disclosure does not apply to chat
//
// All conditions of a when must hold; the per-turn ones (speaker, phrases,
// intents, emotion_above, sentiment_below) on the same turn. A talkover
// warning needs talkover_seconds (the cited turn started that long before the
// other speaker's turn ended), a silence warning silence_seconds; speaker then
// names who spoke the cited turn. A disclosure's when is optional: it starts
// the window of within_turns agent turns in which the agent must say one of
// the must_say phrases (without a when the window starts with the call).
//
// The customer's mood now is the mean sentiment of their last two turns:
// negative below -0.25, positive above 0.25, else neutral. Warnings raised
// so far (Input.Raised) are the kinds of the rules' warnings and the
// engine's own alerts, the latter without their suffix (supervisor_request
// counts as supervisor, churn_risk as churn, escalation_risk as
// escalation). An offer's reason ends with why it fits now: the topic it
// fits and the customer's mood.
//
// Reasons are templates. Offers know {segment}, {tenure}, {missing}, {has},
// {intent} and {past_contacts}; warnings know {phrase}, {quote}, {speaker},
// {intent}, {emotion}, {seconds} and {turns}. Customer names are never
// available, and quotes are redacted of personal data, so a reason can be
// logged. An empty reason gets a sensible default.
package rules

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Warning kinds.
const (
	KindFraud      = "fraud"
	KindVulnerable = "vulnerable"
	KindComplaint  = "complaint"
	KindChurn      = "churn"
	KindDisclosure = "disclosure"
	KindSupervisor = "supervisor"
	KindSilence    = "silence"
	KindTalkover   = "talkover"
)

// Warning severities.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// The customer's mood now, as offers name it.
const (
	MoodNegative = "negative"
	MoodNeutral  = "neutral"
	MoodPositive = "positive"
)

// Speakers.
const (
	SpeakerCustomer = "customer"
	SpeakerAgent    = "agent"
)

var (
	kinds      = []string{KindFraud, KindVulnerable, KindComplaint, KindChurn, KindDisclosure, KindSupervisor, KindSilence, KindTalkover}
	severities = []string{SeverityInfo, SeverityWarning, SeverityCritical}
	// Channels and moods a rule may name.
	channels = []string{"voice", "chat"}
	moods    = []string{MoodNegative, MoodNeutral, MoodPositive}
	// emotions mirrors assist.Emotions; rules does not import assist so that
	// assist may one day import rules.
	emotions = []string{"anger", "frustration", "sadness", "anxiety", "confusion", "satisfaction", "neutral"}
	// emotionAliases are the gauges' former names, still accepted in
	// rules files: fear became anxiety, joy satisfaction.
	emotionAliases = map[string]string{"fear": "anxiety", "joy": "satisfaction"}

	offerPlaceholders   = []string{"segment", "tenure", "missing", "has", "intent", "past_contacts"}
	warningPlaceholders = []string{"phrase", "quote", "speaker", "intent", "emotion", "seconds", "turns"}
)

// DefaultConsent is the consent flag an offer requires when it names none.
const DefaultConsent = "marketing"

// RuleSet is a parsed rules file. It is immutable after loading and safe
// for concurrent use.
type RuleSet struct {
	Offers   []OfferRule
	Warnings []WarningRule
}

// OfferRule is one personalised offer and when it applies.
type OfferRule struct {
	ID      string
	Title   string
	Reason  string // template, see the package doc
	Consent string // profile consent flag that must be true
	Score   float64
	When    OfferWhen
	// Avoid lists the moments the offer must never interrupt.
	Avoid OfferAvoid
	// Channels are the channels it applies to, all when empty.
	Channels List
	Line     int // line of the rule in its file
}

// OfferAvoid holds the moments an offer must never interrupt; any one
// holds it back.
type OfferAvoid struct {
	Intents  List `yaml:"intents"`
	Flows    List `yaml:"flows"`
	Warnings List `yaml:"warnings"`
	Mood     List `yaml:"mood"`
}

// OfferWhen holds an offer's conditions; all must hold.
type OfferWhen struct {
	Segment         List     `yaml:"segment"`
	ProductMissing  List     `yaml:"product_missing"`
	ProductHas      List     `yaml:"product_has"`
	TenureMin       *int     `yaml:"tenure_min"`
	TenureMax       *int     `yaml:"tenure_max"`
	Intents         List     `yaml:"intents"`
	SentimentBelow  *float64 `yaml:"sentiment_below"`
	SentimentAbove  *float64 `yaml:"sentiment_above"`
	PastContactsMin *int     `yaml:"past_contacts_min"`
	Flows           List     `yaml:"flows"`
	Mood            List     `yaml:"mood"`
}

// WarningRule is one risk or compliance warning and what triggers it.
type WarningRule struct {
	ID          string
	Kind        string
	Severity    string
	Reason      string // template, see the package doc
	When        WarningWhen
	MustSay     List // disclosure only
	WithinTurns int  // disclosure only
	// Channels are the channels it applies to, all when empty.
	Channels List
	Line     int // line of the rule in its file

	phrases *regexp.Regexp // compiled When.Phrases, nil when none
	mustSay *regexp.Regexp // compiled MustSay, nil when none
}

// WarningWhen holds a warning's triggers; all must hold.
type WarningWhen struct {
	Phrases         List               `yaml:"phrases"`
	Intents         List               `yaml:"intents"`
	EmotionAbove    map[string]float64 `yaml:"emotion_above"`
	SentimentBelow  *float64           `yaml:"sentiment_below"`
	SilenceSeconds  *float64           `yaml:"silence_seconds"`
	TalkoverSeconds *float64           `yaml:"talkover_seconds"`
	Speaker         string             `yaml:"speaker"`
}

// List is a list of strings written in YAML as one scalar or a sequence.
type List []string

// UnmarshalYAML accepts "a" as well as [a, b].
func (l *List) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = nil
		if n.Tag != "!!null" && strings.TrimSpace(n.Value) != "" {
			*l = List{n.Value}
		}
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

// Error is a problem at a line of a rules or profiles file.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error formats the problem as "file:line: message".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// LoadRules reads and parses a rules file. On problems it returns the rules
// that are valid together with an error joining one *Error per problem; only
// an unreadable or unparsable file gives a nil RuleSet.
func LoadRules(path string) (*RuleSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	return ParseRules(path, data)
}

// ParseRules parses the rules in data; name is used in error messages. It
// behaves like LoadRules.
func ParseRules(name string, data []byte) (*RuleSet, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse rules %s: %w", name, err)
	}
	p := &parser{file: name, ids: map[string]int{}}
	rs := &RuleSet{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return rs, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.errf(root, "want a mapping with offers and warnings")
		return rs, p.err()
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "offers":
			for _, n := range p.items(v, "offers") {
				if o, ok := p.offer(n); ok {
					rs.Offers = append(rs.Offers, o)
				}
			}
		case "warnings":
			for _, n := range p.items(v, "warnings") {
				if w, ok := p.warning(n); ok {
					rs.Warnings = append(rs.Warnings, w)
				}
			}
		default:
			p.errf(k, "unknown key %q (want offers or warnings)", k.Value)
		}
	}
	return rs, p.err()
}

// parser collects the errors of one file.
type parser struct {
	file string
	errs []error
	ids  map[string]int // id → line of its first use
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) err() error { return errors.Join(p.errs...) }

// items returns the entries of a sequence node.
func (p *parser) items(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "%s: want a list", what)
		return nil
	}
	return n.Content
}

// fields checks n is a mapping with only the allowed keys and returns its
// values by key.
func (p *parser) fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, bool) {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s: want a mapping", what)
		return nil, false
	}
	m := map[string]*yaml.Node{}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			p.errf(k, "%s: unknown key %q (want one of %s)", what, k.Value, strings.Join(allowed, ", "))
			ok = false
			continue
		}
		m[k.Value] = n.Content[i+1]
	}
	return m, ok
}

// decode decodes v into out, reporting a failure at v's line.
func (p *parser) decode(v *yaml.Node, out any, what string) bool {
	if v == nil {
		return true
	}
	if err := v.Decode(out); err != nil {
		p.errf(v, "%s: %s", what, strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "))
		return false
	}
	return true
}

// id reads and registers a rule's id.
func (p *parser) id(n *yaml.Node, f map[string]*yaml.Node, what string) (string, bool) {
	var id string
	if !p.decode(f["id"], &id, what+" id") {
		return "", false
	}
	id = strings.TrimSpace(id)
	if id == "" {
		p.errf(n, "%s without an id", what)
		return "", false
	}
	if first, dup := p.ids[id]; dup {
		p.errf(f["id"], "%s %q: duplicate id (first at line %d)", what, id, first)
		return "", false
	}
	p.ids[id] = f["id"].Line
	return id, true
}

func (p *parser) offer(n *yaml.Node) (OfferRule, bool) {
	f, ok := p.fields(n, "offer", "id", "title", "reason", "when", "consent", "score", "avoid", "channels")
	if f == nil {
		return OfferRule{}, false
	}
	id, idOK := p.id(n, f, "offer")
	ok = ok && idOK
	what := fmt.Sprintf("offer %q", id)
	o := OfferRule{ID: id, Consent: DefaultConsent, Score: 0.5, Line: n.Line}
	ok = p.decode(f["title"], &o.Title, what+" title") && ok
	ok = p.decode(f["reason"], &o.Reason, what+" reason") && ok
	ok = p.decode(f["consent"], &o.Consent, what+" consent") && ok
	ok = p.decode(f["score"], &o.Score, what+" score") && ok
	if strings.TrimSpace(o.Title) == "" {
		p.errf(n, "%s: missing title", what)
		ok = false
	}
	if strings.TrimSpace(o.Consent) == "" {
		p.errf(n, "%s: empty consent (omit it to require %q)", what, DefaultConsent)
		ok = false
	}
	if o.Score < 0 || o.Score > 1 {
		p.errf(f["score"], "%s: score %g outside 0..1", what, o.Score)
		ok = false
	}
	ok = p.template(f["reason"], o.Reason, what, offerPlaceholders) && ok
	ok = p.oneOf(f["channels"], &o.Channels, what+" channels", channels) && ok
	if a := f["avoid"]; a != nil {
		af, aok := p.fields(a, what+" avoid", "intents", "flows", "warnings", "mood")
		if af == nil {
			return o, false
		}
		ok = p.decode(a, &o.Avoid, what+" avoid") && ok && aok
		ok = p.oneOf(af["mood"], &o.Avoid.Mood, what+" avoid mood", moods) && ok
	}
	w := f["when"]
	if w == nil {
		p.errf(n, "%s: missing when (an offer for everyone is not personalised)", what)
		return o, false
	}
	wf, wok := p.fields(w, what+" when", "segment", "product_missing", "product_has", "tenure_min", "tenure_max",
		"intents", "sentiment_below", "sentiment_above", "past_contacts_min", "flows", "mood")
	if wf == nil {
		return o, false
	}
	ok = p.decode(w, &o.When, what+" when") && ok && wok
	ok = p.oneOf(wf["mood"], &o.When.Mood, what+" mood", moods) && ok
	for _, m := range o.When.Mood {
		if containsFold(o.Avoid.Mood, m) {
			p.errf(wf["mood"], "%s: mood %q both fits and is avoided", what, m)
			ok = false
		}
	}
	c := o.When
	if len(wf) == 0 {
		p.errf(w, "%s: empty when", what)
		ok = false
	}
	if c.TenureMin != nil && c.TenureMax != nil && *c.TenureMin > *c.TenureMax {
		p.errf(wf["tenure_min"], "%s: tenure_min %d is above tenure_max %d", what, *c.TenureMin, *c.TenureMax)
		ok = false
	}
	if c.SentimentBelow != nil && c.SentimentAbove != nil && *c.SentimentBelow <= *c.SentimentAbove {
		p.errf(wf["sentiment_below"], "%s: sentiment_below %g is not above sentiment_above %g, so it never holds", what, *c.SentimentBelow, *c.SentimentAbove)
		ok = false
	}
	for _, prod := range c.ProductMissing {
		if containsFold(c.ProductHas, prod) {
			p.errf(wf["product_missing"], "%s: product %q is both missing and required", what, prod)
			ok = false
		}
	}
	for _, k := range []string{"tenure_min", "tenure_max", "past_contacts_min"} {
		if v := wf[k]; v != nil && strings.HasPrefix(v.Value, "-") {
			p.errf(v, "%s: %s is negative", what, k)
			ok = false
		}
	}
	return o, ok
}

func (p *parser) warning(n *yaml.Node) (WarningRule, bool) {
	f, ok := p.fields(n, "warning", "id", "kind", "severity", "reason", "when", "must_say", "within_turns", "channels")
	if f == nil {
		return WarningRule{}, false
	}
	id, idOK := p.id(n, f, "warning")
	ok = ok && idOK
	what := fmt.Sprintf("warning %q", id)
	r := WarningRule{ID: id, Severity: SeverityWarning, Line: n.Line}
	ok = p.decode(f["kind"], &r.Kind, what+" kind") && ok
	ok = p.decode(f["severity"], &r.Severity, what+" severity") && ok
	ok = p.decode(f["reason"], &r.Reason, what+" reason") && ok
	ok = p.decode(f["must_say"], &r.MustSay, what+" must_say") && ok
	ok = p.decode(f["within_turns"], &r.WithinTurns, what+" within_turns") && ok
	ok = p.template(f["reason"], r.Reason, what, warningPlaceholders) && ok
	ok = p.oneOf(f["channels"], &r.Channels, what+" channels", channels) && ok
	switch {
	case f["kind"] == nil:
		p.errf(n, "%s: missing kind (want one of %s)", what, strings.Join(kinds, ", "))
		ok = false
	case !slices.Contains(kinds, r.Kind):
		p.errf(f["kind"], "%s: unknown kind %q (want one of %s)", what, r.Kind, strings.Join(kinds, ", "))
		ok = false
	}
	if !slices.Contains(severities, r.Severity) {
		p.errf(f["severity"], "%s: unknown severity %q (want one of %s)", what, r.Severity, strings.Join(severities, ", "))
		ok = false
	}
	disclosure := r.Kind == KindDisclosure
	if disclosure && phraseRegexp(r.MustSay) == nil {
		p.errf(n, "%s: a disclosure needs must_say phrases", what)
		ok = false
	}
	if !disclosure && (f["must_say"] != nil || f["within_turns"] != nil) {
		p.errf(n, "%s: must_say and within_turns apply only to kind disclosure", what)
		ok = false
	}
	if r.WithinTurns < 0 {
		p.errf(f["within_turns"], "%s: within_turns is negative", what)
		ok = false
	}
	var wf map[string]*yaml.Node
	if w := f["when"]; w != nil {
		var wok bool
		wf, wok = p.fields(w, what+" when", "phrases", "intents", "emotion_above", "sentiment_below",
			"silence_seconds", "talkover_seconds", "speaker")
		if wf == nil {
			return r, false
		}
		ok = p.decode(w, &r.When, what+" when") && ok && wok
		if len(wf) == 0 && !disclosure {
			p.errf(w, "%s: empty when", what)
			ok = false
		}
	} else if !disclosure {
		p.errf(n, "%s: missing when", what)
		return r, false
	}
	c := r.When
	if c.Speaker != "" && c.Speaker != SpeakerCustomer && c.Speaker != SpeakerAgent {
		p.errf(wf["speaker"], "%s: unknown speaker %q (want customer or agent)", what, c.Speaker)
		ok = false
	}
	for old, name := range emotionAliases {
		if v, ok := c.EmotionAbove[old]; ok {
			if _, both := c.EmotionAbove[name]; !both {
				c.EmotionAbove[name] = v
			}
			delete(c.EmotionAbove, old)
		}
	}
	for name, v := range c.EmotionAbove {
		if !slices.Contains(emotions, name) {
			p.errf(wf["emotion_above"], "%s: unknown emotion %q (want one of %s)", what, name, strings.Join(emotions, ", "))
			ok = false
		} else if v <= 0 || v > 1 {
			p.errf(wf["emotion_above"], "%s: emotion_above %s %g outside (0, 1]", what, name, v)
			ok = false
		}
	}
	if (c.SilenceSeconds != nil) != (r.Kind == KindSilence) {
		p.errf(n, "%s: silence_seconds goes with kind silence, and only there", what)
		ok = false
	} else if c.SilenceSeconds != nil && *c.SilenceSeconds <= 0 {
		p.errf(wf["silence_seconds"], "%s: silence_seconds must be positive", what)
		ok = false
	}
	if (c.TalkoverSeconds != nil) != (r.Kind == KindTalkover) {
		p.errf(n, "%s: talkover_seconds goes with kind talkover, and only there", what)
		ok = false
	} else if c.TalkoverSeconds != nil && *c.TalkoverSeconds <= 0 {
		p.errf(wf["talkover_seconds"], "%s: talkover_seconds must be positive", what)
		ok = false
	}
	r.phrases = phraseRegexp(c.Phrases)
	r.mustSay = phraseRegexp(r.MustSay)
	return r, ok
}

// oneOf decodes a list whose every value must be one of known, lower-cased.
func (p *parser) oneOf(n *yaml.Node, out *List, what string, known []string) bool {
	if n == nil {
		return true
	}
	if !p.decode(n, out, what) {
		return false
	}
	for i, v := range *out {
		(*out)[i] = strings.ToLower(strings.TrimSpace(v))
		if !slices.Contains(known, (*out)[i]) {
			p.errf(n, "%s: unknown value %q (want one of %s)", what, v, strings.Join(known, ", "))
			return false
		}
	}
	return true
}

var placeholderRe = regexp.MustCompile(`\{([^{}]*)\}`)

// template checks that a reason template uses only known placeholders.
func (p *parser) template(n *yaml.Node, tmpl, what string, known []string) bool {
	ok := true
	for _, m := range placeholderRe.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(known, m[1]) {
			p.errf(n, "%s: reason uses unknown placeholder {%s} (want one of %s)", what, m[1], strings.Join(known, ", "))
			ok = false
		}
	}
	return ok
}

// phraseRegexp compiles phrases into one case-insensitive regexp that
// matches any of them as whole words, with any run of spaces between words.
// Its first group is the phrase as written in the text.
func phraseRegexp(phrases []string) *regexp.Regexp {
	var alts []string
	for _, ph := range phrases {
		words := strings.Fields(ph)
		if len(words) == 0 {
			continue
		}
		for i, w := range words {
			// A typographic apostrophe, as some recognizers write it,
			// matches a plain one.
			words[i] = strings.ReplaceAll(regexp.QuoteMeta(w), "'", "['’]")
		}
		alts = append(alts, strings.Join(words, `\s+`))
	}
	if len(alts) == 0 {
		return nil
	}
	return regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}_])(` + strings.Join(alts, "|") + `)(?:$|[^\p{L}\p{N}_])`)
}

// fill substitutes {name} placeholders from vars.
func fill(tmpl string, vars map[string]string) string {
	return placeholderRe.ReplaceAllStringFunc(tmpl, func(m string) string {
		return vars[m[1:len(m)-1]]
	})
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) })
}
