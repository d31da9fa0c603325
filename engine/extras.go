package engine

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/stats"
)

// extrasBudget bounds a model server's emotion reading or translation of
// one utterance: later than this, the conversation has moved on.
const extrasBudget = 10 * time.Second

// startExtras asks the model server, when one is configured for them, for
// its emotion reading of a customer utterance (published as a blended
// sentiment event) and for its translation into the agent's language. The
// embedded results are out already. The caller holds s.mu.
func (s *Session) startExtras(u event.Utterance, embedded event.Sentiment) {
	a := s.e.asst
	if a.Emotion == nil && (a.Translator == nil || a.AgentLang == "") {
		return
	}
	if s.extras == nil {
		s.extras, s.stopExtras = context.WithCancel(context.Background())
	}
	if a.Emotion != nil {
		s.startJob(func(job *modelJob) {
			ctx, cancel := context.WithTimeout(s.extras, extrasBudget)
			defer cancel()
			em, err := a.Emotion.ScoreEmotion(ctx, u.Text)
			if err != nil {
				s.extraFailed("emotion", err)
				return
			}
			s.emit(job, blend(embedded, em))
		})
	}
	if a.Translator != nil && a.AgentLang != "" {
		s.startJob(func(job *modelJob) {
			ctx, cancel := context.WithTimeout(s.extras, extrasBudget)
			defer cancel()
			text, err := a.Translator.Translate(ctx, u.Text, a.AgentLang)
			if err != nil {
				s.extraFailed("translation", err)
				return
			}
			if sameText(text, u.Text) {
				return // already in the agent's language
			}
			s.emit(job, event.Translation{UtteranceID: u.UtteranceID, Speaker: u.Speaker, Lang: a.AgentLang, Text: text})
		})
	}
}

// extraFailed logs a failed extra unless it was cancelled or the breaker
// is open (the header says so already).
func (s *Session) extraFailed(what string, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, assist.ErrDegraded) {
		return
	}
	s.e.log.Warn(what+" from the model server", "call_id", s.id, "err", err)
	s.e.metrics.ModelError("llm")
}

// blend averages the embedded model's reading of an utterance with the
// model server's, half and half: neither is calibrated against the other,
// and the embedded one was measured on real data (GoEmotions) while the
// server's was not.
func blend(embedded event.Sentiment, em assist.ServerEmotion) event.Sentiment {
	out := embedded
	out.Source = event.SentimentBlend
	llmScore := stats.Round(em.Polarity, 3)
	out.LLMScore = &llmScore
	out.Score = stats.Round((embedded.Score+em.Polarity)/2, 3)
	out.Emotions = map[string]float64{}
	for _, name := range assist.Emotions {
		out.Emotions[name] = stats.Round((embedded.Emotions[name]+em.Emotions[name])/2, 3)
	}
	return out
}

// sameText compares texts ignoring case, spacing and punctuation at the
// ends, so a translation that only re-punctuates is not shown.
func sameText(a, b string) bool {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.ToLower(strings.Trim(s, " .!?¡¿,;:\"'"))), " ")
	}
	return norm(a) == norm(b)
}
