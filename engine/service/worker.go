package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/guide"
	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// WorkerOptions configure a worker.
type WorkerOptions struct {
	// ID names the worker on the bus; it must be unique among the workers
	// sharing a NATS cluster and stable across restarts (the calls it left
	// live when it died are ended when it comes back).
	ID        string
	Assistant *assist.Assistant
	Metrics   *engine.Metrics
	Logger    *slog.Logger
	Now       func() time.Time
	// Redact, when set, redacts utterance text in stored events.
	Redact func(string) string
	// Calls, when set, follows each call's turns for redaction (see
	// engine.Options.Calls).
	Calls *redact.Calls
	// Guidance adds guided flows, offers and warnings.
	Guidance *guide.Config
	// Retention is the store's (DefaultRetention when zero): the worker's
	// copy of the call directory forgets rows not updated for that long,
	// as the bucket does (whose expiries its watchers are not told of).
	Retention time.Duration
}

// Worker takes calls from the bus and runs them through the engine: a call
// started on assist.work.start goes to one worker of the queue group, and
// its input then comes to that worker alone. Every worker also answers the
// terminals' API and keeps a copy of the call directory for it.
type Worker struct {
	id      string
	nc      *nats.Conn
	store   *Store
	eng     *engine.Engine
	log     *slog.Logger
	metrics *engine.Metrics
	now     func() time.Time

	mu    sync.Mutex
	calls map[string]*workerCall
	sums  map[string]*event.CallRow // the rows this worker writes
	dir   map[string]event.CallRow  // every row, from the bucket

	dirReady  chan struct{}
	retention time.Duration
	stop      chan struct{} // closed by Close
	apiSlots  chan struct{} // bounds the API requests answered at once
	subs      []*nats.Subscription
	watcher   jetstream.KeyWatcher
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// workerCall is a call this worker handles; its inputs run one at a time
// in order on their own goroutine.
type workerCall struct {
	s       *engine.Session
	in      chan inputMsg
	done    chan struct{} // closed when the call leaves the worker
	started time.Time
	seen    []string // recent input ids, for dropping retries
}

type inputMsg struct {
	in  workInput
	msg *nats.Msg
}

// NewWorker starts a worker on bus, which must be connected with the
// service's credentials; events are stored in store.
func NewWorker(ctx context.Context, bus *engine.Bus, store *Store, opts WorkerOptions) (*Worker, error) {
	if opts.ID == "" {
		return nil, errors.New("worker: empty id")
	}
	w := &Worker{
		id: opts.ID, nc: bus.Conn(), store: store, log: opts.Logger, metrics: opts.Metrics, now: opts.Now,
		calls: map[string]*workerCall{}, sums: map[string]*event.CallRow{}, dir: map[string]event.CallRow{},
		dirReady: make(chan struct{}), apiSlots: make(chan struct{}, apiConcurrency),
		retention: opts.Retention, stop: make(chan struct{}),
	}
	if w.retention <= 0 {
		w.retention = DefaultRetention
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	bus.UseStore(store.JS)
	var err error
	w.eng, err = engine.New(bus, opts.Assistant, engine.Options{Logger: w.log, Metrics: w.metrics, OnEvent: w.onEvent, Now: w.now, Redact: opts.Redact, Calls: opts.Calls, Guidance: opts.Guidance})
	if err != nil {
		return nil, err
	}
	if w.watcher, err = store.Calls.WatchAll(ctx); err != nil {
		w.eng.Close()
		return nil, fmt.Errorf("watch call directory: %w", err)
	}
	w.wg.Add(2)
	go w.watchDirectory()
	go w.pruneDirectory()
	for _, s := range []struct {
		subject, queue string
		fn             nats.MsgHandler
	}{
		{workStart, workerQueue, w.onStart},
		{workPrefix + event.SubjectToken(w.id) + ".*", "", w.onInput},
		{apiPrefix + ">", apiQueue, w.serveAPI},
	} {
		sub, err := w.nc.QueueSubscribe(s.subject, s.queue, s.fn)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("worker: subscribe %s: %w", s.subject, err)
		}
		w.subs = append(w.subs, sub)
	}
	if err := w.watchAgentStates(); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.nc.Flush(); err != nil {
		w.Close()
		return nil, fmt.Errorf("worker: %w", err)
	}
	return w, nil
}

// apiConcurrency is how many API requests a worker answers at once: a
// supervisor starting up asks for the history of every live call.
const apiConcurrency = 8

// serveAPI answers an API request on its own goroutine, so a slow history
// read does not hold up the requests behind it.
func (w *Worker) serveAPI(msg *nats.Msg) {
	w.apiSlots <- struct{}{}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer func() { <-w.apiSlots }()
		w.onAPI(msg)
	}()
}

// WaitDirectory waits until the worker has read the call directory.
func (w *Worker) WaitDirectory(ctx context.Context) error {
	select {
	case <-w.dirReady:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("read call directory: %w", ctx.Err())
	}
}

// kvKey is a call's key in the bucket: its subject token with '~' (not
// allowed in keys) as '=' (which the token never has).
func kvKey(callID string) string { return strings.ReplaceAll(event.SubjectToken(callID), "~", "=") }

func (w *Worker) watchDirectory() {
	defer w.wg.Done()
	ready := false
	for entry := range w.watcher.Updates() {
		if entry == nil {
			if !ready {
				ready = true
				close(w.dirReady)
			}
			continue
		}
		w.mu.Lock()
		if entry.Operation() != jetstream.KeyValuePut {
			delete(w.dir, entry.Key())
		} else {
			var row event.CallRow
			if err := json.Unmarshal(entry.Value(), &row); err == nil {
				w.dir[entry.Key()] = row
			}
		}
		w.mu.Unlock()
	}
	if !ready {
		close(w.dirReady)
	}
}

// pruneDirectory forgets the rows of calls not updated for the
// retention: the bucket has dropped them, without telling its watchers,
// and a worker that ran for a month would otherwise hold a month of rows.
func (w *Worker) pruneDirectory() {
	defer w.wg.Done()
	t := time.NewTicker(max(min(w.retention/4, 10*time.Minute), time.Second))
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		cutoff := w.now().Add(-w.retention)
		w.mu.Lock()
		for key, row := range w.dir {
			if row.Updated.Before(cutoff) {
				delete(w.dir, key)
			}
		}
		w.mu.Unlock()
	}
}

// onEvent keeps the call's directory row; it runs under the call's lock,
// so rows are written in event order.
func (w *Worker) onEvent(ev event.Event) {
	w.mu.Lock()
	sum := w.sums[ev.CallID]
	if sum == nil {
		sum = &event.CallRow{}
		w.sums[ev.CallID] = sum
	}
	sum.Apply(ev)
	sum.Worker = w.id
	row := *sum
	if ev.Kind == event.KindCallEnded {
		delete(w.sums, ev.CallID)
	}
	w.mu.Unlock()
	switch p := ev.Payload.(type) {
	case event.Utterance:
		if !p.Final {
			return
		}
	case event.Sentiment:
		if p.Speaker != event.SpeakerCustomer {
			return
		}
	case event.Suggestions, event.Recommendations, event.Feedback, event.Coaching:
		return
	}
	data, err := json.Marshal(row)
	if err != nil {
		return
	}
	// The row is derived from stored events, so it need not wait for its
	// acknowledgement: the next put supersedes it.
	if _, err := w.store.JS.PublishAsync("$KV."+BucketName+"."+kvKey(ev.CallID), data); err != nil {
		w.log.Warn("update call directory", "call_id", ev.CallID, "err", err)
	}
}

// respond answers a request; a message without a reply subject (a
// publish) is not answered.
func respond(msg *nats.Msg, v any) {
	if msg.Reply == "" {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		data, _ = json.Marshal(okReply{apiError: newAPIError(err)})
	}
	_ = msg.Respond(data)
}

func (w *Worker) onStart(msg *nats.Msg) {
	var req startRequest
	if err := json.Unmarshal(msg.Data, &req); err != nil || req.CallID == "" {
		respond(msg, startReply{apiError: newAPIError(fmt.Errorf("%w: start needs a call id", ErrBadRequest))})
		return
	}
	err := w.take(req)
	if err != nil {
		w.log.Warn("take call", "call_id", req.CallID, "resume", req.Resume, "err", err)
		respond(msg, startReply{apiError: newAPIError(err)})
		return
	}
	respond(msg, startReply{Worker: w.id})
}

// take starts or resumes a call on this worker.
func (w *Worker) take(req startRequest) error {
	w.mu.Lock()
	_, mine := w.calls[req.CallID]
	w.mu.Unlock()
	if mine {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	last, stored, err := w.store.LastEvent(ctx, req.CallID)
	if err != nil {
		return err
	}
	var s *engine.Session
	started := w.now()
	switch {
	case stored && last.Kind == event.KindCallEnded:
		return fmt.Errorf("call %s: %w", req.CallID, engine.ErrCallEnded)
	case stored && !req.Resume:
		return fmt.Errorf("call %s: %w", req.CallID, engine.ErrCallExists)
	case stored:
		row, _ := w.row(req.CallID)
		if !row.Started.IsZero() {
			started = row.Started
		}
		w.mu.Lock()
		w.sums[req.CallID] = &row
		w.mu.Unlock()
		s, err = w.eng.ResumeCall(req.CallID, req.Info, last.Seq)
	default:
		s, err = w.eng.StartCall(req.CallID, req.Info)
	}
	if err != nil {
		return err
	}
	c := &workerCall{s: s, in: make(chan inputMsg, 256), done: make(chan struct{}), started: started}
	w.mu.Lock()
	w.calls[req.CallID] = c
	w.mu.Unlock()
	w.wg.Add(1)
	go w.run(c)
	return nil
}

// row returns the directory row of a call.
func (w *Worker) row(callID string) (event.CallRow, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.dir[kvKey(callID)]
	return r, ok
}

func (w *Worker) onInput(msg *nats.Msg) {
	var in workInput
	if err := json.Unmarshal(msg.Data, &in); err != nil {
		respond(msg, okReply{apiError: newAPIError(fmt.Errorf("%w: %v", ErrBadRequest, err))})
		return
	}
	w.mu.Lock()
	c := w.calls[in.CallID]
	w.mu.Unlock()
	if c == nil {
		respond(msg, okReply{apiError: newAPIError(fmt.Errorf("call %s on worker %s: %w", in.CallID, w.id, ErrNotFound))})
		return
	}
	if in.Op == inPartial {
		select {
		case c.in <- inputMsg{in, msg}:
		default:
			// A newer partial or the final will follow.
			w.metrics.DroppedPartial()
		}
		return
	}
	select {
	case c.in <- inputMsg{in, msg}:
	case <-c.done:
		respond(msg, okReply{apiError: newAPIError(fmt.Errorf("call %s: %w", in.CallID, engine.ErrCallEnded))})
	}
}

// detach takes a call off the worker and stops its goroutine.
func (w *Worker) detach(callID string) *workerCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.calls[callID]
	if c != nil {
		delete(w.calls, callID)
		close(c.done)
	}
	return c
}

// run applies a call's inputs in order until the call ends or the worker
// closes.
func (w *Worker) run(c *workerCall) {
	defer w.wg.Done()
	id := c.s.ID()
	for {
		var m inputMsg
		select {
		case m = <-c.in:
		case <-c.done:
			return
		}
		in := m.in
		var err error
		switch in.Op {
		case inPartial:
			if in.Utterance != nil {
				err = c.s.Partial(*in.Utterance)
			}
		case inFinal:
			if in.Utterance == nil {
				err = fmt.Errorf("%w: final without utterance", ErrBadRequest)
				break
			}
			if c.saw(in.InputID) {
				break
			}
			err = c.s.Final(context.Background(), *in.Utterance)
		case inFeedback:
			if in.Feedback == nil {
				err = fmt.Errorf("%w: feedback without verdict", ErrBadRequest)
				break
			}
			err = c.s.Feedback(*in.Feedback)
		case inReply:
			if c.saw(in.InputID) {
				break
			}
			offset := w.now().Sub(c.started).Seconds()
			err = c.s.Final(context.Background(), event.Utterance{
				Speaker: event.SpeakerAgent, Text: in.Text, Source: event.SourceChat, Start: offset, End: offset,
			})
			if err == nil {
				err = w.nc.Publish(chatOutSubject(id), []byte(in.Text))
			}
		case inSummary:
			err = c.s.Summarize(context.Background())
		case inCoach:
			if c.saw(in.InputID) {
				break
			}
			err = c.s.Coach(in.From, in.Text)
		case inResumed:
			if in.Resumed == nil {
				err = fmt.Errorf("%w: resumed without its marker", ErrBadRequest)
				break
			}
			if c.saw(in.InputID) {
				break
			}
			err = c.s.Resumed(*in.Resumed)
		case inEnd:
			err = c.s.End(in.Reason)
			w.detach(id)
			respond(m.msg, okReply{OK: err == nil, apiError: newAPIError(err)})
			return
		default:
			err = fmt.Errorf("%w: unknown input %q", ErrBadRequest, in.Op)
		}
		if err != nil && in.Op != inPartial {
			w.log.Warn("call input", "call_id", id, "op", in.Op, "err", err)
		}
		respond(m.msg, okReply{OK: err == nil, apiError: newAPIError(err)})
	}
}

// saw records an input id and reports whether it was seen before.
func (c *workerCall) saw(id string) bool {
	if id == "" {
		return false
	}
	if slices.Contains(c.seen, id) {
		return true
	}
	if len(c.seen) == 64 {
		c.seen = c.seen[1:]
	}
	c.seen = append(c.seen, id)
	return false
}

// EndOrphans ends the calls the directory says this worker was handling
// when it stopped (it was killed): their ingest connections died with it.
// Each gets a call.ended after its last stored event.
func (w *Worker) EndOrphans(ctx context.Context) (int, error) {
	if err := w.WaitDirectory(ctx); err != nil {
		return 0, err
	}
	w.mu.Lock()
	var orphans []event.CallRow
	for _, row := range w.dir {
		if row.Worker == w.id && row.Status == event.StatusLive && w.calls[row.CallID] == nil {
			orphans = append(orphans, row)
		}
	}
	w.mu.Unlock()
	n := 0
	for _, row := range orphans {
		info := event.CallStarted{Queue: row.Queue, Agent: row.Agent, Customer: row.Customer, Channel: row.Channel, Title: row.Title}
		if err := w.take(startRequest{CallID: row.CallID, Info: info, Resume: true}); err != nil {
			if errors.Is(err, engine.ErrCallEnded) {
				continue
			}
			return n, err
		}
		if c := w.detach(row.CallID); c != nil {
			if err := c.s.End("service restarted"); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Close stops taking input and answering; calls stay as they are (their
// ingest will hand them to another worker).
func (w *Worker) Close() {
	w.closeOnce.Do(func() { close(w.stop) })
	for _, s := range w.subs {
		_ = s.Unsubscribe()
	}
	if w.watcher != nil {
		_ = w.watcher.Stop()
	}
	w.mu.Lock()
	ids := make([]string, 0, len(w.calls))
	for id := range w.calls {
		ids = append(ids, id)
	}
	w.mu.Unlock()
	for _, id := range ids {
		w.detach(id)
	}
	w.wg.Wait()
	w.eng.Close()
}
