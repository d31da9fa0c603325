package app

import (
	"context"
	"errors"
	"log/slog"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// Stack is the engine running in this process, on an in-process bus, with
// what it stands on: the models of Config.
type Stack struct {
	Bus    *engine.Bus
	Engine *engine.Engine
	Models *Models
	// Status describes the models for the status line.
	Status string
	log    *slog.Logger
}

// Start loads the models and starts the in-process bus and the engine.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	log := cfg.logger()
	m, err := LoadModels(ctx, cfg)
	if err != nil {
		return nil, err
	}
	bus, err := engine.StartBus()
	if err != nil {
		m.Close()
		return nil, err
	}
	eng, err := engine.New(bus, m.Assistant, engine.Options{Logger: log, Redact: m.StoreRedact, Calls: m.Calls, Guidance: m.Guidance})
	if err != nil {
		bus.Close()
		m.Close()
		return nil, err
	}
	return &Stack{Bus: bus, Engine: eng, Models: m, Status: m.Status, log: log}, nil
}

// Close stops the engine, the bus and the knowledge base.
func (s *Stack) Close() {
	s.Engine.Close()
	s.Bus.Close()
	s.Models.Close()
}

// ReplayFeed plays calls with p and returns their events, in each call's
// order, on a channel that is closed once every call has ended or ctx is
// done: the feed of an agent view. A replay that fails is logged.
func (s *Stack) ReplayFeed(ctx context.Context, p *engine.Player, calls []transcript.Call) <-chan event.Event {
	events := make(chan event.Event)
	go func() {
		defer close(events)
		_, err := engine.ReplayEvents(ctx, s.Bus, p, calls, func(e event.Event) error {
			select {
			case events <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("replay", "err", err)
		}
	}()
	return events
}
