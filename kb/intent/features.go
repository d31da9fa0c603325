package intent

import (
	"math"
	"slices"
	"strings"
	"unicode"
)

// maxQueryRunes bounds the text a query is featurised from. Customer turns
// are a sentence or two; a pasted 100 KB e-mail would only cost time, and
// its first two thousand characters say what it is about.
const maxQueryRunes = 2000

// term is one sparse feature: a column of the model and its weight.
type term struct {
	col int32
	val float32
}

// featureWords lower-cases text and splits it into words of letters and digits.
// Apostrophes inside a word are dropped ("hasn't" → "hasnt") and every digit
// becomes 0, so "£20" and "£50" share their features.
func featureWords(text string) []string {
	var (
		out  []string
		word strings.Builder
		n    int
	)
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range text {
		if n++; n > maxQueryRunes {
			break
		}
		switch {
		case unicode.IsLetter(r):
			word.WriteRune(unicode.ToLower(r))
		case unicode.IsDigit(r):
			word.WriteByte('0')
		case r == '\'' || r == '’':
			// Inside a word: skip it and keep the word going.
		default:
			flush()
		}
	}
	flush()
	return out
}

// grams calls fn with the hash of every feature of text: words, word pairs
// and the character 3- to 5-grams of each word padded with spaces (so that
// "card" also yields " ca" and "rd "). Character grams make the model robust
// to typos and inflections ("transfered", "transfers") that a word model
// treats as unknown. Hashes are 64-bit FNV-1a with a prefix per kind, which
// keeps collisions out of any realistic vocabulary.
func grams(text string, negation bool, fn func(h uint64)) {
	words := featureWords(text)
	prev := "<s>"
	negated := 0
	var starts []int
	for _, w := range words {
		fn(fnv1a(fnv1a(fnvOffset, "w"), w))
		if negation {
			// "not happy" is not "happy": the words in a negation's scope
			// also count as negated words of their own.
			if negated > 0 {
				fn(fnv1a(fnv1a(fnvOffset, "n"), w))
				negated--
			}
			if negators[w] {
				negated = negationScope
			}
		}
		fn(fnv1a(fnv1a(fnv1a(fnv1a(fnvOffset, "b"), prev), " "), w))
		prev = w
		// Character n-grams of " w ", by rune, hashed in place.
		padded := " " + w + " "
		starts = starts[:0]
		for i := range padded {
			starts = append(starts, i)
		}
		starts = append(starts, len(padded))
		runes := len(starts) - 1
		for n := minChars; n <= maxChars; n++ {
			for i := 0; i+n <= runes; i++ {
				fn(fnv1a(fnv1a(fnvOffset, "c"), padded[starts[i]:starts[i+n]]))
			}
		}
	}
	if len(words) > 0 {
		fn(fnv1a(fnv1a(fnv1a(fnv1a(fnvOffset, "b"), prev), " "), "</s>"))
	}
}

// 64-bit FNV-1a, as hash/fnv's New64a, without its allocations.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// negators open a negation scope; apostrophes are already gone ("don't" is
// "dont").
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "nothing": true, "nobody": true, "none": true,
	"neither": true, "nor": true, "cannot": true, "without": true, "dont": true, "doesnt": true,
	"didnt": true, "isnt": true, "arent": true, "wasnt": true, "werent": true, "cant": true,
	"couldnt": true, "wont": true, "wouldnt": true, "shouldnt": true, "havent": true,
	"hasnt": true, "hadnt": true, "aint": true,
}

// negationScope is how many words after a negator count as negated.
const negationScope = 3

// The character n-gram lengths. Cross-validation on BANKING77 put 2..5,
// 3..5 and 3..6, within or across words, within half a point of each other;
// 3..5 within words has the fewest features and so trains fastest.
const minChars, maxChars = 3, 5

// vectorize maps text to its sparse, L2-normalised tf-idf vector over vocab.
// Term frequencies are sublinear (1+log tf) so a repeated word does not
// drown the rest. Unknown features are ignored; the result may be empty.
func vectorize(text string, negation bool, vocab map[uint64]int32, idf []float32) []term {
	return vectorizeHashes(hashes(text, negation), vocab, idf)
}

// hashes returns the hashes of every feature of text, repeats included.
func hashes(text string, negation bool) []uint64 {
	var out []uint64
	grams(text, negation, func(h uint64) { out = append(out, h) })
	return out
}

// vectorizeHashes is vectorize for features already hashed.
func vectorizeHashes(hs []uint64, vocab map[uint64]int32, idf []float32) []term {
	cols := make([]int32, 0, len(hs))
	for _, h := range hs {
		if col, ok := vocab[h]; ok {
			cols = append(cols, col)
		}
	}
	// Sorting the columns counts repeats and fixes the order of every later
	// sum, which keeps training exactly reproducible.
	slices.Sort(cols)
	out := make([]term, 0, len(cols))
	var norm float64
	for i := 0; i < len(cols); {
		j := i
		for j < len(cols) && cols[j] == cols[i] {
			j++
		}
		v := (1 + float32(math.Log(float64(j-i)))) * idf[cols[i]]
		out = append(out, term{col: cols[i], val: v})
		norm += float64(v * v)
		i = j
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range out {
			out[i].val *= inv
		}
	}
	return out
}
