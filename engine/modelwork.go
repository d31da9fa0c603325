package engine

import (
	"context"
	"fmt"

	"github.com/larkspur-labs/assist/engine/event"
)

// A turn's model work — the model server's draft, emotion reading and
// translation — runs after the turn's embedded results are out. Live, each
// result is published the moment it arrives, and the next turn cancels
// what is still running: the conversation moved on. A replay that waits for
// the models (speed 0, or asked to) instead holds each result back and,
// once the turn's work is all done, publishes the results in the order the
// work was started, before the next turn: its output is then complete, and
// the same every run for the same model answers.

// modelJob is one piece of a turn's model work.
type modelJob struct {
	done chan struct{}
	// held are the events the job produced while its session waits for
	// the models, in the order it produced them.
	held []event.Payload
}

// startJob runs work in a goroutine as one of the turn's model jobs. The
// caller holds s.mu.
func (s *Session) startJob(work func(job *modelJob)) {
	job := &modelJob{done: make(chan struct{})}
	if s.waitModels {
		s.jobs = append(s.jobs, job)
	}
	go func() {
		defer close(job.done)
		work(job)
	}()
}

// emit publishes what a model job produced, unless the call has ended; a
// session that waits for the models holds it for WaitModels instead.
func (s *Session) emit(job *modelJob, p event.Payload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emitLocked(job, p)
}

// emitLocked is emit for a caller that holds s.mu.
func (s *Session) emitLocked(job *modelJob, p event.Payload) {
	if s.ended {
		return
	}
	if s.waitModels {
		job.held = append(job.held, p)
		return
	}
	if err := s.settle(s.publish(p)); err != nil {
		s.e.log.Warn("publish", "call_id", s.id, "kind", p.EventKind(), "err", err)
	}
}

// waitForModels makes the session hold its model work's results for
// WaitModels. It is set before the call's first turn.
func (s *Session) waitForModels() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitModels = true
}

// WaitModels waits until the model work started for the turns so far has
// finished, then publishes its results in the order the work was started.
// It does nothing for a session that does not wait for the models. When
// ctx ends first it returns ctx's error; the results not yet published are
// dropped as the call ends.
func (s *Session) WaitModels(ctx context.Context) error {
	s.mu.Lock()
	jobs := s.jobs
	s.jobs = nil
	s.mu.Unlock()
	for _, job := range jobs {
		select {
		case <-job.done:
		case <-ctx.Done():
			return fmt.Errorf("wait for the models of call %s: %w", s.id, ctx.Err())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return nil
	}
	var err error
	for _, job := range jobs {
		for _, p := range job.held {
			if err = s.publish(p); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	return s.settle(err)
}
