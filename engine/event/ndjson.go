package event

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Writer writes events as NDJSON: one flat JSON object per line. Besides
// what encoding/json escapes (C0 controls, and <, > and & for HTML), it
// escapes DEL and the C1 controls U+0080–U+009F, so that no raw control
// character a customer typed reaches a terminal that prints the output
// (a C1 CSI, U+009B, starts an escape sequence on many terminals).
// Writes are buffered: call Flush.
type Writer struct {
	w   *bufio.Writer
	buf []byte
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write writes one event and a newline.
func (w *Writer) Write(e Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	w.buf = append(escapeControls(w.buf[:0], data), '\n')
	if _, err := w.w.Write(w.buf); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// Flush writes what is buffered.
func (w *Writer) Flush() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// WriteStream writes the events of the channel until it closes or ctx is
// done, flushing whenever it has caught up so that a reader sees each
// event as it comes.
func WriteStream(ctx context.Context, w io.Writer, events <-chan Event) error {
	out := NewWriter(w)
	defer out.Flush()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-events:
			if !ok {
				return nil
			}
			if err := out.Write(e); err != nil {
				return err
			}
			if len(events) == 0 {
				if err := out.Flush(); err != nil {
					return err
				}
			}
		}
	}
}

// escapeControls appends data, JSON from encoding/json, to dst with DEL
// and the C1 controls written as \u escapes. encoding/json writes valid
// UTF-8 and escapes C0 itself; outside strings its output is ASCII, so
// every such byte sequence is inside a string, where the escape means the
// same character.
func escapeControls(dst, data []byte) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == 0x7f:
			dst = append(dst, `\u007f`...)
		case c == 0xc2 && i+1 < len(data) && data[i+1] >= 0x80 && data[i+1] <= 0x9f:
			// U+0080–U+009F is C2 80 to C2 9F in UTF-8.
			r := data[i+1]
			dst = append(dst, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
			i++
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
