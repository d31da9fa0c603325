package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/larkspur-labs/assist/engine/event"
)

// The export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// Write writes the calls in format: FormatJSONL or FormatCSV.
func Write(w io.Writer, format string, calls []*event.CallRecord) error {
	switch format {
	case FormatJSONL:
		return WriteJSONL(w, calls)
	case FormatCSV:
		return WriteCSV(w, calls)
	}
	return fmt.Errorf("unknown export format %q", format)
}

// WriteJSONL writes one JSON object per call.
func WriteJSONL(w io.Writer, calls []*event.CallRecord) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range calls {
		if err := enc.Encode(c); err != nil {
			return fmt.Errorf("call %s: %w", c.CallID, err)
		}
	}
	return nil
}

// CSVHeader names the columns of the CSV export.
var CSVHeader = []string{
	"call_id", "queue", "agent", "utterance_id", "speaker", "start", "end", "text", "sentiment",
	"top_suggestion", "top_confidence", "top_source", "top_article", "feedback",
}

// WriteCSV writes a header and one row per final utterance, every text
// cell made safe by csvCell.
func WriteCSV(w io.Writer, calls []*event.CallRecord) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, c := range calls {
		for _, t := range c.Turns {
			var sentiment, topText, topConf, topSource, topArticle string
			if t.Sentiment != nil {
				sentiment = formatFloat(*t.Sentiment)
			}
			if len(t.Suggestions) > 0 {
				top := t.Suggestions[0]
				topText, topConf, topSource, topArticle = csvCell(top.Text), formatFloat(top.Confidence), csvCell(top.Source), csvCell(top.ArticleID)
			}
			verdicts := make([]string, 0, len(t.Feedback))
			for _, fb := range t.Feedback {
				verdicts = append(verdicts, fb.SuggestionID+"="+fb.Verdict)
			}
			row := []string{
				csvCell(c.CallID), csvCell(c.Queue), csvCell(c.Agent), csvCell(t.UtteranceID), csvCell(string(t.Speaker)),
				formatFloat(t.Start), formatFloat(t.End), csvCell(t.Text), sentiment,
				topText, topConf, topSource, topArticle, csvCell(strings.Join(verdicts, "; ")),
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// csvCell makes a text safe for a CSV cell: invalid UTF-8 becomes U+FFFD,
// control characters other than tab and newline (C0, DEL, C1: ESC, BEL,
// CR, the 8-bit CSI...) are removed, so that printing the file cannot
// drive a terminal; and a cell starting with =, +, -, @ or a tab gets a
// leading ' so that a spreadsheet shows it as text rather than evaluating
// a formula (the OWASP advice on CSV injection).
func csvCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return -1
		}
		return r
	}, s)
	if s != "" && strings.ContainsRune("=+-@\t", rune(s[0])) {
		s = "'" + s
	}
	return s
}
