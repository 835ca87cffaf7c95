package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/internal/appversion"
	"github.com/pikadj/pika/shared/protocol"
)

// UpdateInterval is how often the app asks the relay for a newer release
// at most.
const UpdateInterval = 24 * time.Hour

// updateFile keeps the last answer, so a restart does not ask again.
const updateFile = "update-check.json"

// Update is what the update check found.
type Update struct {
	Current     string    `json:"-"`
	Latest      string    `json:"latest,omitempty"` // "" when the relay announces none
	DownloadURL string    `json:"downloadUrl,omitempty"`
	CheckedAt   time.Time `json:"checkedAt"`
	// Newer: Latest is newer than this build (never for a dev build,
	// which has no version to compare).
	Newer bool `json:"-"`
}

// ErrUpdateCheckOff: the DJ turned the update check off in Settings.
var ErrUpdateCheckOff = errors.New("the update check is off in Settings")

// CheckForUpdate asks the relay (GET /api/app/latest) whether a newer
// release exists, at most once per UpdateInterval: within it the last
// answer is returned without asking. It never downloads or installs
// anything; the DJ is told and decides. Off when settings say so.
func (c *Core) CheckForUpdate(ctx context.Context) (Update, error) {
	if c.Settings().NoUpdateCheck {
		return Update{}, ErrUpdateCheckOff
	}
	path := filepath.Join(c.cfg.ConfigDir, updateFile)
	u, err := readUpdate(path)
	if err != nil || time.Since(u.CheckedAt) >= UpdateInterval || u.CheckedAt.After(time.Now()) {
		if u, err = c.askLatest(ctx); err != nil {
			return Update{}, err
		}
		if err := writeUpdate(path, u); err != nil {
			return Update{}, err
		}
	}
	u.Current = appversion.String()
	if u.Latest != "" && appversion.Release() {
		cmp, err := protocol.CompareVersions(u.Latest, appversion.Version)
		u.Newer = err == nil && cmp > 0
	}
	return u, nil
}

// maxReleaseBody bounds the relay's answer.
const maxReleaseBody = 4 << 10

func (c *Core) askLatest(ctx context.Context) (Update, error) {
	relay := c.Settings().RelayURL
	if relay == "" {
		return Update{}, ErrNoRelay
	}
	if err := c.checkTransport(relay); err != nil {
		return Update{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(relay, "/")+"/api/app/latest", nil)
	if err != nil {
		return Update{}, fmt.Errorf("update check: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Update{}, fmt.Errorf("update check: the relay cannot be reached: %w", err)
	}
	defer resp.Body.Close()
	u := Update{CheckedAt: time.Now().UTC()}
	switch resp.StatusCode {
	case http.StatusNoContent:
		return u, nil
	case http.StatusOK:
	default:
		return Update{}, fmt.Errorf("update check: the relay answered %s", resp.Status)
	}
	var rel protocol.AppRelease
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxReleaseBody)).Decode(&rel); err != nil {
		return Update{}, fmt.Errorf("update check: the relay's answer is not a release: %w", err)
	}
	if _, _, err := protocol.ParseVersion(rel.Version); err != nil {
		return Update{}, fmt.Errorf("update check: %w", err)
	}
	if d, err := url.Parse(rel.DownloadURL); err != nil || (d.Scheme != "https" && d.Scheme != "http") || d.Host == "" {
		return Update{}, fmt.Errorf("update check: the download address %q is not a web address", rel.DownloadURL)
	}
	u.Latest, u.DownloadURL = rel.Version, rel.DownloadURL
	return u, nil
}

func readUpdate(path string) (Update, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Update{}, err
	}
	var u Update
	if err := json.Unmarshal(b, &u); err != nil {
		return Update{}, fmt.Errorf("read %s: %w", path, err)
	}
	return u, nil
}

func writeUpdate(path string, u Update) error {
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("save the update check: %w", err)
	}
	return nil
}
