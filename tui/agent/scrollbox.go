package agent

import "github.com/larkspur-labs/assist/tui/common"

// scrollBox is a pane whose content is rows rendered ahead of time, of
// which the view shows a window from offset: the summary, the next best
// actions and the alerts overlay.
type scrollBox struct {
	common.Box
	rows   []string
	offset int
}

// Scroll moves the view by n rows, down when positive.
func (b *scrollBox) Scroll(n int) {
	b.offset += n
	b.clampOffset()
}

// Page moves the view by n pages.
func (b *scrollBox) Page(n int) {
	_, ih := b.Inner()
	b.Scroll(n * max(ih-1, 1))
}

// clampOffset keeps the window on the rows, after they or the size changed.
func (b *scrollBox) clampOffset() {
	_, ih := b.Inner()
	b.offset = common.Clamp(b.offset, 0, max(len(b.rows)-ih, 0))
}

// window returns the rows in view and how many lie below them.
func (b *scrollBox) window() (visible []string, below int) {
	_, ih := b.Inner()
	return b.rows[min(b.offset, len(b.rows)):min(b.offset+ih, len(b.rows))], max(len(b.rows)-b.offset-ih, 0)
}
