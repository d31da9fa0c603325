package evalsuite

import (
	"fmt"
	"strconv"
)

// The figures are written as the README writes them: fractions to three
// places, times to two significant digits with their unit, counts with
// thousands separators.

// frac formats an accuracy, F1, recall or error rate.
func frac(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// us formats a time in µs: µs below a millisecond, else ms.
func us(v float64) string {
	if v < 1000 {
		return fmt.Sprintf("%.0f µs", v)
	}
	return ms(v / 1000)
}

// ms formats a time in ms.
func ms(v float64) string {
	switch {
	case v < 1:
		return fmt.Sprintf("%.2f ms", v)
	case v < 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

// seconds formats a duration in seconds.
func seconds(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f s", v)
	}
	return fmt.Sprintf("%.0f s", v)
}

// count formats a count with thousands separators: 10,003.
func count(n int) string {
	if n < 0 {
		return "-" + count(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// spread formats the mean of values and, when they differ, their range:
// "0.921 (0.912–0.928)".
func spread(mean float64, values []float64) string {
	lo, hi := values[0], values[0]
	for _, v := range values[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	if frac(lo) == frac(hi) {
		return frac(mean)
	}
	return fmt.Sprintf("%s (%s–%s)", frac(mean), frac(lo), frac(hi))
}
