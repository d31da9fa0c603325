package intent

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadBanking77 reads a BANKING77 CSV file: a header "text,category", then
// one utterance and its intent per row.
func ReadBanking77(r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read banking77 csv: %w", err)
	}
	if strings.TrimPrefix(header[0], "\uFEFF") != "text" || header[1] != "category" {
		return nil, fmt.Errorf("read banking77 csv: header is %q, want text,category", strings.Join(header, ","))
	}
	var out []Example
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read banking77 csv: %w", err)
		}
		if strings.TrimSpace(row[0]) == "" || strings.TrimSpace(row[1]) == "" {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("read banking77 csv: line %d: empty text or category", line)
		}
		out = append(out, Example{Text: row[0], Label: row[1]})
	}
	if len(out) == 0 {
		return nil, errors.New("read banking77 csv: no rows")
	}
	return out, nil
}

// OutOfScope is the CLINC150 label of queries no intent covers.
const OutOfScope = "oos"

// CLINC150 is a CLINC150 file: named splits, each a list of [text, intent]
// pairs, as in the data set's data_full.json.
type CLINC150 map[string][]Example

// ReadCLINC150 reads a CLINC150 JSON file.
func ReadCLINC150(r io.Reader) (CLINC150, error) {
	var raw map[string][][]string
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("read clinc150 json: %w", err)
	}
	out := CLINC150{}
	for split, pairs := range raw {
		for i, p := range pairs {
			if len(p) != 2 || strings.TrimSpace(p[0]) == "" || p[1] == "" {
				return nil, fmt.Errorf("read clinc150 json: %s[%d]: want [text, intent]", split, i)
			}
			out[split] = append(out[split], Example{Text: p[0], Label: p[1]})
		}
	}
	return out, nil
}
