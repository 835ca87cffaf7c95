package gui

import (
	"cmp"
	"strings"

	"github.com/pikadj/pika/desktop/library"
)

// crowdText is how rooms received the track in the DJ's past sessions:
// "played 6×, 2.1 likes per 10 listeners, room wanted it slower 3×".
func crowdText(t library.Track) string {
	if t.Crowd == nil {
		return ""
	}
	c := t.Crowd
	if c.Plays == 0 {
		return ""
	}
	parts := []string{TN("crowd.played", c.Plays)}
	if c.Listeners > 0 {
		parts = append(parts, T("crowd.likes", "Likes", decimal(c.LikesPer10(), 1)))
	}
	if c.WantedSlower > 0 {
		parts = append(parts, TN("crowd.slower", c.WantedSlower))
	}
	if c.WantedFaster > 0 {
		parts = append(parts, TN("crowd.faster", c.WantedFaster))
	}
	return strings.Join(parts, T("list.separator"))
}

// cmpCrowd orders by likes per listener, then by plays; never played
// first, so a descending sort puts the rooms' favourites on top.
func cmpCrowd(a, b library.Track) int {
	var ca, cb library.Crowd
	if a.Crowd != nil {
		ca = *a.Crowd
	}
	if b.Crowd != nil {
		cb = *b.Crowd
	}
	if c := cmp.Compare(ca.LikesPer10(), cb.LikesPer10()); c != 0 {
		return c
	}
	return cmp.Compare(ca.Plays, cb.Plays)
}
