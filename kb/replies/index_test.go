package replies

import (
	"context"
	"strings"
	"testing"
)

func TestIndexSearch(t *testing.T) {
	replies := []Reply{
		{ID: "lock", Text: "I've locked your card.", Count: 3, Contexts: []string{"I lost my debit card", "my card was stolen"}},
		{ID: "balance", Text: "Your balance is {amount}.", Count: 40, Contexts: []string{"what's my balance", "how much money do I have"}},
		{ID: "rare-balance", Text: "Balance is {amount}.", Count: 2, Contexts: []string{"what's my balance"}},
		{ID: "hours", Text: "We are open until {time}.", Count: 2, Contexts: []string{"when do you close"}},
	}
	ix, err := NewIndex(replies)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	replies[0].Contexts[0] = "changed after indexing"
	ctx := context.Background()

	hits, err := ix.Search(ctx, "someone stole my card", 2)
	if err != nil || len(hits) != 1 || hits[0].Reply.ID != "lock" {
		t.Fatalf("card query: %+v, %v", hits, err)
	}
	if hits[0].Reply.Contexts[0] != "I lost my debit card" {
		t.Error("the index shares its replies' contexts with the caller")
	}
	// Both balance replies match; the one more agents use ranks first even
	// though its contexts are a longer field.
	hits, err = ix.Search(ctx, "what's my balance", 5)
	if err != nil || len(hits) != 2 || hits[0].Reply.ID != "balance" || hits[0].Score < hits[1].Score {
		t.Errorf("balance query: %+v, %v", hits, err)
	}
	if hits, err := ix.Search(ctx, "what's my balance", 1); err != nil || len(hits) != 1 {
		t.Errorf("k=1: %d hits, %v", len(hits), err)
	}
	for _, q := range []string{"", "  \t", "the and of", `title:card`, `"unclosed`, `card^100`, `/[a-z/`, `\`} {
		if _, err := ix.Search(ctx, q, 3); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	if hits, err := ix.Search(ctx, " ", 3); hits != nil || err != nil {
		t.Errorf("blank query: %v, %v", hits, err)
	}
	if hits, err := ix.Search(ctx, "card", 0); hits != nil || err != nil {
		t.Errorf("k=0: %v, %v", hits, err)
	}
}

func TestIndexErrors(t *testing.T) {
	if _, err := NewIndex([]Reply{{ID: "a", Text: "x", Count: 1}, {ID: "a", Text: "y", Count: 1}}); err == nil || !strings.Contains(err.Error(), `duplicate reply id "a"`) {
		t.Errorf("duplicate ids: %v", err)
	}
	ix, err := NewIndex(nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits, err := ix.Search(context.Background(), "anything", 3); err != nil || len(hits) != 0 {
		t.Errorf("empty index: %v, %v", hits, err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(context.Background(), "anything", 3); err == nil {
		t.Error("searching a closed index succeeded")
	}
}
