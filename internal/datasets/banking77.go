package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadBanking77 reads a BANKING77 CSV file: a header "text,category", then
// one customer query and its intent per row.
func ReadBanking77(name string, r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read banking77 %s: %w", name, err)
	}
	if strings.TrimPrefix(header[0], "\uFEFF") != "text" || header[1] != "category" {
		return nil, &LineError{File: name, Line: 1, Msg: fmt.Sprintf("header is %q, want text,category", strings.Join(header, ","))}
	}
	var out []Example
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read banking77 %s: %w", name, err)
		}
		if strings.TrimSpace(row[0]) == "" || strings.TrimSpace(row[1]) == "" {
			line, _ := cr.FieldPos(0)
			return nil, &LineError{File: name, Line: line, Msg: "empty text or category"}
		}
		out = append(out, Example{Text: row[0], Label: row[1]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read banking77 %s: no rows", name)
	}
	return out, nil
}
