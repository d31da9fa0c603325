package agent

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
)

// clockString formats a call offset in seconds as m:ss, or h:mm:ss past an
// hour.
func clockString(sec float64) string {
	return durationString(time.Duration(sec * float64(time.Second)))
}

// durationString formats a duration as mm:ss, or h:mm:ss past an hour.
func durationString(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// percent formats a 0..1 value as a whole percentage.
func percent(v float64) string {
	return strconv.Itoa(int(math.Round(common.Clampf(v, 0, 1)*100))) + "%"
}

// speedString formats a replay speed factor, such as ×2 or ×0.25.
func speedString(x float64) string {
	return "×" + strconv.FormatFloat(x, 'g', -1, 64)
}

// latencyString formats a latency in milliseconds.
func latencyString(ms float64) string {
	if ms >= 1000 {
		return strconv.FormatFloat(ms/1000, 'f', 1, 64) + " s"
	}
	return strconv.Itoa(int(math.Round(ms))) + " ms"
}

// resumedText says what a call.resumed marks: how long the call's stream
// was lost before it came back.
func resumedText(r event.CallResumed) string {
	gap := time.Duration(r.Gap * float64(time.Second)).Round(time.Second)
	if gap < time.Second {
		return "stream lost for less than a second, resumed"
	}
	return "stream lost for " + gap.String() + ", resumed"
}
