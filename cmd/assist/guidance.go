package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/assist/rules"
	"github.com/larkspur-labs/assist/engine"
	"github.com/spf13/pflag"
)

// guidanceFlags add guided flows, personalised offers and risk warnings.
type guidanceFlags struct {
	flows    string
	rules    string
	profiles string
}

func (f *guidanceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.flows, "flows", "", "guided flows: a folder of agent guidelines in ABCD's layout (guidelines.json, kb.json, ontology.json)")
	fs.StringVar(&f.rules, "rules", "", "offers and risk/compliance warnings: a rules file (YAML)")
	fs.StringVar(&f.profiles, "profiles", "", "customer profiles: a JSON or CSV file, or an http(s) URL answering GET <url>/<customer id>")
}

// load builds the guidance the flags ask for; nil when none. A rules or
// profiles file with some bad entries loads the rest and logs the problems.
func (f *guidanceFlags) load(log *slog.Logger) (*engine.Guidance, error) {
	if f.flows == "" && f.rules == "" && f.profiles == "" {
		return nil, nil
	}
	g := &engine.Guidance{}
	if f.flows != "" {
		fl, err := flows.LoadABCD(f.flows)
		if err != nil {
			return nil, fmt.Errorf("--flows: %w", err)
		}
		g.Flows, g.Matcher = fl, flows.NewTextMatcher(fl)
	}
	if f.rules != "" {
		rs, err := rules.LoadRules(f.rules)
		if rs == nil {
			return nil, fmt.Errorf("--rules: %w", err)
		}
		if err != nil {
			log.Warn("rules with errors left out; the rest is in force", "err", err)
		}
		g.Rules = rs
	}
	switch {
	case f.profiles == "":
	case strings.HasPrefix(f.profiles, "http://") || strings.HasPrefix(f.profiles, "https://"):
		g.Profiles = &rules.HTTPProfiles{BaseURL: f.profiles}
	default:
		ps, err := rules.LoadProfiles(f.profiles)
		if ps == nil {
			return nil, fmt.Errorf("--profiles: %w", err)
		}
		if err != nil {
			log.Warn("profiles with errors left out; the rest are loaded", "err", err)
		}
		g.Profiles = ps
	}
	return g, nil
}
