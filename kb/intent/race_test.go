//go:build eval && race

package intent

// raceEnabled makes the slow data-set tests use a subset: the race detector
// slows training about tenfold.
const raceEnabled = true
