package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
)

// Client hands ingested calls to the workers over the bus: it implements
// ingest.Calls. A call goes to whichever worker of the queue group answers
// its start; its input then goes to that worker alone, in order. When the
// worker stops answering (it died), the call is handed to another worker,
// which carries on after the last stored event, and the input is sent
// again (the worker drops an input it has already applied).
type Client struct {
	nc  *nats.Conn
	log *slog.Logger
	// Timeout bounds each request to a worker; 10 s when zero.
	Timeout time.Duration
}

// NewClient returns a client on a connection with the service's
// credentials.
func NewClient(nc *nats.Conn, log *slog.Logger) *Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{nc: nc, log: log}
}

func (c *Client) timeout() time.Duration {
	if c.Timeout <= 0 {
		return 10 * time.Second
	}
	return c.Timeout
}

// Start implements ingest.Calls.
func (c *Client) Start(ctx context.Context, id string, info event.CallStarted) (engine.CallSink, error) {
	rc := &remoteCall{c: c, id: id, info: info}
	if err := rc.start(ctx, false); err != nil {
		return nil, err
	}
	return rc, nil
}

// request sends v to subject and decodes the answer into out.
func (c *Client) request(ctx context.Context, subject string, v, out any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	msg, err := c.nc.RequestWithContext(ctx, subject, data)
	if err != nil {
		return err
	}
	return json.Unmarshal(msg.Data, out)
}

// Reply implements ingest.Calls: the service's API records the reply on the
// call's worker, which sends it to the chat.
func (c *Client) Reply(ctx context.Context, callID, text string) error {
	var out okReply
	if err := c.request(ctx, apiPrefix+opReply, replyRequest{CallID: callID, Text: text}, &out); err != nil {
		return fmt.Errorf("reply to call %s: %w", callID, err)
	}
	if err := out.err(); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("reply to call %s: %w", callID, engine.ErrNoCall)
		}
		return fmt.Errorf("reply to call %s: %w", callID, err)
	}
	return nil
}

// Replies implements ingest.Calls.
func (c *Client) Replies(callID string) (<-chan string, func(), error) {
	ch := make(chan string, 64)
	sub, err := c.nc.Subscribe(chatOutSubject(callID), func(m *nats.Msg) {
		select {
		case ch <- string(m.Data):
		default:
			c.log.Warn("chat reply dropped: the chat connection is not reading", "call_id", callID)
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("follow replies of call %s: %w", callID, err)
	}
	if err := c.nc.Flush(); err != nil {
		sub.Unsubscribe()
		return nil, nil, fmt.Errorf("follow replies of call %s: %w", callID, err)
	}
	var once sync.Once
	return ch, func() { once.Do(func() { _ = sub.Unsubscribe() }) }, nil
}

// remoteCall is a call handled by a worker; its methods are called from one
// goroutine at a time (the ingest connection's), which keeps its order.
type remoteCall struct {
	c    *Client
	id   string
	info event.CallStarted

	mu     sync.Mutex
	worker string
}

func (rc *remoteCall) ID() string { return rc.id }

// start asks the workers' queue group for a worker.
func (rc *remoteCall) start(ctx context.Context, resume bool) error {
	var out startReply
	err := rc.c.request(ctx, workStart, startRequest{CallID: rc.id, Info: rc.info, Resume: resume}, &out)
	if errors.Is(err, nats.ErrNoResponders) {
		return fmt.Errorf("start call %s: %w", rc.id, ErrUnavailable)
	}
	if err != nil {
		return fmt.Errorf("start call %s: %w", rc.id, err)
	}
	if err := out.err(); err != nil {
		return fmt.Errorf("start call %s: %w", rc.id, err)
	}
	rc.mu.Lock()
	rc.worker = out.Worker
	rc.mu.Unlock()
	return nil
}

func (rc *remoteCall) subject() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return workSubject(rc.worker, rc.id)
}

// send delivers an input to the call's worker and waits for its answer.
// When the worker does not answer or no longer has the call, the call is
// resumed on a worker and the input sent once more.
func (rc *remoteCall) send(ctx context.Context, in workInput) error {
	in.CallID = rc.id
	var out okReply
	err := rc.c.request(ctx, rc.subject(), in, &out)
	if err == nil {
		err = out.err()
	}
	if !workerGone(err) || ctx.Err() != nil {
		return err
	}
	rc.c.log.Warn("worker gone; resuming the call on another", "call_id", rc.id, "err", err)
	if err := rc.start(ctx, true); err != nil {
		return err
	}
	out = okReply{}
	if err := rc.c.request(ctx, rc.subject(), in, &out); err != nil {
		return fmt.Errorf("call %s: %w", rc.id, err)
	}
	return out.err()
}

// workerGone tells the errors after which the call is resumed elsewhere.
func workerGone(err error) bool {
	return errors.Is(err, nats.ErrNoResponders) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrNotFound)
}

// Partial implements engine.CallSink: partials are published without
// waiting; a lost one is replaced by the next.
func (rc *remoteCall) Partial(u event.Utterance) error {
	data, err := json.Marshal(workInput{Op: inPartial, CallID: rc.id, Utterance: &u})
	if err != nil {
		return err
	}
	return rc.c.nc.Publish(rc.subject(), data)
}

// Final implements engine.CallSink.
func (rc *remoteCall) Final(ctx context.Context, u event.Utterance) error {
	return rc.send(ctx, workInput{Op: inFinal, InputID: nuid.Next(), Utterance: &u})
}

// Resumed implements engine.CallSink.
func (rc *remoteCall) Resumed(r event.CallResumed) error {
	return rc.send(context.Background(), workInput{Op: inResumed, InputID: nuid.Next(), Resumed: &r})
}

// End implements engine.CallSink.
func (rc *remoteCall) End(reason string) error {
	err := rc.send(context.Background(), workInput{Op: inEnd, Reason: reason})
	if errors.Is(err, engine.ErrCallEnded) {
		return nil
	}
	return err
}
