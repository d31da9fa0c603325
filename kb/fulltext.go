package kb

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TextMapping returns the knowledge base's index mapping, its English
// analyzer and BM25 scoring, for documents made of the named text fields,
// so that another full-text index (the mined replies, package kb/replies)
// reads text exactly as the knowledge base does.
func TextMapping(fields ...string) (*mapping.IndexMappingImpl, error) {
	m, err := indexMapping()
	if err != nil {
		return nil, err
	}
	fb := make([]fieldBoost, len(fields))
	for i, f := range fields {
		fb[i].field = f
	}
	m.DefaultMapping = textFields(fb)
	return m, nil
}

// MatchQuery returns a query for plain text q, never query syntax, in one
// field of a TextMapping index, analysed like the knowledge base, its score
// weighed by boost.
func MatchQuery(q, field string, boost float64) *query.MatchQuery {
	mq := bleve.NewMatchQuery(q)
	mq.SetField(field)
	mq.Analyzer = analyzerName
	mq.SetBoost(boost)
	return mq
}
