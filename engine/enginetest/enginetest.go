// Package enginetest gives the tests of packages that drive the engine a
// real one, as net/http/httptest gives a real server: the bundled knowledge
// base and the embedded models, an in-process bus, and a subscriber to
// every event.
package enginetest

import (
	"sync"
	"testing"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/engine"
)

// SampleAssistant returns the embedded emotion model over the bundled
// knowledge base, built once per test binary (indexing and training take
// a moment).
var SampleAssistant = sync.OnceValues(assist.Sample)

// Engine is a running engine with a subscriber to every call's events.
type Engine struct {
	Bus    *engine.Bus
	Engine *engine.Engine
	// Events delivers every event published, in order.
	Events *engine.Subscription
}

// Start starts an engine on the sample assistant and an embedded bus; both
// stop when the test ends.
func Start(t testing.TB) *Engine {
	t.Helper()
	a, err := SampleAssistant()
	if err != nil {
		t.Fatal(err)
	}
	bus, err := engine.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	eng, err := engine.New(bus, a, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	events, err := bus.Subscribe(engine.AllCallsSubject, func(err error) { t.Errorf("subscription: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(events.Close)
	return &Engine{Bus: bus, Engine: eng, Events: events}
}
