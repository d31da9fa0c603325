package datasets

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// TweetEvalMappingFile names the file of a TweetEval task folder that maps
// label ids to names ("0<TAB>negative").
const TweetEvalMappingFile = "mapping.txt"

// LoadTweetEval reads one split ("train", "val" or "test") of a TweetEval
// task folder, such as sentiment/ (negative, neutral, positive) or emotion/
// (anger, joy, optimism, sadness): <split>_text.txt holds one tweet a line,
// <split>_labels.txt the label id on the same line, and mapping.txt the id
// and name of every label. Each example's label is its name.
func LoadTweetEval(dir, split string) ([]Example, error) {
	names, err := readTweetEvalMapping(filepath.Join(dir, TweetEvalMappingFile))
	if err != nil {
		return nil, err
	}
	textPath := filepath.Join(dir, split+"_text.txt")
	texts, err := readTextLines(textPath)
	if err != nil {
		return nil, fmt.Errorf("read tweeteval: %w", err)
	}
	labelPath := filepath.Join(dir, split+"_labels.txt")
	labels, err := readTextLines(labelPath)
	if err != nil {
		return nil, fmt.Errorf("read tweeteval: %w", err)
	}
	if len(texts) != len(labels) {
		return nil, fmt.Errorf("read tweeteval %s: %d texts in %s but %d labels in %s", dir, len(texts), filepath.Base(textPath), len(labels), filepath.Base(labelPath))
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("read tweeteval %s: no texts", textPath)
	}
	out := make([]Example, len(texts))
	for i, id := range labels {
		name, ok := names[strings.TrimSpace(id)]
		if !ok {
			return nil, &LineError{File: labelPath, Line: i + 1, Msg: fmt.Sprintf("label id %q is not in %s", id, TweetEvalMappingFile)}
		}
		out[i] = Example{Text: texts[i], Label: name}
	}
	return out, nil
}

// readTweetEvalMapping reads mapping.txt: a label id, a tab and its name on
// every line.
func readTweetEvalMapping(path string) (map[string]string, error) {
	lines, err := readTextLines(path)
	if err != nil {
		return nil, fmt.Errorf("read tweeteval: %w", err)
	}
	names := make(map[string]string, len(lines))
	for i, l := range lines {
		id, name, ok := strings.Cut(l, "\t")
		id, name = strings.TrimSpace(id), strings.TrimSpace(name)
		if _, err := strconv.Atoi(id); !ok || err != nil || name == "" {
			return nil, &LineError{File: path, Line: i + 1, Msg: "want a label id, a tab and its name"}
		}
		names[id] = name
	}
	return names, nil
}

// readTextLines returns the lines of a text file without their line ends;
// a final line end starts no line.
func readTextLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	if len(data) == 0 {
		return nil, nil
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines, nil
}
