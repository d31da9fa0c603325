package kb

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/kb/intent"
)

var intentOptions = intent.Options{}

func TestOpenCachesAndRebuildsOnChange(t *testing.T) {
	articles, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	first, err := Open(articles, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Built {
		t.Error("first open did not build")
	}
	first.Close()

	again, err := Open(articles, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Built || again.Model == nil || again.Index.Len() != len(articles) {
		t.Errorf("second open: built %v, model %v, %d articles", again.Built, again.Model != nil, again.Index.Len())
	}
	hits, err := again.Retriever().Retrieve(t.Context(), []string{"I lost my debit card"}, 1)
	if err != nil || len(hits) == 0 || hits[0].Article.ID != "card-lost-stolen" {
		t.Errorf("cached base answers %v, %v", hits, err)
	}
	again.Close()

	changed := append([]Article(nil), articles...)
	changed[0].Answer += " Changed."
	third, err := Open(changed, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if !third.Built || third.Fingerprint == first.Fingerprint {
		t.Error("a changed article did not rebuild the cache")
	}
	dirs, _ := filepath.Glob(filepath.Join(cache, "kb-*"))
	if len(dirs) != 1 {
		t.Errorf("stale caches left behind: %v", dirs)
	}
}

func TestOpenRebuildsABrokenCache(t *testing.T) {
	articles, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	b, err := Open(articles, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	model := filepath.Join(cache, "kb-"+b.Fingerprint, modelFile)
	if err := os.WriteFile(model, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := Open(articles, cache, nil)
	if err != nil {
		t.Fatalf("a broken cache failed Open: %v", err)
	}
	defer again.Close()
	if !again.Built || again.Model == nil {
		t.Error("the broken cache was not rebuilt")
	}
}

func TestFingerprintIgnoresSourceAndOrder(t *testing.T) {
	a := []Article{{ID: "a", Title: "A", Answer: "x", Source: "/one/a.md"}, {ID: "b", Title: "B", Answer: "y"}}
	b := []Article{{ID: "b", Title: "B", Answer: "y"}, {ID: "a", Title: "A", Answer: "x", Source: "/two/a.md"}}
	if Fingerprint(a) != Fingerprint(b) {
		t.Error("moving or reordering files changed the fingerprint")
	}
	b[0].Questions = []string{"new"}
	if Fingerprint(a) == Fingerprint(b) {
		t.Error("a new question did not change the fingerprint")
	}
}
