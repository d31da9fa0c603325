// Package datasets reads the public data sets the project trains and
// measures on, each in one place: ABCD (agent guidelines, action sequences,
// ontology and chats), Schema-Guided Dialogue banking dialogues, Harper
// Valley Bank calls, BANKING77, CLINC150, Bitext customer support,
// GoEmotions, the Twitter US Airline sentiment CSV, TweetEval, the Free
// Spoken Digit Dataset and CMU Sphinx transcription files (the LibriVox
// clips of the Debian package pocketsphinx-testdata).
//
// Readers return plain records in file order, in types of this package only;
// the packages that use a set convert its records into their own types. A
// problem in a file is an error that names the file and, where it has one,
// the line: a *LineError. Functions named Read take a file's name (for
// errors) and its contents as a reader; those named Load take paths, for
// sets spread over several files. Load opens one file for a Read function.
package datasets

import (
	"fmt"
	"io"
	"os"
)

// Example is one text and its label: a row of BANKING77, CLINC150,
// TweetEval or the airline CSV.
type Example struct {
	Text  string
	Label string
}

// LineError is a problem at one line of a data-set file.
type LineError struct {
	// File is the file's name as given to the reader.
	File string
	// Line counts from 1.
	Line int
	// Msg says what is wrong, in lower case.
	Msg string
}

// Error formats the problem as "file:line: message".
func (e *LineError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Load opens the file at path and reads it with read, which names the file
// by path in its errors.
func Load[T any](path string, read func(name string, r io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return read(path, f)
}
