package assistant

import (
	"fmt"
	"math"

	"github.com/pikadj/pika/shared/protocol"
)

// Warnings are the sentences for the DJ about playing next after prev: a
// tempo change above o.JumpPct, a key clash on the Camelot wheel, a song
// played tonight. None when all is well; a missing number (no tempo, no
// key) warns of nothing.
func Warnings(prev, next protocol.Track, played Played, o Options) []string {
	o = o.withDefaults()
	var out []string
	if prev.BPM != nil && next.BPM != nil && *prev.BPM > 0 && *next.BPM > 0 {
		pct := (*next.BPM - *prev.BPM) / *prev.BPM * 100
		if math.Abs(pct) > o.JumpPct {
			out = append(out, fmt.Sprintf("Big tempo jump: %s → %s BPM (%+.0f %%)", bpmText(*prev.BPM), bpmText(*next.BPM), pct))
		}
	}
	if HarmonyOf(prev.Camelot, next.Camelot) == HarmonyClash {
		out = append(out, fmt.Sprintf("Key clash: %s → %s", prev.Camelot, next.Camelot))
	}
	if w := played.Warning(next.Artist, next.Title); w != "" {
		out = append(out, w)
	}
	return out
}
