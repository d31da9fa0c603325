package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// Clock is the time source of a replay; tests inject a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Replay speed bounds for SetSpeed; 0 (as fast as possible) is only set at start.
const (
	MinSpeed = 0.25
	MaxSpeed = 64
)

// callGap is the pause, in call seconds, between two calls replayed one
// after the other, so the agent sees the end of one before the next starts.
const callGap = 3.0

// clockEpsilon is how close, in replay seconds, counts as on time.
const clockEpsilon = 1e-6

// maxPartialsPerUtterance bounds the partial hypotheses replay emits while
// an utterance is "spoken".
const maxPartialsPerUtterance = 6

// PlayerOptions configures a replay.
type PlayerOptions struct {
	// Speed scales the recorded timing: 1 is real time, 2 twice as fast, and
	// 0 replays as fast as possible, without partials.
	Speed float64
	// Partials makes replay emit growing partial hypotheses while an
	// utterance is spoken, as live speech recognition would.
	Partials bool
	// Parallel is how many calls replay at once; 0 means one at a time,
	// or one per CPU at speed 0.
	Parallel int
	// WaitModels waits, after each turn, for the model work it started
	// (the model server's draft, emotion reading and translation) and
	// publishes its results before the next turn, instead of letting the
	// next turn cancel what is still running: the output is complete, and
	// the same every run. Drafts then come whole, not streamed.
	WaitModels bool
	// Clock defaults to the wall clock.
	Clock Clock
}

// Player replays recorded calls through an engine, keeping their timing
// scaled by a speed that can change while it plays. Its controls are safe
// to call from any goroutine.
type Player struct {
	eng        *Engine
	clock      Clock
	partials   bool
	parallel   int
	waitModels bool

	mu      sync.Mutex
	speed   float64
	paused  bool
	virtual float64   // replay seconds elapsed at anchor
	anchor  time.Time // wall time of the last speed or pause change
	changed chan struct{}
	skip    chan struct{}

	positions map[string]int // call id → 1-based place in the playlist
}

// NewPlayer returns a player for eng.
func NewPlayer(eng *Engine, opts PlayerOptions) *Player {
	p := &Player{
		eng: eng, clock: opts.Clock, partials: opts.Partials, parallel: opts.Parallel, waitModels: opts.WaitModels,
		speed: math.Max(0, opts.Speed), changed: make(chan struct{}), skip: make(chan struct{}, 1),
	}
	if p.clock == nil {
		p.clock = realClock{}
	}
	if p.parallel <= 0 {
		p.parallel = 1
		if p.speed == 0 {
			p.parallel = runtime.GOMAXPROCS(0)
		}
	}
	p.anchor = p.clock.Now()
	return p
}

// ReplayStats counts what a replay did.
type ReplayStats struct {
	Calls      int
	Utterances int
	Elapsed    time.Duration
}

// Play replays calls and returns when all have ended or ctx is done. A call
// that cannot start (its id is already live, say) is reported in the joined
// error; the others still play.
func (p *Player) Play(ctx context.Context, calls []transcript.Call) (ReplayStats, error) {
	start := p.clock.Now()
	p.mu.Lock()
	p.positions = make(map[string]int, len(calls))
	for i, c := range calls {
		p.positions[c.ID] = i + 1
	}
	p.mu.Unlock()
	var (
		mu    sync.Mutex
		stats ReplayStats
		errs  []error
	)
	play := func(c transcript.Call) {
		n, started, err := p.playCall(ctx, c)
		mu.Lock()
		defer mu.Unlock()
		if started {
			stats.Calls++
		}
		stats.Utterances += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	if p.parallel == 1 {
		for i, c := range calls {
			if i > 0 {
				p.waitFor(ctx, callGap) // a skip during the gap only shortens it
			}
			if ctx.Err() != nil {
				break
			}
			play(c)
		}
	} else {
		work := make(chan transcript.Call)
		var wg sync.WaitGroup
		for range min(p.parallel, max(1, len(calls))) {
			wg.Go(func() {
				for c := range work {
					play(c)
				}
			})
		}
	feed:
		for _, c := range calls {
			select {
			case work <- c:
			case <-ctx.Done():
				break feed
			}
		}
		close(work)
		wg.Wait()
	}
	stats.Elapsed = p.clock.Now().Sub(start)
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return stats, errors.Join(errs...)
}

// playCall replays one call and returns how many utterances it published
// and whether the call started.
func (p *Player) playCall(ctx context.Context, c transcript.Call) (int, bool, error) {
	s, err := p.eng.StartCall(c.ID, event.CallStarted{
		Queue: c.Queue, Agent: c.Agent, Customer: c.Customer, Channel: event.Channel(c.Channel), Title: c.Title,
	})
	if err != nil {
		return 0, false, err
	}
	if p.waitModels {
		s.waitForModels()
	}
	begin := p.now()
	reason := "completed"
	n := 0
	actions := c.Actions
	for i, u := range c.Utterances {
		id := fmt.Sprintf("u%d", i+1)
		utt := event.Utterance{UtteranceID: id, Speaker: event.Speaker(u.Speaker), Text: u.Text, Start: u.Offset, End: u.End(), Source: event.SourceReplay}
		if !p.speakPartials(ctx, s, begin, utt) || !p.waitUntil(ctx, begin+u.End()) {
			reason = p.stopReason(ctx)
			break
		}
		if err := s.Final(ctx, utt); err != nil {
			_ = s.End("error")
			return n, true, fmt.Errorf("replay %s: %w", c.ID, err)
		}
		n++
		if skipped, err := p.waitModelsOf(ctx, s); skipped || err != nil {
			if skipped || ctx.Err() != nil {
				reason = p.stopReason(ctx)
				break
			}
			_ = s.End("error")
			return n, true, fmt.Errorf("replay %s: %w", c.ID, err)
		}
		for len(actions) > 0 && actions[0].After <= n {
			if err := s.Action(actions[0].ID); err != nil {
				_ = s.End("error")
				return n, true, fmt.Errorf("replay %s: %w", c.ID, err)
			}
			actions = actions[1:]
		}
	}
	if err := s.End(reason); err != nil {
		return n, true, fmt.Errorf("replay %s: %w", c.ID, err)
	}
	return n, true, nil
}

// waitModelsOf waits for the model work of the session's last turn (see
// Session.WaitModels), unless the call is skipped meanwhile: the agent
// moving on does not wait for a slow model server.
func (p *Player) waitModelsOf(ctx context.Context, s *Session) (skipped bool, err error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.WaitModels(wctx) }()
	select {
	case err := <-done:
		return false, err
	case <-p.skip:
		cancel()
		<-done
		return true, nil
	}
}

// speakPartials publishes growing prefixes of the utterance over its
// duration. It reports false when the replay was interrupted.
func (p *Player) speakPartials(ctx context.Context, s *Session, begin float64, u event.Utterance) bool {
	if !p.partials || p.Speed() == 0 {
		return true
	}
	words := strings.Fields(u.Text)
	steps := min(len(words)-1, maxPartialsPerUtterance)
	for k := 1; k <= steps; k++ {
		frac := float64(k) / float64(steps+1)
		if !p.waitUntil(ctx, begin+u.Start+frac*(u.End-u.Start)) {
			return false
		}
		part := u
		part.Text = strings.Join(words[:int(math.Ceil(frac*float64(len(words))))], " ")
		if err := s.Partial(part); err != nil {
			return false
		}
	}
	return true
}

func (p *Player) stopReason(ctx context.Context) string {
	if ctx.Err() != nil {
		return "interrupted"
	}
	return "skipped"
}

// now returns the replay clock: seconds of recorded time played so far.
func (p *Player) now() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nowLocked()
}

func (p *Player) nowLocked() float64 {
	if p.paused || p.speed == 0 {
		return p.virtual
	}
	return p.virtual + p.clock.Now().Sub(p.anchor).Seconds()*p.speed
}

// waitFor waits d replay seconds from now.
func (p *Player) waitFor(ctx context.Context, d float64) bool {
	return p.waitUntil(ctx, p.now()+d)
}

// waitUntil blocks until the replay clock reaches target, following speed
// changes and pauses. It reports false if ctx ended or the call was skipped.
func (p *Player) waitUntil(ctx context.Context, target float64) bool {
	for {
		// A skip or cancel already asked for wins over a timer that is also ready.
		select {
		case <-ctx.Done():
			return false
		case <-p.skip:
			return false
		default:
		}
		p.mu.Lock()
		speed, paused, changed := p.speed, p.paused, p.changed
		cur := p.nowLocked()
		p.mu.Unlock()
		if speed == 0 {
			return true
		}
		if !paused && cur >= target-clockEpsilon {
			return true
		}
		var timer <-chan time.Time
		if !paused {
			// Rounding up keeps a sub-nanosecond remainder from spinning.
			timer = p.clock.After(time.Duration(math.Ceil((target - cur) / speed * float64(time.Second))))
		}
		select {
		case <-ctx.Done():
			return false
		case <-p.skip:
			return false
		case <-changed:
		case <-timer:
		}
	}
}

// reanchorLocked folds elapsed time into virtual before a speed or pause change.
func (p *Player) reanchorLocked() {
	p.virtual = p.nowLocked()
	p.anchor = p.clock.Now()
	close(p.changed)
	p.changed = make(chan struct{})
}

// TogglePause pauses or resumes the replay and reports whether it is now paused.
func (p *Player) TogglePause() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reanchorLocked()
	p.paused = !p.paused
	return p.paused
}

// SetSpeed changes the replay speed, bounded to MinSpeed..MaxSpeed, and
// returns the speed in force. A replay started at speed 0 stays at 0.
func (p *Player) SetSpeed(x float64) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.speed == 0 {
		return 0
	}
	p.reanchorLocked()
	p.speed = math.Max(MinSpeed, math.Min(MaxSpeed, x))
	return p.speed
}

// Speed returns the replay speed.
func (p *Player) Speed() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.speed
}

// Position returns a call's 1-based place in the playlist being played and
// the playlist's length.
func (p *Player) Position(callID string) (i, n int, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i, ok = p.positions[callID]
	return i, len(p.positions), ok
}

// NextCall ends the call now playing and moves on to the next one.
func (p *Player) NextCall() {
	select {
	case p.skip <- struct{}{}:
	default:
	}
}
