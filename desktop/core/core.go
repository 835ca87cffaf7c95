// Package core is Pika!'s desktop core: the one object the GUI and the
// command line share. A Core owns the settings, the library and its
// analysis queue, the now-playing watcher with its matching, and the live
// link to the relay, and reports what happens as a stream of typed events
// (Event). How relay events change the live state is one pure function,
// relayEvent.
package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/analysis"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/desktop/settings"
)

// Config says where a Core keeps its files. The zero value uses the
// user's config folder and the OS keychain.
type Config struct {
	// ConfigDir holds settings.json and, without a keychain, the token;
	// "" means the user's config folder, Pika.
	ConfigDir string
	// LibraryPath is the library database; "" means ConfigDir/library.db.
	LibraryPath string
	// NoKeyring keeps the token in a private file even where a keychain
	// exists (tests, headless machines).
	NoKeyring bool
	// RelayURL and Token override the saved ones for this run only
	// (command-line flags, PIKA_RELAY_URL, PIKA_TOKEN).
	RelayURL, Token string
	// Workers overrides the analysis worker count (0: settings, else one
	// per CPU).
	Workers int
	// Background starts the folder watcher and resumes pending analysis
	// at Open: what the GUI wants, not a one-shot command.
	Background bool
	// EndWait bounds how long End waits for the relay to confirm the end
	// of a session; the session ends here in any case. 0 means 10 s.
	EndWait time.Duration
	// SpotWait is how long a played track that is not analysed yet may
	// take before it is sent with its tags alone (its numbers follow).
	// 0 means 1 s; negative sends the tags at once.
	SpotWait time.Duration
	// AllowPlainHTTP sends the token to a plain http:// relay on the
	// internet without asking (the command line's --allow-http).
	AllowPlainHTTP bool
}

// Core is the desktop app's core. Its methods are safe for concurrent use.
type Core struct {
	cfg   Config
	store *settings.Store
	lib   *library.Library
	queue *library.Queue
	hub   *hub

	ctx    context.Context // lives until Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	set      settings.Settings
	warnings []string
	watcher  *library.Watcher
	live     *liveRun
	event    *eventPlays     // the plays of the event of the last stage set
	plainOK  map[string]bool // plain-http relay URLs the DJ confirmed (transport.go)
}

// Open opens the settings and the library (creating them when missing).
func Open(ctx context.Context, cfg Config) (*Core, error) {
	if cfg.ConfigDir == "" {
		dir, err := settings.DefaultDir()
		if err != nil {
			return nil, err
		}
		cfg.ConfigDir = dir
	}
	if cfg.LibraryPath == "" {
		cfg.LibraryPath = filepath.Join(cfg.ConfigDir, "library.db")
	}
	if cfg.EndWait <= 0 {
		cfg.EndWait = 10 * time.Second
	}
	if cfg.SpotWait == 0 {
		cfg.SpotWait = time.Second
	}
	c := &Core{cfg: cfg, store: settings.NewStore(cfg.ConfigDir, !cfg.NoKeyring), hub: newHub()}
	set, err := c.store.Load()
	if err != nil {
		// A damaged settings file must not keep a DJ from playing: run on
		// defaults, say so, and leave the file alone until the next save.
		slog.Warn("settings unreadable; using defaults", "err", err)
		c.warnings = append(c.warnings, err.Error())
	}
	c.set = set
	c.lib, err = library.Open(ctx, cfg.LibraryPath, library.Options{ReadTags: readTags})
	if err != nil {
		return nil, err
	}
	workers := cfg.Workers
	if workers == 0 {
		workers = set.Workers
	}
	c.queue = library.NewQueue(c.lib, c.analyze, workers)
	c.ctx, c.cancel = context.WithCancel(context.WithoutCancel(ctx))

	progress, stop := c.queue.Subscribe()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer stop()
		for {
			select {
			case p := <-progress:
				c.hub.publish(AnalysisProgress{p})
				if p.LastErr != nil || p.Finished {
					c.hub.publish(LibraryChanged{})
				}
			case <-c.ctx.Done():
				return
			}
		}
	}()

	c.rememberCrowds() // crowd.go

	if cfg.Background {
		if err := c.startWatcher(); err != nil {
			c.warnings = append(c.warnings, err.Error())
		}
		if err := c.queue.Start(c.ctx); err != nil {
			c.warnings = append(c.warnings, err.Error())
		}
	}
	return c, nil
}

// Close ends the live link (without ending the session, which can then be
// resumed), stops the watcher and the analysis (pending files stay
// pending) and closes the library.
func (c *Core) Close() error {
	c.mu.Lock()
	lr, w := c.live, c.watcher
	c.live, c.watcher = nil, nil
	c.mu.Unlock()
	if lr != nil {
		lr.stop()
	}
	if w != nil {
		w.Close()
	}
	c.queue.Cancel()
	c.cancel()
	c.wg.Wait()
	return c.lib.Close()
}

// Events subscribes to the core's events; call the returned function to
// unsubscribe. A subscriber that falls behind loses its oldest events.
func (c *Core) Events() (<-chan Event, func()) { return c.hub.subscribe() }

// Warnings are problems found at Open that did not stop it (a damaged
// settings file, a folder that cannot be watched).
func (c *Core) Warnings() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.warnings...)
}

// Library is the library, for reads the core does not wrap.
func (c *Core) Library() *library.Library { return c.lib }

// Settings returns the current settings, with this run's overrides.
func (c *Core) Settings() settings.Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.set
	s.LibraryFolders = append([]string(nil), s.LibraryFolders...)
	if c.cfg.RelayURL != "" {
		s.RelayURL = c.cfg.RelayURL
	}
	return s
}

// SaveSettings validates and saves the settings. A field that still holds
// this run's override (as Settings returned it) keeps its stored value: a
// --relay or PIKA_RELAY_URL is for this run only, never saved by the way.
func (c *Core) SaveSettings(s settings.Settings) error {
	c.mu.Lock()
	override, stored := strings.TrimSpace(c.cfg.RelayURL), c.set.RelayURL
	c.mu.Unlock()
	if override != "" && strings.TrimSpace(s.RelayURL) == override {
		s.RelayURL = stored
	}
	if err := c.store.Save(s); err != nil {
		return err
	}
	saved, err := c.store.Load()
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.set = saved
	c.mu.Unlock()
	return nil
}

// HasToken reports whether a DJ token is saved (or given for this run).
func (c *Core) HasToken() bool {
	tok, err := c.token()
	return err == nil && tok != ""
}

// SetToken saves the DJ token (keychain or private file); "" forgets it.
func (c *Core) SetToken(tok string) error { return c.store.SetToken(tok) }

// token is this run's token: the override, else the saved one.
func (c *Core) token() (string, error) {
	if c.cfg.Token != "" {
		if err := settings.ValidateToken(c.cfg.Token); err != nil {
			return "", err
		}
		return c.cfg.Token, nil
	}
	return c.store.Token()
}

// ErrNoToken: no DJ token is saved or given; each front end says where
// the DJ puts one (the window's Settings, the command line's token set).
var ErrNoToken = errors.New("no DJ token: paste yours in Settings, or run pika token set")

func (c *Core) requireToken() (string, error) {
	tok, err := c.token()
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", ErrNoToken
	}
	return tok, nil
}

// analyze runs the real analysis with the settings' BPM range.
func (c *Core) analyze(ctx context.Context, path string) (a library.Analysis, err error) {
	defer func() {
		// A decoder bug on one hostile file must not take the set down.
		if r := recover(); r != nil {
			err = fmt.Errorf("analysis crashed on this file: %v", r)
		}
	}()
	s := c.Settings()
	r, err := analysis.AnalyzeFile(ctx, path, analysis.Options{MinBPM: s.MinBPM, MaxBPM: s.MaxBPM})
	if err != nil {
		return library.Analysis{}, err
	}
	return library.Analysis{
		BPM: r.BPM, BPMConfidence: r.BPMConfidence, Key: r.Key, Camelot: r.Camelot,
		KeyConfidence: r.KeyConfidence, Energy: r.Energy, Danceability: r.Danceability,
		Brightness: r.Brightness, LoudnessLUFS: r.LoudnessLUFS, DurationS: r.DurationS,
		TuningCents: r.TuningCents, Warning: r.Warning,
	}, nil
}

func readTags(path string) (library.Tags, error) {
	t, err := analysis.ReadTags(path)
	if err != nil {
		return library.Tags{}, fmt.Errorf("read tags: %w", err)
	}
	return library.Tags{Artist: t.Artist, Title: t.Title, Album: t.Album, Genre: t.Genre, Year: t.Year, BPM: t.BPM, Key: t.Key}, nil
}
