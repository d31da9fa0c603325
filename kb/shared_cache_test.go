package kb

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/larkspur-labs/assist/internal/flock"
)

// openWithin opens the base in the background and fails the test if it
// has not returned within d: a wait on another holder of the cache would
// otherwise hang the test.
func openWithin(t *testing.T, d time.Duration, articles []Article, cache string) *Base {
	t.Helper()
	type result struct {
		b   *Base
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := Open(articles, cache, nil)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		t.Cleanup(func() { r.b.Close() })
		return r.b
	case <-time.After(d):
		t.Fatalf("Open still waiting after %s", d)
	}
	return nil
}

// answers checks that the base finds the lost-card article.
func answers(t *testing.T, b *Base) {
	t.Helper()
	hits, err := b.Retriever().Retrieve(t.Context(), []string{"I lost my debit card"}, 1)
	if err != nil || len(hits) == 0 || hits[0].Article.ID != "card-lost-stolen" {
		t.Errorf("the base answers %v, %v", hits, err)
	}
}

// TestProcessesShareTheCache opens one cache twice at once, as two
// processes on one data folder do (flock locks are per open file, so a
// second open in this process conflicts as another process's would):
// both open it, and both search it.
func TestProcessesShareTheCache(t *testing.T) {
	articles, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	first := openWithin(t, 30*time.Second, articles, cache) // builds, then holds the index
	second := openWithin(t, 30*time.Second, articles, cache)
	if second.Built || second.Locked != nil {
		t.Errorf("second open: built %v, locked %v; want the shared cache", second.Built, second.Locked)
	}
	answers(t, first)
	answers(t, second)
}

// TestCacheHeldExclusivelyIsNamed holds the cache's index as a writer
// does (an older assist opened it so): Open does not wait for it, names
// the holder, and answers from an index built in memory, leaving the
// cache in place.
func TestCacheHeldExclusivelyIsNamed(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the holder is found in /proc/locks")
	}
	articles, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	openWithin(t, 30*time.Second, articles, cache).Close()
	dir := filepath.Join(cache, "kb-"+Fingerprint(articles))
	writer, err := bleve.Open(filepath.Join(dir, indexDir))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()

	b := openWithin(t, 30*time.Second, articles, cache)
	var locked *flock.LockedError
	if !errors.As(b.Locked, &locked) || locked.Holder == nil || locked.Holder.PID != os.Getpid() {
		t.Fatalf("Locked = %v, want the holder named", b.Locked)
	}
	if !strings.Contains(b.Locked.Error(), "locked by another process") {
		t.Errorf("Locked says %q", b.Locked)
	}
	answers(t, b)
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the held cache was removed: %v", err)
	}
}
