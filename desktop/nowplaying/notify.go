package nowplaying

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchLoop calls check once at once, then whenever fsnotify reports a
// change in one of dirs and at least every poll. Polling runs even when
// fsnotify works: it costs a stat per second and covers network drives and
// file systems whose events are unreliable. Errors from check are logged
// (a file may simply not exist yet) and the loop goes on until ctx is done.
func watchLoop(ctx context.Context, dirs []string, opt Options, check func() error) error {
	log := opt.Logger
	var events <-chan fsnotify.Event
	var errs <-chan error
	fw, err := fsnotify.NewWatcher()
	if opt.pollOnly && err == nil {
		fw.Close()
		fw, err = nil, errors.New("disabled")
	}
	if err != nil {
		log.Warn("nowplaying: fsnotify unavailable, polling only", "err", err)
	} else {
		defer fw.Close()
		events, errs = fw.Events, fw.Errors
	}
	watched := map[string]bool{}
	addDirs := func() {
		if fw == nil {
			return
		}
		for _, d := range dirs {
			if watched[d] {
				continue
			}
			if _, err := os.Stat(d); err != nil {
				continue // added once it exists
			}
			if err := fw.Add(d); err != nil {
				log.Debug("nowplaying: cannot watch folder, polling it", "dir", d, "err", err)
				continue
			}
			watched[d] = true
		}
	}
	var lastErr string
	run := func() {
		addDirs()
		err := check()
		if ctx.Err() == nil {
			opt.report(statusOf("", "", err))
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// Log each distinct problem once, not every second.
			if msg := err.Error(); msg != lastErr {
				log.Warn("nowplaying: cannot read source yet", "err", err)
				lastErr = msg
			}
			return
		}
		lastErr = ""
	}
	ticker := time.NewTicker(opt.PollInterval)
	defer ticker.Stop()
	run()
	if opt.ready != nil {
		opt.ready()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			run()
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			log.Debug("nowplaying: fsnotify error, polling continues", "err", err)
		case <-ticker.C:
			run()
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}
