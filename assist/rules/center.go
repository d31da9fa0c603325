package rules

import (
	"embed"
	"fmt"
)

// Bundled names the sample center's rules and profiles built into the
// binary, as --rules and --profiles take it: Larkspur Bank's offers and
// warnings and the profiles of the bundled calls' customers, the guidance
// the demo and, by default, the service use.
const Bundled = "bundled"

//go:embed center/center.yaml center/customers.json
var centerFS embed.FS

// BundledRules returns the sample center's rules (center/center.yaml).
func BundledRules() (*RuleSet, error) {
	data, err := centerFS.ReadFile("center/center.yaml")
	if err != nil {
		return nil, fmt.Errorf("bundled rules: %w", err)
	}
	return ParseRules("bundled center.yaml", data)
}

// BundledProfiles returns the profiles of the sample calls' customers
// (center/customers.json).
func BundledProfiles() (*Profiles, error) {
	data, err := centerFS.ReadFile("center/customers.json")
	if err != nil {
		return nil, fmt.Errorf("bundled profiles: %w", err)
	}
	return parseJSONProfiles("bundled customers.json", data)
}
