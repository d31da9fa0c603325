package assist

// Mood follows one speaker's sentiment over a call: an exponentially
// weighted mean of the per-utterance polarity (recent turns count most) and
// its trend, the change of that mean over the last few turns.
type Mood struct {
	rolling []float64 // the smoothed score after each utterance
	scores  []float64 // the raw per-utterance polarity
}

// moodAlpha weighs the newest utterance in the rolling mean: 0.35 makes the
// gauge react within two or three turns without jumping on every word.
const moodAlpha = 0.35

// trendSpan is how many turns back the trend looks.
const trendSpan = 3

// maxMoodHistory bounds the kept history of a very long call.
const maxMoodHistory = 512

// Add records an utterance's polarity and returns the new rolling score and
// trend.
func (m *Mood) Add(polarity float64) (rolling, trend float64) {
	rolling = polarity
	if n := len(m.rolling); n > 0 {
		rolling = moodAlpha*polarity + (1-moodAlpha)*m.rolling[n-1]
	}
	m.rolling = append(m.rolling, rolling)
	m.scores = append(m.scores, polarity)
	if len(m.rolling) > maxMoodHistory {
		m.rolling = m.rolling[len(m.rolling)-maxMoodHistory:]
		m.scores = m.scores[len(m.scores)-maxMoodHistory:]
	}
	return rolling, m.Trend()
}

// Rolling returns the current smoothed score, 0 before any utterance.
func (m *Mood) Rolling() float64 {
	if len(m.rolling) == 0 {
		return 0
	}
	return m.rolling[len(m.rolling)-1]
}

// Trend returns the change of the rolling score over the last trendSpan
// turns (fewer early in the call).
func (m *Mood) Trend() float64 {
	n := len(m.rolling)
	if n < 2 {
		return 0
	}
	back := min(trendSpan, n-1)
	return m.rolling[n-1] - m.rolling[n-1-back]
}

// Scores returns the per-utterance polarities so far, oldest first.
func (m *Mood) Scores() []float64 { return m.scores }

// Turns returns how many utterances were recorded.
func (m *Mood) Turns() int { return len(m.scores) }
