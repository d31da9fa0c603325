// Package adapt adapts the embedded recognizer's acoustic model to 8 kHz
// telephone speech: it turns recordings into the features PocketSphinx's
// decoder computes, and runs sphinxtrain's bw and mllr_solve over them to
// get an MLLR transform, a small text file the decoder loads with -mllr.
package adapt
