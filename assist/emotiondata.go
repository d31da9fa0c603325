package assist

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Polarity classes of the sentiment model and of the evaluation.
const (
	Positive = "positive"
	Negative = "negative"
	Neutral  = "neutral"
)

// Polarities lists the classes in report order.
var Polarities = []string{Positive, Negative, Neutral}

// LabelledText is one text with its labels.
type LabelledText struct {
	Text   string
	Labels []string
}

// GoEmotions is a GoEmotions split with the label names and sentiment
// groups found beside it.
type GoEmotions struct {
	Rows []LabelledText
	// Group maps each emotion label to positive, negative or ambiguous;
	// neutral is its own group.
	Group map[string]string
}

// ReadGoEmotions reads a GoEmotions TSV file (text, comma-separated label
// ids, comment id; no header), resolving ids through labels.txt and groups
// through sentiment_dict.json in the same folder.
func ReadGoEmotions(path string) (*GoEmotions, error) {
	dir := filepath.Dir(path)
	names, err := readLines(filepath.Join(dir, "labels.txt"))
	if err != nil {
		return nil, fmt.Errorf("read goemotions labels: %w", err)
	}
	groups, err := readSentimentDict(filepath.Join(dir, "sentiment_dict.json"))
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read goemotions: %w", err)
	}
	defer f.Close()
	ge := &GoEmotions{Group: groups}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			return nil, fmt.Errorf("%s:%d: want text<TAB>label ids<TAB>id", path, line)
		}
		var labels []string
		for _, id := range strings.Split(cols[1], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(id))
			if err != nil || n < 0 || n >= len(names) {
				return nil, fmt.Errorf("%s:%d: bad label id %q", path, line, id)
			}
			labels = append(labels, names[n])
		}
		ge.Rows = append(ge.Rows, LabelledText{Text: cols[0], Labels: labels})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read goemotions %s: %w", path, err)
	}
	return ge, nil
}

func readLines(path string) ([]string, error) {
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

func readSentimentDict(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read goemotions sentiment groups: %w", err)
	}
	var dict map[string][]string
	if err := json.Unmarshal(data, &dict); err != nil {
		return nil, fmt.Errorf("read goemotions sentiment groups %s: %w", path, err)
	}
	groups := map[string]string{Neutral: Neutral}
	for g, labels := range dict {
		for _, l := range labels {
			groups[l] = g
		}
	}
	return groups, nil
}

// Polarity returns the sentiment class of a row: the group shared by all
// its labels. Rows in the ambiguous group (surprise, curiosity, …) or whose
// labels span groups ("joy" and "anger") have none: ok is false, and the
// evaluation drops them, as the GoEmotions paper's grouping does.
func (ge *GoEmotions) Polarity(r LabelledText) (class string, ok bool) {
	for _, l := range r.Labels {
		g := ge.Group[l]
		if g == "" || g == "ambiguous" || (class != "" && g != class) {
			return "", false
		}
		class = g
	}
	return class, class != ""
}

// gaugeOf maps the GoEmotions labels to the agent view's emotion gauges.
// Curiosity, realization and surprise map to none: a customer's surprise
// is not something the agent must act on.
var gaugeOf = map[string]string{
	"anger": EmotionAnger, "disgust": EmotionAnger,
	"annoyance": EmotionFrustration, "disapproval": EmotionFrustration,
	"sadness": EmotionSadness, "disappointment": EmotionSadness, "grief": EmotionSadness,
	"remorse": EmotionSadness, "embarrassment": EmotionSadness,
	"fear": EmotionFear, "nervousness": EmotionFear,
	"confusion": EmotionConfusion,
	"joy":       EmotionJoy, "amusement": EmotionJoy, "excitement": EmotionJoy, "gratitude": EmotionJoy,
	"love": EmotionJoy, "optimism": EmotionJoy, "relief": EmotionJoy, "pride": EmotionJoy,
	"admiration": EmotionJoy, "approval": EmotionJoy, "caring": EmotionJoy, "desire": EmotionJoy,
	"neutral": EmotionNeutral,
}

// Gauge returns the one gauge all of a row's mapped labels agree on.
func Gauge(r LabelledText) (gauge string, ok bool) {
	for _, l := range r.Labels {
		g, mapped := gaugeOf[l]
		if !mapped {
			continue
		}
		if gauge != "" && g != gauge {
			return "", false
		}
		gauge = g
	}
	return gauge, gauge != ""
}

// ReadAirline reads the Twitter US Airline Sentiment CSV: a header naming
// at least the columns text and airline_sentiment (negative, neutral or
// positive).
func ReadAirline(path string) ([]LabelledText, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read airline csv: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read airline csv %s: %w", path, err)
	}
	textCol, classCol := -1, -1
	for i, h := range header {
		switch strings.TrimPrefix(strings.TrimSpace(h), "\uFEFF") {
		case "text":
			textCol = i
		case "airline_sentiment":
			classCol = i
		}
	}
	if textCol < 0 || classCol < 0 {
		return nil, fmt.Errorf("read airline csv %s: need columns text and airline_sentiment, have %q", path, header)
	}
	var out []LabelledText
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read airline csv %s: %w", path, err)
		}
		if len(row) <= max(textCol, classCol) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: too few columns", path, line)
		}
		class := strings.TrimSpace(row[classCol])
		if class != Positive && class != Negative && class != Neutral {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: airline_sentiment %q is not positive, negative or neutral", path, line, class)
		}
		out = append(out, LabelledText{Text: row[textCol], Labels: []string{class}})
	}
	return out, nil
}
