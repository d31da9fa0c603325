//go:build eval && !race

package intent

const raceEnabled = false
