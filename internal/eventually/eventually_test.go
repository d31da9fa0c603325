package eventually

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestTrue(t *testing.T) {
	var n atomic.Int32
	if !True(time.Second, func() bool { return n.Add(1) == 3 }) {
		t.Error("a condition that comes true on the third check timed out")
	}
	if True(3*Interval, func() bool { return false }) {
		t.Error("a condition that never holds came true")
	}
}
