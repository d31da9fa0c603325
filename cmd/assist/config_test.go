package main

import (
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

func TestConfigMissingDefaultFileIsFine(t *testing.T) {
	t.Setenv("ASSIST_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	search := &cobra.Command{Use: "search"}
	if err := applyConfig(search); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ASSIST_CONFIG", filepath.Join(t.TempDir(), "absent.yaml"))
	if err := applyConfig(search); err == nil {
		t.Error("an explicit config file that does not exist is no error")
	}
}
