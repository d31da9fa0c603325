package engine

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/engine/event"
)

// Defaults of the generative models' budgets.
const (
	// DefaultDraftBudget bounds one drafted reply, first token to last.
	DefaultDraftBudget = 20 * time.Second
	// DefaultSummaryBudget bounds the model server's summary at a call's
	// end; past it, the extractive summary goes out.
	DefaultSummaryBudget = 10 * time.Second
	// draftEvery is how often a streaming draft is republished: its first
	// piece at once, then at most this often (the TUI draws at 15 Hz).
	draftEvery = 50 * time.Millisecond
	// draftArticles is how many top articles ground a draft, and
	// draftTurns how many recent turns it sees.
	draftArticles = 3
	draftTurns    = 6
)

// draftState is a call's drafted reply in progress, if any.
type draftState struct {
	gen    uint64 // the current draft; a publish from an older one is dropped
	cancel context.CancelFunc
}

// cancelDraft stops the draft in progress: the conversation moved on. The
// caller holds s.mu.
func (s *Session) cancelDraft() {
	if s.draft.cancel != nil {
		s.draft.cancel()
		s.draft.cancel = nil
	}
	s.draft.gen++
}

// degraded is the drafter's reason for not drafting now, if it says.
func (e *Engine) degraded() string {
	if st, ok := e.asst.Drafter.(assist.ModelState); ok {
		return st.Degraded()
	}
	return ""
}

// startTurnWork starts what follows a customer turn's first suggestions,
// base, in one model job: the second stage of the ranking, published as
// an update of the turn's suggestions when it changes them noticeably,
// then the model server's draft, grounded in the ranking as it then
// stands. The next utterance cancels both. The caller holds s.mu.
func (s *Session) startTurnWork(base event.Suggestions, an *assist.Analysis, entered time.Time) {
	if an.Refine == nil && !s.draftable(an.Ranked) {
		return
	}
	// The draft's budget bounds the refinement too: it takes milliseconds.
	ctx, cancel := context.WithTimeout(context.Background(), s.e.draftBudget)
	s.draft.cancel = cancel
	gen := s.draft.gen
	turns := s.call.RecentTurns(draftTurns)
	// The job reads its own copies: the caller goes on with the analysis.
	ranked, refine := an.Ranked, an.Refine
	s.startJob(func(job *modelJob) {
		defer cancel()
		if refine != nil {
			if refined, ok := s.refine(ctx, job, gen, base, refine, entered); ok {
				base, ranked = refined.payload, &refined.ranked
			}
		}
		if s.draftable(ranked) {
			s.draftReply(ctx, job, gen, base, ranked, turns)
		}
	})
}

// refineMinChange is how much a confidence must move for the refined
// ranking to be published when the order stays: five points, a change
// the agent can see on the gauge.
const refineMinChange = 0.05

// refinedRanking is the second stage's ranking and the event showing it.
type refinedRanking struct {
	ranked  assist.Ranked
	payload event.Suggestions
}

// refine ranks the turn again with the slower model and publishes the
// ranking, marked refined, when it differs noticeably from base's. It
// reports whether it published one.
func (s *Session) refine(ctx context.Context, job *modelJob, gen uint64, base event.Suggestions, refine func(context.Context) (assist.Ranked, error), entered time.Time) (refinedRanking, bool) {
	ranked, err := refine(ctx)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			s.e.log.Warn("refine suggestions", "call_id", s.id, "utterance_id", base.UtteranceID, "err", err)
			s.e.metrics.ModelError("assist")
		}
		return refinedRanking{}, false
	}
	out := suggestionsPayload(base.UtteranceID, &ranked)
	if !changedNoticeably(base, out) {
		return refinedRanking{}, false
	}
	out.Refined = true
	out.Degraded = base.Degraded
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || gen != s.draft.gen {
		return refinedRanking{}, false
	}
	latency := s.e.now().Sub(entered)
	out.LatencyMS = float64(latency.Microseconds()) / 1000
	s.emitLocked(job, out)
	return refinedRanking{ranked: ranked, payload: out}, true
}

// changedNoticeably says whether the refined suggestions differ from the
// first ones enough to show them: another answer or order, a change
// between suggesting and abstaining, or a confidence moved by
// refineMinChange or more.
func changedNoticeably(first, refined event.Suggestions) bool {
	if first.Abstain != refined.Abstain || len(first.Suggestions) != len(refined.Suggestions) {
		return true
	}
	for i, a := range first.Suggestions {
		b := refined.Suggestions[i]
		if a.ID != b.ID || math.Abs(a.Confidence-b.Confidence) >= refineMinChange-1e-9 {
			return true
		}
	}
	return false
}

// draftable says whether a ranking can ground a draft: a drafter, and
// knowledge articles the ranking suggests.
func (s *Session) draftable(r *assist.Ranked) bool {
	if s.e.asst.Drafter == nil || r == nil || r.Abstain {
		// Nothing to ground a reply in: no draft rather than an
		// invented one.
		return false
	}
	for _, sg := range r.Suggestions {
		if sg.Source == "kb" {
			return true
		}
	}
	return false
}

// draftReply asks the model server for a reply to the customer's last
// turn, grounded in the top articles of r, and streams it into
// suggestions events for the utterance, over base. It runs in the turn's
// model job, after the embedded suggestions are out; they never wait for
// it.
func (s *Session) draftReply(ctx context.Context, job *modelJob, gen uint64, base event.Suggestions, r *assist.Ranked, turns []assist.Turn) {
	d := s.e.asst.Drafter
	req := assist.DraftRequest{Turns: turns}
	for _, sg := range r.Suggestions {
		if sg.Source == "kb" && len(req.Articles) < draftArticles {
			req.Articles = append(req.Articles, assist.DraftArticle{ID: sg.ArticleID, Title: sg.Title, Answer: sg.Text})
		}
	}
	// A session that waits for the models shows the draft once, whole:
	// how many pieces a stream is published in depends on timing.
	s.mu.Lock()
	stream := !s.waitModels
	s.mu.Unlock()
	var text strings.Builder
	var last time.Time
	ids := make([]string, len(req.Articles))
	for i, a := range req.Articles {
		ids[i] = a.ID
	}
	shown := false
	onToken := func(piece string) {
		text.WriteString(piece)
		if now := time.Now(); stream && (last.IsZero() || now.Sub(last) >= draftEvery) {
			last, shown = now, true
			s.publishDraft(job, gen, base, text.String(), ids, true)
		}
	}
	draft, err := d.Draft(ctx, req, onToken)
	switch {
	case err == nil:
		s.publishDraft(job, gen, base, draft.Text, draft.ArticleIDs, false)
	case errors.Is(err, context.Canceled):
		// The next utterance came: its suggestions replace these.
	default:
		if !errors.Is(err, assist.ErrDegraded) {
			s.e.log.Warn("draft reply", "call_id", s.id, "utterance_id", base.UtteranceID, "err", err)
			s.e.metrics.ModelError("llm")
		}
		if shown {
			// Take back the partial draft the agent may be reading.
			s.publishDraft(job, gen, base, "", nil, false)
		}
	}
}

// publishDraft republishes the utterance's suggestions with the draft as
// the first entry (none when text is empty), unless the draft is stale.
func (s *Session) publishDraft(job *modelJob, gen uint64, base event.Suggestions, text string, articleIDs []string, partial bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || gen != s.draft.gen {
		return
	}
	out := base
	out.Degraded = s.e.degraded()
	out.Suggestions = make([]event.Suggestion, 0, len(base.Suggestions)+1)
	if text = strings.TrimSpace(text); text != "" {
		conf := 0.0
		if len(base.Suggestions) > 0 {
			// A draft is as good as what grounds it.
			conf = base.Suggestions[0].Confidence
		}
		out.Suggestions = append(out.Suggestions, event.Suggestion{
			ID: "llm:" + base.UtteranceID, Text: text, Confidence: conf, Source: "llm",
			ArticleIDs: articleIDs, Partial: partial,
		})
	}
	out.Suggestions = append(out.Suggestions, base.Suggestions...)
	s.emitLocked(job, out)
}

// Summarize publishes a summary of the call so far: the model server's
// when it answers in time, else extractive.
func (s *Session) Summarize(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return ErrCallEnded
	}
	sum := s.summary(ctx)
	return s.settle(s.publish(sum))
}

// summary sums the call up within the summary budget. The caller holds
// s.mu.
func (s *Session) summary(ctx context.Context) event.Summary {
	ctx, cancel := context.WithTimeout(ctx, s.e.summaryBudget)
	defer cancel()
	sum, err := s.call.Summary(ctx)
	if err != nil {
		if !errors.Is(err, assist.ErrDegraded) {
			s.e.log.Warn("summary from the model server; extractive instead", "call_id", s.id, "err", err)
			s.e.metrics.ModelError("llm")
		}
	}
	return event.Summary{
		Situation: sum.Situation, Action: sum.Action, Resolution: sum.Resolution,
		Satisfaction: sum.Satisfaction, Reason: sum.Reason, Entities: sum.Entities,
		Disposition: sum.Disposition, Source: sum.Source,
	}
}
