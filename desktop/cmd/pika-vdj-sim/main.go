// Command pika-vdj-sim plays DJ for demos and tests: it appends one track
// every -interval to a VirtualDJ-style history file,
// DIR/History/YYYY-MM-DD.m3u (a new file after midnight, as VirtualDJ
// does), with the #EXTVDJ line VirtualDJ writes (time, lastplaytime,
// filesize, artist, title) followed by the file's path.
//
//	pika-vdj-sim -dir /tmp/vdj -interval 90s ../shared/corpus/dev
//
// Artist and title come from the files' tags, or from "Artist - Title"
// file names, or the file name alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dhowden/tag"
)

type options struct {
	dir      string
	interval time.Duration
	count    int
	loop     bool
	files    []string
	now      func() time.Time
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "", "VirtualDJ folder to write History/YYYY-MM-DD.m3u into (required)")
	flag.DurationVar(&o.interval, "interval", 90*time.Second, "time between tracks")
	flag.IntVar(&o.count, "count", 0, "tracks to play (0: each file once, or forever with -loop)")
	flag.BoolVar(&o.loop, "loop", false, "start the list again after the last file")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: pika-vdj-sim -dir DIR [-interval 90s] [-count N] [-loop] FILE|FOLDER...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if o.dir == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := audioFiles(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "pika-vdj-sim:", err)
		os.Exit(1)
	}
	o.files = files
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "pika-vdj-sim:", err)
		os.Exit(1)
	}
}

var audioExt = []string{".mp3", ".flac", ".ogg", ".wav", ".m4a", ".aiff", ".aif", ".opus"}

// audioFiles expands folders (recursively, sorted) into audio files.
func audioFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			abs, err := filepath.Abs(a)
			if err != nil {
				return nil, err
			}
			files = append(files, abs)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && slices.Contains(audioExt, strings.ToLower(filepath.Ext(p))) {
				abs, err := filepath.Abs(p)
				if err != nil {
					return err
				}
				found = append(found, abs)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, errors.New("no audio files given")
	}
	return files, nil
}

func run(ctx context.Context, o options, out io.Writer) error {
	if o.now == nil {
		o.now = time.Now
	}
	hist := filepath.Join(o.dir, "History")
	if err := os.MkdirAll(hist, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", hist, err)
	}
	n := o.count
	if n <= 0 && !o.loop {
		n = len(o.files)
	}
	for i := 0; n <= 0 || i < n; i++ {
		if i > 0 {
			t := time.NewTimer(o.interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		path := o.files[i%len(o.files)]
		artist, title := describe(path)
		now := o.now()
		size := int64(0)
		if fi, err := os.Stat(path); err == nil {
			size = fi.Size()
		}
		entry := fmt.Sprintf("#EXTVDJ:<time>%s</time><lastplaytime>%d</lastplaytime><filesize>%d</filesize><artist>%s</artist><title>%s</title>\r\n%s\r\n",
			now.Format("15:04"), now.Unix(), size, xmlEscape(artist), xmlEscape(title), path)
		file := filepath.Join(hist, now.Format("2006-01-02")+".m3u")
		if err := appendEntry(file, entry); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s  %s - %s  (%s)\n", now.Format("15:04:05"), artist, title, filepath.Base(path))
	}
	return nil
}

// appendEntry writes one whole entry with a single append, as VirtualDJ
// does.
func appendEntry(file, entry string) error {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	if _, err := f.WriteString(entry); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}

// xmlEscape escapes like VirtualDJ: &amp; &lt; &gt; &quot; &apos;.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// describe returns a file's artist and title from its tags, else from an
// "Artist - Title" name, else the name alone.
func describe(path string) (artist, title string) {
	if f, err := os.Open(path); err == nil {
		m, err := tag.ReadFrom(f)
		f.Close()
		if err == nil && strings.TrimSpace(m.Title()) != "" {
			return strings.TrimSpace(m.Artist()), strings.TrimSpace(m.Title())
		}
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if a, t, ok := strings.Cut(name, " - "); ok {
		return strings.TrimSpace(a), strings.TrimSpace(t)
	}
	return "", name
}
