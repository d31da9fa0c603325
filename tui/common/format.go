package common

import (
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Signed formats a score in −1..1 with an explicit sign, such as +0.31 or
// −0.42 (with a true minus sign).
func Signed(v float64) string {
	v = math.Round(v*100) / 100
	if v < 0 {
		return "−" + strconv.FormatFloat(-v, 'f', 2, 64)
	}
	return "+" + strconv.FormatFloat(v, 'f', 2, 64)
}

// PadRight pads s with spaces to w cells; it never cuts.
func PadRight(s string, w int) string {
	if sw := ansi.StringWidth(s); sw < w {
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}

// PadLeft pads s on the left with spaces to w cells; it never cuts.
func PadLeft(s string, w int) string {
	if sw := ansi.StringWidth(s); sw < w {
		return strings.Repeat(" ", w-sw) + s
	}
	return s
}

// Clamp limits v to lo..hi.
func Clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// Clampf limits v to lo..hi, and maps NaN to lo.
func Clampf(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Max(lo, math.Min(v, hi))
}

// Spread lays out left and right parts on one line of width w, the right
// part right-aligned, cutting the left part first when they do not fit.
func Spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw >= w {
		return Fit(right, w)
	}
	left = Fit(left, w-rw-1)
	return left + " " + right
}
