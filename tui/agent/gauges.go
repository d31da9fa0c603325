package agent

import (
	"math"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Gauge pane heights, body rows without the frame.
const (
	gaugesFullRows  = 10 // customer gauge, sparkline, seven emotions, agent tone
	gaugesStripRows = 3  // compact: gauge with sparkline, emotions on one row, agent tone
)

// emotionOrder is the fixed order of the emotion bars; others follow
// alphabetically.
// The model's gauges first; "fear" and "joy" are their former names, for
// recorded streams.
var emotionOrder = []string{"anger", "frustration", "sadness", "anxiety", "fear", "confusion", "satisfaction", "joy", "neutral"}

// negativeEmotions are drawn in the alarm style above alarmLevel.
var negativeEmotions = map[string]bool{"anger": true, "frustration": true, "sadness": true, "anxiety": true, "fear": true, "confusion": true}

const (
	alarmLevel      = 0.5 // emotion weight drawn as an alarm
	stripMinEmotion = 0.1 // weakest emotion the compact strip lists
)

// emotion is one named emotion weight.
type emotion struct {
	name  string
	value float64
}

// gaugesPane shows the customer's mood: an overall gauge with trend, a
// sparkline of the call so far, per-emotion bars, and the agent's tone. It
// keeps only data, already ordered; View draws from it on every frame.
type gaugesPane struct {
	common.Box
	th *theme.Styles // shared, never changed once built

	customer, agent       event.Sentiment
	hasCustomer, hasAgent bool
	emotions              []emotion
	series                []float64
}

// newGaugesPane returns an empty gauges pane.
func newGaugesPane(th *theme.Styles) gaugesPane {
	return gaugesPane{th: th}
}

// st returns the pane's styles.
func (p gaugesPane) st() *theme.GaugeStyles { return &p.th.Gauges }

// SetStyles changes the theme.
func (p *gaugesPane) SetStyles(th *theme.Styles) { p.th = th }

// SetSentiment shows the latest sentiment of each speaker and the
// customer's score series.
func (p *gaugesPane) SetSentiment(customer event.Sentiment, hasCustomer bool, agent event.Sentiment, hasAgent bool, series []float64) {
	p.customer, p.hasCustomer = customer, hasCustomer
	p.agent, p.hasAgent = agent, hasAgent
	p.series = slices.Clone(series)
	p.emotions = orderEmotions(customer.Emotions)
}

// orderEmotions lists emotion weights in emotionOrder, then the others
// alphabetically.
func orderEmotions(m map[string]float64) []emotion {
	out := make([]emotion, 0, len(m))
	for _, name := range emotionOrder {
		if v, ok := m[name]; ok {
			out = append(out, emotion{name, v})
		}
	}
	var others []string
	for name := range m {
		if !slices.Contains(emotionOrder, name) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range others {
		out = append(out, emotion{termtext.Sanitize(name), m[name]})
	}
	return out
}

// View renders the pane at exactly its size.
func (p gaugesPane) View() string {
	iw, ih := p.Inner()
	info := ""
	if p.hasCustomer && p.customer.Confidence > 0 {
		info = "confidence " + percent(p.customer.Confidence)
	}
	var body []string
	switch {
	case !p.hasCustomer && !p.hasAgent:
		body = []string{p.st().Empty.Render(common.Fit("No sentiment yet.", iw))}
	case ih < 4:
		body = p.strip(iw, ih)
	default:
		body = p.full(iw, ih)
	}
	return p.Render(&p.th.Frame, p.title(), info, body)
}

// title is the pane title: "Customer mood", with "· blended" while the
// customer's latest scores and emotions are blended with a model server's,
// so the agent knows a model had a say in them until the next utterance's
// embedded scores replace them. The frame keeps a title whole where it
// drops the info note, so the mark survives narrow panes.
func (p gaugesPane) title() string {
	if p.hasCustomer && p.customer.Source == event.SentimentBlend {
		return "Customer mood · " + blendedTag
	}
	return "Customer mood"
}

// labelWidth is the width of the label column of the gauge rows.
const labelWidth = 13

// full lays the gauges out one per row.
func (p gaugesPane) full(w, h int) []string {
	gw := gaugeWidth(w - labelWidth - 20)
	rows := []string{p.speakerRow("Customer", p.customer, p.hasCustomer, gw, w, true)}
	rows = append(rows, common.Fit(p.st().Emotion.Render(common.PadRight("call so far", labelWidth))+p.sparkline(gw), w))
	room := h - len(rows) - 1
	for i, e := range p.emotions {
		if i >= room {
			break
		}
		rows = append(rows, common.Fit(p.st().Emotion.Render(common.PadRight(e.name, labelWidth))+
			bar(e.value, gw, p.emotionStyle(e), p.st().Track)+" "+p.st().Value.Render(common.PadLeft(percent(e.value), 4)), w))
	}
	for len(rows) < h-1 {
		rows = append(rows, "")
	}
	rows = append(rows, p.speakerRow("Agent tone", p.agent, p.hasAgent, gw, w, false))
	return rows
}

// strip lays the gauges out in up to three rows for compact mode.
func (p gaugesPane) strip(w, h int) []string {
	gw := gaugeWidth(min(w/3, 25))
	first := p.speakerRow("Customer", p.customer, p.hasCustomer, gw, w, false)
	used := lipgloss.Width(strings.TrimRight(first, " "))
	if room := w - used - 3; room >= 8 {
		first = common.Fit(strings.TrimRight(first, " ")+"   "+p.sparkline(min(room, 40)), w)
	}
	rows := []string{first}
	if h >= 3 {
		var b strings.Builder
		b.WriteString(p.st().Label.Render(common.PadRight("Emotions", labelWidth)))
		sep := ""
		for _, e := range p.emotions {
			if e.value < stripMinEmotion {
				continue
			}
			b.WriteString(sep)
			sep = "  "
			b.WriteString(p.st().Emotion.Render(e.name+" ") + level(e.value, p.emotionStyle(e)) + p.st().Value.Render(percent(e.value)))
		}
		rows = append(rows, common.Fit(b.String(), w))
	}
	if h >= 2 {
		rows = append(rows, p.speakerRow("Agent tone", p.agent, p.hasAgent, gw, w, false))
	}
	return rows
}

// blendedTag marks scores blended with a model server's: the customer's in
// the pane title, the agent's beside their tone.
const blendedTag = "blended"

// speakerRow renders a label, a centred −1..1 gauge of the rolling score,
// the score and the trend arrow; with now, also the latest utterance's
// score. A blended agent tone ends with the blended tag. The customer's
// row has no room to spare for it beside the latest score (it would be the
// first thing cut in a narrow pane), so their blend is marked in the pane
// title instead.
func (p gaugesPane) speakerRow(label string, s event.Sentiment, has bool, gw, w int, now bool) string {
	head := p.st().Label.Render(common.PadRight(label, labelWidth))
	if !has {
		return common.Fit(head+p.st().Empty.Render("—"), w)
	}
	row := head + p.centredGauge(s.Rolling, gw) + " " + p.st().Value.Render(common.PadLeft(common.Signed(s.Rolling), 5)) + " " + p.trendArrow(s.Trend)
	if now {
		row += p.st().Track.Render("  now ") + p.st().Value.Render(common.Signed(s.Score))
	}
	if s.Source == event.SentimentBlend && s.Speaker == event.SpeakerAgent {
		row += " " + p.st().Blended.Render(blendedTag)
	}
	return common.Fit(row, w)
}

// centredGauge draws v in −1..1 as a bar of width w (odd) with zero in the
// middle: negative values fill leftwards, positive rightwards.
func (p gaugesPane) centredGauge(v float64, w int) string {
	half := w / 2
	n := int(math.Round(math.Abs(common.Clampf(v, -1, 1)) * float64(half)))
	neg, pos := 0, 0
	if v < 0 {
		neg = n
	} else {
		pos = n
	}
	st := p.st()
	return st.Track.Render(strings.Repeat("─", half-neg)) +
		st.Negative.Render(strings.Repeat("█", neg)) +
		st.Zero.Render("┼") +
		st.Positive.Render(strings.Repeat("█", pos)) +
		st.Track.Render(strings.Repeat("─", half-pos))
}

// trendArrow renders the direction of a trend.
func (p gaugesPane) trendArrow(t float64) string {
	st := p.st().Flat
	d := common.TrendOf(t)
	switch d {
	case common.Rising:
		st = p.st().Up
	case common.Falling:
		st = p.st().Down
	}
	return st.Render(d.Arrow())
}

// sparkline draws the last w samples of the customer's scores, −1 as the
// lowest block and +1 as the highest.
func (p gaugesPane) sparkline(w int) string {
	series := p.series
	if len(series) > w {
		series = series[len(series)-w:]
	}
	return p.st().Spark.Render(common.Sparkline(series)) + strings.Repeat(" ", max(w-len(series), 0))
}

// emotionStyle picks the fill style of an emotion bar.
func (p gaugesPane) emotionStyle(e emotion) lipgloss.Style {
	switch {
	case e.name == "satisfaction" || e.name == "joy":
		return p.st().JoyBar
	case negativeEmotions[e.name] && e.value >= alarmLevel:
		return p.st().HotBar
	}
	return p.st().Bar
}

// gaugeWidth returns an odd gauge width between 9 and 41 near w.
func gaugeWidth(w int) int {
	w = common.Clamp(w, 9, 41)
	if w%2 == 0 {
		w--
	}
	return w
}

// bar draws v in 0..1 as a left-filled bar of width w with eighth-cell
// precision.
func bar(v float64, w int, fill, empty lipgloss.Style) string {
	if w <= 0 {
		return ""
	}
	const partials = " ▏▎▍▌▋▊▉"
	eighths := int(math.Round(common.Clampf(v, 0, 1) * float64(w*8)))
	full, rest := eighths/8, eighths%8
	s := strings.Repeat("█", full)
	if rest > 0 {
		s += string([]rune(partials)[rest])
	}
	pad := w - full
	if rest > 0 {
		pad--
	}
	return fill.Render(s) + empty.Render(strings.Repeat("·", pad))
}

// level draws v in 0..1 as one block of eight heights.
func level(v float64, st lipgloss.Style) string {
	i := int(math.Round(common.Clampf(v, 0, 1) * 7))
	return st.Render(common.SparkGlyphs[i*common.SparkGlyphLen : (i+1)*common.SparkGlyphLen])
}
