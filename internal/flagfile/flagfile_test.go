package flagfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// configCmd builds root → kb → search with a few flags, like the real tree.
func configCmd(t *testing.T) (*cobra.Command, *cobra.Command, map[string]*string) {
	t.Helper()
	vals := map[string]*string{"llm-url": new(string), "llm-model": new(string), "kb": new(string)}
	root := &cobra.Command{Use: "assist"}
	kbCmd := &cobra.Command{Use: "kb"}
	search := &cobra.Command{Use: "search", Run: func(*cobra.Command, []string) {}}
	search.Flags().StringVar(vals["llm-url"], "llm-url", os.Getenv("ASSIST_LLM_URL"), "server ($ASSIST_LLM_URL)")
	search.Flags().StringVar(vals["llm-model"], "llm-model", "", "model")
	search.Flags().StringVar(vals["kb"], "kb", "", "folder")
	kbCmd.AddCommand(search)
	root.AddCommand(kbCmd)
	return root, search, vals
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigFillsUnsetFlags(t *testing.T) {
	path := writeConfig(t, "llm-url: http://gpu:8000/v1\nllm-model: top\nlisten: 0.0.0.0:1\nkb:\n  search:\n    llm-model: section\n    kb: ./articles\n")
	t.Setenv("ASSIST_LLM_URL", "")
	_, search, vals := configCmd(t)
	if err := search.Flags().Parse([]string{"--kb", "./mine"}); err != nil {
		t.Fatal(err)
	}
	if err := Apply(path, search); err != nil {
		t.Fatal(err)
	}
	// The command line wins; the command's section beats the top level.
	if *vals["kb"] != "./mine" || *vals["llm-model"] != "section" || *vals["llm-url"] != "http://gpu:8000/v1" {
		t.Errorf("flags = kb %q, llm-model %q, llm-url %q", *vals["kb"], *vals["llm-model"], *vals["llm-url"])
	}
}

func TestConfigYieldsToTheEnvironment(t *testing.T) {
	path := writeConfig(t, "llm-url: http://from-config/v1\n")
	t.Setenv("ASSIST_LLM_URL", "http://from-env/v1")
	_, search, vals := configCmd(t)
	if err := Apply(path, search); err != nil {
		t.Fatal(err)
	}
	if *vals["llm-url"] != "http://from-env/v1" {
		t.Errorf("llm-url = %q", *vals["llm-url"])
	}
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	for text, want := range map[string]string{
		"kb:\n  search:\n    llm-modle: x\n": "config.yaml:3: assist kb search has no flag --llm-modle",
		"kb:\n  search: [1, 2]\n":            "config.yaml:2:",
		"- just\n- a list\n":                 "config.yaml:1:",
		"llm-url: [unclosed\n":               "config",
	} {
		path := writeConfig(t, text)
		_, search, _ := configCmd(t)
		err := Apply(path, search)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", text, err, want)
		}
	}
}
