// Package service runs the engine as a long-running service on NATS: the
// workers that share the calls (queue groups, one worker per call at a
// time), the JetStream store of every call's events, the key-value
// directory of live calls, the request API terminals use (live calls, a
// call's history, feedback, chat replies), the client that hands ingested
// calls to a worker, and the terminal client that follows calls across
// reconnects. It also keeps the service's credentials and runs the
// embedded NATS server.
//
// Subjects, besides the events' (see engine.EventSubject):
//
//	assist.work.start              a call for any worker (queue group assist-workers)
//	assist.work.<worker>.<call>    input for the worker handling the call
//	assist.api.<op>                the service user's API (queue group assist-api)
//	assist.api.<role>.<name>.<op>  an agent's, supervisor's or analyst's API:
//	                               the operations of its role (see Operations)
//	assist.chat.out.<call>         the agent's replies to a chat call
//	assist.status.voice.<worker>   a process's voice admission (supervisors may read it)
package service

import (
	"errors"
	"fmt"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

const (
	apiPrefix     = "assist.api."
	workStart     = "assist.work.start"
	workPrefix    = "assist.work."
	chatOutPrefix = "assist.chat.out."
	workerQueue   = "assist-workers"
	apiQueue      = "assist-api"
)

// API operations.
const (
	opCalls    = "calls"
	opHistory  = "history"
	opFeedback = "feedback"
	opReply    = "reply"
	opSummary  = "summary"
	opCoach    = "coach"
	opExport   = "export"
	opWrapup   = "wrapup"
	// opAgentStates reads the agents' stored state changes.
	opAgentStates = "agents"
)

func workSubject(worker, callID string) string {
	return workPrefix + event.SubjectToken(worker) + "." + event.SubjectToken(callID)
}

func chatOutSubject(callID string) string { return chatOutPrefix + event.SubjectToken(callID) }

// Errors answered by the API, recognisable with errors.Is on the client.
var (
	ErrNotFound  = errors.New("no such call")
	ErrForbidden = errors.New("not your call")
	// ErrDenied says the caller's role may not call the operation.
	ErrDenied      = errors.New("not allowed for this role")
	ErrBadRequest  = errors.New("bad request")
	ErrUnavailable = errors.New("no worker available for the call")
)

// apiError is the error part of every reply.
type apiError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"error,omitempty"`
}

var errorCodes = map[string]error{
	"not_found": ErrNotFound, "forbidden": ErrForbidden, "denied": ErrDenied, "bad_request": ErrBadRequest,
	"unavailable": ErrUnavailable, "ended": engine.ErrCallEnded, "exists": engine.ErrCallExists,
}

func newAPIError(err error) apiError {
	if err == nil {
		return apiError{}
	}
	for code, e := range errorCodes {
		if errors.Is(err, e) {
			return apiError{Code: code, Message: err.Error()}
		}
	}
	return apiError{Code: "internal", Message: err.Error()}
}

// err returns the error the reply carries, nil when none.
func (e apiError) err() error {
	if e.Code == "" && e.Message == "" {
		return nil
	}
	if known, ok := errorCodes[e.Code]; ok {
		return fmt.Errorf("%w (%s)", known, e.Message)
	}
	return errors.New(e.Message)
}

// startRequest asks a worker to take a call.
type startRequest struct {
	CallID string            `json:"call_id"`
	Info   event.CallStarted `json:"info"`
	// Resume says the call's previous worker is gone: carry on after its
	// last stored event instead of starting the call.
	Resume bool `json:"resume,omitempty"`
}

type startReply struct {
	Worker string `json:"worker,omitempty"`
	apiError
}

// Work input operations.
const (
	inPartial  = "partial"
	inFinal    = "final"
	inEnd      = "end"
	inFeedback = "feedback"
	inReply    = "reply"
	inSummary  = "summary"
	inCoach    = "coach"
	inResumed  = "resumed"
)

// workInput is one piece of input for a call's worker.
type workInput struct {
	Op     string `json:"op"`
	CallID string `json:"call_id"`
	// InputID lets a worker drop an input sent twice (a retry).
	InputID   string             `json:"input_id,omitempty"`
	Utterance *event.Utterance   `json:"utterance,omitempty"`
	Feedback  *event.Feedback    `json:"feedback,omitempty"`
	Resumed   *event.CallResumed `json:"resumed,omitempty"`
	Text      string             `json:"text,omitempty"`
	Reason    string             `json:"reason,omitempty"`
	// From names the supervisor of a coaching note.
	From string `json:"from,omitempty"`
}

type okReply struct {
	OK bool `json:"ok,omitempty"`
	apiError
}

type callsRequest struct {
	Queue string `json:"queue,omitempty"`
	// Ended includes calls that have ended and are still in the directory.
	Ended bool `json:"ended,omitempty"`
}

type callsReply struct {
	Calls []event.CallRow `json:"calls"`
	apiError
}

type historyRequest struct {
	CallID string `json:"call_id"`
	After  uint64 `json:"after,omitempty"`
}

type historyReply struct {
	Events []event.Event `json:"events"`
	// More says the answer was cut to fit a message: ask again after the
	// last event's seq.
	More bool `json:"more,omitempty"`
	apiError
}

type feedbackRequest struct {
	CallID   string         `json:"call_id"`
	Feedback event.Feedback `json:"feedback"`
}

type summaryRequest struct {
	CallID string `json:"call_id"`
}

type replyRequest struct {
	CallID string `json:"call_id"`
	Text   string `json:"text"`
}

type wrapupRequest struct {
	CallID string       `json:"call_id"`
	Wrapup event.Wrapup `json:"wrapup"`
}

type coachRequest struct {
	CallID string `json:"call_id"`
	Text   string `json:"text"`
}

// exportRequest asks for a page of the stored events of every call, in
// store order: those published at or after Since (every one when zero),
// after the stream sequence After, up to the stream sequence Until (the
// last stored when the first page was read, when zero).
type exportRequest struct {
	Since time.Time `json:"since,omitzero"`
	After uint64    `json:"after,omitempty"`
	Until uint64    `json:"until,omitempty"`
}

type exportReply struct {
	Events []event.Event `json:"events"`
	// Next is the stream sequence to ask after for the next page, and
	// Until the end the pages stop at; More says there are more.
	Next  uint64 `json:"next,omitempty"`
	Until uint64 `json:"until,omitempty"`
	More  bool   `json:"more,omitempty"`
	apiError
}
