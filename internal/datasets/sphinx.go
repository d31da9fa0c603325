package datasets

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// SphinxUtterance is one line of a CMU Sphinx transcription file: the
// words said in one recording, and the recording's file id (its file name
// without the extension).
type SphinxUtterance struct {
	FileID string
	Text   string
}

// ReadSphinxTranscription reads a CMU Sphinx transcription file, such as
// the transcription of the LibriVox clips in the Debian package
// pocketsphinx-testdata: one recording a line, its words, optionally
// between the sentence markers <s> and </s>, then its file id in
// parentheses. Blank lines are skipped.
func ReadSphinxTranscription(name string, r io.Reader) ([]SphinxUtterance, error) {
	var out []SphinxUtterance
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		open := strings.LastIndexByte(text, '(')
		if open < 0 || !strings.HasSuffix(text, ")") || open+1 == len(text)-1 {
			return nil, &LineError{File: name, Line: line, Msg: "want the words, then the file id in parentheses"}
		}
		words := strings.Fields(text[:open])
		if len(words) > 0 && words[0] == "<s>" {
			words = words[1:]
		}
		if len(words) > 0 && words[len(words)-1] == "</s>" {
			words = words[:len(words)-1]
		}
		out = append(out, SphinxUtterance{FileID: strings.TrimSpace(text[open+1 : len(text)-1]), Text: strings.Join(words, " ")})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read %s: no transcriptions", name)
	}
	return out, nil
}
