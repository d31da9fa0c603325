package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/nats-io/nats.go/jetstream"
)

// The agent's after-call work reaches the store here, not through the
// call's worker: the call has ended, so no worker holds it. The wrap-up
// event takes the sequence number after the call's last stored event; the
// call's session is gone, so nothing else numbers its events any more.
// Two wrap-ups racing for one number are one message to the store (its
// id names the call and the number), and a later one (a correction)
// follows the first.

// storeWrapup checks, cleans and stores the agent's wrap-up of an ended
// call the caller may act on (agent: its own; "" for the service).
func (w *Worker) storeWrapup(req wrapupRequest, agent string) error {
	row, err := w.access(req.CallID, agent)
	if err != nil {
		return err
	}
	p := cleanWrapup(req.Wrapup)
	if err := p.Check(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	p.Agent = row.Agent
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	if row.Status != event.StatusEnded {
		// The directory may lag the store by a moment: the store decides.
		_, err := w.store.Stream.GetLastMsgForSubject(ctx, engine.EventSubject(row.Queue, row.Agent, row.CallID, event.KindCallEnded))
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
			return fmt.Errorf("%w: call %s has not ended: wrap it up when it ends", ErrBadRequest, req.CallID)
		case err != nil:
			return fmt.Errorf("wrap-up of call %s: %w", req.CallID, err)
		}
	}
	last, ok, err := w.store.LastEvent(ctx, req.CallID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("call %s: %w", req.CallID, ErrNotFound)
	}
	e := event.Event{Kind: event.KindWrapup, CallID: req.CallID, Seq: last.Seq + 1, TS: w.now().UTC(), Payload: p}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	subject := engine.EventSubject(row.Queue, row.Agent, row.CallID, event.KindWrapup)
	if _, err := w.store.JS.Publish(ctx, subject, data, jetstream.WithMsgID(fmt.Sprintf("wrapup.%s.%d", row.CallID, e.Seq))); err != nil {
		return fmt.Errorf("store the wrap-up of call %s: %w", req.CallID, err)
	}
	return nil
}

// cleanWrapup makes a wrap-up's text safe to store and show: escape
// sequences and control characters removed (line breaks kept in the
// summary and note), spaces trimmed. Check bounds it after.
func cleanWrapup(p event.Wrapup) event.Wrapup {
	p.Disposition = strings.TrimSpace(termtext.Sanitize(p.Disposition))
	p.Summary = cleanLines(p.Summary)
	p.Note = cleanLines(p.Note)
	steps := make([]event.WrapupStep, len(p.Checklist))
	for i, s := range p.Checklist {
		steps[i] = event.WrapupStep{ID: termtext.Sanitize(s.ID), Title: termtext.Sanitize(s.Title), Status: s.Status}
	}
	p.Checklist = steps
	p.Agent = ""
	return p
}

// cleanLines sanitises each line of s, keeping the line breaks.
func cleanLines(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(termtext.Sanitize(l), " ")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n ")
}

// Wrapup sends the agent's wrap-up of an ended call, to be stored with
// the call's events.
func (t *Terminal) Wrapup(ctx context.Context, callID string, w event.Wrapup) error {
	var out okReply
	if err := t.request(ctx, opWrapup, wrapupRequest{CallID: callID, Wrapup: w}, &out); err != nil {
		return err
	}
	return out.err()
}

// SubmitWrapup sends the agent's wrap-up of an ended call for a view.
func (c Controls) SubmitWrapup(callID string, w event.Wrapup) error {
	return c.t.Wrapup(context.Background(), callID, w)
}
