package audio

import (
	"strings"
	"unicode"
)

// NormalizeWords lower-cases text, removes punctuation (an apostrophe
// inside a word stays: "don't") and splits it into words, the form word
// error rates are computed on.
func NormalizeWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}

// WordErrors returns the word-level edit distance between a reference and
// a hypothesis (substitutions, deletions and insertions), both normalised
// with NormalizeWords, and the number of reference words. Their ratio is
// the word error rate.
func WordErrors(reference, hypothesis string) (edits, words int) {
	ref, hyp := NormalizeWords(reference), NormalizeWords(hypothesis)
	prev := make([]int, len(hyp)+1)
	cur := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			sub := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(hyp)], len(ref)
}
