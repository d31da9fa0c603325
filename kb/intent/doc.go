// Package intent is a small, fast intent classifier trained in pure Go:
// linear SVMs over hashed word and character n-grams with calibrated
// probabilities. The knowledge base trains one on its articles' example
// questions, each article an intent.
package intent
