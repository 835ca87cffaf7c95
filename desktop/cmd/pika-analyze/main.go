// Command pika-analyze measures tempo, key, loudness and feel of audio files.
//
//	pika-analyze [-json] [-workers N] [-min-bpm 70 -max-bpm 140] PATH...
//
// Files and folders (searched recursively for audio files) are analysed in
// parallel and printed one line per file, in the order given. With -json
// every line is a JSON object. Progress goes to stderr when it is a
// terminal. The exit status is 0 when the run completed, even if some files
// failed (their lines carry the error), 2 for usage errors, and 130 when
// interrupted (Ctrl-C): no new file is started and the command exits at once,
// without waiting for a file whose read is stuck.
//
// Only regular files are analysed: a FIFO, device or socket (even one named
// x.mp3) would block the read forever, so it gets an error line
// "not a regular file" instead. Symbolic links to regular files are
// followed; links to folders are not, so a link loop cannot trap the walk.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/pikadj/pika/desktop/analysis"
	"github.com/pikadj/pika/desktop/internal/humanerr"
	"github.com/pikadj/pika/desktop/internal/regfile"
)

// audioExts are the extensions picked up when walking folders. Formats the
// analysis cannot decode (m4a, aac, …) are listed too, so that they show up
// as "unsupported audio format" instead of silently vanishing.
var audioExts = map[string]bool{
	".mp3": true, ".flac": true, ".ogg": true, ".oga": true, ".wav": true, ".wave": true,
	".aif": true, ".aiff": true, ".aifc": true,
	".m4a": true, ".mp4": true, ".aac": true, ".alac": true, ".opus": true, ".wma": true,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// line is one output record; the field names are part of the CLI contract.
type line struct {
	Path          string  `json:"path"`
	BPM           float64 `json:"bpm"`
	BPMConfidence float64 `json:"bpmConfidence"`
	Key           string  `json:"key"`
	Camelot       string  `json:"camelot"`
	KeyConfidence float64 `json:"keyConfidence"`
	TuningCents   float64 `json:"tuningCents"`
	Energy        float64 `json:"energy"`
	Danceability  float64 `json:"danceability"`
	Brightness    float64 `json:"brightness"`
	LoudnessLUFS  float64 `json:"loudnessLufs"`
	DurationS     float64 `json:"durationS"`
	Artist        string  `json:"artist"`
	Title         string  `json:"title"`
	Album         string  `json:"album,omitempty"`
	Genre         string  `json:"genre,omitempty"`
	Year          int     `json:"year,omitempty"`
	TagBPM        float64 `json:"tagBpm,omitempty"`
	TagKey        string  `json:"tagKey,omitempty"`
	Warning       string  `json:"warning,omitempty"`
	Error         string  `json:"error,omitempty"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("pika-analyze", flag.ContinueOnError)
	fl.SetOutput(stderr)
	def := analysis.DefaultOptions()
	asJSON := fl.Bool("json", false, "print one JSON object per file")
	workers := fl.Int("workers", runtime.NumCPU(), "files analysed in parallel")
	minBPM := fl.Float64("min-bpm", def.MinBPM, "lowest tempo reported; slower readings are doubled")
	maxBPM := fl.Float64("max-bpm", def.MaxBPM, "highest tempo reported; faster readings are halved")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: pika-analyze [-json] [-workers N] [-min-bpm 70 -max-bpm 140] PATH...")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	opts := analysis.Options{MinBPM: *minBPM, MaxBPM: *maxBPM}
	if err := opts.Validate(); err != nil {
		fmt.Fprintln(stderr, humanerr.Message(err))
		return 2
	}
	if *workers < 1 {
		fmt.Fprintln(stderr, "-workers must be at least 1")
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return analyzeAll(ctx, fl.Args(), *workers, opts, newPrinter(stdout, *asJSON), stderr)
}

// analyzeAll analyses paths with workers goroutines and prints their lines
// in input order. When ctx ends it stops handing out files and returns 130
// without waiting for the workers: one may be stuck in a read that no
// context can interrupt, and the process is about to exit anyway.
func analyzeAll(ctx context.Context, paths []string, workers int, opts analysis.Options, out *printer, stderr io.Writer) int {
	var files []entry
	for _, p := range paths {
		files = append(files, collect(p)...)
	}
	prog := newProgress(stderr, len(files))
	results := make([]chan line, len(files))
	var todo []int
	for i, f := range files {
		results[i] = make(chan line, 1)
		if f.err != nil {
			results[i] <- line{Path: f.path, Error: f.err.Error()}
		} else {
			todo = append(todo, i)
		}
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(1, len(todo))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] <- analyze(ctx, files[i].path, opts)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, i := range todo {
			select {
			case <-ctx.Done():
				return
			default:
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	// Print in input order as results arrive.
	for i := range files {
		select {
		case l := <-results[i]:
			out.print(l)
			prog.done(files[i].path)
		case <-ctx.Done():
			prog.finish()
			fmt.Fprintln(stderr, "pika-analyze: interrupted")
			return 130
		}
	}
	wg.Wait()
	prog.finish()
	return 0
}

// analyzeFile is analysis.AnalyzeFile; tests swap in a read that blocks.
var analyzeFile = analysis.AnalyzeFile

// entry is one file to analyse, or one path that gets only an error line.
type entry struct {
	path string
	err  error
}

// collect returns path itself when it is a (link to a) regular file, or the
// audio files under it, sorted, when it is a folder. Paths that cannot be
// analysed come back with their error, in walk order.
func collect(path string) []entry {
	st, err := os.Stat(path)
	if err != nil {
		return []entry{{path, err}}
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			return []entry{{path, regfile.ErrNotRegular}}
		}
		return []entry{{path: path}}
	}
	var files []entry
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == path {
				return err
			}
			return nil // unreadable sub-folder: skip it, keep going
		}
		if d.IsDir() || !audioExts[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		if err := regfile.Walked(p, d); err != nil {
			if !errors.Is(err, regfile.ErrLinkToDir) {
				files = append(files, entry{p, err})
			}
			return nil
		}
		files = append(files, entry{path: p})
		return nil
	})
	if err != nil {
		files = append(files, entry{path, err})
	}
	return files
}

func analyze(ctx context.Context, path string, opts analysis.Options) line {
	// Checked again just before the open: the file may have been replaced
	// since the walk, and opening a FIFO blocks until a writer appears.
	if err := regfile.Check(path); err != nil {
		return line{Path: path, Error: err.Error()}
	}
	r, err := analyzeFile(ctx, path, opts)
	l := line{
		Path: path, BPM: r.BPM, BPMConfidence: r.BPMConfidence,
		Key: r.Key, Camelot: r.Camelot, KeyConfidence: r.KeyConfidence, TuningCents: r.TuningCents, Warning: r.Warning,
		Energy: r.Energy, Danceability: r.Danceability, Brightness: r.Brightness,
		LoudnessLUFS: r.LoudnessLUFS, DurationS: r.DurationS,
		Artist: r.Tags.Artist, Title: r.Tags.Title, Album: r.Tags.Album, Genre: r.Tags.Genre,
		Year: r.Tags.Year, TagBPM: r.Tags.BPM, TagKey: r.Tags.Key,
	}
	if err != nil {
		l.Error = err.Error() // wraps analysis.ErrUnsupportedFormat's text when that is the cause
	}
	return l
}

type printer struct {
	w      io.Writer
	asJSON bool
	enc    *json.Encoder
}

func newPrinter(w io.Writer, asJSON bool) *printer {
	return &printer{w: w, asJSON: asJSON, enc: json.NewEncoder(w)}
}

func (p *printer) print(l line) {
	if p.asJSON {
		p.enc.Encode(l) //nolint:errcheck // stdout closed: nothing useful to do
		return
	}
	if l.Error != "" {
		// JSON keeps the whole chain; the text line says what a DJ can act on.
		fmt.Fprintf(p.w, "%s\terror: %s\n", l.Path, humanerr.Reason(errors.New(l.Error)))
		return
	}
	// No pulse or no tonal content: say so rather than print a zero.
	tempo := "no beat"
	if l.BPM > 0 {
		tempo = fmt.Sprintf("%.1f BPM %.2f", l.BPM, l.BPMConfidence)
	}
	key := "no key"
	if l.Key != "" {
		key = fmt.Sprintf("%s · %s %.2f", l.Camelot, l.Key, l.KeyConfidence) // as the app writes it
	}
	warn := ""
	if l.Warning != "" {
		warn = "\twarning: " + l.Warning
	}
	fmt.Fprintf(p.w, "%s\t%s\t%s\tenergy %.0f\tdance %.0f\tbright %.0f\t%.1f LUFS\t%.1f s%s\n",
		l.Path, tempo, key, l.Energy, l.Danceability, l.Brightness, l.LoudnessLUFS, l.DurationS, warn)
}

// progress writes "[done/total] name" to stderr when it is a terminal.
type progress struct {
	w           io.Writer
	total, n    int
	interactive bool
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.interactive = true
		}
	}
	return p
}

func (p *progress) done(path string) {
	p.n++
	if p.interactive {
		name := filepath.Base(path)
		if len(name) > 60 {
			name = name[:57] + "..."
		}
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] %s", p.n, p.total, name)
	}
}

func (p *progress) finish() {
	if p.interactive && p.n > 0 {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
