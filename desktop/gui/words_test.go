package gui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/shared/protocol"
)

func TestWords(t *testing.T) {
	tests := []struct{ got, want string }{
		{plural(1, "vote", "votes"), "1 vote"},
		{plural(0, "vote", "votes"), "0 votes"},
		{plural(2, "poll", "polls"), "2 polls"},
		{listenersLine(1), "1 dancer connected"},
		{listenersLine(12), "12 dancers connected"},
		{likesLine(1), "♥ 1 like"},
		{likesLine(3), "♥ 3 likes"},
		{keyLabel("8A", "A minor"), "8A · A minor"},
		{keyLabel("", "A minor"), "A minor"},
		{pollSummary(protocol.Poll{Options: []string{"Blues", "Funk"}, Tallies: []int{1, 0}}), "Blues 1 · Funk 0 · 1 vote"},
		{pollSummary(protocol.Poll{Options: []string{"Blues", "Funk"}, Tallies: []int{2, 1}}), "Blues 2 · Funk 1 · 3 votes"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("analysis: audio: x.mp3: corrupt audio data: frame 12: bad huffman table"), "X.mp3: the audio data is corrupt (frame 12: bad huffman table)"},
		{fmt.Errorf("livelink: check token at http://r: %w", errors.New("connection refused")), "Check token at http://r: connection refused"},
		{fmt.Errorf("go live: %w", core.ErrNoToken), "No DJ token yet: paste yours in Settings (copy it from your DJ page on the web)"},
		{errors.New("the relay refused the session: name too long"), "The relay refused the session: name too long"},
		{errors.New("audio: "), "Audio: "},
	}
	for _, tc := range tests {
		if got := errorText(tc.err); got != tc.want {
			t.Errorf("errorText(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if errorText(nil) != "" {
		t.Error("errorText(nil) is not empty")
	}
}
