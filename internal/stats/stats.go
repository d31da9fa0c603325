// Package stats holds the few summary statistics the project reports:
// nearest-rank percentiles and rounding for printed figures.
package stats

import (
	"math"
	"slices"
)

// Percentile returns the p-th percentile (0..100) of xs by nearest rank:
// the smallest value with at least p% of xs at or below it. It returns 0
// for no values and does not modify xs.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return SortedPercentile(s, p)
}

// SortedPercentile is Percentile of values already in increasing order,
// for callers that ask for several percentiles of one sample.
func SortedPercentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Median is the 50th percentile of xs by nearest rank (the lower middle
// value of an even count).
func Median(xs []float64) float64 { return Percentile(xs, 50) }

// Round rounds x to the given number of decimal places. Figures are
// printed and sent with three or four: more digits are noise that makes
// output harder to read and diff.
func Round(x float64, places int) float64 {
	f := math.Pow10(places)
	return math.Round(x*f) / f
}
