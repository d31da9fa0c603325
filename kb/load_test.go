package kb

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadFSReportsEveryProblem(t *testing.T) {
	_, err := LoadDir("testdata/broken")
	if err == nil {
		t.Fatal("LoadDir succeeded on a folder of broken files")
	}
	dir := filepath.Join("testdata", "broken")
	at := func(file string, line int) string { return filepath.Join(dir, file) + ":" + strconv.Itoa(line) + ": " }
	want := []string{
		at("bad-id.md", 2) + `invalid id "Card_Lost"`,
		at("bad-type.md", 5) + "bad YAML: cannot unmarshal",
		at("bad-yaml.md", 6) + "bad YAML: mapping values are not allowed",
		at("dup-b.md", 3) + `duplicate id "shared-id": already used by ` + filepath.Join(dir, "dup-a.md") + ":2",
		at("empty.md", 1) + "empty file",
		at("missing-answer.md", 1) + "missing answer",
		at("missing-id-title.md", 1) + "missing id",
		at("missing-id-title.md", 1) + "missing title",
		at("missing-id-title.md", 1) + "missing answer",
		at("no-front-matter.md", 1) + "no front matter",
		at("unclosed.md", 1) + "front matter opened here is never closed",
		at("unknown-field.md", 4) + `unknown field "anwser"`,
		at("unknown-field.md", 1) + "missing answer",
	}
	got := problems(err)
	if len(got) != len(want) {
		t.Fatalf("got %d problems:\n%s\nwant %d", len(got), strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
}

func TestLoadDirSkipsOtherFiles(t *testing.T) {
	articles, err := LoadDir("testdata/good")
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	var ids, sources []string
	for _, a := range articles {
		ids = append(ids, a.ID)
		sources = append(sources, a.Source)
	}
	if strings.Join(ids, ",") != "alpha,beta" {
		t.Errorf("ids = %v, want [alpha beta] (README.txt and sub/ skipped)", ids)
	}
	if want := filepath.Join("testdata", "good", "alpha.md"); sources[0] != want {
		t.Errorf("Source = %q, want %q", sources[0], want)
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"kb/b.md": {Data: []byte("---\nid: b\ntitle: B\nanswer: Bee.\n---\n")},
		"kb/a.md": {Data: []byte("---\nid: a\ntitle: A\nanswer: Ay.\n---\n")},
	}
	articles, err := LoadFS(fsys, "kb")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if len(articles) != 2 || articles[0].ID != "a" || articles[0].Source != "kb/a.md" {
		t.Errorf("LoadFS = %+v, want a then b, sources under kb/", articles)
	}
}

func TestLoadFSEmptyOrMissingFolder(t *testing.T) {
	fsys := fstest.MapFS{"kb/readme.txt": {Data: []byte("hi")}}
	if _, err := LoadFS(fsys, "kb"); err == nil || !strings.Contains(err.Error(), "no .md articles") {
		t.Errorf("LoadFS(folder without articles) error = %v, want no .md articles", err)
	}
	if _, err := LoadFS(fsys, "nowhere"); err == nil {
		t.Error("LoadFS(missing folder) succeeded")
	}
}

func TestSample(t *testing.T) {
	articles, err := Sample()
	if err != nil {
		t.Fatalf("Sample: %v", err)
	}
	if len(articles) < 24 {
		t.Fatalf("Sample has %d articles, want at least 24", len(articles))
	}
	for _, a := range articles {
		if n := len(a.Questions); n < 4 || n > 8 {
			t.Errorf("%s: %d example questions, want 4 to 8", a.Source, n)
		}
		if len(a.Actions) == 0 {
			t.Errorf("%s: no actions", a.Source)
		}
		if a.Body == "" {
			t.Errorf("%s: no notes", a.Source)
		}
		if base := filepath.Base(a.Source); base != a.ID+".md" {
			t.Errorf("%s: file name differs from id %s", a.Source, a.ID)
		}
	}
}
