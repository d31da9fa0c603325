package sphinx

import (
	"slices"
	"testing"
)

func TestOptionsOverrideTunedDefaults(t *testing.T) {
	cfg := Config{Options: []string{"-maxhmmpf", "30000", "-beam", "1e-60"}}
	got := cfg.options()
	want := slices.Clone(tunedOptions)
	want[nameIndex(want, "-maxhmmpf")+1] = "30000"
	want = append(want, "-beam", "1e-60")
	if !slices.Equal(got, want) {
		t.Errorf("options() = %q, want %q", got, want)
	}
	if tunedOptions[nameIndex(tunedOptions, "-maxhmmpf")+1] == "30000" {
		t.Error("options() changed the tuned defaults")
	}
	odd := Config{Options: []string{"-beam"}}.options()
	if odd[len(odd)-1] != "-beam" {
		t.Errorf("a name without a value is dropped: %q", odd)
	}
}
