package core

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/pikadj/pika/desktop/library"
)

// ImportFolder imports a music folder, remembers it in the settings,
// watches it (when the watcher runs) and starts analysing what is new.
func (c *Core) ImportFolder(ctx context.Context, dir string) (library.ImportResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return library.ImportResult{}, fmt.Errorf("import %s: %w", dir, err)
	}
	res, err := c.lib.ImportFolderProgress(ctx, abs, func(files int, current string) {
		c.hub.publish(ImportProgress{Folder: abs, Files: files, Current: current})
	})
	c.hub.publish(LibraryChanged{})
	if err != nil {
		return res, err
	}
	c.mu.Lock()
	set := c.set
	known := slices.Contains(set.LibraryFolders, abs)
	w := c.watcher
	c.mu.Unlock()
	if !known {
		set.LibraryFolders = append(slices.Clone(set.LibraryFolders), abs)
		if err := c.SaveSettings(set); err != nil {
			return res, fmt.Errorf("remember folder %s: %w", abs, err)
		}
	}
	if w != nil {
		if err := w.Add(abs); err != nil {
			c.hub.publish(Error{Err: fmt.Errorf("cannot watch %s for new files: %w", abs, err)})
		}
	}
	return res, c.queue.Start(c.ctx)
}

// ImportVirtualDJ imports a VirtualDJ database.xml ("" finds the default
// one) and starts analysing the songs whose files are on this computer.
func (c *Core) ImportVirtualDJ(ctx context.Context, path string) (library.VDJResult, error) {
	if path == "" {
		p, err := library.FindVirtualDJDatabase()
		if err != nil {
			return library.VDJResult{}, err
		}
		path = p
	}
	res, err := c.lib.ImportVirtualDJ(ctx, path)
	c.hub.publish(LibraryChanged{})
	if err != nil {
		return res, err
	}
	return res, c.queue.Start(c.ctx)
}

// Rescan scans every imported folder again and analyses what changed.
func (c *Core) Rescan(ctx context.Context) (library.ImportResult, error) {
	folders, err := c.lib.Folders(ctx)
	if err != nil {
		return library.ImportResult{}, err
	}
	var total library.ImportResult
	for _, f := range folders {
		r, err := c.lib.Rescan(ctx, f)
		total.Added += r.Added
		total.Changed += r.Changed
		total.Moved += r.Moved
		total.Unchanged += r.Unchanged
		total.Missing += r.Missing
		total.Errors = append(total.Errors, r.Errors...)
		if err != nil {
			total.Errors = append(total.Errors, library.FileError{Path: f, Err: err.Error()})
		}
	}
	c.hub.publish(LibraryChanged{})
	return total, c.queue.Start(c.ctx)
}

// Search lists tracks whose artist, title, album or file name contain
// every word of text (limit 0: 500).
func (c *Core) Search(ctx context.Context, text string, limit int) ([]library.Track, error) {
	return c.lib.Search(ctx, text, limit)
}

// Tracks lists tracks by text, BPM range, key and state.
func (c *Core) Tracks(ctx context.Context, f library.Filter) ([]library.Track, error) {
	return c.lib.List(ctx, f)
}

// Counts counts the library's tracks by state.
func (c *Core) Counts(ctx context.Context) (library.Counts, error) { return c.lib.Counts(ctx) }

// StartAnalysis analyses every pending track (no-op when running).
func (c *Core) StartAnalysis() error { return c.queue.Start(c.ctx) }

// PauseAnalysis lets the files in progress finish and starts no more.
func (c *Core) PauseAnalysis() { c.queue.Pause() }

// ResumeAnalysis continues a paused analysis.
func (c *Core) ResumeAnalysis() { c.queue.Resume() }

// CancelAnalysis stops the analysis; unfinished files stay pending.
func (c *Core) CancelAnalysis() { c.queue.Cancel() }

// AnalysisProgress is the analysis queue's current state.
func (c *Core) AnalysisProgress() library.Progress { return c.queue.Progress() }

// WaitAnalysis blocks until the current analysis run ends.
func (c *Core) WaitAnalysis(ctx context.Context) error { return c.queue.Wait(ctx) }

// RetryFailed queues the failed tracks again and starts the analysis.
func (c *Core) RetryFailed(ctx context.Context) (int, error) {
	n, err := c.lib.Requeue(ctx, false)
	if err != nil {
		return 0, err
	}
	return n, c.queue.Start(c.ctx)
}

// startWatcher watches the imported folders for new files.
func (c *Core) startWatcher() error {
	w, err := c.lib.Watch(c.ctx, func(t library.Track) {
		c.hub.publish(LibraryChanged{Track: &t})
		if t.State == library.StatePending {
			if err := c.queue.Start(c.ctx); err != nil {
				c.hub.publish(Error{Err: err})
			}
		}
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.watcher = w
	c.mu.Unlock()
	return nil
}

// RemoveFolder stops importing and watching a folder; its tracks stay in
// the library.
func (c *Core) RemoveFolder(ctx context.Context, dir string) error {
	if err := c.lib.RemoveFolder(ctx, dir); err != nil {
		return err
	}
	c.mu.Lock()
	set := c.set
	w := c.watcher
	c.mu.Unlock()
	if w != nil {
		w.Remove(dir)
	}
	set.LibraryFolders = slices.DeleteFunc(slices.Clone(set.LibraryFolders), func(f string) bool { return f == dir })
	return c.SaveSettings(set)
}

// Reanalyse queues every analysed and failed track again, e.g. after the
// BPM range changed, and starts the analysis. VirtualDJ's numbers and the
// tags are kept; ours are replaced as each file is done.
func (c *Core) Reanalyse(ctx context.Context) (int, error) {
	n, err := c.lib.Requeue(ctx, true)
	if err != nil {
		return 0, err
	}
	c.hub.publish(LibraryChanged{})
	return n, c.queue.Start(c.ctx)
}
