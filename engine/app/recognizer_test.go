package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio/sphinx"
)

func TestDigitsConfig(t *testing.T) {
	data := t.TempDir()
	t.Setenv("ASSIST_DATA", data)
	for _, c := range []struct {
		adapt, wantMLLR string
	}{
		{"", "shipped"},
		{DigitsAdaptOff, ""},
		{"/elsewhere/fold.mllr", "/elsewhere/fold.mllr"},
	} {
		sc := sphinx.DefaultConfig()
		if err := digitsConfig(&sc, c.adapt); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(sc.Dict); err != nil || filepath.Dir(sc.Dict) != filepath.Join(data, "cache", "sphinx") || !strings.Contains(string(b), "\nzero ") {
			t.Errorf("adapt %q: dictionary %s (%v), want the installed digits dictionary", c.adapt, sc.Dict, err)
		}
		switch c.wantMLLR {
		case "shipped":
			if _, err := os.Stat(sc.MLLR); err != nil || !strings.HasPrefix(filepath.Base(sc.MLLR), "fsdd-8k-") {
				t.Errorf("adapt %q: transform %q (%v), want the installed one", c.adapt, sc.MLLR, err)
			}
		default:
			if sc.MLLR != c.wantMLLR {
				t.Errorf("adapt %q: transform %q, want %q", c.adapt, sc.MLLR, c.wantMLLR)
			}
		}
		if sc.HMM != sphinx.DefaultConfig().HMM || sc.LM != sphinx.DefaultConfig().LM {
			t.Errorf("adapt %q: the acoustic or language model changed: %+v", c.adapt, sc)
		}
	}
}
