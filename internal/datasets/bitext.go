package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// BitextRow is one row of the Bitext customer-support training set: a
// customer's request, its intent and category, and an agent's templated
// answer.
type BitextRow struct {
	Instruction string
	Intent      string
	Category    string
	Response    string
}

// ReadBitext reads Bitext_Sample_Customer_Support_Training_Dataset.csv: a
// header naming at least the columns instruction, intent, category and
// response, then one row per request.
func ReadBitext(name string, r io.Reader) ([]BitextRow, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read bitext %s: %w", name, err)
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	var cols [4]int
	for i, c := range []string{"instruction", "intent", "category", "response"} {
		if cols[i] = slices.Index(header, c); cols[i] < 0 {
			return nil, &LineError{File: name, Line: 1, Msg: fmt.Sprintf("no column %q in the header %q", c, header)}
		}
	}
	var out []BitextRow
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read bitext %s: %w", name, err)
		}
		out = append(out, BitextRow{Instruction: row[cols[0]], Intent: row[cols[1]], Category: row[cols[2]], Response: row[cols[3]]})
	}
}
