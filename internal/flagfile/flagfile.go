// Package flagfile gives a command's flags values from a YAML file when
// neither the command line nor the environment does. Top-level keys are
// flag names for every command that has the flag, and a command's name
// holds keys for that command alone ("assist kb search" nests as kb:
// search:, its root's name left out); a section's keys win over the top
// level's.
//
//	llm-url: http://localhost:8000/v1
//	llm-model: Qwen/Qwen2.5-7B-Instruct
//	serve:
//	  listen: 0.0.0.0:8080
//
// A flag's environment variable is the one its usage names in parentheses,
// as in "chat server ($ASSIST_LLM_URL)": when that variable is set, the
// file leaves the flag alone.
package flagfile

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// envOfFlag finds the environment variable a flag's usage names, as in
// "($ASSIST_LLM_URL)".
var envOfFlag = regexp.MustCompile(`\(\$([A-Z][A-Z0-9_]*)`)

// Apply sets the flags of cmd that were given neither on the command line
// nor through their environment variable from the YAML file at path. A
// file that does not exist is an error that wraps fs.ErrNotExist.
func Apply(path string, cmd *cobra.Command) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if len(root.Content) == 0 {
		return nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: the config is a mapping of flag names to values", path, top.Line)
	}
	// The command's own section: "kb search" is kb: search:.
	section := (*yaml.Node)(nil)
	names := strings.Fields(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()))
	node := top
	for i, name := range names {
		node = mappingValue(node, name)
		if node == nil {
			break
		}
		if i == len(names)-1 {
			section = node
		}
	}
	apply := func(m *yaml.Node, strict bool) error {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			f := cmd.Flags().Lookup(k.Value)
			if f == nil {
				if strict {
					return fmt.Errorf("%s:%d: %s has no flag --%s", path, k.Line, cmd.CommandPath(), k.Value)
				}
				continue // a flag of other commands, or a command section
			}
			if v.Kind == yaml.MappingNode && !strict {
				continue // a command's section that shares a flag's name (kb)
			}
			if v.Kind != yaml.ScalarNode && v.Kind != yaml.SequenceNode {
				return fmt.Errorf("%s:%d: --%s takes a value, not a mapping", path, v.Line, k.Value)
			}
			if err := setFromConfig(f, v); err != nil {
				return fmt.Errorf("%s:%d: --%s: %w", path, v.Line, k.Value, err)
			}
		}
		return nil
	}
	if section != nil {
		if section.Kind != yaml.MappingNode {
			return fmt.Errorf("%s:%d: %s: want a mapping of flag names to values", path, section.Line, cmd.CommandPath())
		}
		if err := apply(section, true); err != nil {
			return err
		}
	}
	return apply(top, false)
}

// setFromConfig sets a flag unless the command line or its environment
// variable already did.
func setFromConfig(f *pflag.Flag, v *yaml.Node) error {
	if f.Changed {
		return nil
	}
	if m := envOfFlag.FindStringSubmatch(f.Usage); m != nil && os.Getenv(m[1]) != "" {
		return nil
	}
	values := []string{v.Value}
	if v.Kind == yaml.SequenceNode {
		values = values[:0]
		for _, item := range v.Content {
			values = append(values, item.Value)
		}
	}
	for _, val := range values {
		if err := f.Value.Set(val); err != nil {
			return err
		}
	}
	f.Changed = true
	return nil
}

// mappingValue returns the value of key in a mapping node, nil if absent.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
