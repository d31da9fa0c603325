package sphinx

// PoolStats counts the decoders of one kind a Recognizer holds.
type PoolStats struct {
	// Built is how many decoders were loaded, Reused how many streams
	// got an idle one instead, Freed how many were released (on Close,
	// or after a failed reset).
	Built, Reused, Freed int
	// Idle decoders wait for the next stream; InUse belong to open
	// streams.
	Idle, InUse int
}

// Stats counts a Recognizer's decoders: those of the open language
// model (NewStream) and those of the digits grammar (NewDigitsStream).
type Stats struct {
	Open, Digits PoolStats
}
