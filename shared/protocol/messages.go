// Package protocol is Pika!'s wire protocol: the WebSocket frames exchanged
// between the relay, the DJ's desktop app and the dancers' pages, and the
// JSON bodies of the relay's REST API. README.md beside this file documents
// every message; this file is its single source of truth in Go.
package protocol

import (
	"encoding/json"
	"time"
)

// Type names a frame's payload.
type Type string

// Frames sent by the DJ's app.
const (
	TypeRegisterSession   Type = "REGISTER_SESSION"
	TypeNowPlaying        Type = "NOW_PLAYING" // also a broadcast, with another payload
	TypeStartPoll         Type = "START_POLL"
	TypeClosePoll         Type = "CLOSE_POLL"
	TypeAnnounce          Type = "ANNOUNCE"
	TypeClearAnnouncement Type = "CLEAR_ANNOUNCEMENT"
	TypeEndSession        Type = "END_SESSION"
	TypeSetPIN            Type = "SET_PIN"
)

// Frames sent by a dancer's page.
const (
	TypeSubscribe Type = "SUBSCRIBE"
	TypeLike      Type = "LIKE"
	TypeUnlike    Type = "UNLIKE"
	TypeTempoVote Type = "TEMPO_VOTE"
	TypePollVote  Type = "POLL_VOTE"
)

// Frames sent by the relay.
const (
	TypeSessionRegistered   Type = "SESSION_REGISTERED"
	TypeSessionState        Type = "SESSION_STATE"
	TypeLikeCount           Type = "LIKE_COUNT"
	TypeTempoTally          Type = "TEMPO_TALLY"
	TypePollStarted         Type = "POLL_STARTED"
	TypePollUpdate          Type = "POLL_UPDATE"
	TypePollClosed          Type = "POLL_CLOSED"
	TypeAnnouncement        Type = "ANNOUNCEMENT"
	TypeAnnouncementCleared Type = "ANNOUNCEMENT_CLEARED"
	TypeListenerCount       Type = "LISTENER_COUNT"
	TypeSessionEnded        Type = "SESSION_ENDED"
	TypeAck                 Type = "ACK"
	TypeError               Type = "ERROR"
	// TypePINGuesses goes to the DJ's connection only.
	TypePINGuesses Type = "PIN_GUESSES"
	// TypeCaughtUp answers a SUBSCRIBE that named the last broadcast the
	// page saw, when the relay still has everything after it: those
	// broadcasts follow it, instead of a whole SESSION_STATE.
	TypeCaughtUp Type = "CAUGHT_UP"
)

// Envelope is every frame on the wire. ID is chosen by the sender of a
// client frame; the relay echoes it in the ACK or ERROR that answers it, so
// a client can drop the frame from its offline queue only once it is stored.
type Envelope struct {
	Type    Type            `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// Seq and Epoch number a session's broadcasts: Seq counts up within
	// an Epoch, which changes when the session's room starts again (a
	// relay restart). A page that reconnects names the last one it saw
	// in its SUBSCRIBE and gets only what it missed.
	Seq   uint64 `json:"seq,omitempty"`
	Epoch string `json:"epoch,omitempty"`
}

// Track is what the DJ's app knows about a track. Numbers are pointers
// because "not analysed yet" differs from zero.
type Track struct {
	Artist       string   `json:"artist"`
	Title        string   `json:"title"`
	BPM          *float64 `json:"bpm,omitempty"`
	Key          string   `json:"key,omitempty"`     // "A minor", "F# major"
	Camelot      string   `json:"camelot,omitempty"` // "8A", "2B"
	Energy       *float64 `json:"energy,omitempty"`  // 0–100
	Danceability *float64 `json:"danceability,omitempty"`
	Brightness   *float64 `json:"brightness,omitempty"`
	LoudnessLUFS *float64 `json:"loudnessLufs,omitempty"`
	DurationS    *float64 `json:"durationS,omitempty"`
	// KeyConfidence (0–1) is the analysis's confidence in Key; below
	// MinCertainKeyConfidencePct/100 the pages mark the key uncertain.
	// Absent when the key came from tags or VirtualDJ.
	KeyConfidence *float64 `json:"keyConfidence,omitempty"`
}

// RegisterSession opens a live session, or resumes one the DJ left less
// than ResumeWindow ago.
type RegisterSession struct {
	Token           string `json:"token"`
	Name            string `json:"name"`
	PIN             string `json:"pin,omitempty"`
	ResumeSessionID string `json:"resumeSessionId,omitempty"`
	// StageID puts the session on a stage of an event the DJ plays at:
	// dancers join through the stage's permanent link, and a DJ already
	// live there must have handed over (HAND_OVER) first.
	StageID string `json:"stageId,omitempty"`
	// PublicRecap says whether the recap opens for anyone once the
	// session has ended; absent: private for a PIN session, public
	// otherwise. Ignored when resuming.
	PublicRecap *bool `json:"publicRecap,omitempty"`
	// Epoch and Seq, when resuming: the last broadcast of the session the
	// DJ's app applied. When the relay still has everything after it, it
	// sends just those after SESSION_REGISTERED (Missed says how many);
	// otherwise a SESSION_STATE follows, as for a page (see SUBSCRIBE).
	Epoch string `json:"epoch,omitempty"`
	Seq   uint64 `json:"seq,omitempty"`
}

// SetPIN changes a live session's PIN (empty: no PIN any more). Dancers
// already in stay in; guesses at the old PIN stop counting.
type SetPIN struct {
	PIN string `json:"pin"`
}

// PINGuesses tells the DJ that someone is guessing the session's PIN:
// Wrong is the number of wrong PINs since the PIN was set, LockedUntil
// (when set) is how long the session refuses new PINs from addresses that
// have not entered it yet.
type PINGuesses struct {
	Wrong       int        `json:"wrong"`
	LockedUntil *time.Time `json:"lockedUntil,omitempty"`
}

// SessionRegistered answers RegisterSession.
type SessionRegistered struct {
	SessionID string `json:"sessionId"`
	DJName    string `json:"djName"`
	JoinURL   string `json:"joinUrl"`
	RecapURL  string `json:"recapUrl"`
	Resumed   bool   `json:"resumed"`
	// Epoch and Seq place the DJ among the session's broadcasts: those
	// after Seq follow. Missed counts the ones a resuming app missed,
	// sent next; CaughtUp is false when the app named no broadcast the
	// relay still has, and a SESSION_STATE follows instead.
	Epoch    string `json:"epoch,omitempty"`
	Seq      uint64 `json:"seq,omitempty"`
	Missed   int    `json:"missed,omitempty"`
	CaughtUp bool   `json:"caughtUp,omitempty"`
}

// NowPlaying is sent by the DJ when a track starts. PlayedAt is when the DJ
// software started it; plays delivered late from an offline queue keep it.
type NowPlaying struct {
	Track    Track      `json:"track"`
	PlayedAt *time.Time `json:"playedAt,omitempty"`
}

// Play is the NOW_PLAYING broadcast and the shape of SESSION_STATE's
// nowPlaying.
type Play struct {
	PlayID    string    `json:"playId"`
	Track     Track     `json:"track"`
	StartedAt time.Time `json:"startedAt"`
}

// StartPoll asks the dancers a question.
type StartPoll struct {
	Question  string   `json:"question"`
	Options   []string `json:"options"`
	DurationS *int     `json:"durationS,omitempty"`
}

// ClosePoll ends a poll before its duration.
type ClosePoll struct {
	PollID string `json:"pollId"`
}

// Announce pushes a banner to every dancer.
type Announce struct {
	Text      string `json:"text"`
	DurationS *int   `json:"durationS,omitempty"`
}

// Empty is the payload of frames that carry nothing
// (CLEAR_ANNOUNCEMENT, END_SESSION, ANNOUNCEMENT_CLEARED).
type Empty struct{}

// Subscribe joins a session as a dancer. ClientID is the id the relay
// issued to the page in this session (SessionState.ClientID), kept in
// localStorage: it is who likes and votes belong to. A page without one (or with one the relay
// did not sign) sends what it has or nothing and is issued a new one.
type Subscribe struct {
	SessionID string `json:"sessionId"`
	ClientID  string `json:"clientId"`
	PIN       string `json:"pin,omitempty"`
	// Epoch and Seq: the last broadcast of the session this page applied
	// (absent on a first visit). See TypeCaughtUp.
	Epoch string `json:"epoch,omitempty"`
	Seq   uint64 `json:"seq,omitempty"`
}

// CaughtUp is the answer to a SUBSCRIBE that could be caught up: the
// broadcasts after the page's Seq follow (Missed of them), then the live
// ones. ClientID is the page's id as in SESSION_STATE.
type CaughtUp struct {
	SessionID string `json:"sessionId"`
	ClientID  string `json:"clientId"`
	Epoch     string `json:"epoch"`
	Seq       uint64 `json:"seq"` // the last broadcast sent with it
	Missed    int    `json:"missed"`
	Listeners int    `json:"listeners"`
}

// Like and Unlike name a play; one like per client per play.
type Like struct {
	PlayID string `json:"playId"`
}

// Tempo votes.
const (
	VoteFaster  = "faster"
	VoteSlower  = "slower"
	VotePerfect = "perfect"
)

// TempoVote is a dancer's view of the tempo; the last vote counts.
type TempoVote struct {
	PlayID string `json:"playId"`
	Vote   string `json:"vote"`
}

// PollVote is a dancer's answer; one per client per poll.
type PollVote struct {
	PollID      string `json:"pollId"`
	OptionIndex int    `json:"optionIndex"`
}

// LikeCount is broadcast when a play's likes change.
type LikeCount struct {
	PlayID string `json:"playId"`
	Count  int    `json:"count"`
}

// TempoTally is broadcast when a play's tempo votes change.
type TempoTally struct {
	PlayID  string `json:"playId"`
	Faster  int    `json:"faster"`
	Slower  int    `json:"slower"`
	Perfect int    `json:"perfect"`
}

// Poll is a poll as the pages draw it.
type Poll struct {
	PollID   string     `json:"pollId"`
	Question string     `json:"question"`
	Options  []string   `json:"options"`
	Tallies  []int      `json:"tallies"`
	EndsAt   *time.Time `json:"endsAt,omitempty"`
	Closed   bool       `json:"closed"`
}

// PollStarted is broadcast when the DJ starts a poll.
type PollStarted struct {
	PollID   string     `json:"pollId"`
	Question string     `json:"question"`
	Options  []string   `json:"options"`
	EndsAt   *time.Time `json:"endsAt,omitempty"`
}

// PollTallies is the payload of POLL_UPDATE and POLL_CLOSED.
type PollTallies struct {
	PollID  string `json:"pollId"`
	Tallies []int  `json:"tallies"`
}

// Announcement is broadcast when the DJ announces something.
type Announcement struct {
	AnnouncementID string     `json:"announcementId"`
	Text           string     `json:"text"`
	ExpiresAt      *time.Time `json:"expiresAt,omitempty"`
}

// ListenerCount is broadcast when dancers come and go.
type ListenerCount struct {
	Count int `json:"count"`
}

// SessionEnded is broadcast when the DJ ends the session or it times out.
type SessionEnded struct {
	RecapURL string `json:"recapUrl"`
	// NextSessionID is the set that took over the stage, when one did:
	// the page subscribes to it and stays with the room.
	NextSessionID string `json:"nextSessionId,omitempty"`
	NextDJName    string `json:"nextDjName,omitempty"`
}

// Ack confirms that the client frame with envelope id ID was applied.
type Ack struct {
	ID string `json:"id"`
}

// Error answers a frame the relay refused. ID echoes the frame's id.
// RetryAfterS, when set, is how many seconds to wait before trying again
// (pin_locked, rate_limited).
type Error struct {
	Code        ErrorCode `json:"code"`
	Message     string    `json:"message"`
	ID          string    `json:"id,omitempty"`
	RetryAfterS int       `json:"retryAfterS,omitempty"`
	// Reason names, for the refusals a dancer reads, why in a word the
	// page says in its reader's language (Message is the English
	// sentence, for logs and the DJ's tools).
	Reason ErrorReason `json:"reason,omitempty"`
}

// ErrorReason is an Error's Reason.
type ErrorReason string

// The reasons of a dancer's refused request or search.
const (
	ReasonRequestsOff     ErrorReason = "requests_off"
	ReasonRequestsClosed  ErrorReason = "requests_closed"
	ReasonNoFreeText      ErrorReason = "no_free_text"
	ReasonNoSuchTrack     ErrorReason = "no_such_track"
	ReasonRequestOpen     ErrorReason = "request_open"
	ReasonTooManyRequests ErrorReason = "too_many_requests" // the DJ's queue is full
	ReasonPlayedTonight   ErrorReason = "played_tonight"
	ReasonRequestCooldown ErrorReason = "request_cooldown" // RetryAfterS says until when
	ReasonTooManySearches ErrorReason = "too_many_searches"
)

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// ErrorCode classifies an Error.
type ErrorCode string

// Error codes.
const (
	CodeBadRequest    ErrorCode = "bad_request"
	CodeUnauthorized  ErrorCode = "unauthorized"
	CodeForbidden     ErrorCode = "forbidden"
	CodeNotFound      ErrorCode = "not_found"
	CodeRateLimited   ErrorCode = "rate_limited"
	CodeTooLarge      ErrorCode = "too_large"
	CodeSessionEnded  ErrorCode = "session_ended"
	CodeInternalError ErrorCode = "internal_error"
	// CodeLimitReached: a standing limit (live sessions per DJ account) is
	// reached; waiting does not help, ending something does.
	CodeLimitReached ErrorCode = "limit_reached"
	// CodePINRequired: the session (or its private recap) needs its PIN.
	CodePINRequired ErrorCode = "pin_required"
	// CodePINLocked: too many wrong PINs; every PIN, the right one too,
	// is refused for RetryAfterS seconds.
	CodePINLocked ErrorCode = "pin_locked"
)

// SessionInfo describes a session in SESSION_STATE and the recap.
type SessionInfo struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	DJName    string     `json:"djName"`
	StartedAt time.Time  `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	Live      bool       `json:"live"`
	Protected bool       `json:"protected"`
	// PublicRecap: the recap opens for anyone once the session ended.
	PublicRecap bool   `json:"publicRecap"`
	JoinURL     string `json:"joinUrl"`
	RecapURL    string `json:"recapUrl"`
}

// HistoryEntry is one play of a session with its reactions.
type HistoryEntry struct {
	Play
	EndedAt *time.Time `json:"endedAt,omitempty"`
	Likes   int        `json:"likes"`
	Tempo   TempoTally `json:"tempo"`
}

// SessionState is everything a page needs to draw a session. The My*
// fields are this client's own likes and votes (empty for the DJ).
type SessionState struct {
	Session      SessionInfo       `json:"session"`
	NowPlaying   *Play             `json:"nowPlaying"`
	History      []HistoryEntry    `json:"history"` // newest first
	MyLikes      []string          `json:"myLikes"`
	MyTempoVotes map[string]string `json:"myTempoVotes"` // playId → vote
	MyPollVotes  map[string]int    `json:"myPollVotes"`  // pollId → option
	Tempo        *TempoTally       `json:"tempo"`        // of nowPlaying
	ActivePoll   *Poll             `json:"activePoll"`
	Announcement *Announcement     `json:"announcement"`
	Listeners    int               `json:"listeners"`
	// EventAnnouncements are the organizers' running announcements for
	// the session's stage (sessions on a stage only).
	EventAnnouncements []EventAnnouncement `json:"eventAnnouncements,omitempty"`
	// Requests says whether dancers may request tracks (to a dancer over
	// the WebSocket; absent on REST reads). See requests.go.
	Requests *RequestsStatus `json:"requests,omitempty"`

	// MoreHistory: History holds only the newest plays; older ones come
	// from GET /api/sessions/:id/plays?before=….
	MoreHistory bool `json:"moreHistory"`
	// ClientID is the id the relay knows this page by (empty for the DJ
	// and REST): a page keeps it and subscribes with it next time.
	ClientID string `json:"clientId,omitempty"`
	// Epoch and Seq place the state among the session's broadcasts (a
	// SUBSCRIBE's answer only): those after Seq follow it.
	Epoch string `json:"epoch,omitempty"`
	Seq   uint64 `json:"seq,omitempty"`
}
