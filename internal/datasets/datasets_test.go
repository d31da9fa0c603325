package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "train.csv")
	if _, err := Load(path, ReadBanking77); !os.IsNotExist(err) || !strings.Contains(err.Error(), path) {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte("text,category\nhi,greet\n ,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, ReadBanking77); errText(err) != path+":3: empty text or category" {
		t.Errorf("bad row: %v", err)
	}
}

// errText is err's message, or "<nil>".
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// writeFiles writes name → content into a new folder and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
