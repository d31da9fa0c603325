package datasets

import (
	"fmt"
	"io"
	"strings"
)

// CLINC150OutOfScope is the CLINC150 label of queries no intent covers.
const CLINC150OutOfScope = "oos"

// ReadCLINC150 reads a CLINC150 JSON file (data_full.json, or train_val.json
// as published): named splits ("train", "val", "test", "oos_train", …),
// each a list of [text, intent] pairs.
func ReadCLINC150(name string, r io.Reader) (map[string][]Example, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read clinc150 %s: %w", name, err)
	}
	doc := jsonDoc{name: name, data: data}
	splits, err := doc.members(data, 0, "the file")
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Example, len(splits))
	for _, s := range splits {
		pairs, err := doc.elements(s.raw, s.offset, fmt.Sprintf("split %q", s.key))
		if err != nil {
			return nil, err
		}
		examples := make([]Example, 0, len(pairs))
		for i, p := range pairs {
			var pair []string
			what := fmt.Sprintf("%s[%d]", s.key, i)
			if err := doc.decode(p, what, &pair); err != nil {
				return nil, err
			}
			if len(pair) != 2 || strings.TrimSpace(pair[0]) == "" || pair[1] == "" {
				return nil, doc.errorAt(p.offset, "%s: want [text, intent]", what)
			}
			examples = append(examples, Example{Text: pair[0], Label: pair[1]})
		}
		out[s.key] = examples
	}
	return out, nil
}
