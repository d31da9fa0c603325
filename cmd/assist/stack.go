package main

import (
	"fmt"
	"log/slog"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/kb"
)

// engineStack is the running engine with what it stands on.
type engineStack struct {
	bus    *engine.Bus
	engine *engine.Engine
	index  *kb.Index
	log    *slog.Logger
	// status describes the models for the header.
	status string
}

// startEngine loads the knowledge base (kbDir, or the bundled sample), the
// embedded models and the in-process bus.
func startEngine(kbDir string, log *slog.Logger) (*engineStack, error) {
	index, err := loadIndex(kbDir)
	if err != nil {
		return nil, err
	}
	asst := newAssistant(index)
	bus, err := engine.StartBus()
	if err != nil {
		index.Close()
		return nil, err
	}
	eng, err := engine.New(bus, asst, engine.Options{Logger: log})
	if err != nil {
		bus.Close()
		index.Close()
		return nil, err
	}
	return &engineStack{
		bus: bus, engine: eng, index: index, log: log,
		status: fmt.Sprintf("embedded · %s · kb %d", asst.Sentiment.Name(), index.Len()),
	}, nil
}

// loadIndex loads and indexes the knowledge base in kbDir, or the bundled
// sample when kbDir is empty.
func loadIndex(kbDir string) (*kb.Index, error) {
	var (
		articles []kb.Article
		err      error
	)
	if kbDir == "" {
		articles, err = kb.Sample()
	} else {
		articles, err = kb.LoadDir(kbDir)
	}
	if err != nil {
		return nil, fmt.Errorf("load knowledge base: %w (run 'assist kb lint DIR' to list every problem)", err)
	}
	index, err := kb.NewIndex(articles)
	if err != nil {
		return nil, fmt.Errorf("index knowledge base: %w", err)
	}
	return index, nil
}

// newAssistant returns the embedded models over a knowledge-base index.
func newAssistant(index *kb.Index) *assist.Assistant {
	return &assist.Assistant{Sentiment: assist.NewVader(), Ranker: assist.NewRanker(index)}
}

// Close stops the engine, the bus and the index.
func (s *engineStack) Close() {
	s.engine.Close()
	s.bus.Close()
	s.index.Close()
}
