package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// FSDDReferencesFile names the file of a Free Spoken Digit Dataset folder
// that lists its recordings.
const FSDDReferencesFile = "references.tsv"

// FSDDClip is one recording of the Free Spoken Digit Dataset: a speaker
// saying one digit, 8 kHz mono WAV.
type FSDDClip struct {
	// Path is the WAV file's path: the folder joined with the file column.
	Path    string
	Digit   int
	Speaker string
}

// LoadFSDD reads dir/references.tsv: a header naming the columns file,
// digit and speaker, then one recording a line, its file relative to dir.
func LoadFSDD(dir string) ([]FSDDClip, error) {
	path := filepath.Join(dir, FSDDReferencesFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read fsdd: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comma = '\t'
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read fsdd %s: %w", path, err)
	}
	var cols [3]int
	for i, c := range []string{"file", "digit", "speaker"} {
		if cols[i] = slices.Index(header, c); cols[i] < 0 {
			return nil, &LineError{File: path, Line: 1, Msg: fmt.Sprintf("no column %q in the header %q", c, header)}
		}
	}
	var clips []FSDDClip
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read fsdd %s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		digit, err := strconv.Atoi(row[cols[1]])
		if err != nil || digit < 0 || digit > 9 {
			return nil, &LineError{File: path, Line: line, Msg: fmt.Sprintf("digit %q is not 0 to 9", row[cols[1]])}
		}
		if row[cols[0]] == "" {
			return nil, &LineError{File: path, Line: line, Msg: "no file"}
		}
		clips = append(clips, FSDDClip{Path: filepath.Join(dir, filepath.FromSlash(row[cols[0]])), Digit: digit, Speaker: row[cols[2]]})
	}
	if len(clips) == 0 {
		return nil, fmt.Errorf("read fsdd %s: no recordings", path)
	}
	return clips, nil
}
