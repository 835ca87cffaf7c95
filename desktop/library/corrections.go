package library

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Manual tempos are bounded like the relay's: a DJ's typo must not get
// every play of the track refused.
const (
	MinManualBPM = 20
	MaxManualBPM = 300
)

// BPMFix is a one-click fix of a tempo measured at the wrong metrical
// level: a half-time or double-time reading, or a triplet feel.
type BPMFix struct {
	Label  string
	Factor float64
}

// BPMFixes are the fixes the library pane and the command line offer.
var BPMFixes = []BPMFix{{"×2", 2}, {"÷2", 0.5}, {"×3⁄2", 1.5}, {"×2⁄3", 2.0 / 3}}

// Fixed is bpm after f, to a tenth of a BPM.
func (f BPMFix) Fixed(bpm float64) float64 { return math.Round(bpm*f.Factor*10) / 10 }

// SetManualBPM stores the DJ's tempo for a track (0 removes it). It is
// kept beside the analysis, which a re-analysis replaces without touching
// it, and it is what Track.BPM and the relay get.
func (l *Library) SetManualBPM(ctx context.Context, id int64, bpm float64) error {
	var v any
	if bpm != 0 {
		if !(bpm >= MinManualBPM && bpm <= MaxManualBPM) {
			return fmt.Errorf("a tempo of %g BPM is outside %d–%d", bpm, MinManualBPM, MaxManualBPM)
		}
		v = math.Round(bpm*10) / 10
	}
	return l.setManual(ctx, id, "bpm_manual", v)
}

// SetManualKey stores the DJ's key for a track, as a Camelot code ("8A")
// or a name ("A minor", "Am"); "" removes it.
func (l *Library) SetManualKey(ctx context.Context, id int64, key string) error {
	code := ""
	if key = strings.TrimSpace(key); key != "" {
		c, _, ok := NormalizeKey(key)
		if !ok {
			return fmt.Errorf("%q is not a key: use a Camelot code like 8A or a name like A minor", key)
		}
		code = c
	}
	return l.setManual(ctx, id, "key_manual", code)
}

func (l *Library) setManual(ctx context.Context, id int64, column string, v any) error {
	res, err := l.db.ExecContext(ctx, "UPDATE tracks SET "+column+" = ? WHERE id = ?", v, id)
	if err != nil {
		return fmt.Errorf("correct track %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("track %d: %w", id, ErrNotFound)
	}
	return nil
}
