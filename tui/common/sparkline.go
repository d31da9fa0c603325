package common

import (
	"math"
	"strings"
)

// SparkGlyphs are the sparkline's eight heights, −1 lowest, +1 highest;
// each is SparkGlyphLen bytes of UTF-8.
const (
	SparkGlyphs   = "▁▂▃▄▅▆▇█"
	SparkGlyphLen = len("▁")
)

// Sparkline draws a series in −1..1, one glyph per sample.
func Sparkline(series []float64) string {
	if len(series) == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(series) * SparkGlyphLen)
	for _, v := range series {
		i := int(math.Round((Clampf(v, -1, 1) + 1) / 2 * 7))
		b.WriteString(SparkGlyphs[i*SparkGlyphLen : (i+1)*SparkGlyphLen])
	}
	return b.String()
}

// trendEpsilon is the |trend| below which a score is steady.
const trendEpsilon = 0.05

// Trend is the direction a sentiment score is heading.
type Trend int

// The directions of a trend.
const (
	Steady  Trend = iota // within trendEpsilon of flat
	Rising               // getting happier
	Falling              // getting angrier
)

// TrendOf returns the direction of a trend value.
func TrendOf(t float64) Trend {
	switch {
	case t > trendEpsilon:
		return Rising
	case t < -trendEpsilon:
		return Falling
	}
	return Steady
}

// Arrow is the trend's glyph: ↑, ↓ or →.
func (t Trend) Arrow() string {
	switch t {
	case Rising:
		return "↑"
	case Falling:
		return "↓"
	}
	return "→"
}
