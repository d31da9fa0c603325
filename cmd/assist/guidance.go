package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/assist/guide"
	"github.com/larkspur-labs/assist/assist/rules"
	"github.com/larkspur-labs/assist/kb"
	"github.com/spf13/pflag"
)

// guidanceFlags add guided flows, personalised offers and risk warnings.
type guidanceFlags struct {
	flows    string
	rules    string
	profiles string
}

func (f *guidanceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.flows, "flows", "", "guided flows: kb (the knowledge base's articles with follow-up actions), a folder of Markdown articles, or agent guidelines in ABCD's layout (guidelines.json, kb.json, ontology.json)")
	fs.StringVar(&f.rules, "rules", "", "offers and risk/compliance warnings: a rules file (YAML)")
	fs.StringVar(&f.profiles, "profiles", "", "customer profiles: a JSON or CSV file, or an http(s) URL answering GET <url>/<customer id>")
}

// load builds the guidance the flags ask for; nil when none. articles is
// the knowledge base in use, for --flows kb. A rules or profiles file with
// some bad entries loads the rest and logs the problems.
func (f *guidanceFlags) load(articles []kb.Article, log *slog.Logger) (*guide.Config, error) {
	if f.flows == "" && f.rules == "" && f.profiles == "" {
		return nil, nil
	}
	g := &guide.Config{}
	if f.flows != "" {
		fl, err := loadFlows(f.flows, articles)
		if err != nil {
			return nil, fmt.Errorf("--flows: %w", err)
		}
		if len(fl) == 0 {
			return nil, usagef("--flows %s: no article has two or more follow-up actions to make a flow of", f.flows)
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

// loadFlows reads flows from the knowledge base in use ("kb"), from ABCD
// guidelines (a folder with guidelines.json), or from a folder of articles.
func loadFlows(src string, articles []kb.Article) ([]flows.Flow, error) {
	if src == "kb" {
		return flows.FromArticles(articles), nil
	}
	if _, err := os.Stat(filepath.Join(src, "guidelines.json")); err == nil {
		return flows.LoadABCD(src)
	}
	arts, err := kb.LoadDir(src)
	if err != nil {
		return nil, err
	}
	return flows.FromArticles(arts), nil
}
