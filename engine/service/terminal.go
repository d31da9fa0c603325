package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
)

// Terminal is an agent's, a supervisor's or an analyst's connection to
// the service. It reconnects by itself for as long as it is open. When the
// service refuses it something its role needs (a permissions violation:
// the credentials are another user's), or stops accepting its credentials
// for good, it fails: Failed is closed and Err says why.
type Terminal struct {
	nc      *nats.Conn
	role    Role
	name    string
	creds   string
	log     *slog.Logger
	timeout time.Duration

	mu        sync.Mutex
	reconnect []chan struct{}
	status    []func(connected bool)
	closing   bool
	// noAgentStatus says the service refused the agent's state: a
	// service from before agent states, which the terminal outlives.
	noAgentStatus atomic.Bool

	// failed is done when the terminal fails; its cause says why.
	failed context.Context
	fail   context.CancelCauseFunc
}

// ErrPermission says the service refused the terminal's credentials, or
// refused them something their role needs.
var ErrPermission = errors.New("permission denied")

// TerminalConfig says how a terminal reaches the service.
type TerminalConfig struct {
	URL string
	// Creds is the nkey seed file of the user.
	Creds string
	Role  Role
	// Name is the agent id or the supervisor's name.
	Name   string
	Logger *slog.Logger
	// Timeout bounds each request; 10 s when zero.
	Timeout time.Duration
	// Options are added to the connection's (for example nats.RootCAs).
	Options []nats.Option
}

// Heartbeat of a terminal's connection: a server that stops answering
// (a machine gone, a cable pulled) is taken for lost after about
// pingInterval × (maxPingsOut+1), not the client library's minutes.
const (
	pingInterval = 3 * time.Second
	maxPingsOut  = 2
)

// DialTerminal connects to the service and checks, before it returns,
// that the service lets the user do what its role does: subscribe to its
// inbox and its events, and call its first API operation. Credentials the
// service does not know, or that are another user's, are an error that
// wraps ErrPermission. A server that is not up yet or goes away is
// retried for as long as the terminal is open.
func DialTerminal(cfg TerminalConfig) (*Terminal, error) {
	if !slices.Contains(Roles, cfg.Role) {
		return nil, fmt.Errorf("terminal: unknown role %q", cfg.Role)
	}
	t := &Terminal{role: cfg.Role, name: cfg.Name, creds: cfg.Creds, log: cfg.Logger, timeout: cfg.Timeout}
	t.failed, t.fail = context.WithCancelCause(context.Background())
	if t.timeout <= 0 {
		t.timeout = 10 * time.Second
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	opts := []nats.Option{
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { t.setConnected(false) }),
		nats.ReconnectHandler(func(*nats.Conn) { t.setConnected(true) }),
		nats.PingInterval(pingInterval),
		nats.MaxPingsOutstanding(maxPingsOut),
		// Errors go to the log and fail the terminal; the client
		// library's default would print them over the view.
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			// Logged under the lock Close takes, so nothing is logged
			// once Close has returned (the log may be closed then).
			t.mu.Lock()
			if !t.closing {
				t.log.Warn("service connection", "err", err)
			}
			t.mu.Unlock()
			if errors.Is(err, nats.ErrPermissionViolation) {
				if isAgentStatusRefusal(err) {
					t.noAgentStatus.Store(true) // the view goes on without states
					return
				}
				t.fail(t.refusal(err))
			}
		}),
		nats.ClosedHandler(func(nc *nats.Conn) {
			t.mu.Lock()
			closing := t.closing
			t.mu.Unlock()
			if !closing {
				t.fail(t.refusal(closedReason(nc)))
			}
		}),
	}
	if cfg.Role != RoleService {
		opts = append(opts, nats.CustomInboxPrefix(InboxPrefix(cfg.Role, cfg.Name)))
	}
	nc, err := Dial(cfg.URL, cfg.Creds, "assist-"+string(cfg.Role)+"-"+cfg.Name, append(opts, cfg.Options...)...)
	if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked) {
		return nil, t.refusal(err)
	}
	if err != nil {
		return nil, err
	}
	t.nc = nc
	if err := t.checkPermissions(); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// refusal words an error of the service refusing the terminal's user so
// that whoever reads it knows what to do; it wraps ErrPermission.
func (t *Terminal) refusal(err error) error {
	who := string(t.role) + " " + t.name
	hint := "issue them with 'assist creds add --" + string(t.role) + " " + t.name + "'"
	if t.role == RoleService {
		hint = "pass the service user's seed file"
	}
	return fmt.Errorf("%w: the service refused %s with credentials %s (%v): are they %s's? %s, or pass --creds with the right seed file",
		ErrPermission, who, t.creds, err, who, hint)
}

// checkPermissions subscribes to what the role reads and publishes a
// request the role may send, without a reply subject (the service drops
// it unanswered); a refusal reaches the client before the answer to the
// flush that follows.
func (t *Terminal) checkPermissions() error {
	if t.role == RoleService {
		return nil
	}
	subjects := []string{InboxPrefix(t.role, t.name) + ".check"}
	switch t.role {
	case RoleAgent:
		subjects = append(subjects, engine.AgentSubject(t.name))
	case RoleSupervisor:
		subjects = append(subjects, engine.AllCallsSubject)
	}
	for _, subject := range subjects {
		sub, err := t.nc.SubscribeSync(subject)
		if err != nil {
			return fmt.Errorf("check permissions: %w", err)
		}
		defer sub.Unsubscribe()
	}
	for _, o := range Operations {
		if slices.Contains(o.Roles, t.role) && o.Access == Read {
			if err := t.nc.Publish(t.api(o.Name), nil); err != nil {
				return fmt.Errorf("check permissions: %w", err)
			}
			break
		}
	}
	if err := t.nc.FlushTimeout(t.timeout); err != nil {
		return fmt.Errorf("check permissions: %w", err)
	}
	if err := t.nc.LastError(); errors.Is(err, nats.ErrPermissionViolation) {
		return t.refusal(err)
	}
	return nil
}

// Failed is closed when the terminal can no longer work: the service
// refused it something its role needs, or no longer accepts its
// credentials. Err then says why.
func (t *Terminal) Failed() <-chan struct{} { return t.failed.Done() }

// Err returns why the terminal failed, nil while it has not. A
// connection the client library closed by itself (it does so after the
// server refused the credentials twice) is a failure even before the
// closed handler has run.
func (t *Terminal) Err() error {
	if t.failed.Err() == nil && t.nc != nil && t.nc.IsClosed() {
		t.mu.Lock()
		closing := t.closing
		t.mu.Unlock()
		if !closing {
			t.fail(t.refusal(closedReason(t.nc)))
		}
	}
	if t.failed.Err() == nil {
		return nil
	}
	return context.Cause(t.failed)
}

// closedReason is why the client library closed a connection.
func closedReason(nc *nats.Conn) error {
	if err := nc.LastError(); err != nil {
		return err
	}
	return nats.ErrConnectionClosed
}

// Conn returns the terminal's connection.
func (t *Terminal) Conn() *nats.Conn { return t.nc }

// Close closes the connection.
func (t *Terminal) Close() {
	t.mu.Lock()
	t.closing = true
	t.mu.Unlock()
	t.nc.Close()
}

// OnStatus registers fn to hear when the connection is lost and regained.
func (t *Terminal) OnStatus(fn func(connected bool)) {
	t.mu.Lock()
	t.status = append(t.status, fn)
	t.mu.Unlock()
}

func (t *Terminal) setConnected(up bool) {
	t.mu.Lock()
	fns := append([]func(bool){}, t.status...)
	chans := t.reconnect
	t.mu.Unlock()
	for _, fn := range fns {
		fn(up)
	}
	if up {
		for _, c := range chans {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
}

// WatchConnection tells status whether the terminal is connected, at
// once and then each time the connection is lost or regained, until ctx
// is done. It runs on the terminal's goroutines: keep it short.
func (t *Terminal) WatchConnection(ctx context.Context, status func(connected bool)) {
	t.OnStatus(func(up bool) {
		if ctx.Err() == nil {
			status(up)
		}
	})
	status(t.nc.IsConnected())
}

// WatchCalls tells status each time the connection is lost or regained
// and, once it is back, hands rows the live calls (in queue, when not
// empty) read again, for the rows that changed meanwhile, until ctx is
// done. Both run on the terminal's goroutines: keep them short.
func (t *Terminal) WatchCalls(ctx context.Context, queue string, status func(connected bool), rows func([]event.CallRow)) {
	t.OnStatus(func(up bool) {
		if ctx.Err() != nil {
			return
		}
		status(up)
		if up {
			go func() {
				if calls, err := t.Calls(ctx, queue); err == nil {
					rows(calls)
				}
			}()
		}
	})
}

// api returns the subject of an operation for this terminal's role.
func (t *Terminal) api(op string) string { return APISubject(t.role, t.name, op) }

func (t *Terminal) request(ctx context.Context, op string, v, out any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	// A refusal comes asynchronously: end the wait when it does.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(t.failed, cancel)
	defer stop()
	msg, err := t.nc.RequestWithContext(ctx, t.api(op), data)
	if ferr := t.Err(); err != nil && ferr != nil {
		return fmt.Errorf("%s: %w", op, ferr)
	}
	if errors.Is(err, nats.ErrNoResponders) {
		return fmt.Errorf("%s: %w (is 'assist serve' running?)", op, ErrUnavailable)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := json.Unmarshal(msg.Data, out); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Calls returns the live calls this terminal may see (in queue, when not
// empty), oldest first.
func (t *Terminal) Calls(ctx context.Context, queue string) ([]event.CallRow, error) {
	var out callsReply
	if err := t.request(ctx, opCalls, callsRequest{Queue: queue}, &out); err != nil {
		return nil, err
	}
	return out.Calls, out.err()
}

// History returns the events of a call after sequence number after.
func (t *Terminal) History(ctx context.Context, callID string, after uint64) ([]event.Event, error) {
	var all []event.Event
	for {
		var out historyReply
		if err := t.request(ctx, opHistory, historyRequest{CallID: callID, After: after}, &out); err != nil {
			return all, err
		}
		if err := out.err(); err != nil {
			return all, err
		}
		all = append(all, out.Events...)
		if !out.More || len(out.Events) == 0 {
			return all, nil
		}
		after = out.Events[len(out.Events)-1].Seq
	}
}

// Feedback sends the agent's verdict on a suggestion to the call's worker.
func (t *Terminal) Feedback(ctx context.Context, callID string, fb event.Feedback) error {
	var out okReply
	if err := t.request(ctx, opFeedback, feedbackRequest{CallID: callID, Feedback: fb}, &out); err != nil {
		return err
	}
	return out.err()
}

// Summary asks the call's worker to publish a summary of the call so far.
func (t *Terminal) Summary(ctx context.Context, callID string) error {
	var out okReply
	if err := t.request(ctx, opSummary, summaryRequest{CallID: callID}, &out); err != nil {
		return err
	}
	return out.err()
}

// Coach sends a supervisor's coaching note to the agent of a call.
func (t *Terminal) Coach(ctx context.Context, callID, text string) error {
	var out okReply
	if err := t.request(ctx, opCoach, coachRequest{CallID: callID, Text: text}, &out); err != nil {
		return err
	}
	return out.err()
}

// ReadSince calls fn with every stored event of every call published at
// or after since, in store order, page by page through the service's
// export operation, until fn returns an error or the events stored when
// it began are read. It makes the terminal an export.Source.
func (t *Terminal) ReadSince(ctx context.Context, since time.Time, fn func(event.Event) error) error {
	req := exportRequest{Since: since}
	for {
		var out exportReply
		if err := t.request(ctx, opExport, req, &out); err != nil {
			return err
		}
		if err := out.err(); err != nil {
			return fmt.Errorf("%s: %w", opExport, err)
		}
		for _, e := range out.Events {
			if err := fn(e); err != nil {
				return err
			}
		}
		if !out.More {
			return nil
		}
		if out.Next <= req.After {
			return fmt.Errorf("%s: the service's pages do not move on (after %d)", opExport, req.After)
		}
		req.After, req.Until = out.Next, out.Until
	}
}

// Reply sends the agent's reply to a chat call.
func (t *Terminal) Reply(ctx context.Context, callID, text string) error {
	var out okReply
	if err := t.request(ctx, opReply, replyRequest{CallID: callID, Text: text}, &out); err != nil {
		return err
	}
	return out.err()
}

// Follow delivers the events of the calls on subject (engine.AgentSubject,
// engine.QueueSubject, engine.AllCallsSubject) in each call's order,
// without gaps or repeats: first the whole history of every live call the
// terminal may see (in queue, when not empty), then live events. When an
// event arrives after a gap, or the connection comes back after a loss,
// the missing events are fetched from the service's store first. The
// channel closes when ctx is done.
func (t *Terminal) Follow(ctx context.Context, subject, queue string) (<-chan event.Event, error) {
	live := make(chan event.Event, 4096)
	sub, err := t.nc.Subscribe(subject, func(m *nats.Msg) {
		var e event.Event
		if err := json.Unmarshal(m.Data, &e); err != nil {
			t.log.Warn("undecodable event", "subject", m.Subject, "err", err)
			return
		}
		select {
		case live <- e:
		case <-ctx.Done():
		}
	})
	if err != nil {
		return nil, fmt.Errorf("follow %s: %w", subject, err)
	}
	// Events wait in the client rather than being dropped as a slow
	// consumer; the follower drains them in order.
	_ = sub.SetPendingLimits(-1, -1)
	// A connection lost during the flush fails it with ErrConnectionClosed
	// although the client reconnects: only a closed connection is an error.
	if err := t.nc.Flush(); err != nil && !errors.Is(err, nats.ErrConnectionReconnecting) && (t.nc.IsClosed() || !errors.Is(err, nats.ErrConnectionClosed)) {
		sub.Unsubscribe()
		return nil, fmt.Errorf("follow %s: %w", subject, err)
	}
	reconnected := make(chan struct{}, 1)
	t.mu.Lock()
	t.reconnect = append(t.reconnect, reconnected)
	t.mu.Unlock()

	out := make(chan event.Event, 1024)
	f := &follower{t: t, out: out, ctx: ctx, last: map[string]uint64{}, ended: map[string]bool{}, queue: queue}
	go func() {
		defer close(out)
		defer sub.Unsubscribe()
		f.catchUp()
		for {
			select {
			case <-ctx.Done():
				return
			case <-reconnected:
				f.catchUp()
			case e := <-live:
				f.deliver(e)
			}
		}
	}()
	return out, nil
}

// follower keeps the order of one Follow.
type follower struct {
	t     *Terminal
	ctx   context.Context
	out   chan<- event.Event
	queue string
	last  map[string]uint64
	ended map[string]bool
}

func (f *follower) emit(e event.Event) {
	if e.Seq <= f.last[e.CallID] {
		return
	}
	f.last[e.CallID] = e.Seq
	if e.Kind == event.KindCallEnded {
		f.ended[e.CallID] = true
	}
	select {
	case f.out <- e:
	case <-f.ctx.Done():
	}
}

// deliver emits a live event, fetching what is missing before it.
func (f *follower) deliver(e event.Event) {
	if last := f.last[e.CallID]; e.Seq > last+1 {
		f.fill(e.CallID)
	}
	f.emit(e)
}

// fill emits the stored events of a call after the last one emitted.
func (f *follower) fill(callID string) {
	events, err := f.t.History(f.ctx, callID, f.last[callID])
	if err != nil && f.ctx.Err() == nil {
		f.t.log.Warn("fetch missed events", "call_id", callID, "err", err)
	}
	for _, e := range events {
		f.emit(e)
	}
}

// catchUp fills every live call and every call followed that has not
// ended: at start, and after a reconnect.
func (f *follower) catchUp() {
	calls, err := f.t.Calls(f.ctx, f.queue)
	if err != nil {
		if f.ctx.Err() == nil {
			f.t.log.Warn("list live calls", "err", err)
		}
	}
	seen := map[string]bool{}
	for _, c := range calls {
		seen[c.CallID] = true
		f.fill(c.CallID)
	}
	for id := range f.last {
		if !seen[id] && !f.ended[id] {
			f.fill(id)
		}
	}
}

// Controls adapt a terminal to a view, which asks for feedback and
// summaries without a context: they have the methods of the agent view's
// Controller.
type Controls struct{ t *Terminal }

// Controls returns the terminal's controls for a view.
func (t *Terminal) Controls() Controls { return Controls{t: t} }

// Feedback sends the agent's verdict on a suggestion to the call's worker.
func (c Controls) Feedback(callID string, fb event.Feedback) error {
	return c.t.Feedback(context.Background(), callID, fb)
}

// Reply sends the agent's reply to a chat call's customer; it comes back
// as the agent's utterance in the call's events.
func (c Controls) Reply(callID, text string) error {
	return c.t.Reply(context.Background(), callID, text)
}

// RequestSummary asks the call's worker to publish a summary of the call
// so far.
func (c Controls) RequestSummary(callID string) error {
	return c.t.Summary(context.Background(), callID)
}
