package intent

import (
	"hash/fnv"
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

// tokens lower-cases text and splits it into words of letters and digits.
// Apostrophes inside a word are dropped ("hasn't" → "hasnt") and every digit
// becomes 0, so "£20" and "£50" share their features.
func tokens(text string) []string {
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
func grams(text string, fn func(h uint64)) {
	words := tokens(text)
	h := fnv.New64a()
	sum := func(kind byte, parts ...string) uint64 {
		h.Reset()
		h.Write([]byte{kind})
		for i, p := range parts {
			if i > 0 {
				h.Write([]byte{' '})
			}
			h.Write([]byte(p))
		}
		return h.Sum64()
	}
	prev := "<s>"
	for _, w := range words {
		fn(sum('w', w))
		fn(sum('b', prev, w))
		prev = w
		padded := []rune(" " + w + " ")
		for n := minChars; n <= maxChars; n++ {
			for i := 0; i+n <= len(padded); i++ {
				fn(sum('c', string(padded[i:i+n])))
			}
		}
	}
	if len(words) > 0 {
		fn(sum('b', prev, "</s>"))
	}
}

// The character n-gram lengths. Cross-validation on BANKING77 put 2..5,
// 3..5 and 3..6, within or across words, within half a point of each other;
// 3..5 within words has the fewest features and so trains fastest.
const minChars, maxChars = 3, 5

// vectorize maps text to its sparse, L2-normalised tf-idf vector over vocab.
// Term frequencies are sublinear (1+log tf) so a repeated word does not
// drown the rest. Unknown features are ignored; the result may be empty.
func vectorize(text string, vocab map[uint64]int32, idf []float32) []term {
	counts := map[int32]float32{}
	grams(text, func(h uint64) {
		if col, ok := vocab[h]; ok {
			counts[col]++
		}
	})
	out := make([]term, 0, len(counts))
	var norm float64
	for col, tf := range counts {
		v := (1 + float32(math.Log(float64(tf)))) * idf[col]
		out = append(out, term{col: col, val: v})
		norm += float64(v * v)
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range out {
			out[i].val *= inv
		}
	}
	// Column order makes every later sum run in the same order, and so
	// training exactly reproducible.
	slices.SortFunc(out, func(a, b term) int { return int(a.col - b.col) })
	return out
}
