package kb

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestImportFileDetectsTheFormat(t *testing.T) {
	dir := t.TempDir()
	abcd := `{"Order Issue": {"description": "orders", "subflows": {
		"Manage Cancel": {"instructions": ["The customer ordered twice."], "actions": [{"button": "Pull up Account", "text": "Get the name."}]}}}}`
	for _, tt := range []struct {
		file, content, format string
		want                  string // id of the imported article
	}{
		{"faqs.csv", "question,answer,intent\nhow do I cancel,In the app.,cancel_order\n", "", "cancel-order"},
		{"faqs.JSONL", `{"text": "where is it", "response": "On its way.", "label": "track"}` + "\n", "", "track"},
		{"guidelines.json", abcd, "", "order-issue-manage-cancel"},
		{"guidelines.txt", abcd, "", "order-issue-manage-cancel"},
		{"faqs.txt", "question,answer\nhi,Hello.\n", FormatFAQCSV, "hi"},
	} {
		path := filepath.Join(dir, tt.file)
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		articles, err := ImportFile(path, tt.format)
		if err != nil || len(articles) != 1 || articles[0].ID != tt.want {
			t.Errorf("%s: %v, %v; want article %s", tt.file, articles, err, tt.want)
		}
	}

	unknown := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(unknown, []byte("question,answer\nhi,Hello.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportFile(unknown, ""); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("undetectable format: %v, want ErrUnknownFormat", err)
	}
	if _, err := ImportFile(filepath.Join(dir, "missing.csv"), ""); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestProblemsListsEveryJoinedError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(path, []byte("question,answer\n,x\ny,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ImportFile(path, "")
	problems := Problems(err)
	if len(problems) != 2 || problems[0].Error() != path+`:2: empty question ("question")` {
		t.Errorf("problems = %q", problems)
	}
	single := errors.New("read failed")
	if p := Problems(single); len(p) != 1 || p[0] != single {
		t.Errorf("a single error: %v", p)
	}
}
