package app

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/transcript"
)

// ReplayOptions configure 'assist replay': what it plays and how.
type ReplayOptions struct {
	Replay
	// Speed is the replay speed: 1 is recorded time, 0 as fast as
	// possible.
	Speed float64
	// Parallel is how many calls are replayed at once; the player's
	// default when zero.
	Parallel int
	// Partials emits partial transcripts while an utterance is spoken.
	Partials bool
	// WaitModels waits for each turn's model work before the next turn
	// (engine.PlayerOptions.WaitModels).
	WaitModels bool
}

// Replayer is a replay made ready to play: its calls loaded, the stack
// started, and the player that plays the calls into the stack's engine.
type Replayer struct {
	Calls  []transcript.Call
	Stack  *Stack
	Player *engine.Player
	// Warnings counts the transcript lines skipped or repaired, each
	// logged.
	Warnings int
	log      *slog.Logger
}

// PrepareReplay loads the calls of o (see LoadReplay), logs each
// transcript warning, and starts the stack of cfg with a player.
func PrepareReplay(ctx context.Context, cfg Config, o ReplayOptions) (*Replayer, error) {
	log := cfg.logger()
	calls, warnings, err := LoadReplay(o.Replay, cfg)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		log.Warn("transcript", "problem", w.String())
	}
	stack, err := Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	player := engine.NewPlayer(stack.Engine, engine.PlayerOptions{Speed: o.Speed, Partials: o.Partials, Parallel: o.Parallel, WaitModels: o.WaitModels})
	return &Replayer{Calls: calls, Stack: stack, Player: player, Warnings: len(warnings), log: log}, nil
}

// Close stops the stack.
func (r *Replayer) Close() { r.Stack.Close() }

// Headless plays the calls and writes every event of them to w as NDJSON
// (see engine.ReplayHeadless), then logs the replay's figures. A replay
// stopped by ctx is no error.
func (r *Replayer) Headless(ctx context.Context, w io.Writer) error {
	rep, err := engine.ReplayHeadless(ctx, r.Stack.Bus, r.Player, r.Calls, w)
	r.log.Info("replay finished", "report", rep.String(), "warnings", r.Warnings)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
