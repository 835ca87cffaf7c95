package protocol

import "time"

// TokenPrefix starts every DJ token; 32 random hex characters follow.
const TokenPrefix = "pk_dj_"

// RegisterRequest is the body of POST /api/auth/register.
type RegisterRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"displayName"`
}

// RegisterResponse answers POST /api/auth/register (202), the same whether
// the email was new or already had an account, so the answer does not tell
// a stranger which addresses are registered. Sign in next (POST
// /api/auth/login) to get a token; the pages do it at once.
type RegisterResponse struct {
	Message string `json:"message"`
}

// RegisterMessage is RegisterResponse's message.
const RegisterMessage = "If this email was new, your account is ready: sign in with this email and password. If it already had an account, sign in with that account's password."

// LoginRequest is the body of POST /api/auth/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// DJ is a DJ account as the API shows it.
type DJ struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"displayName"`
	CreatedAt   time.Time `json:"createdAt"`
}

// AuthResponse answers register and login. Token is shown only here.
type AuthResponse struct {
	DJ    DJ     `json:"dj"`
	Token string `json:"token"`
}

// CreateTokenRequest is the body of POST /api/auth/tokens.
type CreateTokenRequest struct {
	Name string `json:"name"`
}

// TokenInfo is a named token without its secret.
type TokenInfo struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	Current    bool       `json:"current"` // the token this request used
}

// CreatedToken answers POST /api/auth/tokens; Token is shown only here.
type CreatedToken struct {
	TokenInfo
	Token string `json:"token"`
}

// SessionSummary is one row of GET /api/sessions (live sessions) and of
// GET /api/dj/sessions (the DJ's own, live or ended).
type SessionSummary struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	DJName    string     `json:"djName"`
	StartedAt time.Time  `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	Listeners int        `json:"listeners"`
	Protected bool       `json:"protected"`
	// Plays is absent for a PIN session in the public list.
	Plays *int `json:"plays,omitempty"`
}

// RecapPlay is a play in a recap, in the order played.
type RecapPlay struct {
	PlayID    string     `json:"playId"`
	Track     Track      `json:"track"`
	StartedAt time.Time  `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	Likes     int        `json:"likes"`
	// Tempo is the DJ's own (see SetAnalytics): only in the answer to the
	// session's DJ, never in the public recap.
	Tempo *TempoTally `json:"tempo,omitempty"`
}

// RecapAnnouncement is an announcement in a recap.
type RecapAnnouncement struct {
	AnnouncementID string     `json:"announcementId"`
	Text           string     `json:"text"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      *time.Time `json:"expiresAt,omitempty"`
}

// RecapPoll is a poll in a recap with its final (or current) tallies.
type RecapPoll struct {
	Poll
	CreatedAt time.Time  `json:"createdAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
	Votes     int        `json:"votes"`
}

// Recap answers GET /api/sessions/:id/recap.
type Recap struct {
	Session       SessionInfo         `json:"session"`
	DurationS     float64             `json:"durationS"`
	Plays         []RecapPlay         `json:"plays"`
	Polls         []RecapPoll         `json:"polls"`
	Announcements []RecapAnnouncement `json:"announcements"`
	PeakListeners int                 `json:"peakListeners"`
	UniqueDancers int                 `json:"uniqueDancers"`
	TotalLikes    int                 `json:"totalLikes"`
	TotalVotes    int                 `json:"totalTempoVotes"`
	// Full: the answer to the set's DJ, with each track's tempo votes
	// and a link to the private analytics.
	Full bool `json:"full,omitempty"`
}

// PlaysPage answers GET /api/sessions/:id/plays?before=PLAYID&limit=N:
// plays older than PLAYID, newest first; More says older ones remain.
type PlaysPage struct {
	Plays []HistoryEntry `json:"plays"`
	More  bool           `json:"more"`
}

// APIError is the body of every REST error. Code is the protocol's code
// for session errors (pin_required, pin_locked…); RetryAfterS repeats
// the Retry-After header.
type APIError struct {
	Error       string    `json:"error"`
	Code        ErrorCode `json:"code,omitempty"`
	RetryAfterS int       `json:"retryAfterS,omitempty"`
}
