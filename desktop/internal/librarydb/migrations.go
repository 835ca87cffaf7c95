package librarydb

import (
	"context"
	"database/sql"
	"fmt"
)

// migration is one step of the schema: SQL, or Go where a step must look
// at what is there first.
type migration struct {
	what string
	sql  string
	fn   func(ctx context.Context, tx *sql.Tx) error
}

func (m migration) run(ctx context.Context, tx *sql.Tx) error {
	if m.fn != nil {
		return m.fn(ctx, tx)
	}
	_, err := tx.ExecContext(ctx, m.sql)
	return err
}

// migrations upgrade the schema one version at a time; PRAGMA user_version
// records how many have run. Append only: never edit a released step (the
// files in testdata were written by earlier releases, and the tests
// upgrade them).
var migrations = []migration{
	{what: "library tables", sql: `CREATE TABLE folders (
			id       INTEGER PRIMARY KEY,
			path     TEXT NOT NULL UNIQUE,
			added_at INTEGER NOT NULL
		);
		CREATE TABLE tracks (
			id            INTEGER PRIMARY KEY,
			path          TEXT NOT NULL UNIQUE,
			path_key      TEXT NOT NULL,
			source        TEXT NOT NULL,
			size          INTEGER NOT NULL DEFAULT 0,
			mtime         INTEGER NOT NULL DEFAULT 0,
			hash          TEXT NOT NULL DEFAULT '',
			artist        TEXT NOT NULL DEFAULT '',
			title         TEXT NOT NULL DEFAULT '',
			album         TEXT NOT NULL DEFAULT '',
			genre         TEXT NOT NULL DEFAULT '',
			year          INTEGER NOT NULL DEFAULT 0,
			tag_bpm       REAL NOT NULL DEFAULT 0,
			tag_key       TEXT NOT NULL DEFAULT '',
			identity      TEXT NOT NULL,
			search_text   TEXT NOT NULL,
			bpm           REAL,
			bpm_conf      REAL,
			key_name      TEXT,
			camelot       TEXT,
			key_conf      REAL,
			energy        REAL,
			danceability  REAL,
			brightness    REAL,
			loudness_lufs REAL,
			duration_s    REAL,
			vdj_bpm       REAL,
			vdj_key       TEXT NOT NULL DEFAULT '',
			vdj_camelot   TEXT NOT NULL DEFAULT '',
			state         TEXT NOT NULL,
			error         TEXT NOT NULL DEFAULT '',
			added_at      INTEGER NOT NULL,
			analysed_at   INTEGER
		);
		CREATE INDEX tracks_path_key ON tracks(path_key);
		CREATE INDEX tracks_identity ON tracks(identity);
		CREATE INDEX tracks_hash ON tracks(hash);
		CREATE INDEX tracks_state ON tracks(state);
		CREATE INDEX tracks_bpm ON tracks(bpm);`},
	{what: "live link outbox", fn: adoptOutbox},
	// What the analysis reports beside its measures: the tuning (cents
	// from A = 440 Hz) and a warning such as "file ends early: 49 s of
	// 65 s". Rows analysed before keep NULL tuning and no warning.
	{what: "analysis tuning and warning", sql: `ALTER TABLE tracks ADD COLUMN tuning_cents REAL;
		ALTER TABLE tracks ADD COLUMN analysis_warning TEXT NOT NULL DEFAULT '';`},
	// The DJ's own tempo and key (a Camelot code), beside the analysis:
	// a re-analysis writes the other columns and leaves these alone.
	{what: "manual corrections", sql: `ALTER TABLE tracks ADD COLUMN bpm_manual REAL;
		ALTER TABLE tracks ADD COLUMN key_manual TEXT NOT NULL DEFAULT '';`},
	// Crowd memory: the recaps of the DJ's past sessions, a row per play,
	// matched to library tracks by identity (artist and title as
	// protocol.TrackIdentity folds them): the relay never knows files.
	{what: "crowd memory", sql: `CREATE TABLE crowd_sessions (
			session_id TEXT PRIMARY KEY,
			name       TEXT NOT NULL DEFAULT '',
			started_at INTEGER NOT NULL,
			ended_at   INTEGER,
			listeners  INTEGER NOT NULL DEFAULT 0,
			dancers    INTEGER NOT NULL DEFAULT 0,
			fetched_at INTEGER NOT NULL
		);
		CREATE TABLE crowd_plays (
			session_id TEXT NOT NULL REFERENCES crowd_sessions(session_id) ON DELETE CASCADE,
			play_id    TEXT NOT NULL,
			seq        INTEGER NOT NULL,
			identity   TEXT NOT NULL,
			artist     TEXT NOT NULL,
			title      TEXT NOT NULL,
			bpm        REAL,
			camelot    TEXT NOT NULL DEFAULT '',
			started_at INTEGER NOT NULL,
			likes      INTEGER NOT NULL DEFAULT 0,
			faster     INTEGER NOT NULL DEFAULT 0,
			slower     INTEGER NOT NULL DEFAULT 0,
			perfect    INTEGER NOT NULL DEFAULT 0,
			PRIMARY KEY (session_id, play_id)
		);
		CREATE INDEX crowd_plays_identity ON crowd_plays(identity);`},
}

// adoptOutbox gives the live link its tables. Until version 2 the live
// link made them itself, with CREATE TABLE IF NOT EXISTS and, later, a
// check for its session_id column; so a version 1 file may have no outbox,
// one without session_id (its rows then belong to the stored session, if
// any: those are resumed, the rest dropped when a new session registers),
// or the current one.
func adoptOutbox(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS livelink_outbox (
			id         INTEGER PRIMARY KEY AUTOINCREMENT,
			type       TEXT    NOT NULL,
			payload    TEXT    NOT NULL,
			created_at TEXT    NOT NULL,
			session_id TEXT    NOT NULL DEFAULT ''
		);
		CREATE TABLE IF NOT EXISTS livelink_state (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		);`); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('livelink_outbox') WHERE name = 'session_id'`).Scan(&n); err != nil {
		return fmt.Errorf("inspect outbox: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE livelink_outbox ADD COLUMN session_id TEXT NOT NULL DEFAULT ''`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE livelink_outbox SET session_id =
		COALESCE((SELECT value FROM livelink_state WHERE key = 'session_id'), '')`)
	return err
}
