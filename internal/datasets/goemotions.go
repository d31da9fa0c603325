package datasets

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files of a GoEmotions folder beside its splits (train.tsv, dev.tsv,
// test.tsv).
const (
	GoEmotionsLabelsFile    = "labels.txt"
	GoEmotionsSentimentFile = "sentiment_dict.json"
)

// GoEmotions is one split of GoEmotions (Reddit comments labelled with 27
// emotions or neutral) with the label names and sentiment groups found
// beside it.
type GoEmotions struct {
	Rows []GoEmotionsRow
	// Labels are the names of labels.txt, in id order.
	Labels []string
	// Sentiment is sentiment_dict.json: each group ("positive",
	// "negative", "ambiguous") and its emotions. Neutral is in no group.
	Sentiment map[string][]string
}

// GoEmotionsRow is one comment and its emotions.
type GoEmotionsRow struct {
	Text string
	// Labels are the comment's emotions by name, in the file's order.
	Labels []string
	// ID is the comment id ("" when the row has no third column).
	ID string
}

// LoadGoEmotions reads a GoEmotions TSV file (text, comma-separated label
// ids, comment id; no header), resolving ids through labels.txt, and
// sentiment_dict.json, both in the same folder.
func LoadGoEmotions(path string) (*GoEmotions, error) {
	dir := filepath.Dir(path)
	names, err := readLabelLines(filepath.Join(dir, GoEmotionsLabelsFile))
	if err != nil {
		return nil, fmt.Errorf("read goemotions labels: %w", err)
	}
	sentiment, err := Load(filepath.Join(dir, GoEmotionsSentimentFile), readSentimentDict)
	if err != nil {
		return nil, fmt.Errorf("read goemotions sentiment groups: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read goemotions: %w", err)
	}
	defer f.Close()
	ge := &GoEmotions{Labels: names, Sentiment: sentiment}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			return nil, &LineError{File: path, Line: line, Msg: "want text<TAB>label ids<TAB>id"}
		}
		row := GoEmotionsRow{Text: cols[0]}
		if len(cols) > 2 {
			row.ID = cols[2]
		}
		for _, id := range strings.Split(cols[1], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(id))
			if err != nil || n < 0 || n >= len(names) {
				return nil, &LineError{File: path, Line: line, Msg: fmt.Sprintf("bad label id %q", id)}
			}
			row.Labels = append(row.Labels, names[n])
		}
		ge.Rows = append(ge.Rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read goemotions %s: %w", path, err)
	}
	return ge, nil
}

// readLabelLines reads a file of one name a line.
func readLabelLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	return out, nil
}

// readSentimentDict reads sentiment_dict.json: an object of groups, each a
// list of emotion names.
func readSentimentDict(name string, r io.Reader) (map[string][]string, error) {
	var dict map[string][]string
	if err := readJSON(name, r, "the file", &dict); err != nil {
		return nil, err
	}
	return dict, nil
}
