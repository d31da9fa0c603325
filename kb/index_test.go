package kb

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestSearchRanksBestFirst(t *testing.T) {
	ix := sampleIndex(t)
	hits, err := ix.Search(context.Background(), "I lost my debit card", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || len(hits) > 5 {
		t.Fatalf("got %d hits, want 1 to 5", len(hits))
	}
	if hits[0].Article.ID != "card-lost-stolen" {
		t.Errorf("top hit %s, want card-lost-stolen", hits[0].Article.ID)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("hit %d scores %v above hit %d's %v", i, hits[i].Score, i-1, hits[i-1].Score)
		}
	}
}

func TestSearchNoHits(t *testing.T) {
	ix := sampleIndex(t)
	for _, tt := range []struct {
		q string
		k int
	}{
		{"", 3},
		{" \t\n ", 3},
		{"lost card", 0},
		{"and then I was to be the", 3}, // stop words only
		{"zzzqqq xyzzy", 3},
	} {
		hits, err := ix.Search(context.Background(), tt.q, tt.k)
		if err != nil || len(hits) != 0 {
			t.Errorf("Search(%q, %d) = %d hits, %v; want none, no error", tt.q, tt.k, len(hits), err)
		}
	}
}

// TestSearchTreatsQueryAsText checks that bleve query-string syntax in
// customer text is neither an error nor obeyed.
func TestSearchTreatsQueryAsText(t *testing.T) {
	ix := sampleIndex(t)
	for _, q := range []string{
		`title:card`, `+lost -card`, `"unclosed quote`, `*`, `card^100`, `/[a-z/`,
		`answer:>5`, `(lost OR stolen) AND card`, `\`, `~`, `lost~2`, `id:card-lost-stolen`,
	} {
		if _, err := ix.Search(context.Background(), q, 3); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	// "-card" must not exclude card articles as query syntax would.
	if r, hits := rank(t, ix, "lost -card", 3, "card-lost-stolen"); r != 1 {
		t.Errorf(`"lost -card" ranks card-lost-stolen %d, got %v`, r, hitIDs(hits))
	}
}

func TestSearchConcurrently(t *testing.T) {
	ix := sampleIndex(t)
	want := map[string]string{}
	for _, c := range heldOut {
		hits, err := ix.Search(context.Background(), c.query, 3)
		if err != nil || len(hits) == 0 {
			t.Fatalf("Search(%q) = %v, %v", c.query, hits, err)
		}
		want[c.query] = hits[0].Article.ID
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range heldOut {
				c := heldOut[(i+g)%len(heldOut)]
				hits, err := ix.Search(context.Background(), c.query, 3)
				if err != nil || len(hits) == 0 || hits[0].Article.ID != want[c.query] {
					t.Errorf("concurrent Search(%q) = %v, %v; want %s first", c.query, hits, err, want[c.query])
				}
			}
		})
	}
	wg.Wait()
}

func TestSearchCancelled(t *testing.T) {
	ix := sampleIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, "lost card", 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Search with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestIndexArticleAndLen(t *testing.T) {
	articles, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(articles)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Len() != len(articles) {
		t.Errorf("Len = %d, want %d", ix.Len(), len(articles))
	}
	a, ok := ix.Article("card-lost-stolen")
	if !ok || a.Title != "Lost or stolen card" {
		t.Errorf("Article(card-lost-stolen) = %v, %v", a, ok)
	}
	if _, ok := ix.Article("no-such-article"); ok {
		t.Error("Article(no-such-article) found")
	}
	articles[0].Title = "changed after indexing"
	if a, _ := ix.Article(articles[0].ID); a.Title == "changed after indexing" {
		t.Error("the index shares its articles with the caller's slice")
	}
}

func TestNewIndexRejectsDuplicateIDs(t *testing.T) {
	a := Article{ID: "same", Title: "Same", Answer: "Same."}
	if ix, err := NewIndex([]Article{a, a}); err == nil {
		ix.Close()
		t.Fatal("NewIndex accepted two articles with one id")
	}
}

func TestSearchAfterClose(t *testing.T) {
	ix, err := NewIndex([]Article{{ID: "a", Title: "Lost card", Answer: "Locked."}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := ix.Search(context.Background(), "lost card", 3); err == nil {
		t.Error("Search on a closed index succeeded")
	}
}
