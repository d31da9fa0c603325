package service

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
)

// forwardTimeout bounds a request forwarded to the worker handling a call.
const forwardTimeout = 10 * time.Second

// onAPI answers a terminal's request. On assist.api.<op> the caller is a
// supervisor (NATS permissions keep agents off it) and may see any call;
// on assist.api.agent.<agent>.<op> it is that agent, and only calls the
// directory gives to that agent are answered.
func (w *Worker) onAPI(msg *nats.Msg) {
	tokens := strings.Split(msg.Subject, ".")
	op := tokens[len(tokens)-1]
	agent := "" // the agent's subject token; "" for a supervisor
	if strings.HasPrefix(msg.Subject, agentAPIPrefix) {
		agent = tokens[3]
	}
	var reply any
	switch op {
	case opCalls:
		var req callsRequest
		if len(msg.Data) > 0 {
			if err := json.Unmarshal(msg.Data, &req); err != nil {
				respond(msg, callsReply{apiError: newAPIError(fmt.Errorf("%w: %v", ErrBadRequest, err))})
				return
			}
		}
		reply = callsReply{Calls: w.listCalls(req, agent)}
	case opHistory:
		var req historyRequest
		if err := decodeCallRequest(msg.Data, &req, &req.CallID); err != nil {
			respond(msg, historyReply{apiError: newAPIError(err)})
			return
		}
		if _, err := w.access(req.CallID, agent); err != nil {
			respond(msg, historyReply{apiError: newAPIError(err)})
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
		defer cancel()
		events, more, err := w.store.History(ctx, req.CallID, req.After)
		if events == nil {
			events = []event.Event{}
		}
		reply = historyReply{Events: events, More: more, apiError: newAPIError(err)}
	case opFeedback:
		var req feedbackRequest
		if err := decodeCallRequest(msg.Data, &req, &req.CallID); err != nil {
			respond(msg, okReply{apiError: newAPIError(err)})
			return
		}
		reply = w.forward(req.CallID, agent, workInput{Op: inFeedback, CallID: req.CallID, Feedback: &req.Feedback})
	case opReply:
		var req replyRequest
		if err := decodeCallRequest(msg.Data, &req, &req.CallID); err != nil {
			respond(msg, okReply{apiError: newAPIError(err)})
			return
		}
		if strings.TrimSpace(req.Text) == "" {
			respond(msg, okReply{apiError: newAPIError(fmt.Errorf("%w: empty reply", ErrBadRequest))})
			return
		}
		reply = w.forward(req.CallID, agent, workInput{Op: inReply, CallID: req.CallID, Text: req.Text, InputID: nuid.Next()})
	case opSummary:
		var req summaryRequest
		if err := decodeCallRequest(msg.Data, &req, &req.CallID); err != nil {
			respond(msg, okReply{apiError: newAPIError(err)})
			return
		}
		reply = w.forward(req.CallID, agent, workInput{Op: inSummary, CallID: req.CallID})
	default:
		reply = okReply{apiError: newAPIError(fmt.Errorf("%w: unknown operation %q", ErrBadRequest, op))}
	}
	respond(msg, reply)
}

// decodeCallRequest decodes a request that names a call.
func decodeCallRequest(data []byte, v any, callID *string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	if *callID == "" {
		return fmt.Errorf("%w: no call_id", ErrBadRequest)
	}
	return nil
}

// access returns the call's directory row if the caller may see the call:
// a supervisor ("" agent) any call, an agent its own.
func (w *Worker) access(callID, agent string) (event.CallRow, error) {
	row, ok := w.row(callID)
	if !ok {
		return row, fmt.Errorf("call %s: %w", callID, ErrNotFound)
	}
	if agent != "" && engine.SubjectToken(row.Agent) != agent {
		return row, fmt.Errorf("call %s: %w", callID, ErrForbidden)
	}
	return row, nil
}

// listCalls returns the directory's rows the caller may see, oldest first.
func (w *Worker) listCalls(req callsRequest, agent string) []event.CallRow {
	w.mu.Lock()
	out := make([]event.CallRow, 0, len(w.dir))
	for _, row := range w.dir {
		switch {
		case agent != "" && engine.SubjectToken(row.Agent) != agent:
		case req.Queue != "" && row.Queue != req.Queue:
		case row.Status == event.StatusEnded && !req.Ended:
		default:
			out = append(out, row)
		}
	}
	w.mu.Unlock()
	slices.SortFunc(out, func(a, b event.CallRow) int {
		return cmp.Or(a.Started.Compare(b.Started), cmp.Compare(a.CallID, b.CallID))
	})
	return out
}

// forward sends an input to the worker handling the call, which may be
// this one, and returns its answer.
func (w *Worker) forward(callID, agent string, in workInput) okReply {
	row, err := w.access(callID, agent)
	if err != nil {
		return okReply{apiError: newAPIError(err)}
	}
	if row.Status != event.StatusLive || row.Worker == "" {
		return okReply{apiError: newAPIError(fmt.Errorf("call %s: %w", callID, engine.ErrCallEnded))}
	}
	data, err := json.Marshal(in)
	if err != nil {
		return okReply{apiError: newAPIError(err)}
	}
	resp, err := w.nc.Request(workSubject(row.Worker, callID), data, forwardTimeout)
	if err != nil {
		return okReply{apiError: newAPIError(fmt.Errorf("call %s: %w: %v", callID, ErrUnavailable, err))}
	}
	var out okReply
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		return okReply{apiError: newAPIError(err)}
	}
	return out
}
