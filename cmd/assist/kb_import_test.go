package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/kb"
)

func TestKBImportFlags(t *testing.T) {
	var got *app.ImportOptions
	cmd := newKBImportCmd(streams{}, func(o *app.ImportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--format", "abcd", "--out", "dir", "g.json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "g.json" || got.Format != "abcd" || got.OutDir != "dir" {
		t.Errorf("options = %+v", got)
	}

	for _, args := range [][]string{
		{"--out", "dir"},
		{"a.csv", "b.csv", "--out", "dir"},
		{"a.csv"},
		{"a.csv", "--out", "dir", "--format", "xml"},
	} {
		cmd := newKBImportCmd(streams{}, func(*app.ImportOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		var ue usageError
		if err := cmd.Execute(); !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestKBImport(t *testing.T) {
	dir := t.TempDir()
	abcd := `{"Order Issue": {"description": "orders", "subflows": {
		"Manage Cancel": {"instructions": ["The customer ordered twice."], "actions": [{"button": "Pull up Account", "text": "Get the name."}]}}}}`
	tests := []struct {
		file, content, format string
		want                  string // id of an imported article
	}{
		{"faqs.csv", "question,answer,intent\nhow do I cancel,In the app.,cancel_order\n", "", "cancel-order"},
		{"faqs.JSONL", `{"text": "where is it", "response": "On its way.", "label": "track"}` + "\n", "", "track"},
		{"guidelines.json", abcd, "", "order-issue-manage-cancel"},
		{"guidelines.txt", abcd, "", "order-issue-manage-cancel"},
		{"faqs.txt", "question,answer\nhi,Hello.\n", "faq-csv", "hi"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := filepath.Join(dir, tt.file)
			out := filepath.Join(dir, "out-"+tt.file)
			writeTestFile(t, in, tt.content)
			args := []string{in, "--out", out}
			if tt.format != "" {
				args = append(args, "--format", tt.format)
			}
			stdout, err := executeImport(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			if want := "imported 1 articles into " + out + "\n"; stdout != want {
				t.Errorf("stdout = %q, want %q", stdout, want)
			}
			articles, err := kb.LoadDir(out)
			if err != nil || len(articles) != 1 || articles[0].ID != tt.want {
				t.Errorf("LoadDir = %v, %v; want article %s", articles, err, tt.want)
			}
		})
	}
}

func TestKBImportFailures(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	writeTestFile(t, bad, "question,answer\n,x\ny,\n")
	stdout, err := executeImport(t, bad, "--out", filepath.Join(dir, "out"))
	if err == nil || !strings.Contains(err.Error(), "2 problem(s), nothing imported") {
		t.Errorf("bad rows: %v", err)
	}
	if want := bad + ":2: empty question (\"question\")\n" + bad + ":3: empty answer (\"answer\")\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("output folder created for a failed import")
	}

	unknown := filepath.Join(dir, "faqs.txt")
	writeTestFile(t, unknown, "question,answer\nhi,Hello.\n")
	var ue usageError
	if _, err := executeImport(t, unknown, "--out", dir); !errors.As(err, &ue) {
		t.Errorf("undetectable format: %v, want a usage error", err)
	}

	// A second import of changed content must not overwrite the first.
	good := filepath.Join(dir, "good.csv")
	out := filepath.Join(dir, "kb")
	writeTestFile(t, good, "question,answer\nhi,Hello.\n")
	if _, err := executeImport(t, good, "--out", out); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, good, "question,answer\nhi,Changed.\n")
	if _, err := executeImport(t, good, "--out", out); err == nil || !strings.Contains(err.Error(), "not overwritten") {
		t.Errorf("changed re-import: %v", err)
	}
}

func TestKBImportABCDGuidelines(t *testing.T) {
	in := datasetstest.Sample(t, "abcd/guidelines.json")
	out := filepath.Join(t.TempDir(), "abcd")
	stdout, err := executeImport(t, in, "--out", out)
	if err != nil || stdout != "imported 55 articles into "+out+"\n" {
		t.Fatalf("import: %v\n%s", err, stdout)
	}
	if articles, err := kb.LoadDir(out); err != nil || len(articles) != 55 {
		t.Errorf("LoadDir: %d articles, %v", len(articles), err)
	}
}

// executeImport runs kb import with args and returns what it printed. The
// command is built directly: the kb command group adds it elsewhere.
func executeImport(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newKBImportCmd(streams{in: strings.NewReader(""), out: &out, err: &errOut}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.Execute()
	return out.String(), err
}

func writeTestFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
