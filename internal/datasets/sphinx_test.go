package datasets

import (
	"errors"
	"strings"
	"testing"
)

func TestReadSphinxTranscription(t *testing.T) {
	in := "<s> he was not an ill disposed young man </s> (sense_and_sensibility_01_austen_64kb-0880)\n\n" +
		"five five  (004)\n"
	got, err := ReadSphinxTranscription("transcription", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []SphinxUtterance{
		{FileID: "sense_and_sensibility_01_austen_64kb-0880", Text: "he was not an ill disposed young man"},
		{FileID: "004", Text: "five five"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestReadSphinxTranscriptionNamesTheBadLine(t *testing.T) {
	_, err := ReadSphinxTranscription("transcription", strings.NewReader("<s> one </s> (001)\n<s> two </s>\n"))
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Errorf("error %v, want a LineError at line 2", err)
	}
	if _, err := ReadSphinxTranscription("transcription", strings.NewReader("\n")); err == nil {
		t.Error("an empty file read without error")
	}
}
