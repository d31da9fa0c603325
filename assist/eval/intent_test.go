package eval

import (
	"context"
	"fmt"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/kb/intent"
)

func TestHoldOutFoldsPartitionEachIntent(t *testing.T) {
	var examples []intent.Example
	for i := range 7 {
		examples = append(examples, intent.Example{Text: fmt.Sprint("a", i), Label: "a"}, intent.Example{Text: fmt.Sprint("b", i), Label: "b"})
	}
	tested := map[string]int{}
	for fold := range 3 {
		train, test := holdOut(examples, 3, fold)
		if len(train)+len(test) != len(examples) {
			t.Fatalf("fold %d: %d + %d examples, want %d", fold, len(train), len(test), len(examples))
		}
		for _, ex := range test {
			tested[ex.Text]++
		}
	}
	for _, ex := range examples {
		if tested[ex.Text] != 1 {
			t.Errorf("%s tested %d times over the folds, want once", ex.Text, tested[ex.Text])
		}
	}
	if _, test := holdOut(examples, 3, 2); len(test) != 4 || test[0].Text != "a2" {
		t.Errorf("fold 2 tests %v, want a2, b2, a5, b5", test)
	}
}

// TestIntentOnTheSamples runs the intent evaluation on the BANKING77 and
// CLINC150 samples (5 rows per intent): the figures are not the data sets',
// only the plumbing is checked.
func TestIntentOnTheSamples(t *testing.T) {
	banking := datasetstest.Sample(t, "banking77/train.csv")
	set, err := Banking77(banking, "", 5, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Train) != 308 || len(set.Test) != 77 {
		t.Errorf("BANKING77 sample: %d training and %d test rows, want 308 and 77", len(set.Train), len(set.Test))
	}
	if set, err := Banking77(banking, banking, 5, 4); err != nil || len(set.Train) != 385 || len(set.Test) != 385 {
		t.Errorf("with a test file: %d and %d rows, %v", len(set.Train), len(set.Test), err)
	}
	clinc := datasetstest.Sample(t, "clinc150/train_val.json")
	set, err = CLINC150(clinc, clinc, CLINC150Options{})
	if err != nil {
		t.Fatal(err)
	}
	if set.TestSplit != "val" || len(set.Train) != 750 || len(set.Test) != 300 || len(set.OutOfScope) != 20 || len(set.OutOfScopeTrain) != 20 {
		t.Errorf("CLINC150 sample: split %q, %d/%d train, %d/%d test", set.TestSplit, len(set.Train), len(set.OutOfScopeTrain), len(set.Test), len(set.OutOfScope))
	}
	// Ten intents keep the training short.
	keep := map[string]bool{}
	for _, ex := range set.Train {
		if len(keep) < 10 {
			keep[ex.Label] = true
		}
	}
	only := func(examples []intent.Example) []intent.Example {
		var out []intent.Example
		for _, ex := range examples {
			if keep[ex.Label] {
				out = append(out, ex)
			}
		}
		return out
	}
	set.Train, set.Test = only(set.Train), only(set.Test)
	rep, err := Intent(context.Background(), set, IntentOptions{Threshold: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != 20 || rep.NOOS != 20 || rep.Articles != 11 || rep.InScopeAccuracy == nil || rep.OOSRecall == nil || rep.Top3 < rep.Top1 || rep.Top1 <= 0 {
		t.Errorf("report %+v", rep)
	}
	if _, err := CLINC150(banking, clinc, CLINC150Options{}); err == nil {
		t.Error("a CSV was read as CLINC150")
	}
}

// TestCLINC150Splits reads the CLINC150 sample (5 train and 2 val rows of
// each intent, 20 oos_train and 20 oos_val) every way eval intent can.
func TestCLINC150Splits(t *testing.T) {
	clinc := datasetstest.Sample(t, "clinc150/train_val.json")
	for _, tc := range []struct {
		opts                             CLINC150Options
		split                            string
		train, oosTrain, test, oosTested int
	}{
		{CLINC150Options{Split: CLINC150Val}, CLINC150Val, 750, 20, 300, 20},
		{CLINC150Options{NoOutOfScopeArticle: true}, CLINC150Val, 750, 0, 300, 20},
		{CLINC150Options{Split: CLINC150Tuning}, CLINC150Tuning, 600, 10, 150, 10},
		{CLINC150Options{Split: CLINC150Tuning, NoOutOfScopeArticle: true}, CLINC150Tuning, 600, 0, 150, 20},
	} {
		set, err := CLINC150(clinc, "", tc.opts)
		if tc.split != CLINC150Tuning {
			set, err = CLINC150(clinc, clinc, tc.opts)
		}
		if err != nil {
			t.Errorf("%+v: %v", tc.opts, err)
			continue
		}
		if set.TestSplit != tc.split || len(set.Train) != tc.train || len(set.OutOfScopeTrain) != tc.oosTrain ||
			len(set.Test) != tc.test || len(set.OutOfScope) != tc.oosTested {
			t.Errorf("%+v: split %q, %d/%d train, %d/%d test; want %q, %d/%d, %d/%d", tc.opts, set.TestSplit,
				len(set.Train), len(set.OutOfScopeTrain), len(set.Test), len(set.OutOfScope),
				tc.split, tc.train, tc.oosTrain, tc.test, tc.oosTested)
		}
	}
	tuning, err := CLINC150(clinc, "", CLINC150Options{Split: CLINC150Tuning})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ex := range tuning.Train {
		seen[ex.Text] = true
	}
	for _, ex := range tuning.Test {
		if seen[ex.Text] {
			t.Errorf("%q is both trained on and tested", ex.Text)
		}
	}
	for _, q := range tuning.OutOfScopeTrain {
		seen[q] = true
	}
	for _, q := range tuning.OutOfScope {
		if seen[q] {
			t.Errorf("out-of-scope %q is both trained on and tested", q)
		}
	}
	if _, err := CLINC150(clinc, clinc, CLINC150Options{Split: "dev"}); err == nil {
		t.Error("an unknown split was read")
	}
}
