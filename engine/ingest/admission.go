package ingest

import (
	"fmt"
	"sync"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// voiceGate is the admission control of voice calls. Recognising a call
// in-process costs a share of a core for as long as the call lasts, so at
// most max calls hold a slot at once; a call that finds every slot taken
// is handed to the overflow recognizer (a speech server) when there is
// one, and refused otherwise. Either way it is counted, never left to
// fall behind and drop audio.
type voiceGate struct {
	max      int              // 0: no bound
	rec      audio.Recognizer // for calls with a slot
	overflow audio.Recognizer // for calls beyond max; nil refuses them
	metrics  *engine.Metrics
	onChange func()

	mu          sync.Mutex
	active      int // calls holding a slot
	overflowing int // live calls handed over
	handedOver  uint64
	refused     uint64
}

// newVoiceGate builds the gate of o's voice endpoints.
func newVoiceGate(o *Options) *voiceGate {
	g := &voiceGate{max: max(o.MaxVoiceCalls, 0), rec: o.Recognizer, overflow: o.Overflow, metrics: o.Metrics, onChange: o.OnVoiceChange}
	g.metrics.VoiceSlots(0, g.max, 0)
	return g
}

// voiceSlot is an admitted call's place: the recognizer it gets, whether
// that is the overflow's, and how to give the place back.
type voiceSlot struct {
	rec        audio.Recognizer
	handedOver bool
	release    func() // gives the place back; later calls do nothing
}

// capacityError refuses a voice call because every slot is taken and no
// speech server can take it.
type capacityError struct{ max int }

func (e *capacityError) Error() string {
	calls := "calls"
	if e.max == 1 {
		calls = "call"
	}
	return fmt.Sprintf("voice capacity reached (%d %s)", e.max, calls)
}

// admit takes a place for a new voice call on endpoint: a slot while one
// is free, else the overflow recognizer, else a *capacityError. The call
// must release its place when it ends, however it ends.
func (g *voiceGate) admit(endpoint string) (*voiceSlot, error) {
	g.mu.Lock()
	var slot *voiceSlot
	switch {
	case g.max == 0 || g.active < g.max:
		g.active++
		slot = &voiceSlot{rec: g.rec}
		slot.release = g.releaser(&g.active)
	case g.overflow != nil:
		g.overflowing++
		g.handedOver++
		g.metrics.VoiceHandOver(endpoint)
		slot = &voiceSlot{rec: g.overflow, handedOver: true}
		slot.release = g.releaser(&g.overflowing)
	default:
		g.refused++
		g.metrics.VoiceRefuse(endpoint)
	}
	g.metrics.VoiceSlots(g.active, g.max, g.overflowing)
	g.mu.Unlock()
	g.changed()
	if slot == nil {
		return nil, &capacityError{max: g.max}
	}
	return slot, nil
}

// releaser returns the function that gives back one of count, once.
func (g *voiceGate) releaser(count *int) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			*count--
			g.metrics.VoiceSlots(g.active, g.max, g.overflowing)
			g.mu.Unlock()
			g.changed()
		})
	}
}

func (g *voiceGate) changed() {
	if g.onChange != nil {
		g.onChange()
	}
}

// status is the gate's state now, without worker or time.
func (g *voiceGate) status() event.VoiceStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	return event.VoiceStatus{Active: g.active, Capacity: g.max, Overflow: g.overflowing, HandedOver: g.handedOver, Refused: g.refused}
}
