package agent

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// maxLangWidth is the most cells of a language tag the transcript shows:
// enough for any primary language subtag in use ("en", "yue"), and short
// enough that the "↳ en · machine" mark fits in front of the text column.
const maxLangWidth = 4

// translation is a machine translation of one utterance into the agent's
// language, sanitised: lang is the tag as shown, text is empty when there
// is no translation.
type translation struct {
	lang, text string
}

// heldTranslation is a translation waiting for its utterance's final.
type heldTranslation struct {
	utteranceID string
	translation
}

// newTranslation sanitises a translation event. The model server's output
// is as untrusted as the customer's words, the language tag included.
func newTranslation(t event.Translation) translation {
	return translation{lang: langLabel(t.Lang), text: strings.TrimSpace(termtext.Sanitize(t.Text))}
}

// langLabel turns a BCP-47 tag into the short label the transcript shows:
// its primary language subtag, lowercased ("pt-BR" → "pt"). The agent
// knows which variant of their own language they read; the label only
// says the line is in it.
func langLabel(tag string) string {
	tag = termtext.Sanitize(tag)
	if i := strings.IndexAny(tag, "-_ "); i >= 0 {
		tag = tag[:i]
	}
	return ansi.Truncate(strings.ToLower(tag), maxLangWidth, "")
}

// addTranslation puts a translation under its utterance. The engine sends
// it after the utterance's final, but if it overtakes the final (or the
// line is still a partial) it is held until the final arrives; if the line
// was trimmed away it is dropped. A later translation of the same
// utterance replaces an earlier one.
func (c *callState) addTranslation(t event.Translation) {
	tr := newTranslation(t)
	if t.UtteranceID == "" || tr.text == "" {
		return
	}
	if i := c.findLine(t.UtteranceID); i >= 0 && !c.lines[i].partial {
		c.linesRev++
		l := &c.lines[i]
		l.tr, l.rev = shownTranslation(l.text, tr), c.linesRev
		return
	}
	if slices.Contains(c.trimmed, t.UtteranceID) {
		return
	}
	c.heldTr = slices.DeleteFunc(c.heldTr, func(h heldTranslation) bool { return h.utteranceID == t.UtteranceID })
	c.heldTr = append(c.heldTr, heldTranslation{t.UtteranceID, tr})
	if over := len(c.heldTr) - maxHeldTranslations; over > 0 {
		c.heldTr = slices.Delete(c.heldTr, 0, over)
	}
}

// translationFor returns the translation a new final line l gets: one held
// for its utterance, else the one of the line it replaces (at index i, or
// -1) when the text is unchanged. A corrected final drops the old
// translation, which no longer says what the line says.
func (c *callState) translationFor(l line, i int) translation {
	for j, h := range c.heldTr {
		if h.utteranceID == l.id {
			c.heldTr = slices.Delete(c.heldTr, j, j+1)
			return shownTranslation(l.text, h.translation)
		}
	}
	if i >= 0 && !c.lines[i].partial && c.lines[i].text == l.text {
		return c.lines[i].tr
	}
	return translation{}
}

// shownTranslation returns tr, or no translation when it repeats the
// original word for word, as a translator does with text already in the
// agent's language: the agent would read the line twice for nothing.
func shownTranslation(original string, tr translation) translation {
	if strings.EqualFold(strings.TrimSpace(original), tr.text) {
		return translation{}
	}
	return tr
}

// noteTrimmed remembers the ids of lines trimmed from the transcript, the
// latest few only, so that their late translations are dropped rather
// than held for a line that will never come back.
func (c *callState) noteTrimmed(gone []line) {
	for _, l := range gone {
		if l.id != "" {
			c.trimmed = append(c.trimmed, l.id)
		}
	}
	if over := len(c.trimmed) - maxHeldTranslations; over > 0 {
		c.trimmed = slices.Delete(c.trimmed, 0, over)
	}
}
