package audio

import (
	"bytes"
	"testing"
)

func TestReadRawPCM(t *testing.T) {
	// Two stereo frames and a stray odd byte, which is dropped.
	c, err := ReadRawPCM(bytes.NewReader([]byte{1, 0, 0xff, 0xff, 2, 0, 0, 0x80, 7}), 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rate != 8000 || len(c.Channels) != 2 || c.Channels[0][1] != 2 || c.Channels[1][0] != -1 || c.Channels[1][1] != -32768 {
		t.Errorf("ReadRawPCM = %+v", c)
	}
	for _, tc := range []struct{ rate, channels int }{{0, 1}, {8000, 3}, {1 << 30, 1}} {
		if _, err := ReadRawPCM(bytes.NewReader(nil), tc.rate, tc.channels); err == nil {
			t.Errorf("rate %d, %d channels accepted", tc.rate, tc.channels)
		}
	}
}
