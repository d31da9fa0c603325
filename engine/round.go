package engine

import "math"

// Scores are rounded to three decimals on the wire: more digits are noise
// and make the NDJSON output harder to read and diff.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func roundMap(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = round3(v)
	}
	return out
}
