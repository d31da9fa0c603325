package engine

import (
	"context"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// slowEmotion reads every utterance as mildly negative, after delay.
type slowEmotion struct{ delay time.Duration }

func (e slowEmotion) ScoreEmotion(ctx context.Context, _ string) (assist.ServerEmotion, error) {
	select {
	case <-ctx.Done():
		return assist.ServerEmotion{}, ctx.Err()
	case <-time.After(e.delay):
	}
	return assist.ServerEmotion{Polarity: -0.5, Emotions: map[string]float64{assist.EmotionNeutral: 1}}, nil
}

// replayEvents replays calls with p and returns their events by call.
func replayEvents(t *testing.T, eng *Engine, p *Player, calls []transcript.Call) map[string][]event.Event {
	t.Helper()
	out := map[string][]event.Event{}
	if _, err := ReplayEvents(context.Background(), eng.bus, p, calls, func(e event.Event) error {
		out[e.CallID] = append(out[e.CallID], e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReplayThatWaitsForTheModelsHasEveryDraft(t *testing.T) {
	// The drafter is slower than the replay: without waiting, the next
	// turn would cancel every draft but the last.
	d := &scriptedDrafter{pieces: []string{"I'm sorry ", "about your card. ", "I've blocked it."}, delay: 20 * time.Millisecond}
	_, eng := draftEngine(t, d, Options{})
	eng.asst.Emotion = slowEmotion{delay: 30 * time.Millisecond}
	call := transcript.Call{ID: "c1", Utterances: []transcript.Utterance{
		{Speaker: "customer", Text: "I lost my debit card"},
		{Speaker: "agent", Text: "I'm sorry to hear that."},
		{Speaker: "customer", Text: "hello"},
		{Speaker: "customer", Text: "Can you block my debit card? I lost it"},
		{Speaker: "customer", Text: "I lost my debit card yesterday"},
	}}
	for run := range 2 {
		p := NewPlayer(eng, PlayerOptions{Speed: 0, WaitModels: true})
		events := replayEvents(t, eng, p, []transcript.Call{call})["c1"]

		// Each turn's results come after its own utterance and before the
		// next one: a draft, whole, for every turn the base answers, and
		// the blended sentiment for every customer turn.
		answerable, drafted, blended := 0, 0, 0
		current := ""
		for _, e := range events {
			switch pl := e.Payload.(type) {
			case event.Utterance:
				current = pl.UtteranceID
			case event.Sentiment:
				if pl.Source == event.SentimentBlend {
					blended++
					if pl.UtteranceID != current {
						t.Errorf("run %d: blended sentiment of %s after %s", run, pl.UtteranceID, current)
					}
				}
			case event.Suggestions:
				if pl.UtteranceID != current {
					t.Errorf("run %d: suggestions of %s after %s", run, pl.UtteranceID, current)
				}
				ds := drafts([]event.Event{e})
				switch {
				case len(ds) == 0 && !pl.Abstain:
					answerable++
				case len(ds) == 1:
					drafted++
					if ds[0].Partial || ds[0].Text != "I'm sorry about your card. I've blocked it." {
						t.Errorf("run %d: draft of %s %+v, want it whole", run, pl.UtteranceID, ds[0])
					}
				}
			}
		}
		if answerable < 3 || drafted != answerable {
			t.Errorf("run %d: %d drafts for %d answerable turns; events %v", run, drafted, answerable, kindsOf(events))
		}
		if blended != 4 {
			t.Errorf("run %d: %d blended sentiments, want one per customer turn (4)", run, blended)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.canceled != 0 {
		t.Errorf("%d drafts cancelled by the replay that waits", d.canceled)
	}
}

func TestReplayThatWaitsIsTheSameEveryRun(t *testing.T) {
	d := &scriptedDrafter{pieces: []string{"I'm sorry ", "about your card."}, delay: 5 * time.Millisecond}
	_, eng := draftEngine(t, d, Options{})
	eng.asst.Emotion = slowEmotion{delay: 10 * time.Millisecond}
	call := transcript.Call{ID: "c1", Utterances: []transcript.Utterance{
		{Speaker: "customer", Text: "I lost my debit card"},
		{Speaker: "customer", Text: "Can you block my debit card? I lost it"},
	}}
	var first []event.Kind
	for run := range 3 {
		p := NewPlayer(eng, PlayerOptions{Speed: 0, WaitModels: true})
		got := kindsOf(replayEvents(t, eng, p, []transcript.Call{call})["c1"])
		if run == 0 {
			first = got
			continue
		}
		if len(got) != len(first) {
			t.Fatalf("run %d: %v, run 0: %v", run, got, first)
		}
		for i := range got {
			if got[i] != first[i] {
				t.Fatalf("run %d: %v, run 0: %v", run, got, first)
			}
		}
	}
}

// stuckDrafter never finishes a draft until its context ends; started
// hears each draft begin.
type stuckDrafter struct{ started chan struct{} }

func (d stuckDrafter) Draft(ctx context.Context, _ assist.DraftRequest, _ func(string)) (assist.Draft, error) {
	d.started <- struct{}{}
	<-ctx.Done()
	return assist.Draft{}, ctx.Err()
}

func TestSkippingACallDoesNotWaitForItsModels(t *testing.T) {
	d := stuckDrafter{started: make(chan struct{}, 1)}
	_, eng := draftEngine(t, &scriptedDrafter{}, Options{})
	eng.asst.Drafter = d
	p := NewPlayer(eng, PlayerOptions{Speed: 0, WaitModels: true})
	calls := []transcript.Call{
		{ID: "c1", Utterances: []transcript.Utterance{{Speaker: "customer", Text: "I lost my debit card"}}},
	}
	go func() {
		<-d.started
		p.NextCall()
	}()
	events := replayEvents(t, eng, p, calls)["c1"]
	end, ok := events[len(events)-1].Payload.(event.CallEnded)
	if !ok || end.Reason != "skipped" {
		t.Errorf("last event %v, want call.ended skipped", events[len(events)-1])
	}
}
