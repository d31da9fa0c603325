// Package kb is the knowledge base: articles the agent can draw replies and
// next actions from, how they are stored, and how they are searched.
//
// An article is one Markdown file whose YAML front matter holds the parts the
// engine shows (title, example customer questions, the agent-facing answer,
// follow-up actions) and whose body holds longer internal notes. LoadFS and
// LoadDir read a folder of such files and report every problem at once, each
// as "file:line: message", so an author can fix a whole folder in one pass.
// Sample returns the bundled knowledge base of the fictional Larkspur Bank.
//
// An Index answers Search(ctx, query, k) with the k best articles for a
// customer utterance. It is a full-text index (bleve, in memory, English
// stemming and stop words) that weighs the example questions and the title
// above the answer and the notes. Scores are bleve's raw relevance scores:
// higher is better within one query, but they are not probabilities and are
// not comparable across queries.
package kb
