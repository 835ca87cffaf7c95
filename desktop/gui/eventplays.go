package gui

import (
	"cmp"
	"fmt"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/shared/protocol"
)

// The library's view of what the event of the DJ's stage set already
// played: a column, a line for the selected track, and a question before a
// repeat is sent by hand.

// eventColumn is the library's "At event" column: the last time a track
// was played at the event ("" when it was not, or off a stage).
func eventColumn(c *core.Core) trackColumn {
	last := func(t library.Track) *protocol.EventPlay {
		pt := t.Protocol()
		plays, _ := c.PlayedAtEvent(pt.Artist, pt.Title)
		if len(plays) == 0 {
			return nil
		}
		return &plays[len(plays)-1]
	}
	return trackColumn{"At event", 150, func(t library.Track) string {
		p := last(t)
		if p == nil {
			return ""
		}
		return fmt.Sprintf("%s · %s", p.StartedAt.In(c.EventLocation()).Format("15:04"), p.DJName)
	}, func(a, b library.Track) int {
		at := func(t library.Track) int64 {
			if p := last(t); p != nil {
				return p.StartedAt.UnixMilli()
			}
			return 0
		}
		return cmp.Compare(at(a), at(b))
	}}
}

// playedWarning is the sentence for a track played at the event ("" when
// it was not).
func playedWarning(c *core.Core, t library.Track) string {
	pt := t.Protocol()
	plays, _ := c.PlayedAtEvent(pt.Artist, pt.Title)
	if len(plays) == 0 {
		return ""
	}
	p := plays[len(plays)-1]
	at := p.StartedAt.In(c.EventLocation())
	days := []string{T("weekday.sun"), T("weekday.mon"), T("weekday.tue"), T("weekday.wed"), T("weekday.thu"), T("weekday.fri"), T("weekday.sat")}
	text := T("library.playedAt", "DJ", p.DJName, "Stage", p.StageName, "Day", days[at.Weekday()], "Time", at.Format("15:04"))
	if n := len(plays) - 1; n > 0 {
		text += " " + TN("library.playedBefore", n)
	}
	return text
}

// showPlayed says, for the selected track, whether the event played it.
func (p *libraryPane) showPlayed(t library.Track) {
	if text := playedWarning(p.g.core, t); text != "" {
		p.played.SetText(T("library.playedAtEvent", "Title", displayTitle(t), "Warning", text))
	} else {
		p.played.SetText("")
	}
}
