package assist

import (
	"strings"
	"unicode"
)

// fillerWords are words that carry no topic in a customer-service turn:
// function words, acknowledgements, greetings and politeness. A turn made
// only of them ("Yes, that's right.", "Okay, thanks for your help!") has
// nothing to look up, and searching it only finds noise.
var fillerWords = setOf(
	// function words
	"a", "an", "the", "i", "i'm", "im", "i'd", "i'll", "i've", "me", "my", "mine", "you", "your", "you're",
	"we", "us", "our", "it", "it's", "its", "that", "that's", "this", "these", "those", "there", "here",
	"is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "have", "has", "had", "will",
	"would", "could", "should", "can", "shall", "may", "might", "must", "to", "of", "in", "on", "for",
	"with", "at", "by", "from", "about", "as", "and", "or", "but", "so", "if", "then", "than", "just",
	"all", "any", "some", "what", "which", "who", "how", "when", "where", "why", "now", "today",
	"too", "also", "very", "really", "much", "more", "else", "anything", "something", "nothing",
	"not", "don't", "no", "yes", "let", "let's", "get", "got", "go", "going", "want", "need", "like",
	"know", "see", "think", "say", "said", "tell", "one", "up", "out", "right", "well", "oh", "um", "uh",
	"hmm", "ah", "again", "still", "way", "time", "day", "moment", "minute", "second",
	// acknowledgements and politeness
	"yeah", "yep", "yup", "yea", "nope", "nah", "ok", "okay", "alright", "sure", "fine", "great",
	"good", "nice", "cool", "perfect", "excellent", "awesome", "wonderful", "correct", "exactly",
	"absolutely", "definitely", "certainly", "indeed", "please", "thanks", "thank", "thankyou",
	"appreciate", "appreciated", "help", "helpful", "helping", "sorry", "excuse", "pardon",
	"hello", "hi", "hey", "bye", "goodbye", "later", "talk", "care", "have", "day", "night",
	"morning", "afternoon", "evening", "expected", "sounds", "works", "done", "that'll", "that's",
	"lot", "lots", "much", "bit", "fantastic", "lovely", "ma'am", "sir",
)

// isFillerOnly reports whether text has no topical word.
func isFillerOnly(text string) bool {
	for _, t := range lowerWords(text) {
		if !fillerWords[t] {
			return false
		}
	}
	return true
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// lowerWords lowercases text and splits it into words, keeping apostrophes
// inside words ("don't") and normalising curly ones.
func lowerWords(text string) []string {
	text = strings.ReplaceAll(strings.ToLower(text), "’", "'")
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}
