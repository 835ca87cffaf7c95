// Package assistant helps the DJ choose what to play next: it ranks the
// library's tracks for the one playing now by tempo, key, energy, the
// room's tempo votes and the dancers' requests, never suggesting a song
// played tonight, and words the warnings a DJ wants before a track goes
// out (a big tempo jump, a key clash, a repeat). It is pure: the core
// gives it the library, the votes and the plays, so it is tested without
// a relay or a window.
package assistant

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/shared/protocol"
)

// Options tune the ranking and the warnings. Zero fields take the
// defaults (see withDefaults).
type Options struct {
	// Tolerance is how many BPM off the target still mixes well (3).
	Tolerance float64
	// Step is a deliberate tempo step up or down (5 BPM), offered a bit
	// below an exact fit when the room asks nothing.
	Step float64
	// RoomTracks is how many of the last tracks' votes are read (3).
	RoomTracks int
	// RoomMinVotes is how many votes it takes for the room to say
	// anything (3).
	RoomMinVotes int
	// RoomMaxShift is the shift when every vote agrees (8 BPM).
	RoomMaxShift float64
	// Limit is how many suggestions come back (10).
	Limit int
	// JumpPct is the tempo change above which a next track is a big jump
	// (8 %).
	JumpPct float64
}

// DefaultJumpPct is the default big-jump threshold, in percent.
const DefaultJumpPct = 8

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if !(*v > 0) {
			*v = d
		}
	}
	def(&o.Tolerance, 3)
	def(&o.Step, 5)
	def(&o.RoomMaxShift, 8)
	def(&o.JumpPct, DefaultJumpPct)
	if o.RoomTracks <= 0 {
		o.RoomTracks = 3
	}
	if o.RoomMinVotes <= 0 {
		o.RoomMinVotes = 3
	}
	if o.Limit <= 0 {
		o.Limit = 10
	}
	return o
}

// Request is an open request from the dancers: a library track (TrackID)
// or, for one the catalogue named by artist and title, those; Count is
// how many dancers asked.
type Request struct {
	TrackID       int64
	Artist, Title string
	Count         int
}

// Input is what the ranking reads.
type Input struct {
	// Now is the track playing now, as the relay has it; NowID its
	// library id (0 when not in the library).
	Now   protocol.Track
	NowID int64
	// Tempo are the tempo tallies of the last tracks, oldest first (the
	// one playing now last).
	Tempo    []protocol.TempoTally
	Requests []Request
	Played   Played
	// Library are the candidates.
	Library []library.Track
}

// Suggestion is one ranked track and why.
type Suggestion struct {
	Track library.Track
	Score float64 // higher is better; for ordering only
	// Why is the reason for the DJ: "8A → 9A, 98 → 101 BPM, requested ×3".
	Why       string
	Harmony   Harmony
	Requested int
}

// Result is the ranked list and what the room says.
type Result struct {
	Room        Room
	TargetBPM   float64 // 0 when the track playing now has no tempo
	Suggestions []Suggestion
}

// Weights of the parts of a score; a request adds on top.
const (
	tempoWeight   = 0.45
	harmonyWeight = 0.30
	energyWeight  = 0.25
	requestBonus  = 0.15 // per dancer asking, up to maxRequested
	maxRequested  = 5
	stepDiscount  = 0.75 // a deliberate step scores this much of an exact fit
	energySpan    = 30   // an energy change this big scores 0
)

// Suggest ranks in.Library for in.Now: best first, at most o.Limit, never
// the track playing now, a song played tonight or a file that is missing
// here; one entry per song.
func Suggest(in Input, o Options) Result {
	o = o.withDefaults()
	res := Result{Room: ReadRoom(in.Tempo, o)}
	nowBPM := 0.0
	if in.Now.BPM != nil && *in.Now.BPM > 0 {
		nowBPM = *in.Now.BPM
		res.TargetBPM = nowBPM + res.Room.Shift
	}
	nowID := protocol.TrackIdentity(in.Now.Artist, in.Now.Title)
	requested := requestIndex(in.Requests)

	best := map[string]int{} // song identity → index in out
	var out []Suggestion
	for _, t := range in.Library {
		artist, title := t.Tags.Artist, displayTitle(t)
		song := protocol.TrackIdentity(artist, title)
		if t.State == library.StateMissing || (in.NowID != 0 && t.ID == in.NowID) || song == nowID ||
			in.Played.Has(artist, title) {
			continue
		}
		s := rank(t, in.Now, nowBPM, res.TargetBPM, res.Room, requested.count(t.ID, song), o)
		if i, ok := best[song]; ok {
			if s.Score > out[i].Score {
				out[i] = s
			}
			continue
		}
		best[song] = len(out)
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Track.ID, b.Track.ID)
	})
	if len(out) > o.Limit {
		out = out[:o.Limit]
	}
	res.Suggestions = out
	return res
}

// rank scores one candidate and words why.
func rank(t library.Track, now protocol.Track, nowBPM, target float64, room Room, requests int, o Options) Suggestion {
	s := Suggestion{Track: t, Requested: requests}
	var why []string
	_, code := t.Key()
	s.Harmony = HarmonyOf(now.Camelot, code)
	if now.Camelot != "" && code != "" {
		why = append(why, now.Camelot+" → "+code)
	}
	bpm := t.BPM()
	tempo := 0.0
	switch {
	case target == 0:
		tempo = 0.5 // nothing to fit to: no track's tempo is better
	case bpm > 0:
		d := math.Abs(bpm - target)
		tempo = fit(d, o.Tolerance)
		note := ""
		if room.Shift == 0 {
			for _, step := range []float64{o.Step, -o.Step} {
				if st := stepDiscount * fit(math.Abs(bpm-(target+step)), o.Tolerance); st > tempo {
					tempo = st
					note = " (a step " + map[bool]string{true: "up", false: "down"}[step > 0] + ")"
				}
			}
		} else if d <= o.Tolerance {
			note = " (as the room asks)"
		}
		why = append(why, fmt.Sprintf("%s → %s BPM%s", bpmText(nowBPM), bpmText(bpm), note))
	}
	energy := 0.5
	if now.Energy != nil && t.Analysis != nil && t.Analysis.Energy > 0 {
		d := t.Analysis.Energy - *now.Energy
		energy = max(0, 1-math.Abs(d)/energySpan)
		if math.Abs(d) >= 10 {
			why = append(why, fmt.Sprintf("energy %.0f → %.0f", *now.Energy, t.Analysis.Energy))
		}
	}
	s.Score = tempoWeight*tempo + harmonyWeight*s.Harmony.score() + energyWeight*energy
	if requests > 0 {
		s.Score += requestBonus * float64(min(requests, maxRequested))
		why = append(why, fmt.Sprintf("requested ×%d", requests))
	}
	s.Why = strings.Join(why, ", ")
	return s
}

// fit is 1 on the target, 0.9 at the tolerance, falling to 0 at three
// tolerances off.
func fit(d, tolerance float64) float64 {
	if d <= tolerance {
		return 1 - 0.1*d/tolerance
	}
	return max(0, 0.9*(1-(d-tolerance)/(2*tolerance)))
}

// bpmText is a tempo as a DJ reads it: whole BPM unless it has a half.
func bpmText(bpm float64) string {
	r := math.Round(bpm*10) / 10
	if r == math.Trunc(r) {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.1f", r)
}

// displayTitle is the track's title, or its file name when untagged, as
// the relay would name it.
func displayTitle(t library.Track) string {
	if t.Tags.Title != "" {
		return t.Tags.Title
	}
	return t.Protocol().Title
}

// requests counts open requests by library id and by song.
type requests struct {
	byID   map[int64]int
	bySong map[string]int
}

func requestIndex(rs []Request) requests {
	ix := requests{byID: map[int64]int{}, bySong: map[string]int{}}
	for _, r := range rs {
		if r.Count <= 0 {
			continue
		}
		if r.TrackID != 0 {
			ix.byID[r.TrackID] += r.Count
		} else if r.Artist != "" || r.Title != "" {
			ix.bySong[protocol.TrackIdentity(r.Artist, r.Title)] += r.Count
		}
	}
	return ix
}

func (ix requests) count(id int64, song string) int { return ix.byID[id] + ix.bySong[song] }
