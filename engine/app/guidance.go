package app

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
)

// loadGuidance builds the configured guidance; nil when none. articles is
// the knowledge base in use, for flows from "kb". A rules or profiles file
// with some bad entries loads the rest and logs the problems. "" and
// "none" switch a part off; "bundled" rules and profiles are the sample
// center's, built in.
func loadGuidance(cfg GuidanceConfig, articles []kb.Article, log *slog.Logger) (*guide.Config, error) {
	cfg = cfg.normalized()
	if cfg.Flows == "" && cfg.Rules == "" && cfg.Profiles == "" {
		return nil, nil
	}
	g := &guide.Config{}
	if cfg.Flows != "" {
		fl, err := loadFlows(cfg.Flows, articles)
		if err != nil {
			return nil, fmt.Errorf("--flows: %w", err)
		}
		if len(fl) == 0 {
			return nil, configErrorf("--flows %s: no article has two or more follow-up actions to make a flow of", cfg.Flows)
		}
		g.Flows, g.Matcher = fl, flows.NewTextMatcher(fl)
	}
	switch cfg.Rules {
	case "":
	case rules.Bundled:
		rs, err := rules.BundledRules()
		if err != nil {
			return nil, fmt.Errorf("--rules bundled: %w", err)
		}
		g.Rules = rs
	default:
		rs, err := rules.LoadRules(cfg.Rules)
		if rs == nil {
			return nil, fmt.Errorf("--rules: %w", err)
		}
		if err != nil {
			log.Warn("rules with errors left out; the rest is in force", "err", err)
		}
		g.Rules = rs
	}
	switch {
	case cfg.Profiles == "":
	case cfg.Profiles == rules.Bundled:
		ps, err := rules.BundledProfiles()
		if err != nil {
			return nil, fmt.Errorf("--profiles bundled: %w", err)
		}
		g.Profiles = ps
	case strings.HasPrefix(cfg.Profiles, "http://") || strings.HasPrefix(cfg.Profiles, "https://"):
		g.Profiles = &rules.HTTPProfiles{BaseURL: cfg.Profiles}
	default:
		ps, err := rules.LoadProfiles(cfg.Profiles)
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

// normalized is the config with "none" as "".
func (c GuidanceConfig) normalized() GuidanceConfig {
	for _, v := range []*string{&c.Flows, &c.Rules, &c.Profiles} {
		if strings.EqualFold(strings.TrimSpace(*v), "none") {
			*v = ""
		}
	}
	return c
}
