package engine

import (
	"context"
	"fmt"
	"github.com/larkspur-labs/assist/engine/event"
	"testing"
)

// BenchmarkCustomerUtterance measures one final customer utterance through
// the whole pipeline: sentiment, alerts, retrieval, ranking and the five
// events published on the embedded bus (with a subscriber draining them).
func BenchmarkCustomerUtterance(b *testing.B) {
	ix, err := sampleIndex()
	if err != nil {
		b.Fatal(err)
	}
	bus, err := StartBus()
	if err != nil {
		b.Fatal(err)
	}
	defer bus.Close()
	eng, err := New(bus, testAssistant(ix), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	sub, err := bus.Subscribe(AllCallsSubject, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	go func() {
		for range sub.C {
		}
	}()
	texts := []string{
		"I lost my debit card yesterday and I'm worried someone is using it",
		"Why was I charged an overdraft fee, this is ridiculous",
		"How do I reset my password for the mobile app",
		"I'd like to transfer five hundred dollars from savings to checking",
	}
	s, err := eng.StartCall("bench", event.CallStarted{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		u := event.Utterance{UtteranceID: fmt.Sprint("u", i), Speaker: event.SpeakerCustomer, Text: texts[i%len(texts)]}
		if err := s.Final(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
}
