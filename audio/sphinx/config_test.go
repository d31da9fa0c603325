package sphinx

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOptionsOverrideTunedDefaults(t *testing.T) {
	cfg := Config{Options: []string{"-maxhmmpf", "30000", "-beam", "1e-60"}}
	got := cfg.options(false)
	want := slices.Clone(tunedOptions)
	want[nameIndex(want, "-maxhmmpf")+1] = "30000"
	want = append(want, "-beam", "1e-60")
	if !slices.Equal(got, want) {
		t.Errorf("options(false) = %q, want %q", got, want)
	}
	if tunedOptions[nameIndex(tunedOptions, "-maxhmmpf")+1] == "30000" {
		t.Error("options() changed the tuned defaults")
	}
	odd := Config{Options: []string{"-beam"}}.options(false)
	if odd[len(odd)-1] != "-beam" {
		t.Errorf("a name without a value is dropped: %q", odd)
	}
}

func TestGrammarOptionsAndTransform(t *testing.T) {
	cfg := Config{MLLR: "/x/fsdd.mllr", Options: []string{"-wip", "0.5"}}
	value := func(opts []string, name string) string {
		if i := nameIndex(opts, name); i >= 0 {
			return opts[i+1]
		}
		return ""
	}
	for _, c := range []struct {
		grammar             bool
		beam, wip, maxhmmpf string
	}{
		// The open model keeps the tuned live search; the grammar gets
		// its wide beams; Config.Options win over both.
		{false, "", "0.5", value(tunedOptions, "-maxhmmpf")},
		{true, value(digitsOptions, "-beam"), "0.5", "-1"},
	} {
		got := cfg.options(c.grammar)
		for _, name := range []string{"-beam", "-wip", "-maxhmmpf", "-mllr"} {
			if n := countName(got, name); n > 1 {
				t.Errorf("grammar %v: %s given %d times: %q", c.grammar, name, n, got)
			}
		}
		if value(got, "-beam") != c.beam || value(got, "-wip") != c.wip || value(got, "-maxhmmpf") != c.maxhmmpf {
			t.Errorf("grammar %v: -beam %q -wip %q -maxhmmpf %q, want %q %q %q", c.grammar,
				value(got, "-beam"), value(got, "-wip"), value(got, "-maxhmmpf"), c.beam, c.wip, c.maxhmmpf)
		}
		if value(got, "-mllr") != cfg.MLLR {
			t.Errorf("grammar %v: -mllr %q, want %q", c.grammar, value(got, "-mllr"), cfg.MLLR)
		}
	}
	if got := (Config{}).options(true); nameIndex(got, "-mllr") >= 0 {
		t.Errorf("no transform configured, yet -mllr in %q", got)
	}
}

// countName counts the pairs of a name-value list that set name.
func countName(pairs []string, name string) int {
	n := 0
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i] == name {
			n++
		}
	}
	return n
}

func TestMissingTransformIsAnError(t *testing.T) {
	cfg := DefaultConfig()
	need(t, cfg.check())
	cfg.MLLR = filepath.Join(t.TempDir(), "none.mllr")
	if err := cfg.check(); err == nil || !strings.Contains(err.Error(), cfg.MLLR) {
		t.Errorf("check with a missing transform: %v, want an error naming it", err)
	}
}

func TestDigitsLMIsChecked(t *testing.T) {
	cfg := DefaultConfig()
	need(t, cfg.check())
	for _, c := range []struct {
		name   string
		lm     string
		weight float64
		want   string // in the error; "" for none
	}{
		{"missing model", filepath.Join(t.TempDir(), "none.arpa"), 0, "none.arpa"},
		{"negative weight", "", -0.1, "weight"},
		{"all the weight", "", 1, "weight"},
		{"default weight", "", 0, ""},
	} {
		cfg := cfg
		cfg.DigitsLM, cfg.DigitsLMWeight = c.lm, c.weight
		err := cfg.check()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: check = %v, want an error with %q", c.name, err, c.want)
		}
	}
	if w := (Config{}).digitsLMWeight(); w != DefaultDigitsLMWeight {
		t.Errorf("zero weight = %g, want the default %g", w, DefaultDigitsLMWeight)
	}
}
