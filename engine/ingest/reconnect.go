package ingest

// This file keeps the voice calls of this process by the id their client
// gave them, so that a stream that comes back continues its call.
// Telephony platforms reconnect a media stream after a network blip: Twilio
// opens a new stream for the same callSid, Genesys re-opens an AudioHook
// session for the same conversation. A call whose connection is lost
// without a hang-up is parked for the reconnect grace; a stream that comes
// back within it takes the call over (same call id, its sequence numbers
// going on, a call.resumed marker), and one that finds its connection
// still open closes that one first. A call not taken over by the end of
// the grace ends as "disconnected"; an id that comes back after its call
// has ended starts a new call under the id with a suffix ("CA…-2").

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
)

// DefaultReconnectGrace is how long a voice call of 'assist serve' waits
// for its lost stream unless told: telephony platforms reconnect within
// seconds of a network blip, and a call parked holds its voice slot.
const DefaultReconnectGrace = 30 * time.Second

// voiceRegistry holds the live voice calls by client id, and remembers
// the ids of the calls that ended here.
type voiceRegistry struct {
	grace time.Duration

	mu     sync.Mutex
	closed bool
	live   map[string]*voiceCall
	// used is, for the client ids of calls started here, the last suffix
	// number used (1 for the id itself), so that the next call under the
	// same id takes the next one; at most endedMemory ids, the oldest
	// forgotten first (the engine or the store still refuses a reused id,
	// and the next suffix is tried then).
	used      map[string]int
	usedOrder []string
	usedNext  int

	// workers counts the calls' workers still running, and running holds
	// their calls.
	workers sync.WaitGroup
	running map[*voiceCall]struct{}
}

func newVoiceRegistry(grace time.Duration) *voiceRegistry {
	return &voiceRegistry{grace: grace, live: map[string]*voiceCall{}, used: map[string]int{}, running: map[*voiceCall]struct{}{}}
}

// voiceCalls returns the options' registry, built on first use like the
// voice gate, so that every voice endpoint on the same options shares it.
func (o *Options) voiceCalls() *voiceRegistry {
	if o.registry == nil {
		o.registry = newVoiceRegistry(o.ReconnectGrace)
	}
	return o.registry
}

// errShuttingDown refuses a call that arrives while the service shuts
// down.
var errShuttingDown = errors.New("the service is shutting down")

// open gives a stream its call: the live call clientID when there is one
// whose speakers include the stream's (the stream takes it over), else a
// new call, admitted by the voice gate, whose worker starts at once.
// resumed says which. Its errors are a *capacityError (no slot) or
// errShuttingDown.
func (r *voiceRegistry) open(o *Options, endpoint, clientID string, info event.CallStarted, speakers []event.Speaker, owner *voiceOwner, queued time.Duration) (v *voiceCall, resumed bool, err error) {
	if v, ok := r.resume(clientID, speakers, owner); ok {
		return v, true, nil
	}
	slot, err := o.gate.admit(endpoint)
	if err != nil {
		return nil, false, err
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		slot.release()
		return nil, false, errShuttingDown
	}
	if old := r.live[clientID]; old != nil {
		// The live call does not fit this stream (other parties), or
		// another stream of the same id got here first: that call ends,
		// this one is new.
		r.mu.Unlock()
		old.mu.Lock()
		prev := old.owner
		old.mu.Unlock()
		old.end("disconnected")
		if prev != nil {
			prev.replaced()
		}
		r.mu.Lock()
	}
	v = newVoiceCall(o, r, endpoint, clientID, speakers, slot, queued)
	v.suffix = r.used[clientID] + 1
	if v.suffix > 1 {
		v.id = fmt.Sprintf("%s-%d", clientID, v.suffix)
	}
	r.remember(clientID, v.suffix)
	owner.chmap = identity(len(speakers))
	v.owner = owner
	r.live[clientID] = v
	r.running[v] = struct{}{}
	r.workers.Add(1)
	r.mu.Unlock()
	v.start(o, info)
	return v, false, nil
}

// resume hands the live call clientID to owner when its speakers include
// the stream's.
func (r *voiceRegistry) resume(clientID string, speakers []event.Speaker, owner *voiceOwner) (*voiceCall, bool) {
	r.mu.Lock()
	v := r.live[clientID]
	r.mu.Unlock()
	if v == nil {
		return nil, false
	}
	chmap, ok := channelMap(v.speakers, speakers)
	if !ok {
		v.log.Info("a stream came back with other parties: the call ends, a new one starts", "call", v.speakers, "stream", speakers)
		return nil, false
	}
	owner.chmap = chmap
	if !v.takeOver(owner) {
		return nil, false
	}
	return v, true
}

// identity is the channel map of a stream laid out as its call.
func identity(n int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = i
	}
	return m
}

// channelMap maps a stream's channels onto a call's by speaker: each of
// the stream's speakers must be one of the call's.
func channelMap(call, stream []event.Speaker) ([]int, bool) {
	taken := make([]bool, len(call))
	m := make([]int, len(stream))
	for i, sp := range stream {
		j := -1
		for k, c := range call {
			if !taken[k] && c == sp {
				j = k
				break
			}
		}
		if j < 0 {
			return nil, false
		}
		taken[j], m[i] = true, j
	}
	return m, true
}

// remember records that a call under clientID took suffix n. The caller
// holds r.mu.
func (r *voiceRegistry) remember(clientID string, n int) {
	if _, ok := r.used[clientID]; !ok {
		if len(r.usedOrder) < endedMemory {
			r.usedOrder = append(r.usedOrder, clientID)
		} else {
			delete(r.used, r.usedOrder[r.usedNext])
			r.usedOrder[r.usedNext] = clientID
			r.usedNext = (r.usedNext + 1) % endedMemory
		}
	}
	r.used[clientID] = max(r.used[clientID], n)
}

// nextSuffix moves v to the next suffix of its client id, when the one it
// has is taken, and returns the new id.
func (r *voiceRegistry) nextSuffix(v *voiceCall) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	v.suffix = max(v.suffix, r.used[v.clientID]) + 1
	v.id = fmt.Sprintf("%s-%d", v.clientID, v.suffix)
	r.remember(v.clientID, v.suffix)
	return v.id
}

// done takes a call whose worker is done out of the running ones.
func (r *voiceRegistry) done(v *voiceCall) {
	r.mu.Lock()
	delete(r.running, v)
	r.mu.Unlock()
	r.workers.Done()
}

// forget takes an ending call out of the live calls.
func (r *voiceRegistry) forget(v *voiceCall) {
	r.mu.Lock()
	if r.live[v.clientID] == v {
		delete(r.live, v.clientID)
	}
	r.mu.Unlock()
}

// shutdown ends every live call with reason, parked ones included, takes
// no new ones, and waits until their workers are done or ctx is.
func (r *voiceRegistry) shutdown(ctx context.Context, reason string) error {
	r.closeAll(reason)
	return r.wait(ctx)
}

// closeAll takes no new calls and ends every live one with reason, parked
// ones included.
func (r *voiceRegistry) closeAll(reason string) {
	r.mu.Lock()
	r.closed = true
	calls := make([]*voiceCall, 0, len(r.live))
	for _, v := range r.live {
		calls = append(calls, v)
	}
	r.mu.Unlock()
	for _, v := range calls {
		v.end(reason)
	}
}

// wait waits until every call's worker is done or ctx is.
func (r *voiceRegistry) wait(ctx context.Context) error {
	if !waitGroup(ctx, &r.workers) {
		return fmt.Errorf("voice calls still ending: %w", ctx.Err())
	}
	return nil
}

// abandon cuts short the calls whose workers are still running: their
// queued audio is dropped and each is ended with reason at once, beside
// its worker, whatever that worker is waiting for. It returns how many.
func (r *voiceRegistry) abandon(reason string) int {
	r.mu.Lock()
	calls := make([]*voiceCall, 0, len(r.running))
	for v := range r.running {
		calls = append(calls, v)
	}
	r.mu.Unlock()
	for _, v := range calls {
		v.abandon(reason)
	}
	return len(calls)
}
