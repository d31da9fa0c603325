package encoder

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// separator is SentencePiece's word-start mark.
const separator = "\u2581"

// reservedPieces are the vocabulary's control pieces (unknown, <s>, </s>
// and three extras), which the tokenizer never emits by matching.
const reservedPieces = 6

// tokenizer splits text into the vocabulary's pieces with SentencePiece's
// unigram Viterbi search: the segmentation with the highest total score.
// It follows the TensorFlow.js port the weights were published with, so
// the encoder sees the ids it was trained on.
type tokenizer struct {
	root *trieNode
	// pieceLen is each piece's length in runes, for the backtrace.
	pieceLen []int
}

type trieNode struct {
	children map[rune]*trieNode
	id       int
	score    float64
	end      bool
}

type piece struct {
	Text  string
	Score float64
}

func newTokenizer(vocab []piece) *tokenizer {
	t := &tokenizer{root: &trieNode{children: map[rune]*trieNode{}}, pieceLen: make([]int, len(vocab))}
	for i, p := range vocab {
		t.pieceLen[i] = len([]rune(p.Text))
		if i < reservedPieces {
			continue
		}
		n := t.root
		for _, r := range p.Text {
			c := n.children[r]
			if c == nil {
				c = &trieNode{children: map[rune]*trieNode{}}
				n.children[r] = c
			}
			n = c
		}
		n.end, n.id, n.score = true, i, p.Score
	}
	return t
}

// encode returns the piece ids of text; a character the vocabulary lacks
// becomes the unknown piece 0, and runs of unknowns collapse into one.
func (t *tokenizer) encode(text string) []int {
	text = norm.NFKC.String(text)
	if text == "" {
		return nil
	}
	symbols := []rune(separator + strings.ReplaceAll(text, " ", separator))
	n := len(symbols)
	best := make([]float64, n+1)
	words := make([]int, n+1)
	// Candidates ending at each position are collected, and visited, in
	// increasing start order; a tie goes to the later one, as in the
	// reference port.
	type cand struct {
		start, id int
		score     float64
	}
	ending := make([][]cand, n+1)
	for i := 0; i < n; i++ {
		node := t.root.children[symbols[i]]
		matched := false
		for j := i; j < n && node != nil; j++ {
			if node.end {
				ending[j+1] = append(ending[j+1], cand{i, node.id, node.score})
				matched = true
			}
			if j+1 < n {
				node = node.children[symbols[j+1]]
			}
		}
		if !matched {
			ending[i+1] = append(ending[i+1], cand{i, 0, 0})
		}
	}
	for end := 1; end <= n; end++ {
		for _, c := range ending[end] {
			score := c.score + best[c.start]
			// The reference treats a best of exactly 0 as unset.
			if best[end] == 0 || score >= best[end] {
				best[end], words[end] = score, c.id
			}
		}
	}
	var rev []int
	for at := n; at > 0; {
		id := words[at]
		rev = append(rev, id)
		step := t.pieceLen[id]
		if step < 1 {
			step = 1
		}
		at -= step
	}
	ids := make([]int, 0, len(rev))
	prevUnknown := false
	for _, id := range rev {
		if !(prevUnknown && id == 0) {
			ids = append(ids, id)
		}
		prevUnknown = id == 0
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids
}
