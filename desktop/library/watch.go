package library

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pikadj/pika/desktop/internal/regfile"
)

// settle is how long a new file must stay unwritten before it is imported,
// so a file still being copied is read once, whole.
const settle = time.Second

// Watcher picks up audio files added to the library's folders.
type Watcher struct {
	lib      *Library
	fw       *fsnotify.Watcher
	onChange func(Track)
	mu       sync.Mutex
	timers   map[string]*time.Timer
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
}

// Watch watches every imported folder (and its subfolders) and imports
// audio files that appear or change, calling onChange with each track it
// stores (onChange may be nil). Close stops it.
func (l *Library) Watch(ctx context.Context, onChange func(Track)) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch library folders: %w", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	w := &Watcher{lib: l, fw: fw, onChange: onChange, timers: map[string]*time.Timer{},
		ctx: wctx, cancel: cancel, done: make(chan struct{})}
	folders, err := l.Folders(ctx)
	if err != nil {
		fw.Close()
		cancel()
		return nil, err
	}
	for _, d := range folders {
		if err := w.Add(d); err != nil {
			slog.Warn("library watcher: cannot watch folder", "folder", d, "err", err)
		}
	}
	go w.loop()
	return w, nil
}

// Add watches dir and its subfolders.
func (w *Watcher) Add(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if err := w.fw.Add(p); err != nil {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		return nil
	})
}

// Remove stops watching dir and its subfolders.
func (w *Watcher) Remove(dir string) {
	prefix := strings.TrimSuffix(dir, string(filepath.Separator)) + string(filepath.Separator)
	for _, p := range w.fw.WatchList() {
		if p == dir || strings.HasPrefix(p, prefix) {
			_ = w.fw.Remove(p)
		}
	}
}

// Close stops watching.
func (w *Watcher) Close() error {
	w.cancel()
	err := w.fw.Close()
	<-w.done
	w.mu.Lock()
	for _, t := range w.timers {
		t.Stop()
	}
	w.mu.Unlock()
	return err
}

func (w *Watcher) loop() {
	defer close(w.done)
	for {
		select {
		case <-w.ctx.Done():
			return
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			slog.Warn("library watcher", "err", err)
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			w.handle(ev)
		}
	}
}

func (w *Watcher) handle(ev fsnotify.Event) {
	if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) {
		return
	}
	st, err := os.Stat(ev.Name)
	if err != nil {
		return
	}
	if st.IsDir() {
		if ev.Has(fsnotify.Create) && !strings.HasPrefix(filepath.Base(ev.Name), ".") {
			// Files may have landed before the watch did: scan the new folder.
			if err := w.Add(ev.Name); err != nil {
				slog.Warn("library watcher: cannot watch folder", "folder", ev.Name, "err", err)
			}
			_ = filepath.WalkDir(ev.Name, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && IsAudioFile(p) && regfile.Walked(p, d) == nil {
					w.schedule(p)
				}
				return nil
			})
		}
		return
	}
	if st.Mode().IsRegular() && IsAudioFile(ev.Name) && !strings.HasPrefix(filepath.Base(ev.Name), "._") {
		w.schedule(ev.Name)
	}
}

func (w *Watcher) schedule(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.timers[p]; ok {
		t.Reset(settle)
		return
	}
	w.timers[p] = time.AfterFunc(settle, func() {
		w.mu.Lock()
		delete(w.timers, p)
		w.mu.Unlock()
		if w.ctx.Err() != nil {
			return
		}
		t, err := w.lib.ImportFile(w.ctx, p, SourceFolder)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				slog.Warn("library watcher: import", "path", p, "err", err)
			}
			return
		}
		if w.onChange != nil {
			w.onChange(t)
		}
	})
}
