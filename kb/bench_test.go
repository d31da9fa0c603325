package kb

import (
	"context"
	"testing"
)

// benchQueries are realistic customer utterances, short and long.
var benchQueries = []string{
	"hi I lost my debit card yesterday",
	"why did you charge me thirty five dollars",
	"I want to speak to a manager",
	"how much do I have in checking",
	"I can't get into the app since I changed my password",
	"there's a payment on my account that I didn't make and I want my money back",
	"can you move two hundred dollars from savings to checking",
	"I'm traveling to Spain next month",
	"what's the routing number",
	"my card got declined at the pharmacy this morning even though I have money in there",
	"I need to order new checks",
	"okay thank you so much you've been really helpful",
}

func BenchmarkSearch(b *testing.B) {
	ix := sampleIndex(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, benchQueries[i%len(benchQueries)], 5); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
