package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// clockString formats a call offset in seconds as m:ss, or h:mm:ss past an
// hour.
func clockString(sec float64) string {
	return durationString(time.Duration(sec * float64(time.Second)))
}

// durationString formats a duration as mm:ss, or h:mm:ss past an hour.
func durationString(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// signed formats a score in −1..1 with an explicit sign, such as +0.31 or
// −0.42 (with a true minus sign).
func signed(v float64) string {
	v = math.Round(v*100) / 100
	if v < 0 {
		return "−" + strconv.FormatFloat(-v, 'f', 2, 64)
	}
	return "+" + strconv.FormatFloat(v, 'f', 2, 64)
}

// percent formats a 0..1 value as a whole percentage.
func percent(v float64) string {
	return strconv.Itoa(int(math.Round(clampf(v, 0, 1)*100))) + "%"
}

// speedString formats a replay speed factor, such as ×2 or ×0.25.
func speedString(x float64) string {
	return "×" + strconv.FormatFloat(x, 'g', -1, 64)
}

// latencyString formats a latency in milliseconds.
func latencyString(ms float64) string {
	if ms >= 1000 {
		return strconv.FormatFloat(ms/1000, 'f', 1, 64) + " s"
	}
	return strconv.Itoa(int(math.Round(ms))) + " ms"
}

// itoa is strconv.Itoa.
func itoa(n int) string { return strconv.Itoa(n) }

// padRight pads s with spaces to w cells; it never cuts.
func padRight(s string, w int) string {
	if sw := ansi.StringWidth(s); sw < w {
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}

// padLeft pads s on the left with spaces to w cells; it never cuts.
func padLeft(s string, w int) string {
	if sw := ansi.StringWidth(s); sw < w {
		return strings.Repeat(" ", w-sw) + s
	}
	return s
}

// clampf limits v to lo..hi, and maps NaN to lo.
func clampf(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Max(lo, math.Min(v, hi))
}

// spread lays out left and right parts on one line of width w, right-aligned
// right part, cutting the left part first when they do not fit.
func spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw >= w {
		return fit(right, w)
	}
	left = fit(left, w-rw-1)
	return left + " " + right
}
