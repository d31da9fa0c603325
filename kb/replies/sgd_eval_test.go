//go:build eval

package replies

import (
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// TestMineSGDBanking mines all 249 Schema-Guided Dialogue banking
// dialogues: of their 1,593 distinct agent turns most differ only in
// amounts and names, or are said once; a hundred or so replies recur.
func TestMineSGDBanking(t *testing.T) {
	checkSGDMining(t, datasetstest.Full(t, "sgd_banks_dialogues/sgd_banks_dialogues.jsonl"), 1965, 80, 250)
}
