package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits shared by every side of the protocol.
const (
	MaxFrameBytes       = 10 * 1024
	MaxIDLen            = 64
	MaxSessionNameLen   = 100
	MaxArtistTitleLen   = 300
	MaxQuestionLen      = 200
	MaxOptionLen        = 100
	MinPollOptions      = 2
	MaxPollOptions      = 6
	MinPollDurationS    = 10
	MaxPollDurationS    = 3600
	MaxAnnouncementLen  = 280
	MinAnnounceDuration = 5
	MaxAnnounceDuration = 24 * 3600
	MinClientIDLen      = 8
	ResumeWindow        = 5 * time.Minute
	// PlayedAtMaxAge bounds how late a queued play may arrive: a DJ's app
	// may be offline for a long set, never for days.
	PlayedAtMaxAge = 48 * time.Hour
)

// MinCertainKeyConfidencePct is the one threshold for an uncertain key: an
// analysed key whose confidence (Track.KeyConfidence, 0–1) is below this
// many hundredths is shown marked as uncertain, in the DJ's library and
// on the dancer page. On Debian's real recordings (game soundtracks, rock,
// metal) key confidences spread from 0.18 to 0.88, on the rendered corpus
// from 0.11 up; 0.30 marks roughly the weakest quarter of the real ones.
const MinCertainKeyConfidencePct = 30

// KeyUncertain reports whether t's key comes with a confidence below
// MinCertainKeyConfidencePct (a key without confidence is not uncertain).
func (t Track) KeyUncertain() bool {
	return t.Key != "" && t.KeyConfidence != nil && *t.KeyConfidence*100 < MinCertainKeyConfidencePct
}

var (
	idPattern  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	pinPattern = regexp.MustCompile(`^[0-9]{4,8}$`)
	// Camelot codes run 1A–12A (minor) and 1B–12B (major).
	camelotPattern = regexp.MustCompile(`^(1[0-2]|[1-9])[AB]$`)
	keyPattern     = regexp.MustCompile(`^[A-G][#b]? (major|minor)$`)
)

// Decode parses and validates one client frame. It returns the envelope
// and a pointer to the typed payload (for example *Like for LIKE). The
// returned *Error is ready to send back: its ID is the frame's id when the
// frame was readable that far.
func Decode(data []byte) (Envelope, any, *Error) {
	if len(data) > MaxFrameBytes {
		return Envelope{}, nil, &Error{Code: CodeTooLarge, Message: fmt.Sprintf("frame is %d bytes; the limit is %d", len(data), MaxFrameBytes)}
	}
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return Envelope{}, nil, &Error{Code: CodeBadRequest, Message: "frame is not a JSON object with type, id and payload"}
	}
	if env.ID != "" && !idPattern.MatchString(env.ID) {
		// The id is echoed back in ACK and ERROR: only safe characters.
		return Envelope{}, nil, &Error{Code: CodeBadRequest, Message: "id must be 1 to 64 letters, digits, - or _"}
	}
	payload, ok := newClientPayload(env.Type)
	if !ok {
		return env, nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("unknown message type %q", truncate(string(env.Type), 40)), ID: env.ID}
	}
	raw := env.Payload
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		raw = []byte("{}")
	}
	if err := json.Unmarshal(raw, payload); err != nil {
		return env, nil, &Error{Code: CodeBadRequest, Message: "invalid " + string(env.Type) + " payload: " + jsonProblem(err), ID: env.ID}
	}
	if v, ok := payload.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return env, nil, &Error{Code: CodeBadRequest, Message: "invalid " + string(env.Type) + " payload: " + err.Error(), ID: env.ID}
		}
	}
	return env, payload, nil
}

// newClientPayload returns a fresh payload for the frames a client may send.
func newClientPayload(t Type) (any, bool) {
	switch t {
	case TypeRegisterSession:
		return &RegisterSession{}, true
	case TypeNowPlaying:
		return &NowPlaying{}, true
	case TypeStartPoll:
		return &StartPoll{}, true
	case TypeClosePoll:
		return &ClosePoll{}, true
	case TypeAnnounce:
		return &Announce{}, true
	case TypeSetPIN:
		return &SetPIN{}, true
	case TypeClearAnnouncement, TypeEndSession:
		return &Empty{}, true
	case TypeSubscribe:
		return &Subscribe{}, true
	case TypeLike, TypeUnlike:
		return &Like{}, true
	case TypeTempoVote:
		return &TempoVote{}, true
	case TypePollVote:
		return &PollVote{}, true
	case TypeHandOver:
		return &HandOver{}, true
	case TypeSubscribeStage:
		return &SubscribeStage{}, true
	case TypeRequestSettings:
		return &RequestSettings{}, true
	case TypeCatalogue:
		return &Catalogue{}, true
	case TypeAnswerRequest:
		return &AnswerRequest{}, true
	case TypeSearchCatalogue:
		return &SearchCatalogue{}, true
	case TypeRequestTrack:
		return &RequestTrack{}, true
	}
	return nil, false
}

// Encode builds a frame. It panics only if payload cannot be marshalled,
// which for this package's types is a programming error.
func Encode(t Type, id string, payload any) []byte {
	return encode(Envelope{Type: t, ID: id}, payload)
}

// EncodeBroadcast is Encode for a session's broadcast number seq of epoch.
func EncodeBroadcast(t Type, payload any, epoch string, seq uint64) []byte {
	return encode(Envelope{Type: t, Epoch: epoch, Seq: seq}, payload)
}

func encode(env Envelope, payload any) []byte {
	t := env.Type
	var raw json.RawMessage
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			panic(fmt.Sprintf("protocol: encode %s: %v", t, err))
		}
		raw = b
	}
	env.Payload = raw
	b, err := json.Marshal(env)
	if err != nil {
		panic(fmt.Sprintf("protocol: encode %s: %v", t, err))
	}
	return b
}

// DecodeServer parses a frame sent by the relay into its typed payload; the
// desktop app and tests use it. Unknown types are returned with a nil
// payload so that older clients ignore newer messages.
func DecodeServer(data []byte) (Envelope, any, error) {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return env, nil, fmt.Errorf("decode relay frame: %w", err)
	}
	var p any
	switch env.Type {
	case TypeSessionRegistered:
		p = &SessionRegistered{}
	case TypeSessionState:
		p = &SessionState{}
	case TypeCaughtUp:
		p = &CaughtUp{}
	case TypeNowPlaying:
		p = &Play{}
	case TypeLikeCount:
		p = &LikeCount{}
	case TypeTempoTally:
		p = &TempoTally{}
	case TypePollStarted:
		p = &PollStarted{}
	case TypePollUpdate, TypePollClosed:
		p = &PollTallies{}
	case TypeAnnouncement:
		p = &Announcement{}
	case TypeAnnouncementCleared:
		p = &Empty{}
	case TypeListenerCount:
		p = &ListenerCount{}
	case TypeSessionEnded:
		p = &SessionEnded{}
	case TypeStageState:
		p = &StageInfo{}
	case TypeEventAnnouncement:
		p = &EventAnnouncement{}
	case TypeEventAnnouncementCleared:
		p = &EventAnnouncementCleared{}
	case TypePINGuesses:
		p = &PINGuesses{}
	case TypeRequestQueue:
		p = &RequestQueue{}
	case TypeCatalogueResults:
		p = &CatalogueResults{}
	case TypeRequestsStatus:
		p = &RequestsStatus{}
	case TypeMyRequest:
		p = &MyRequest{}
	case TypeAck:
		p = &Ack{}
	case TypeError:
		p = &Error{}
	default:
		return env, nil, nil
	}
	if len(env.Payload) > 0 {
		if err := json.Unmarshal(env.Payload, p); err != nil {
			return env, nil, fmt.Errorf("decode %s payload: %w", env.Type, err)
		}
	}
	return env, p, nil
}

// Validate checks a RegisterSession.
func (m *RegisterSession) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	switch {
	case !strings.HasPrefix(m.Token, TokenPrefix) || len(m.Token) > 100:
		return errors.New("token must be a pk_dj_ token")
	case m.Name == "":
		return errors.New("name is required")
	case utf8.RuneCountInString(m.Name) > MaxSessionNameLen:
		return fmt.Errorf("name is longer than %d characters", MaxSessionNameLen)
	case m.PIN != "" && !pinPattern.MatchString(m.PIN):
		return errors.New("pin must be 4 to 8 digits")
	case m.ResumeSessionID != "" && !idPattern.MatchString(m.ResumeSessionID):
		return errors.New("resumeSessionId is not a session id")
	case m.StageID != "" && !idPattern.MatchString(m.StageID):
		return errors.New("stageId is not a stage id")
	case m.Epoch != "" && !idPattern.MatchString(m.Epoch):
		return errors.New("epoch is not one the relay gave")
	}
	return CheckText("name", m.Name, SingleLine)
}

// Validate checks a NowPlaying, trimming its text fields.
func (m *NowPlaying) Validate() error {
	if err := m.Track.Validate(); err != nil {
		return err
	}
	if m.PlayedAt != nil {
		now := time.Now()
		if m.PlayedAt.After(now.Add(5 * time.Minute)) {
			return errors.New("playedAt is in the future")
		}
		if m.PlayedAt.Before(now.Add(-PlayedAtMaxAge)) {
			return errors.New("playedAt is more than 48 hours ago")
		}
	}
	return nil
}

// Validate checks a Track, trimming its text fields.
func (t *Track) Validate() error {
	t.Artist = strings.TrimSpace(t.Artist)
	t.Title = strings.TrimSpace(t.Title)
	t.Key = strings.TrimSpace(t.Key)
	t.Camelot = strings.ToUpper(strings.TrimSpace(t.Camelot))
	switch {
	case t.Title == "" && t.Artist == "":
		return errors.New("track needs a title or an artist")
	case utf8.RuneCountInString(t.Artist) > MaxArtistTitleLen:
		return fmt.Errorf("artist is longer than %d characters", MaxArtistTitleLen)
	case utf8.RuneCountInString(t.Title) > MaxArtistTitleLen:
		return fmt.Errorf("title is longer than %d characters", MaxArtistTitleLen)
	case t.Key != "" && !keyPattern.MatchString(t.Key):
		return errors.New(`key must look like "A minor" or "F# major"`)
	case t.Camelot != "" && !camelotPattern.MatchString(t.Camelot):
		return errors.New(`camelot must look like "8A" or "12B"`)
	}
	if err := CheckText("artist", t.Artist, SingleLine); err != nil {
		return err
	}
	if err := CheckText("title", t.Title, SingleLine); err != nil {
		return err
	}
	ranges := []struct {
		name     string
		v        *float64
		min, max float64
	}{
		{"bpm", t.BPM, 20, 300},
		{"keyConfidence", t.KeyConfidence, 0, 1},
		{"energy", t.Energy, 0, 100},
		{"danceability", t.Danceability, 0, 100},
		{"brightness", t.Brightness, 0, 100},
		{"loudnessLufs", t.LoudnessLUFS, -70, 10},
		{"durationS", t.DurationS, 0, 24 * 3600},
	}
	for _, r := range ranges {
		if r.v == nil {
			continue
		}
		if math.IsNaN(*r.v) || *r.v < r.min || *r.v > r.max {
			return fmt.Errorf("%s must be between %g and %g", r.name, r.min, r.max)
		}
	}
	return nil
}

// Validate checks a StartPoll, trimming its text.
func (m *StartPoll) Validate() error {
	m.Question = strings.TrimSpace(m.Question)
	if m.Question == "" {
		return errors.New("question is required")
	}
	if utf8.RuneCountInString(m.Question) > MaxQuestionLen {
		return fmt.Errorf("question is longer than %d characters", MaxQuestionLen)
	}
	if err := CheckText("question", m.Question, SingleLine); err != nil {
		return err
	}
	if len(m.Options) < MinPollOptions || len(m.Options) > MaxPollOptions {
		return fmt.Errorf("a poll has %d to %d options", MinPollOptions, MaxPollOptions)
	}
	seen := map[string]bool{}
	for i := range m.Options {
		o := strings.TrimSpace(m.Options[i])
		m.Options[i] = o
		switch {
		case o == "":
			return fmt.Errorf("option %d is empty", i+1)
		case utf8.RuneCountInString(o) > MaxOptionLen:
			return fmt.Errorf("option %d is longer than %d characters", i+1, MaxOptionLen)
		case seen[strings.ToLower(o)]:
			return fmt.Errorf("option %d repeats another", i+1)
		}
		if err := CheckText(fmt.Sprintf("option %d", i+1), o, SingleLine); err != nil {
			return err
		}
		seen[strings.ToLower(o)] = true
	}
	if m.DurationS != nil && (*m.DurationS < MinPollDurationS || *m.DurationS > MaxPollDurationS) {
		return fmt.Errorf("durationS must be between %d and %d", MinPollDurationS, MaxPollDurationS)
	}
	return nil
}

// Validate checks a ClosePoll.
func (m *ClosePoll) Validate() error { return checkID("pollId", m.PollID) }

// Validate checks an Announce, trimming its text.
func (m *Announce) Validate() error {
	m.Text = strings.TrimSpace(m.Text)
	switch {
	case m.Text == "":
		return errors.New("text is required")
	case utf8.RuneCountInString(m.Text) > MaxAnnouncementLen:
		return fmt.Errorf("text is longer than %d characters", MaxAnnouncementLen)
	case m.DurationS != nil && (*m.DurationS < MinAnnounceDuration || *m.DurationS > MaxAnnounceDuration):
		return fmt.Errorf("durationS must be between %d and %d", MinAnnounceDuration, MaxAnnounceDuration)
	}
	return CheckText("text", m.Text, MultiLine)
}

// Validate checks a Subscribe.
func (m *Subscribe) Validate() error {
	if err := checkID("sessionId", m.SessionID); err != nil {
		return err
	}
	if m.ClientID != "" && (len(m.ClientID) < MinClientIDLen || !idPattern.MatchString(m.ClientID)) {
		return errors.New("clientId must be 8 to 64 letters, digits, - or _ (or absent: the relay issues one)")
	}
	if m.PIN != "" && !pinPattern.MatchString(m.PIN) {
		return errors.New("pin must be 4 to 8 digits")
	}
	if m.Epoch != "" && !idPattern.MatchString(m.Epoch) {
		return errors.New("epoch is not one the relay gave")
	}
	return nil
}

// Validate checks a SetPIN.
func (m *SetPIN) Validate() error {
	if m.PIN != "" && !pinPattern.MatchString(m.PIN) {
		return errors.New("pin must be 4 to 8 digits (or empty for no PIN)")
	}
	return nil
}

// Validate checks a Like or Unlike.
func (m *Like) Validate() error { return checkID("playId", m.PlayID) }

// Validate checks a TempoVote.
func (m *TempoVote) Validate() error {
	if err := checkID("playId", m.PlayID); err != nil {
		return err
	}
	switch m.Vote {
	case VoteFaster, VoteSlower, VotePerfect:
		return nil
	}
	return errors.New("vote must be faster, slower or perfect")
}

// Validate checks a PollVote; the option's upper bound is the poll's.
func (m *PollVote) Validate() error {
	if err := checkID("pollId", m.PollID); err != nil {
		return err
	}
	if m.OptionIndex < 0 || m.OptionIndex >= MaxPollOptions {
		return errors.New("optionIndex is out of range")
	}
	return nil
}

// ValidID reports whether s has the shape of a session, play or poll id.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// ValidPIN reports whether s has the shape of a session PIN.
func ValidPIN(s string) bool { return pinPattern.MatchString(s) }

func checkID(name, v string) error {
	if !idPattern.MatchString(v) {
		return fmt.Errorf("%s is not a valid id", name)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// jsonProblem turns encoding/json's error into a short message without Go
// type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("field %s has the wrong type (got %s)", te.Field, te.Value)
		}
		return "payload must be a JSON object"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "malformed JSON"
	}
	return "malformed payload"
}

// TrackIdentity is how one song is recognised however it is typed: artist
// and title in Unicode NFC (macOS tags often carry decomposed accents),
// case-folded ("ß" and "SS" agree) and with runs of spaces collapsed.
func TrackIdentity(artist, title string) string {
	fold := cases.Fold()
	key := func(s string) string {
		return strings.Join(strings.Fields(norm.NFC.String(fold.String(norm.NFC.String(s)))), " ")
	}
	return key(artist) + "\x1f" + key(title)
}
