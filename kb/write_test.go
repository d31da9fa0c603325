package kb

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tricky are texts that YAML or the front matter fences could mangle.
var tricky = []string{
	"Note: fees apply",
	`She said "yes" and it's 'fine'`,
	"- starts with a dash",
	"first line\n---\nafter a fence line",
	"---",
	"key: value\n  indented: too",
	"# not a comment",
	"{{Order Number}} and [link] & *bold* | pipe > gt",
	"yes",
	"null",
	"0123",
	"trailing spaces   \non a line",
	"tab\tinside",
	"ünïcödé ✓ and \uFFFD",
	"line one\n\n\nline four",
	"'", `"`, "@at", "`tick`", "%percent", "!tag",
}

func TestWriteDirRoundTrip(t *testing.T) {
	var articles []Article
	for i, s := range tricky {
		articles = append(articles, Article{
			ID:        "tricky-" + string(rune('a'+i)),
			Title:     strings.ReplaceAll(s, "\n", " "),
			Tags:      []string{"t", strings.ReplaceAll(s, "\n", " ")},
			Questions: []string{strings.ReplaceAll(s, "\n", " "), "plain"},
			Answer:    s,
			Actions:   []string{strings.ReplaceAll(s, "\n", " ")},
			Lang:      DefaultLang,
			Body:      s,
		})
	}
	articles = append(articles,
		Article{ID: "french", Title: "Bonjour", Answer: "Oui : bien sûr.", Lang: "fr"},
		Article{ID: "body-fences", Title: "Fences", Answer: "a", Lang: DefaultLang,
			Body: "---\nid: not-me\n---\n\n## Heading"},
		Article{ID: "not-ours", Title: "Not ours", Questions: []string{"what is the weather"},
			Lang: DefaultLang, OutOfScope: true},
	)
	checkRoundTrip(t, articles)
}

func TestWriteDirFileLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "kb")
	articles := []Article{
		{ID: "en-article", Title: "T", Answer: "A", Lang: DefaultLang, Body: "Notes.", Source: "x.csv"},
		{ID: "fr-article", Title: "T", Answer: "A", Lang: "fr", Tags: []string{"x"}},
	}
	if err := WriteDir(dir, articles); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, filepath.Join(dir, "en-article.md"))
	if want := "---\nid: en-article\ntitle: T\nanswer: A\n---\nNotes.\n"; got != want {
		t.Errorf("en-article.md:\n%s\nwant\n%s", got, want)
	}
	if got := readFile(t, filepath.Join(dir, "fr-article.md")); !strings.Contains(got, "\nlang: fr\n") || !strings.Contains(got, "tags:\n  - x\n") {
		t.Errorf("fr-article.md:\n%s", got)
	}
}

func TestWriteDirNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	a := Article{ID: "a", Title: "A", Answer: "First.", Lang: DefaultLang}
	b := Article{ID: "b", Title: "B", Answer: "Bee.", Lang: DefaultLang}
	if err := WriteDir(dir, []Article{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(dir, []Article{a, b}); err != nil {
		t.Errorf("writing the same articles again: %v", err)
	}

	a.Answer, b.Answer = "Changed.", "Changed too."
	c := Article{ID: "c", Title: "C", Answer: "New.", Lang: DefaultLang}
	err := WriteDir(dir, []Article{a, b, c})
	if err == nil {
		t.Fatal("changed articles overwrote their files")
	}
	for _, want := range []string{"2 file(s) exist with other content", filepath.Join(dir, "a.md"), filepath.Join(dir, "b.md")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := readFile(t, filepath.Join(dir, "a.md")); !strings.Contains(got, "First.") {
		t.Errorf("a.md was changed:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "c.md")); err == nil {
		t.Error("c.md written although the batch was refused")
	}
}

func TestWriteDirRejectsBadArticles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kb")
	err := WriteDir(dir, []Article{
		{ID: "../escape", Title: "T", Answer: "A"},
		{ID: "ok", Title: "T", Answer: "A"},
		{ID: "ok", Title: " ", Answer: ""},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`article 1 ("../escape"): invalid id`,
		`article 3 ("ok"): duplicate id`,
		`article 3 ("ok"): missing title`,
		`article 3 ("ok"): missing answer`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("folder created although nothing could be written")
	}
}

// FuzzWriteDirRoundTrip checks that any text, cleaned as the importers clean
// it, survives WriteDir and LoadDir.
func FuzzWriteDirRoundTrip(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, s)
	}
	f.Add("\u2028line\u2029sep\u0085", "\ufeffbom")
	f.Fuzz(func(t *testing.T, answer, body string) {
		answer, body = cleanText(answer), cleanText(body)
		if answer == "" {
			return
		}
		line := cleanLine(answer)
		checkRoundTrip(t, []Article{{ID: "x", Title: line, Questions: []string{line}, Answer: answer,
			Actions: []string{line}, Tags: []string{line}, Lang: DefaultLang, Body: body}})
	})
}

// checkRoundTrip writes articles to a new folder and checks that LoadDir
// gives them back unchanged but for Source.
func checkRoundTrip(t *testing.T, articles []Article) {
	t.Helper()
	dir := t.TempDir()
	if err := WriteDir(dir, articles); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != len(articles) {
		t.Fatalf("loaded %d articles, wrote %d", len(loaded), len(articles))
	}
	got := byID(loaded)
	for _, want := range articles {
		g := got[want.ID]
		if g == nil {
			t.Errorf("article %s not loaded", want.ID)
			continue
		}
		if g.Source != filepath.Join(dir, want.ID+".md") {
			t.Errorf("article %s: source %q", want.ID, g.Source)
		}
		g.Source, want.Source = "", ""
		if !reflect.DeepEqual(*g, want) {
			t.Errorf("article %s changed:\ngot  %#v\nwant %#v\nfile:\n%s", want.ID, *g, want,
				readFile(t, filepath.Join(dir, want.ID+".md")))
		}
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
