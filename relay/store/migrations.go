package store

import (
	"context"

	"fmt"
	"time"
)

// migrations are applied in order, each once, each in its own transaction.
// Never edit a released migration: add a new one.
var migrations = []string{
	// 1: accounts, sessions and everything that happens in them.
	`
CREATE TABLE djs (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	display_name  TEXT NOT NULL,
	created_at    INTEGER NOT NULL
);
CREATE TABLE tokens (
	id           TEXT PRIMARY KEY,
	dj_id        TEXT NOT NULL REFERENCES djs(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER
);
CREATE INDEX tokens_dj ON tokens(dj_id, created_at);
CREATE INDEX tokens_activity ON tokens(COALESCE(last_used_at, created_at));

CREATE TABLE sessions (
	id             TEXT PRIMARY KEY,
	dj_id          TEXT NOT NULL REFERENCES djs(id),
	name           TEXT NOT NULL,
	pin_hash       TEXT,
	started_at     INTEGER NOT NULL,
	ended_at       INTEGER,
	dj_left_at     INTEGER,
	peak_listeners INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_dj ON sessions(dj_id, started_at);
CREATE INDEX sessions_live ON sessions(started_at) WHERE ended_at IS NULL;

CREATE TABLE tracks (
	id       INTEGER PRIMARY KEY,
	identity TEXT NOT NULL UNIQUE,
	artist   TEXT NOT NULL,
	title    TEXT NOT NULL
);

CREATE TABLE plays (
	id            TEXT PRIMARY KEY,
	session_id    TEXT NOT NULL REFERENCES sessions(id),
	track_id      INTEGER NOT NULL REFERENCES tracks(id),
	started_at    INTEGER NOT NULL,
	ended_at      INTEGER,
	bpm           REAL,
	musical_key   TEXT,
	camelot       TEXT,
	energy        REAL,
	danceability  REAL,
	brightness    REAL,
	loudness_lufs REAL,
	duration_s    REAL,
	-- Counters kept by the writer in the same transaction as the rows they
	-- count, so a page's state is read without counting thousands of rows.
	likes         INTEGER NOT NULL DEFAULT 0,
	tempo_faster  INTEGER NOT NULL DEFAULT 0,
	tempo_slower  INTEGER NOT NULL DEFAULT 0,
	tempo_perfect INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plays_session ON plays(session_id, started_at);

CREATE TABLE likes (
	play_id    TEXT NOT NULL REFERENCES plays(id),
	client_id  TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (play_id, client_id)
) WITHOUT ROWID;
CREATE INDEX likes_client ON likes(client_id, play_id);

CREATE TABLE tempo_votes (
	play_id    TEXT NOT NULL REFERENCES plays(id),
	client_id  TEXT NOT NULL,
	vote       TEXT NOT NULL CHECK (vote IN ('faster', 'slower', 'perfect')),
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (play_id, client_id)
) WITHOUT ROWID;
CREATE INDEX tempo_votes_client ON tempo_votes(client_id, play_id);
CREATE INDEX tempo_votes_tally ON tempo_votes(play_id, vote);

CREATE TABLE polls (
	id         TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions(id),
	question   TEXT NOT NULL,
	options    TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	ends_at    INTEGER,
	closed_at  INTEGER,
	tallies    TEXT NOT NULL -- JSON array of vote counts, kept by the writer
);
CREATE INDEX polls_session ON polls(session_id, created_at);

CREATE TABLE poll_votes (
	poll_id      TEXT NOT NULL REFERENCES polls(id),
	client_id    TEXT NOT NULL,
	option_index INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (poll_id, client_id)
) WITHOUT ROWID;
CREATE INDEX poll_votes_client ON poll_votes(client_id, poll_id);
CREATE INDEX poll_votes_tally ON poll_votes(poll_id, option_index);

CREATE TABLE announcements (
	id         TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions(id),
	text       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER,
	cleared_at INTEGER
);
CREATE INDEX announcements_session ON announcements(session_id, created_at);

CREATE TABLE dancers (
	session_id    TEXT NOT NULL REFERENCES sessions(id),
	client_id     TEXT NOT NULL,
	first_seen_at INTEGER NOT NULL,
	PRIMARY KEY (session_id, client_id)
) WITHOUT ROWID;
`,
	// 2: when the DJ was last seen in a live session, so a session
	// orphaned by a crash ends then, not when the relay came back.
	`
ALTER TABLE sessions ADD COLUMN last_active_at INTEGER;
`,
	// 3: the health check's heartbeat: one row whose value changes with
	// every check, so the check really writes a page (a full disk or a
	// read-only file fails it).
	`
CREATE TABLE health (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	beat INTEGER NOT NULL,
	at   INTEGER NOT NULL
);
`,
	// 4: whether a session's recap opens for anyone once it ended (NULL:
	// the default, private for a PIN session, public otherwise).
	`
ALTER TABLE sessions ADD COLUMN recap_public INTEGER;
`,
	// 5: events, their stages, schedules, organizers and DJs; a session
	// may be a set on a stage.
	`
CREATE TABLE events (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	starts_on  TEXT NOT NULL,
	ends_on    TEXT NOT NULL,
	time_zone  TEXT NOT NULL,
	accent     TEXT NOT NULL DEFAULT '',
	logo       BLOB,
	logo_type  TEXT,
	created_by TEXT NOT NULL REFERENCES djs(id),
	created_at INTEGER NOT NULL
);
CREATE TABLE event_members (
	event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	dj_id    TEXT NOT NULL REFERENCES djs(id),
	role     TEXT NOT NULL CHECK (role IN ('organizer', 'dj')),
	since    INTEGER NOT NULL,
	PRIMARY KEY (event_id, dj_id)
) WITHOUT ROWID;
CREATE INDEX event_members_dj ON event_members(dj_id);
CREATE TABLE stages (
	id       TEXT PRIMARY KEY,
	event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	slug     TEXT NOT NULL UNIQUE,
	name     TEXT NOT NULL,
	position INTEGER NOT NULL
);
CREATE INDEX stages_event ON stages(event_id, position);
CREATE TABLE schedule_slots (
	id        TEXT PRIMARY KEY,
	stage_id  TEXT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
	dj_id     TEXT REFERENCES djs(id),
	dj_name   TEXT NOT NULL,
	starts_at INTEGER NOT NULL,
	ends_at   INTEGER NOT NULL
);
CREATE INDEX schedule_stage ON schedule_slots(stage_id, starts_at);
CREATE TABLE event_invites (
	id          TEXT PRIMARY KEY,
	event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	token_hash  TEXT NOT NULL UNIQUE,
	label       TEXT NOT NULL,
	role        TEXT NOT NULL CHECK (role IN ('organizer', 'dj')),
	created_by  TEXT NOT NULL REFERENCES djs(id),
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	accepted_by TEXT REFERENCES djs(id),
	accepted_at INTEGER
);
CREATE INDEX event_invites_event ON event_invites(event_id, created_at);
CREATE TABLE event_announcements (
	id         TEXT PRIMARY KEY,
	event_id   TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	text       TEXT NOT NULL,
	stage_ids  TEXT NOT NULL, -- JSON array; empty: every stage
	created_by TEXT NOT NULL REFERENCES djs(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER,
	cleared_at INTEGER
);
CREATE INDEX event_announcements_event ON event_announcements(event_id, created_at);
ALTER TABLE sessions ADD COLUMN stage_id TEXT REFERENCES stages(id);
CREATE INDEX sessions_stage ON sessions(stage_id, started_at) WHERE stage_id IS NOT NULL;
`,
	// 6: the dancer count of a session each time it changed, for the DJ's
	// private analytics (who left during which track).
	`CREATE TABLE listener_samples (
	session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	at         INTEGER NOT NULL,
	count      INTEGER NOT NULL,
	PRIMARY KEY (session_id, at)
) WITHOUT ROWID;
`,
	// 7: dancers' requests: what the DJ allows per session, the requests
	// (a catalogue track with a count, or a free text) and who asked.
	`
CREATE TABLE request_settings (
	session_id TEXT PRIMARY KEY REFERENCES sessions(id),
	enabled    INTEGER NOT NULL,
	paused     INTEGER NOT NULL,
	free_text  INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE requests (
	id          TEXT PRIMARY KEY,
	session_id  TEXT NOT NULL REFERENCES sessions(id),
	track_id    TEXT, -- the DJ app's catalogue id; NULL for free text
	identity    TEXT NOT NULL, -- protocol.TrackIdentity, '' for free text
	artist      TEXT NOT NULL,
	title       TEXT NOT NULL,
	bpm         REAL,
	musical_key TEXT,
	camelot     TEXT,
	duration_s  REAL,
	text        TEXT NOT NULL, -- free text, for the DJ alone
	state       TEXT NOT NULL,
	reason      TEXT NOT NULL,
	count       INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX requests_session ON requests(session_id, state);
CREATE UNIQUE INDEX requests_open_track ON requests(session_id, track_id) WHERE track_id IS NOT NULL AND state IN ('waiting', 'accepted');
CREATE TABLE request_askers (
	request_id TEXT NOT NULL REFERENCES requests(id),
	session_id TEXT NOT NULL,
	client_id  TEXT NOT NULL,
	asked_at   INTEGER NOT NULL,
	PRIMARY KEY (request_id, client_id)
);
CREATE INDEX request_askers_client ON request_askers(session_id, client_id, asked_at);
`,
	// 8: Web Push: the relay's VAPID key pair (one row, made on first
	// start) and dancers' subscriptions, each to a session or a stage.
	`
CREATE TABLE push_vapid (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	private_key TEXT NOT NULL, -- base64url, as webpush-go takes it
	public_key  TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE TABLE push_subscriptions (
	endpoint   TEXT PRIMARY KEY,
	p256dh     TEXT NOT NULL,
	auth       TEXT NOT NULL,
	session_id TEXT NOT NULL, -- '' when to a stage
	stage_id   TEXT NOT NULL, -- '' when to a session
	created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_id);
CREATE INDEX push_subscriptions_stage ON push_subscriptions(stage_id);
`,
	// 9: which relay owns a live session, until when (several relays on
	// one database; see owners.go; unused by a relay alone), and a stage
	// set's pending hand-over (to a DJ id, '' for any DJ of the event), so
	// the next DJ may go live on any relay.
	`
ALTER TABLE sessions ADD COLUMN owner_relay TEXT;
ALTER TABLE sessions ADD COLUMN owner_until INTEGER;
ALTER TABLE sessions ADD COLUMN handover_to TEXT;
ALTER TABLE sessions ADD COLUMN handover_until INTEGER;
`,
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := s.rd.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this relay knows (%d)", current, len(migrations))
	}
	for v := current + 1; v <= len(migrations); v++ {
		if err := s.applyMigration(ctx, v, migrations[v-1]); err != nil {
			return err
		}
		s.log.Info("database migrated", "version", v)
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, version int, script string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %d: begin: %w", version, err)
	}
	defer tx.Rollback()
	for _, stmt := range splitStatements(script) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migration %d: %w", version, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", int64(version), ms(time.Now())); err != nil {
		return fmt.Errorf("migration %d: record: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %d: commit: %w", version, err)
	}
	return nil
}

// SchemaVersion reports the applied migration version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.rd.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// splitStatements splits a migration on semicolons at line ends; the
// migrations contain no semicolons inside strings.
func splitStatements(script string) []string {
	var out []string
	start := 0
	for i := 0; i < len(script); i++ {
		if script[i] == ';' && (i+1 == len(script) || script[i+1] == '\n') {
			if stmt := trimSpace(script[start:i]); stmt != "" {
				out = append(out, stmt)
			}
			start = i + 1
		}
	}
	if stmt := trimSpace(script[start:]); stmt != "" {
		out = append(out, stmt)
	}
	return out
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\n' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\n' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
