package assist

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/larkspur-labs/assist/kb"
)

// Assistant bundles the models. One Assistant serves many calls; each call
// keeps its own state in a Call.
type Assistant struct {
	Sentiment SentimentAnalyzer
	Ranker    *Ranker
	// Feedback stores agents' verdicts on suggestions; nil keeps none.
	Feedback *kb.Feedback
	// Drafter and Summarizer are the model server's, when one is
	// configured; nil without.
	Drafter    Drafter
	Summarizer Summarizer
	// Emotion, when set, scores customer turns on the model server too;
	// Translator with AgentLang translates them for the agent.
	Emotion    EmotionScorer
	Translator Translator
	AgentLang  string
}

// Learn stores an agent's verdict on a suggestion, so that the ranking of
// later calls takes it into account. A suggestion from the knowledge base
// ("kb:<article id>") names its article even when articleID is empty.
func (a *Assistant) Learn(callID, suggestionID, articleID, verdict string) error {
	if a.Feedback == nil {
		return nil
	}
	if id, ok := strings.CutPrefix(suggestionID, "kb:"); ok && articleID == "" {
		articleID = id
	}
	return a.Feedback.Record(kb.FeedbackRecord{
		CallID: callID, SuggestionID: suggestionID, ArticleID: articleID, Verdict: verdict,
	})
}

// maxTurns bounds the conversation history a call keeps for context.
const maxTurns = 16

// maxTranscript bounds the turns a call keeps for its summary: hours of
// conversation; a longer call is summarised from its beginning.
const maxTranscript = 2000

// RecentTurns returns the last n turns of the call, oldest first.
func (c *Call) RecentTurns(n int) []Turn {
	return slices.Clone(c.turns[max(0, len(c.turns)-n):])
}

// Summary sums the call up: with the Assistant's Summarizer when it has one
// and it answers before ctx is done, else extractively from the transcript.
// A summarizer's failure is returned beside the extractive summary, for the
// caller to log.
func (c *Call) Summary(ctx context.Context) (Summary, error) {
	topics := c.topicTitles(3)
	req := SummaryRequest{Turns: slices.Clone(c.transcript), Topics: topics, Dispositions: topics}
	var err error
	if c.a.Summarizer != nil && len(req.Turns) > 0 {
		var s Summary
		if s, err = c.a.Summarizer.Summarize(ctx, req); err == nil {
			return s, nil
		}
	}
	mood := 0.0
	if m := c.moods["customer"]; m != nil {
		mood = m.Rolling()
	}
	return Extractive(req, mood), err
}

// Call is the per-call state of the models: the recent turns, each speaker's
// mood, and the alert rules' memory. A Call is not safe for concurrent use;
// the engine feeds each call from one goroutine at a time.
type Call struct {
	a     *Assistant
	turns []Turn
	// transcript is the whole call, for its summary.
	transcript []Turn
	moods      map[string]*Mood
	watch      watch
	// agentLast is the agent's latest turn, the context a customer's
	// "fine" or "sure" is read against.
	agentLast string

	topics     map[string]*topic // article id → how strongly it was the top match
	alertsSeen []string          // alert types in the order they first fired

	// StepsDone, when set, returns the titles of the steps of the call's
	// checklist done so far (by the agent's words or tools); a reply that
	// claims such a step done is then shown as said (see Suggestion.Steps).
	StepsDone func() []string
}

// NewCall starts the model state of a new call.
func (a *Assistant) NewCall() *Call {
	return &Call{a: a, moods: map[string]*Mood{}}
}

// Analysis is what the models make of one final utterance.
type Analysis struct {
	Score   Score
	Rolling float64
	Trend   float64
	// Cues are what a customer turn does (apology, thanks, acceptance,
	// supervisor request, threat to leave), read in context.
	Cues Cues
	// Ranked, Recommendations and Alerts are set for customer utterances only.
	Ranked          *Ranked
	Recommendations []Recommendation
	Alerts          []Alert
	// Refine, when the ranking comes in two stages (Ranker.Staged), ranks
	// the same turn again with the slower model: Ranked is the fast stage.
	// It reads a copy of the turns, so it may run on another goroutine
	// while the call moves on; nil with one stage.
	Refine func(ctx context.Context) (Ranked, error)
}

// Sentiment scores one final utterance of speaker and updates that
// speaker's mood.
func (c *Call) Sentiment(speaker, text string) Analysis {
	var (
		s    Score
		cues Cues
	)
	if speaker == "customer" {
		s, cues = ReadInContext(c.a.Sentiment, text, c.agentLast)
	} else {
		s = c.a.Sentiment.Analyze(text)
		c.agentLast = text
	}
	m := c.moods[speaker]
	if m == nil {
		m = &Mood{}
		c.moods[speaker] = m
	}
	rolling, trend := m.Add(s.Polarity)
	c.turns = append(c.turns, Turn{Speaker: speaker, Text: text})
	if len(c.turns) > maxTurns {
		c.turns = c.turns[len(c.turns)-maxTurns:]
	}
	if len(c.transcript) < maxTranscript {
		c.transcript = append(c.transcript, Turn{Speaker: speaker, Text: text})
	}
	if speaker != "customer" {
		c.watch.observeAgent()
	}
	return Analysis{Score: s, Rolling: rolling, Trend: trend, Cues: cues}
}

// Assist completes the analysis of a customer utterance already scored by
// Sentiment: alerts, ranked replies and recommendations. When the knowledge
// base fails, the analysis still holds the alerts and an abstaining ranking,
// and the error is returned for the caller to log.
func (c *Call) Assist(ctx context.Context, an *Analysis) error {
	c.Watch(an)
	var done []string
	if c.StepsDone != nil {
		done = c.StepsDone() // read now: Refine may run on another goroutine
	}
	r, err := c.a.Ranker.rank(ctx, c.turns, c.a.Ranker.Staged(), done)
	if c.a.Ranker.Staged() {
		turns, ranker := slices.Clone(c.turns), c.a.Ranker
		an.Refine = func(ctx context.Context) (Ranked, error) { return ranker.rank(ctx, turns, false, done) }
	}
	if err != nil {
		// The agent still gets the alerts; the pane says why nothing is suggested.
		r = Ranked{Abstain: true, Reason: "knowledge base unavailable"}
	}
	an.Ranked = &r
	an.Recommendations = Recommend(r, an.Alerts)
	c.noteOutcome(an)
	return err
}

// Watch runs the alert rules on a customer utterance already scored by
// Sentiment and sets its Alerts. Assist does it; a replay that needs only
// the alerts calls it alone.
func (c *Call) Watch(an *Analysis) {
	an.Alerts = c.watch.observeCustomer(c.turns[len(c.turns)-1].Text, an.Score, an.Rolling, an.Cues)
}

// Wrapup describes the call at its end: a one-paragraph summary built from
// what the models saw, and a disposition, the topic the customer's words
// matched most often ("no topic identified" when none did).
func (c *Call) Wrapup() (summary, disposition string) {
	disposition = "no topic identified"
	if t := c.topTopic(); t != "" {
		disposition = t
	}
	var parts []string
	if len(c.topics) > 0 {
		parts = append(parts, "Topics: "+strings.Join(c.topicTitles(3), ", ")+".")
	}
	if m := c.moods["customer"]; m != nil && m.Turns() > 0 {
		s := m.Scores()
		parts = append(parts, fmt.Sprintf("Customer mood %s at the start, %s at the end (rolling %+.2f).",
			moodWord(s[0]), moodWord(m.Rolling()), m.Rolling()))
	}
	if len(c.alertsSeen) > 0 {
		parts = append(parts, "Alerts: "+strings.Join(c.alertsSeen, ", ")+".")
	}
	if len(parts) == 0 {
		parts = append(parts, "No customer turns were analysed.")
	}
	return strings.Join(parts, " "), disposition
}

func moodWord(x float64) string {
	switch {
	case x <= -0.5:
		return "very negative"
	case x <= -NeutralBand:
		return "negative"
	case x < NeutralBand:
		return "neutral"
	case x < 0.5:
		return "positive"
	}
	return "very positive"
}

// noteOutcome remembers the top topic and alerts of a customer turn for Wrapup.
func (c *Call) noteOutcome(an *Analysis) {
	if an.Ranked != nil && !an.Ranked.Abstain && len(an.Ranked.Suggestions) > 0 {
		s := an.Ranked.Suggestions[0]
		if c.topics == nil {
			c.topics = map[string]*topic{}
		}
		t := c.topics[s.ArticleID]
		if t == nil {
			t = &topic{title: s.Title, first: len(c.topics)}
			c.topics[s.ArticleID] = t
		}
		t.weight += s.Confidence
	}
	for _, a := range an.Alerts {
		if !slices.Contains(c.alertsSeen, a.Type) {
			c.alertsSeen = append(c.alertsSeen, a.Type)
		}
	}
}

type topic struct {
	title  string
	weight float64
	first  int
}

func (c *Call) sortedTopics() []*topic {
	ts := make([]*topic, 0, len(c.topics))
	for _, t := range c.topics {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].weight != ts[j].weight {
			return ts[i].weight > ts[j].weight
		}
		return ts[i].first < ts[j].first
	})
	return ts
}

func (c *Call) topTopic() string {
	if ts := c.sortedTopics(); len(ts) > 0 {
		return ts[0].title
	}
	return ""
}

func (c *Call) topicTitles(n int) []string {
	var out []string
	for _, t := range c.sortedTopics() {
		if len(out) == n {
			break
		}
		out = append(out, t.title)
	}
	return out
}

// Sample is the embedded emotion model with reply ranking over the bundled
// knowledge base and no sentence encoder: the assistant that tests and the
// load evaluations drive an engine with.
func Sample() (*Assistant, error) {
	emotion, err := EmbeddedEmotionModel()
	if err != nil {
		return nil, err
	}
	articles, err := kb.Sample()
	if err != nil {
		return nil, err
	}
	base, err := kb.Open(articles, "", nil)
	if err != nil {
		return nil, err
	}
	return &Assistant{Sentiment: emotion, Ranker: NewRanker(base.Retriever())}, nil
}
