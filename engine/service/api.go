package service

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
)

// forwardTimeout bounds a request forwarded to the worker handling a call.
const forwardTimeout = 10 * time.Second

// onAPI answers a terminal's request. The subject names the caller's role
// and name (see APISubject), which the NATS server's permissions vouch
// for; the operation must be one the role may call all the same (see
// Operations), and an agent is answered about its own calls only. A
// request without a reply subject, or whose reply subject is not the
// caller's inbox, is dropped unanswered and undone.
func (w *Worker) onAPI(msg *nats.Msg) {
	c, ok := parseAPISubject(msg.Subject)
	if msg.Reply == "" {
		// A terminal checking its permissions at start, or a stray
		// publish: nobody waits for an answer.
		return
	}
	if !ok || !strings.HasPrefix(msg.Reply, c.inbox()) {
		w.log.Warn("api request dropped: not answered on its caller's inbox", "subject", msg.Subject, "reply", msg.Reply)
		return
	}
	if _, known := lookupOperation(c.op); !known {
		respond(msg, okReply{apiError: newAPIError(fmt.Errorf("%w: unknown operation %q", ErrBadRequest, c.op))})
		return
	}
	if !Allowed(c.role, c.op) {
		w.log.Warn("api request denied", "role", c.role, "user", c.token, "op", c.op)
		respond(msg, okReply{apiError: newAPIError(fmt.Errorf("%s %s: %w", c.role, c.op, ErrDenied))})
		return
	}
	agent := "" // the agent's subject token; "" for a caller who may see any call
	if c.role == RoleAgent {
		agent = c.token
	}
	var reply any
	switch c.op {
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
		if err := checkReply(req); err != nil {
			respond(msg, okReply{apiError: newAPIError(err)})
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
	case opCoach:
		var req coachRequest
		if err := decodeCallRequest(msg.Data, &req, &req.CallID); err != nil {
			respond(msg, okReply{apiError: newAPIError(err)})
			return
		}
		if err := checkCoaching(req.Text); err != nil {
			respond(msg, okReply{apiError: newAPIError(err)})
			return
		}
		from := c.token
		if c.role == RoleService {
			from = "service"
		}
		reply = w.forward(req.CallID, agent, workInput{Op: inCoach, CallID: req.CallID, Text: req.Text, From: from, InputID: nuid.Next()})
	case opWrapup:
		var req wrapupRequest
		if err := decodeCallRequest(msg.Data, &req, &req.CallID); err != nil {
			respond(msg, okReply{apiError: newAPIError(err)})
			return
		}
		err := w.storeWrapup(req, agent)
		reply = okReply{OK: err == nil, apiError: newAPIError(err)}
	case opAgentStates:
		var req agentStatesRequest
		if len(msg.Data) > 0 {
			if err := json.Unmarshal(msg.Data, &req); err != nil {
				respond(msg, agentStatesReply{apiError: newAPIError(fmt.Errorf("%w: %v", ErrBadRequest, err))})
				return
			}
		}
		reply = w.agentStatesPage(req)
	case opExport:
		var req exportRequest
		if len(msg.Data) > 0 {
			if err := json.Unmarshal(msg.Data, &req); err != nil {
				respond(msg, exportReply{apiError: newAPIError(fmt.Errorf("%w: %v", ErrBadRequest, err))})
				return
			}
		}
		reply = w.exportPage(req)
	}
	respond(msg, reply)
}

// checkCoaching refuses a coaching note the agent could not be shown.
func checkCoaching(text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return fmt.Errorf("%w: empty coaching note", ErrBadRequest)
	}
	if n := utf8.RuneCountInString(text); n > event.MaxCoachingRunes {
		return fmt.Errorf("%w: coaching note of %d characters, at most %d", ErrBadRequest, n, event.MaxCoachingRunes)
	}
	return nil
}

// checkReply refuses a reply no chat could be sent: empty, or longer
// than a chat message may be.
func checkReply(req replyRequest) error {
	if strings.TrimSpace(req.Text) == "" {
		return fmt.Errorf("%w: empty reply", ErrBadRequest)
	}
	if n := len(req.Text); n > event.MaxReplyBytes {
		return fmt.Errorf("%w: reply of %d bytes, at most %d", ErrBadRequest, n, event.MaxReplyBytes)
	}
	return nil
}

// exportPage reads one page of the stored events for an export.
func (w *Worker) exportPage(req exportRequest) exportReply {
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	out := exportReply{Events: []event.Event{}}
	page, err := w.store.ReadPage(ctx, req.Since, req.After, req.Until, maxHistoryBytes)
	if err != nil {
		out.apiError = newAPIError(err)
		return out
	}
	if page.Events != nil {
		out.Events = page.Events
	}
	out.Next, out.Until, out.More = page.Next, page.Until, page.More
	return out
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
	if agent != "" && event.SubjectToken(row.Agent) != agent {
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
		case agent != "" && event.SubjectToken(row.Agent) != agent:
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
