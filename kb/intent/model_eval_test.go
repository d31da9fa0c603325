//go:build eval

package intent

import (
	"math"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// TestBanking77HeldOut trains on four fifths of BANKING77's training file and
// pins accuracy and calibration on the held-out fifth.
func TestBanking77HeldOut(t *testing.T) {
	rows, err := datasets.Load(datasetstest.Full(t, "banking77/train.csv"), datasets.ReadBanking77)
	if err != nil {
		t.Fatal(err)
	}
	if raceEnabled {
		rows = firstLabels(rows, 15)
	}
	train, test := splitEveryFifth(rows)
	m, err := Train(train, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var top1, top3 int
	var bins [10]struct {
		n, right int
		conf     float64
	}
	for _, ex := range test {
		p := m.Predict(ex.Text)
		right := p[0].Label == ex.Label
		if right {
			top1++
		}
		for _, q := range p[:3] {
			if q.Label == ex.Label {
				top3++
			}
		}
		b := &bins[min(int(p[0].Prob*10), 9)]
		b.n++
		b.conf += p[0].Prob
		if right {
			b.right++
		}
	}
	n := float64(len(test))
	var ece float64
	for _, b := range bins {
		if b.n > 0 {
			ece += math.Abs(float64(b.right)-b.conf) / n
		}
	}
	t.Logf("BANKING77 held-out fifth: n %d, top-1 %.4f, top-3 %.4f, ECE %.3f, temperature %.2f",
		len(test), float64(top1)/n, float64(top3)/n, ece, m.Temperature())
	if acc := float64(top1) / n; acc < 0.89 {
		t.Errorf("top-1 %.4f, want >= 0.89", acc)
	}
	if acc := float64(top3) / n; acc < 0.95 {
		t.Errorf("top-3 %.4f, want >= 0.95", acc)
	}
	if ece > 0.05 {
		t.Errorf("expected calibration error %.3f, want <= 0.05", ece)
	}
}

// firstLabels keeps the rows of the first n labels to appear.
func firstLabels(rows []datasets.Example, n int) []datasets.Example {
	keep := map[string]bool{}
	var out []datasets.Example
	for _, r := range rows {
		if !keep[r.Label] && len(keep) < n {
			keep[r.Label] = true
		}
		if keep[r.Label] {
			out = append(out, r)
		}
	}
	return out
}

// splitEveryFifth holds out every fifth example of each label.
func splitEveryFifth(rows []datasets.Example) (train, test []Example) {
	seen := map[string]int{}
	for _, r := range rows {
		ex := Example(r)
		if seen[ex.Label]%5 == 4 {
			test = append(test, ex)
		} else {
			train = append(train, ex)
		}
		seen[ex.Label]++
	}
	return train, test
}
