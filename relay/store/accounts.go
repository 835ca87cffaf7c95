package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// DJAccount is a DJ with the password hash the API never shows.
type DJAccount struct {
	protocol.DJ
	PasswordHash string
}

// Token is a stored token: only the SHA-256 of the secret is kept.
type Token struct {
	ID         string
	DJID       string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Info returns the API view of t.
func (t Token) Info(current bool) protocol.TokenInfo {
	return protocol.TokenInfo{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, Current: current}
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// CreateDJ stores a new DJ, with a first token when tokenHash is not
// empty. email must be normalised.
func (s *Store) CreateDJ(ctx context.Context, email, passwordHash, displayName, tokenName, tokenHash string) (protocol.DJ, Token, error) {
	defer s.timed("create_dj", time.Now())
	now := time.Now().UTC().Truncate(time.Millisecond)
	dj := protocol.DJ{ID: NewID(), Email: email, DisplayName: displayName, CreatedAt: now}
	tok := Token{ID: NewID(), DJID: dj.ID, Name: tokenName, CreatedAt: now}
	err := s.write(ctx, "create dj", func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO djs (id, email, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?)`,
			dj.ID, email, passwordHash, displayName, ms(now)); err != nil {
			if isUniqueViolation(err) {
				return ErrEmailTaken
			}
			return fmt.Errorf("insert dj: %w", err)
		}
		if tokenHash == "" {
			return nil
		}
		return insertToken(tx, tok, tokenHash)
	})
	if err != nil {
		return protocol.DJ{}, Token{}, err
	}
	return dj, tok, nil
}

func insertToken(tx *sql.Tx, t Token, hash string) error {
	if _, err := tx.Exec(`INSERT INTO tokens (id, dj_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.ID, t.DJID, t.Name, hash, ms(t.CreatedAt)); err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// DJByEmail finds a DJ by normalised email.
func (s *Store) DJByEmail(ctx context.Context, email string) (DJAccount, error) {
	defer s.timed("dj_by_email", time.Now())
	return s.scanDJ(s.rd.QueryRowContext(ctx, `SELECT id, email, display_name, created_at, password_hash FROM djs WHERE email = ?`, email))
}

// DJByID finds a DJ by id.
func (s *Store) DJByID(ctx context.Context, id string) (DJAccount, error) {
	defer s.timed("dj_by_id", time.Now())
	return s.scanDJ(s.rd.QueryRowContext(ctx, `SELECT id, email, display_name, created_at, password_hash FROM djs WHERE id = ?`, id))
}

func (s *Store) scanDJ(row *sql.Row) (DJAccount, error) {
	var (
		a       DJAccount
		created int64
	)
	if err := row.Scan(&a.ID, &a.Email, &a.DisplayName, &created, &a.PasswordHash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return DJAccount{}, ErrNotFound
		}
		return DJAccount{}, fmt.Errorf("read dj: %w", err)
	}
	a.CreatedAt = fromMS(created)
	return a, nil
}

// CreateToken adds a named token for a DJ.
func (s *Store) CreateToken(ctx context.Context, djID, name, hash string) (Token, error) {
	defer s.timed("create_token", time.Now())
	tok := Token{ID: NewID(), DJID: djID, Name: name, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := s.write(ctx, "create token", func(tx *sql.Tx) error { return insertToken(tx, tok, hash) }); err != nil {
		return Token{}, err
	}
	return tok, nil
}

// Authenticate finds the DJ and token whose secret hashes to hash and
// records the token's use.
func (s *Store) Authenticate(ctx context.Context, hash string) (protocol.DJ, Token, error) {
	defer s.timed("authenticate", time.Now())
	var (
		dj              protocol.DJ
		tok             Token
		djCreated, tCrt int64
		lastUsed        sql.NullInt64
	)
	err := s.rd.QueryRowContext(ctx, `SELECT d.id, d.email, d.display_name, d.created_at, t.id, t.name, t.created_at, t.last_used_at
		FROM tokens t JOIN djs d ON d.id = t.dj_id WHERE t.token_hash = ?`, hash).
		Scan(&dj.ID, &dj.Email, &dj.DisplayName, &djCreated, &tok.ID, &tok.Name, &tCrt, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.DJ{}, Token{}, ErrNotFound
	}
	if err != nil {
		return protocol.DJ{}, Token{}, fmt.Errorf("read token: %w", err)
	}
	dj.CreatedAt, tok.DJID, tok.CreatedAt, tok.LastUsedAt = fromMS(djCreated), dj.ID, fromMS(tCrt), nullMS(lastUsed)
	now := time.Now().UTC().Truncate(time.Millisecond)
	// Recording every use would put a write on each request; a minute's
	// precision is plenty for "last used" and the 90-day purge.
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
		if err := s.write(ctx, "touch token", func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE tokens SET last_used_at = ? WHERE id = ?`, ms(now), tok.ID)
			return err
		}); err != nil {
			return protocol.DJ{}, Token{}, fmt.Errorf("record token use: %w", err)
		}
		tok.LastUsedAt = &now
	}
	return dj, tok, nil
}

// Tokens lists a DJ's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, djID string) ([]Token, error) {
	defer s.timed("tokens", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT id, name, created_at, last_used_at FROM tokens WHERE dj_id = ? ORDER BY created_at DESC, id`, djID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t := Token{DJID: djID}
		var created int64
		var last sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &created, &last); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.CreatedAt, t.LastUsedAt = fromMS(created), nullMS(last)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteToken revokes one of a DJ's tokens; another DJ's token is
// ErrNotFound.
func (s *Store) DeleteToken(ctx context.Context, djID, tokenID string) error {
	defer s.timed("delete_token", time.Now())
	return s.write(ctx, "delete token", func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM tokens WHERE id = ? AND dj_id = ?`, tokenID, djID)
		if err != nil {
			return fmt.Errorf("delete token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// PurgeTokens deletes tokens not used since before; it returns how many.
func (s *Store) PurgeTokens(ctx context.Context, before time.Time) (int64, error) {
	defer s.timed("purge_tokens", time.Now())
	var n int64
	err := s.write(ctx, "purge tokens", func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM tokens WHERE COALESCE(last_used_at, created_at) < ?`, ms(before))
		if err != nil {
			return fmt.Errorf("purge tokens: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return 0, err
	}
	return n, nil
}

// TokensExist reports which of the token ids still exist (not revoked or
// purged).
func (s *Store) TokensExist(ctx context.Context, ids []string) (map[string]bool, error) {
	defer s.timed("tokens_exist", time.Now())
	out := make(map[string]bool, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 200)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.rd.QueryContext(ctx, `SELECT id FROM tokens WHERE id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("check tokens: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("check tokens: %w", err)
			}
			out[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("check tokens: %w", err)
		}
	}
	return out, nil
}
