package app

import (
	"fmt"
	"io"
	"time"
)

// TrainIntentsOptions configure 'assist train intents'.
type TrainIntentsOptions struct {
	// KB is the knowledge-base folder; the bundled sample when empty.
	KB string
	// Output is the model file written.
	Output string
	// Seed is the random seed of the example order.
	Seed uint64
	// Out receives the line saying what was trained.
	Out io.Writer
}

// WriteIntentModel trains the intent model of the knowledge base (see
// TrainIntents), writes it to o.Output and says how long it took.
func WriteIntentModel(o *TrainIntentsOptions) error {
	start := time.Now()
	m, err := TrainIntents(o.KB, o.Seed)
	if err != nil {
		return err
	}
	if err := m.Save(o.Output); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "%s: %d intents, temperature %.2f, trained in %.2fs\n",
		o.Output, len(m.Labels()), m.Temperature(), time.Since(start).Seconds())
	return nil
}
