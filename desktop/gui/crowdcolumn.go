package gui

import (
	"cmp"

	"github.com/pikadj/pika/desktop/library"
)

// crowdText is how rooms received the track in the DJ's past sessions:
// "played 6×, 2.1 likes per 10 listeners, room wanted it slower 3×".
func crowdText(t library.Track) string {
	if t.Crowd == nil {
		return ""
	}
	return t.Crowd.Text()
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
