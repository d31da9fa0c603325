package stats

import "testing"

func TestPercentileIsNearestRank(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, tc := range []struct{ p, want float64 }{
		{0, 1}, {10, 1}, {11, 2}, {50, 5}, {90, 9}, {99, 10}, {100, 10},
	} {
		if got := Percentile(xs, tc.p); got != tc.want {
			t.Errorf("Percentile(p=%g) = %g, want %g", tc.p, got, tc.want)
		}
	}
	if xs[0] != 5 {
		t.Error("Percentile sorted its input")
	}
	if Percentile(nil, 50) != 0 || Median([]float64{3, 1, 2}) != 2 {
		t.Error("empty or odd median")
	}
}

func TestRound(t *testing.T) {
	if got := Round(0.12345, 3); got != 0.123 {
		t.Errorf("Round(0.12345, 3) = %g", got)
	}
	if got := Round(-0.98765, 4); got != -0.9877 {
		t.Errorf("Round(-0.98765, 4) = %g", got)
	}
}
