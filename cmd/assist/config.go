package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/larkspur-labs/assist/internal/flagfile"
	"github.com/spf13/cobra"
)

// The config file gives flags their values when neither the command line
// nor the environment does (see internal/flagfile). API keys never go
// there: they come from the environment only. The file is $ASSIST_CONFIG,
// else $XDG_CONFIG_HOME/assist/config.yaml (~/.config/assist/config.yaml);
// a missing default file is no error.

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

// applyConfig sets the command's flags that were not given on the command
// line or through their environment variable from the config file.
func applyConfig(cmd *cobra.Command) error {
	path, explicit := configPath()
	if path == "" {
		return nil
	}
	err := flagfile.Apply(path, cmd)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil
	}
	return err
}
