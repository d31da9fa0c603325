package engine

import "github.com/larkspur-labs/assist/internal/stats"

// roundMap rounds every weight to three decimals for the wire, as the
// engine rounds every score it publishes.
func roundMap(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = stats.Round(v, 3)
	}
	return out
}
