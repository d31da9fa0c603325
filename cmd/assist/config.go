package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// The config file gives flags their values when neither the command line
// nor the environment does. It is YAML: top-level keys are flag names for
// every command that has the flag, and a command's name holds keys for
// that command alone ("kb search" nests as kb: search:). API keys never go
// here: they come from the environment only.
//
//	llm-url: http://localhost:8000/v1
//	llm-model: Qwen/Qwen2.5-7B-Instruct
//	serve:
//	  listen: 0.0.0.0:8080
//
// The file is $ASSIST_CONFIG, else $XDG_CONFIG_HOME/assist/config.yaml
// (~/.config/assist/config.yaml); a missing default file is no error.

// configPath returns the config file to read and whether it was asked for
// explicitly (then it must exist).
func configPath() (path string, explicit bool) {
	if p := os.Getenv("ASSIST_CONFIG"); p != "" {
		return p, true
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", false
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "assist", "config.yaml"), false
}

// envOfFlag finds the environment variable a flag's usage names, as in
// "($ASSIST_LLM_URL)".
var envOfFlag = regexp.MustCompile(`\(\$(ASSIST_[A-Z0-9_]+)`)

// applyConfig sets the command's flags that were not given on the command
// line or through their environment variable from the config file.
func applyConfig(cmd *cobra.Command) error {
	path, explicit := configPath()
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil
	}
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
