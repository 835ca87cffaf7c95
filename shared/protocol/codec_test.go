package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodeClientFrames(t *testing.T) {
	bpm := 96.5
	tests := []struct {
		name    string
		frame   string
		code    ErrorCode // "" means accepted
		want    any       // expected payload when accepted
		wantMsg string    // substring of the error message
	}{
		{"like", `{"type":"LIKE","id":"f1","payload":{"playId":"p_1"}}`, "", &Like{PlayID: "p_1"}, ""},
		{"unlike", `{"type":"UNLIKE","payload":{"playId":"abc"}}`, "", &Like{PlayID: "abc"}, ""},
		{"tempo vote", `{"type":"TEMPO_VOTE","payload":{"playId":"p1","vote":"faster"}}`, "", &TempoVote{PlayID: "p1", Vote: "faster"}, ""},
		{"poll vote", `{"type":"POLL_VOTE","payload":{"pollId":"q1","optionIndex":2}}`, "", &PollVote{PollID: "q1", OptionIndex: 2}, ""},
		{"subscribe", `{"type":"SUBSCRIBE","payload":{"sessionId":"s1","clientId":"client-123","pin":"1234"}}`, "", &Subscribe{SessionID: "s1", ClientID: "client-123", PIN: "1234"}, ""},
		{"register trims name", `{"type":"REGISTER_SESSION","payload":{"token":"pk_dj_0123456789abcdef0123456789abcdef","name":"  Friday social "}}`, "", &RegisterSession{Token: "pk_dj_0123456789abcdef0123456789abcdef", Name: "Friday social"}, ""},
		{"now playing trims", `{"type":"NOW_PLAYING","payload":{"track":{"artist":" Etta James ","title":"At Last","bpm":96.5,"camelot":"8a"}}}`, "", &NowPlaying{Track: Track{Artist: "Etta James", Title: "At Last", BPM: &bpm, Camelot: "8A"}}, ""},
		{"clear announcement without payload", `{"type":"CLEAR_ANNOUNCEMENT"}`, "", &Empty{}, ""},
		{"end session null payload", `{"type":"END_SESSION","payload":null}`, "", &Empty{}, ""},
		{"subscribe without client id", `{"type":"SUBSCRIBE","payload":{"sessionId":"s1"}}`, "", &Subscribe{SessionID: "s1"}, ""},
		{"register with public recap", `{"type":"REGISTER_SESSION","payload":{"token":"pk_dj_0123456789abcdef0123456789abcdef","name":"x","pin":"1234","publicRecap":true}}`, "", &RegisterSession{Token: "pk_dj_0123456789abcdef0123456789abcdef", Name: "x", PIN: "1234", PublicRecap: ptrTo(true)}, ""},
		{"set pin", `{"type":"SET_PIN","payload":{"pin":"97531"}}`, "", &SetPIN{PIN: "97531"}, ""},
		{"set no pin", `{"type":"SET_PIN","payload":{"pin":""}}`, "", &SetPIN{}, ""},
		{"set bad pin", `{"type":"SET_PIN","payload":{"pin":"12"}}`, CodeBadRequest, nil, "4 to 8 digits"},
		{"pin guesses from a client", `{"type":"PIN_GUESSES","payload":{"wrong":1}}`, CodeBadRequest, nil, "unknown message type"},

		{"not json", `hello`, CodeBadRequest, nil, "not a JSON object"},
		{"array", `[1,2]`, CodeBadRequest, nil, "not a JSON object"},
		{"unknown type", `{"type":"SELF_DESTRUCT","id":"x"}`, CodeBadRequest, nil, "unknown message type"},
		{"server type from client", `{"type":"LIKE_COUNT","payload":{"playId":"p","count":9}}`, CodeBadRequest, nil, "unknown message type"},
		{"long id", `{"type":"LIKE","id":"` + strings.Repeat("a", 65) + `","payload":{"playId":"p"}}`, CodeBadRequest, nil, "id must be"},
		{"markup in id", `{"type":"LIKE","id":"<img src=x>","payload":{"playId":"p"}}`, CodeBadRequest, nil, "id must be"},
		{"payload wrong type", `{"type":"LIKE","payload":{"playId":7}}`, CodeBadRequest, nil, "wrong type"},
		{"payload not object", `{"type":"LIKE","payload":"p1"}`, CodeBadRequest, nil, "JSON object"},
		{"bad play id", `{"type":"LIKE","payload":{"playId":"../etc"}}`, CodeBadRequest, nil, "playId"},
		{"bad vote", `{"type":"TEMPO_VOTE","payload":{"playId":"p1","vote":"louder"}}`, CodeBadRequest, nil, "faster, slower or perfect"},
		{"negative option", `{"type":"POLL_VOTE","payload":{"pollId":"q1","optionIndex":-1}}`, CodeBadRequest, nil, "out of range"},
		{"short client id", `{"type":"SUBSCRIBE","payload":{"sessionId":"s1","clientId":"abc"}}`, CodeBadRequest, nil, "clientId"},
		{"bad pin", `{"type":"SUBSCRIBE","payload":{"sessionId":"s1","clientId":"client-123","pin":"12a4"}}`, CodeBadRequest, nil, "pin"},
		{"token without prefix", `{"type":"REGISTER_SESSION","payload":{"token":"secret","name":"x"}}`, CodeBadRequest, nil, "pk_dj_"},
		{"empty session name", `{"type":"REGISTER_SESSION","payload":{"token":"pk_dj_x","name":"   "}}`, CodeBadRequest, nil, "name is required"},
		{"track without names", `{"type":"NOW_PLAYING","payload":{"track":{"artist":" ","title":""}}}`, CodeBadRequest, nil, "title or an artist"},
		{"bpm out of range", `{"type":"NOW_PLAYING","payload":{"track":{"title":"x","bpm":9000}}}`, CodeBadRequest, nil, "bpm must be"},
		{"bad key", `{"type":"NOW_PLAYING","payload":{"track":{"title":"x","key":"H minor"}}}`, CodeBadRequest, nil, "key must"},
		{"bad camelot", `{"type":"NOW_PLAYING","payload":{"track":{"title":"x","camelot":"13A"}}}`, CodeBadRequest, nil, "camelot"},
		{"control characters", `{"type":"NOW_PLAYING","payload":{"track":{"title":"a\u0007b"}}}`, CodeBadRequest, nil, "title contains a control character (U+0007)"},
		{"future play", `{"type":"NOW_PLAYING","payload":{"track":{"title":"x"},"playedAt":"` + time.Now().Add(time.Hour).Format(time.RFC3339) + `"}}`, CodeBadRequest, nil, "future"},
		{"ancient play", `{"type":"NOW_PLAYING","payload":{"track":{"title":"x"},"playedAt":"2001-01-01T00:00:00Z"}}`, CodeBadRequest, nil, "48 hours"},
		{"one poll option", `{"type":"START_POLL","payload":{"question":"Next?","options":["Blues"]}}`, CodeBadRequest, nil, "2 to 6 options"},
		{"seven poll options", `{"type":"START_POLL","payload":{"question":"Next?","options":["a","b","c","d","e","f","g"]}}`, CodeBadRequest, nil, "2 to 6 options"},
		{"repeated option", `{"type":"START_POLL","payload":{"question":"Next?","options":["Blues","blues "]}}`, CodeBadRequest, nil, "repeats"},
		{"short poll", `{"type":"START_POLL","payload":{"question":"Next?","options":["a","b"],"durationS":1}}`, CodeBadRequest, nil, "durationS"},
		{"long announcement", `{"type":"ANNOUNCE","payload":{"text":"` + strings.Repeat("é", 281) + `"}}`, CodeBadRequest, nil, "longer than 280"},
		{"too large", `{"type":"ANNOUNCE","payload":{"text":"` + strings.Repeat("a", MaxFrameBytes) + `"}}`, CodeTooLarge, nil, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, payload, perr := Decode([]byte(tt.frame))
			if tt.code == "" {
				if perr != nil {
					t.Fatalf("refused: %v", perr)
				}
				if !reflect.DeepEqual(payload, tt.want) {
					t.Fatalf("payload = %#v, want %#v", payload, tt.want)
				}
				return
			}
			if perr == nil {
				t.Fatalf("accepted %s frame, want %s", env.Type, tt.code)
			}
			if perr.Code != tt.code || !strings.Contains(perr.Message, tt.wantMsg) {
				t.Fatalf("error = %v, want %s containing %q", perr, tt.code, tt.wantMsg)
			}
		})
	}
}

func TestDecodeEchoesFrameID(t *testing.T) {
	_, _, perr := Decode([]byte(`{"type":"LIKE","id":"frame-9","payload":{}}`))
	if perr == nil || perr.ID != "frame-9" {
		t.Fatalf("error %+v does not echo the frame id", perr)
	}
}

func TestEncodeDecodeServerRoundTrip(t *testing.T) {
	ends := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		typ     Type
		payload any
	}{
		{TypeLikeCount, &LikeCount{PlayID: "p1", Count: 3}},
		{TypeTempoTally, &TempoTally{PlayID: "p1", Faster: 1, Slower: 2, Perfect: 3}},
		{TypePollStarted, &PollStarted{PollID: "q", Question: "Next?", Options: []string{"a", "b"}, EndsAt: &ends}},
		{TypePollClosed, &PollTallies{PollID: "q", Tallies: []int{4, 5}}},
		{TypeListenerCount, &ListenerCount{Count: 42}},
		{TypeSessionEnded, &SessionEnded{RecapURL: "https://pika.example/recap/s1"}},
		{TypeAck, &Ack{ID: "f1"}},
		{TypeError, &Error{Code: CodeForbidden, Message: "wrong PIN", ID: "f2"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			env, got, err := DecodeServer(Encode(tt.typ, "", tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			if env.Type != tt.typ || !reflect.DeepEqual(got, tt.payload) {
				t.Fatalf("round trip gave %s %#v, want %#v", env.Type, got, tt.payload)
			}
		})
	}
	// Newer relays may add types; older clients must skip them.
	env, p, err := DecodeServer([]byte(`{"type":"SOMETHING_NEW","payload":{"x":1}}`))
	if err != nil || p != nil || env.Type != "SOMETHING_NEW" {
		t.Fatalf("unknown server type: %v %v %v", env, p, err)
	}
}

func TestTrackIdentity(t *testing.T) {
	a := TrackIdentity("  Etta   JAMES", "At Last ")
	b := TrackIdentity("etta james", "at last")
	if a != b {
		t.Fatalf("%q != %q", a, b)
	}
	tests := []struct{ a1, t1, a2, t2 string }{
		{"Beyonce\u0301", "Halo", "Beyonc\u00e9", "HALO"},                         // decomposed vs composed accent
		{"Die Fantastischen Vier", "Straße", "die fantastischen vier", "STRASSE"}, // full case folding
		{"Etta\tJames", "At  Last", "etta james", "at last"},
	}
	for _, tt := range tests {
		if TrackIdentity(tt.a1, tt.t1) != TrackIdentity(tt.a2, tt.t2) {
			t.Errorf("%q/%q and %q/%q are different tracks", tt.a1, tt.t1, tt.a2, tt.t2)
		}
	}
	if TrackIdentity("a b", "c") == TrackIdentity("a", "b c") {
		t.Fatal("artist and title must not run together")
	}
}

// FuzzDecode feeds arbitrary bytes to the client frame decoder: it must never
// panic, must answer every refusal with a known code, and anything it accepts
// must survive a re-encode unchanged (validation is idempotent).
func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"type":"LIKE","id":"f1","payload":{"playId":"p_1"}}`,
		`{"type":"NOW_PLAYING","payload":{"track":{"artist":"A","title":"B","bpm":120,"key":"A minor","camelot":"8A"}}}`,
		`{"type":"START_POLL","payload":{"question":"Next?","options":["Blues","Pop"],"durationS":60}}`,
		`{"type":"SUBSCRIBE","payload":{"sessionId":"s1","clientId":"client-123"}}`,
		`{"type":"ANNOUNCE","payload":{"text":"Last dance!"}}`,
		`{"type":"POLL_VOTE","payload":{"pollId":"q","optionIndex":1}}`,
		`{"type":"END_SESSION"}`,
		`{"type":`, `null`, `{}`, "\xff\xfe",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	known := map[ErrorCode]bool{CodeBadRequest: true, CodeTooLarge: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, payload, perr := Decode(data)
		if perr != nil {
			if !known[perr.Code] || perr.Message == "" {
				t.Fatalf("refusal %+v has an unexpected code or no message", perr)
			}
			return
		}
		if payload == nil {
			t.Fatalf("accepted %q without a payload", env.Type)
		}
		again := Encode(env.Type, env.ID, payload)
		if len(again) > MaxFrameBytes {
			return // re-encoding may escape characters past the limit
		}
		env2, payload2, perr2 := Decode(again)
		if perr2 != nil {
			t.Fatalf("re-encoded frame refused: %v\nframe: %s", perr2, again)
		}
		if env2.Type != env.Type || env2.ID != env.ID {
			t.Fatalf("envelope changed: %+v → %+v", env, env2)
		}
		j1, _ := json.Marshal(payload)
		j2, _ := json.Marshal(payload2)
		if string(j1) != string(j2) {
			t.Fatalf("payload changed on re-decode:\n%s\n%s", j1, j2)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

// TestDecodeServerPINFrames: the DJ's app reads PIN_GUESSES and an ERROR's
// retry time.
func TestDecodeServerPINFrames(t *testing.T) {
	until := time.Date(2026, 5, 1, 22, 0, 0, 0, time.UTC)
	_, p, err := DecodeServer(Encode(TypePINGuesses, "", PINGuesses{Wrong: 7, LockedUntil: &until}))
	if g, ok := p.(*PINGuesses); err != nil || !ok || g.Wrong != 7 || !g.LockedUntil.Equal(until) {
		t.Fatalf("PIN_GUESSES decoded as %#v, %v", p, err)
	}
	_, p, err = DecodeServer(Encode(TypeError, "s1", Error{Code: CodePINLocked, Message: "too many wrong PINs: try again in 40 s", RetryAfterS: 40}))
	if e, ok := p.(*Error); err != nil || !ok || e.Code != CodePINLocked || e.RetryAfterS != 40 {
		t.Fatalf("ERROR decoded as %#v, %v", p, err)
	}
}
