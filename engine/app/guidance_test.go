package app

import (
	"log/slog"
	"testing"

	"github.com/larkspur-labs/assist/kb"
)

func TestLoadGuidanceDefaultsAndNone(t *testing.T) {
	arts, err := kb.Sample()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                   string
		cfg                    GuidanceConfig
		flows, rules, profiles bool
		nilGuidance            bool
	}{
		{"the demo's, by default", DefaultGuidance, true, true, true, false},
		{"none switches a part off", GuidanceConfig{Flows: "kb", Rules: "none", Profiles: "NONE"}, true, false, false, false},
		{"all none is no guidance", GuidanceConfig{Flows: "none", Rules: "none", Profiles: "none"}, false, false, false, true},
		{"empty is no guidance", GuidanceConfig{}, false, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := loadGuidance(tt.cfg, arts, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if (g == nil) != tt.nilGuidance {
				t.Fatalf("guidance %+v, want nil %v", g, tt.nilGuidance)
			}
			if g == nil {
				return
			}
			if (len(g.Flows) > 0) != tt.flows || (g.Rules != nil) != tt.rules || (g.Profiles != nil) != tt.profiles {
				t.Errorf("flows %d, rules %v, profiles %v", len(g.Flows), g.Rules != nil, g.Profiles != nil)
			}
			if tt.rules && len(g.Rules.Offers) == 0 {
				t.Error("the bundled rules have no offers")
			}
		})
	}
}
