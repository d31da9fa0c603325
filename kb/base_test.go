package kb

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/kb/encoder"
	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
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

// TestSemanticIsCached checks that the classifier is trained once per
// content and encoder, read back on the next start, and retrained when its
// file is broken.
func TestSemanticIsCached(t *testing.T) {
	enc, err := encoder.Load(encodertest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	articles, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	b, err := Open(articles, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	trained, err := b.Semantic(enc, nil)
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cache, "kb-"+b.Fingerprint, "semantic-"+enc.ID+".model")
	saved, err := os.Stat(path)
	if err != nil {
		t.Fatalf("classifier not cached: %v", err)
	}

	again, err := Open(articles, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	loaded, err := again.Semantic(enc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := os.Stat(path); !now.ModTime().Equal(saved.ModTime()) {
		t.Error("the cached classifier was retrained")
	}
	const q = "the plastic you mailed me never showed up"
	if got, want := loaded.Predict(q)[0], trained.Predict(q)[0]; got != want {
		t.Errorf("cached classifier says %v, trained one %v", got, want)
	}

	if err := os.WriteFile(path, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := again.Semantic(enc, nil); err != nil {
		t.Fatalf("a broken cache failed: %v", err)
	}
	if _, err := encoder.LoadClassifier(path, enc); err != nil {
		t.Errorf("the broken cache was not rewritten: %v", err)
	}
}
