// Package settings keeps the desktop app's preferences in a JSON file in
// the user's config folder, and the DJ token in the OS keychain (or, where
// there is none, in a file only the user can read).
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/pikadj/pika/shared/protocol"
)

// Settings are the DJ's preferences, shared by the GUI and the command line.
type Settings struct {
	// RelayURL is the relay the app connects to, e.g. https://pika.example.
	RelayURL string `json:"relayUrl"`
	// PublicURL is where dancers open the pages (the join QR code points
	// there); empty means the relay URL.
	PublicURL string `json:"publicUrl,omitempty"`
	// MinBPM and MaxBPM bound the analysed tempo (folded into the range).
	MinBPM float64 `json:"minBpm"`
	MaxBPM float64 `json:"maxBpm"`
	// LibraryFolders are the music folders the DJ imported.
	LibraryFolders []string `json:"libraryFolders,omitempty"`
	// Source is the now-playing source: "virtualdj[:DIR]", "m3u:PATH",
	// "mixxx[:DB]", "serato[:DIR]" or "manual".
	Source string `json:"source,omitempty"`
	// RekordboxKey is the passphrase of rekordbox's master.db, for a
	// rekordbox whose key is not the usual one (empty: the usual one).
	RekordboxKey string `json:"rekordboxKey,omitempty"`
	// SessionName is the name of the next live session.
	SessionName string `json:"sessionName,omitempty"`
	// Stage is the slug of the event stage the last session went live on
	// ("": a session of the DJ's own), so that resuming it after a
	// restart is on the same stage.
	Stage string `json:"stage,omitempty"`
	// Workers is the analysis worker count; 0 means one per CPU.
	Workers int `json:"workers,omitempty"`
	// BPMJumpPct is the tempo change between two tracks, in percent,
	// above which the app warns of a big jump; 0 means the default, 8.
	BPMJumpPct float64 `json:"bpmJumpPct,omitempty"`
	// NoUpdateCheck turns off the daily question to the relay whether a
	// newer app release exists (on by default; the app never updates
	// itself either way).
	NoUpdateCheck bool `json:"noUpdateCheck,omitempty"`
}

// DefaultBPMJumpPct is the big-jump warning's threshold when none is set.
const DefaultBPMJumpPct = 8

// JumpPct is BPMJumpPct with its default.
func (s Settings) JumpPct() float64 {
	if s.BPMJumpPct > 0 {
		return s.BPMJumpPct
	}
	return DefaultBPMJumpPct
}

// Defaults are the settings of a fresh install: West Coast Swing's tempo
// range and VirtualDJ as the source.
func Defaults() Settings {
	return Settings{MinBPM: 70, MaxBPM: 140, Source: "virtualdj", SessionName: "Tonight's set"}
}

// Validate checks the settings a DJ typed.
func (s Settings) Validate() error {
	if s.RelayURL != "" {
		if err := checkHTTPURL("relay URL", s.RelayURL); err != nil {
			return err
		}
	}
	if s.PublicURL != "" {
		if err := checkHTTPURL("public page URL", s.PublicURL); err != nil {
			return err
		}
	}
	switch {
	case !(s.MinBPM >= 20) || !(s.MaxBPM <= 400) || !(s.MaxBPM >= 1.9*s.MinBPM):
		return fmt.Errorf("BPM range %g–%g: the top must be at least 1.9 × the bottom, within 20–400", s.MinBPM, s.MaxBPM)
	case utf8.RuneCountInString(strings.TrimSpace(s.SessionName)) > protocol.MaxSessionNameLen:
		return fmt.Errorf("session name is longer than %d characters", protocol.MaxSessionNameLen)
	case s.Workers < 0 || s.Workers > 256:
		return errors.New("workers must be between 0 (one per CPU) and 256")
	case !(s.BPMJumpPct >= 0 && s.BPMJumpPct <= 50):
		return errors.New("the big tempo jump warning must be between 0 (the default, 8 %) and 50 %")
	}
	return nil
}

func checkHTTPURL(what, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q must be an http:// or https:// address", what, raw)
	}
	return nil
}

// PageURL is the base URL of the dancers' pages: PublicURL, else RelayURL.
func (s Settings) PageURL() string {
	base := s.PublicURL
	if base == "" {
		base = s.RelayURL
	}
	return strings.TrimRight(strings.TrimSpace(base), "/")
}

// JoinURL is the address dancers open for a session (the QR code's). It is
// built from the public page URL, never from a LAN address.
func (s Settings) JoinURL(sessionID string) string {
	if s.PageURL() == "" || sessionID == "" {
		return ""
	}
	return s.PageURL() + "/live/" + url.PathEscape(sessionID)
}

// RegisterURL is the page where a DJ creates an account.
func (s Settings) RegisterURL() string {
	if s.PageURL() == "" {
		return ""
	}
	return s.PageURL() + "/dj/register"
}

// Store reads and writes settings and the token in one folder.
type Store struct {
	dir         string
	keyring     bool
	keyringDown atomic.Bool
}

// DefaultDir is the user's config folder, Pika.
func DefaultDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config folder: %w", err)
	}
	return filepath.Join(dir, "Pika"), nil
}

// NewStore keeps settings in dir. useKeyring says whether to try the OS
// keychain for the token (tests and headless machines pass false, as does
// PIKA_NO_KEYRING=1).
func NewStore(dir string, useKeyring bool) *Store {
	if os.Getenv("PIKA_NO_KEYRING") == "1" {
		useKeyring = false
	}
	return &Store{dir: dir, keyring: useKeyring}
}

// Dir is the folder the store writes to.
func (s *Store) Dir() string { return s.dir }

func (s *Store) file() string { return filepath.Join(s.dir, "settings.json") }

// maxSettingsBytes bounds the settings file: it is small, and a huge one
// is not ours.
const maxSettingsBytes = 1 << 20

// Load reads the settings; a missing file gives Defaults. Fields missing
// from the file keep their defaults.
func (s *Store) Load() (Settings, error) {
	set := Defaults()
	f, err := os.Open(s.file())
	if errors.Is(err, fs.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return set, fmt.Errorf("read settings: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return set, fmt.Errorf("read settings: %w", err)
	}
	if st.Size() > maxSettingsBytes {
		return set, fmt.Errorf("read settings %s: file is too large", s.file())
	}
	if err := json.NewDecoder(f).Decode(&set); err != nil {
		return Defaults(), fmt.Errorf("read settings %s: %w (delete the file to start afresh)", s.file(), err)
	}
	return set, nil
}

// Save validates and writes the settings atomically, readable only by the
// user.
func (s *Store) Save(set Settings) error {
	set.RelayURL = strings.TrimSpace(set.RelayURL)
	set.PublicURL = strings.TrimSpace(set.PublicURL)
	set.SessionName = strings.TrimSpace(set.SessionName)
	if err := set.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return writeFileAtomic(s.dir, s.file(), append(b, '\n'))
}

// writeFileAtomic writes via a temporary file and a rename, so a crash
// never leaves a half-written file.
func writeFileAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save %s: %w", filepath.Base(name), err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("save %s: %w", filepath.Base(name), err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save %s: %w", filepath.Base(name), err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save %s: %w", filepath.Base(name), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save %s: %w", filepath.Base(name), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save %s: %w", filepath.Base(name), err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("save %s: %w", filepath.Base(name), err)
	}
	return nil
}
