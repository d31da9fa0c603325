package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadAirline reads the Twitter US Airline Sentiment CSV (Tweets.csv): a
// header naming at least the columns text and airline_sentiment, then one
// tweet per row. Each example's label is its sentiment: negative, neutral
// or positive.
func ReadAirline(name string, r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read airline csv %s: %w", name, err)
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
		return nil, &LineError{File: name, Line: 1, Msg: fmt.Sprintf("need columns text and airline_sentiment, have %q", header)}
	}
	var out []Example
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read airline csv %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) <= max(textCol, classCol) {
			return nil, &LineError{File: name, Line: line, Msg: "too few columns"}
		}
		class := strings.TrimSpace(row[classCol])
		if class != "positive" && class != "negative" && class != "neutral" {
			return nil, &LineError{File: name, Line: line, Msg: fmt.Sprintf("airline_sentiment %q is not positive, negative or neutral", class)}
		}
		out = append(out, Example{Text: row[textCol], Label: class})
	}
}
