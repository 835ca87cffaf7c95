package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/internal/regfile"
)

// AnalyzeFunc measures one file. The desktop app wraps analysis.AnalyzeFile.
type AnalyzeFunc func(ctx context.Context, path string) (Analysis, error)

// Progress is a snapshot of the analysis queue, sent on every change.
// Counts are for the current run; failed files stay listed in the library
// (Filter{State: StateFailed}) with their errors.
type Progress struct {
	Running  bool // a run is active (possibly paused)
	Paused   bool
	Done     int // files finished this run, failed ones included
	Failed   int
	Total    int // Done + files still pending
	Current  []string
	ETA      time.Duration // 0 when unknown
	Rate     float64       // files per minute this run
	LastErr  *FileError    // the failure that caused this event, if any
	Finished bool          // the run ended: nothing left, or cancelled
}

// Queue analyses the library's pending tracks with a pool of workers. The
// pending state lives in the database, so a run stopped by closing the app
// carries on at the next Start.
type Queue struct {
	lib     *Library
	analyze AnalyzeFunc
	workers int

	mu       sync.Mutex
	cancel   context.CancelFunc
	done     chan struct{}
	paused   bool
	resume   chan struct{} // closed on Resume
	kick     chan struct{}
	progress Progress
	started  time.Time
	pausedAt time.Time        // when the current pause began
	pausedD  time.Duration    // time spent paused this run, left out of rates
	claimed  map[int64]bool   // handed to a worker, analysed or waiting
	current  map[int64]string // being analysed now
	subs     map[chan Progress]struct{}
}

// NewQueue makes a queue; workers <= 0 means one per CPU.
func NewQueue(lib *Library, analyze AnalyzeFunc, workers int) *Queue {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	return &Queue{lib: lib, analyze: analyze, workers: workers, kick: make(chan struct{}, 1),
		subs: map[chan Progress]struct{}{}, current: map[int64]string{}, claimed: map[int64]bool{}}
}

// Subscribe returns a channel of progress snapshots and a function that
// ends the subscription. A slow reader misses intermediate snapshots, never
// the latest one.
func (q *Queue) Subscribe() (<-chan Progress, func()) {
	ch := make(chan Progress, 16)
	q.mu.Lock()
	q.subs[ch] = struct{}{}
	p := q.snapshotLocked()
	q.mu.Unlock()
	ch <- p
	return ch, func() {
		q.mu.Lock()
		delete(q.subs, ch)
		q.mu.Unlock()
	}
}

// Progress returns the current snapshot.
func (q *Queue) Progress() Progress {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.snapshotLocked()
}

func (q *Queue) snapshotLocked() Progress {
	p := q.progress
	p.Current = nil
	for _, c := range q.current {
		p.Current = append(p.Current, c)
	}
	if p.Done > 0 && !q.started.IsZero() {
		el := time.Since(q.started) - q.pausedD
		if !q.pausedAt.IsZero() {
			el -= time.Since(q.pausedAt)
		}
		el = max(el, time.Millisecond)
		p.Rate = float64(p.Done) / el.Minutes()
		if left := p.Total - p.Done; left > 0 {
			p.ETA = time.Duration(float64(el) / float64(p.Done) * float64(left)).Round(time.Second)
		}
	}
	return p
}

func (q *Queue) publishLocked(lastErr *FileError) {
	p := q.snapshotLocked()
	p.LastErr = lastErr
	for ch := range q.subs {
		select {
		case ch <- p:
		default: // full: drop the oldest snapshot, keep the newest
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- p:
			default:
			}
		}
	}
}

// Start begins analysing pending tracks, or picks up newly queued ones if
// a run is already active. The run stops when nothing is left.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cancel != nil {
		select {
		case q.kick <- struct{}{}:
		default:
		}
		return nil
	}
	c, err := q.lib.Counts(ctx)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.cancel = cancel
	q.done = make(chan struct{})
	q.paused = false
	q.resume = make(chan struct{})
	q.started = time.Now()
	q.pausedAt, q.pausedD = time.Time{}, 0
	q.progress = Progress{Running: true, Total: c.Pending}
	q.publishLocked(nil)
	go q.run(runCtx, q.done)
	return nil
}

// Pause lets the files being analysed finish and starts no more.
func (q *Queue) Pause() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cancel == nil || q.paused {
		return
	}
	q.paused = true
	q.pausedAt = time.Now()
	q.progress.Paused = true
	q.publishLocked(nil)
}

// Resume continues a paused run.
func (q *Queue) Resume() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.paused {
		return
	}
	q.paused = false
	q.pausedD += time.Since(q.pausedAt)
	q.pausedAt = time.Time{}
	q.progress.Paused = false
	close(q.resume)
	q.resume = make(chan struct{})
	q.publishLocked(nil)
}

// Cancel stops the run now; files being analysed stay pending for the
// next Start. It returns once the workers have stopped.
func (q *Queue) Cancel() {
	q.mu.Lock()
	cancel, done := q.cancel, q.done
	q.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// Wait blocks until the current run (if any) ends or ctx is done.
func (q *Queue) Wait(ctx context.Context) error {
	q.mu.Lock()
	done := q.done
	q.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type job struct {
	id   int64
	path string
}

func (q *Queue) run(ctx context.Context, done chan struct{}) {
	jobs := make(chan job)
	freed := make(chan struct{}, 1) // a worker finished a file
	var wg sync.WaitGroup
	for range q.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if !q.waitUnpaused(ctx) {
					q.release(j.id)
					continue
				}
				q.work(ctx, j)
				select {
				case freed <- struct{}{}:
				default:
				}
			}
		}()
	}
	defer func() {
		close(jobs)
		wg.Wait()
		q.mu.Lock()
		q.cancel = nil
		q.current = map[int64]string{}
		q.claimed = map[int64]bool{}
		q.progress.Running = false
		q.progress.Paused = false
		q.progress.Finished = true
		q.paused = false
		if !q.pausedAt.IsZero() {
			q.pausedD += time.Since(q.pausedAt)
			q.pausedAt = time.Time{}
		}
		q.publishLocked(nil)
		q.mu.Unlock()
		close(done)
	}()
	for {
		q.mu.Lock()
		paused, resume := q.paused, q.resume
		skip := make(map[int64]bool, len(q.claimed))
		for id := range q.claimed {
			skip[id] = true
		}
		q.mu.Unlock()
		if paused {
			select {
			case <-resume:
			case <-ctx.Done():
				return
			}
			continue
		}
		batch, err := q.lib.pending(ctx, q.workers, skip)
		if err != nil {
			if ctx.Err() == nil {
				slog.Error("analysis queue: list pending tracks", "err", err)
			}
			return
		}
		if len(batch) == 0 {
			if len(skip) == 0 {
				// Nothing pending or running: an import may have kicked us
				// meanwhile, so look once more before ending.
				select {
				case <-q.kick:
					q.refreshTotal(ctx)
					continue
				default:
					return
				}
			}
			select {
			case <-freed:
			case <-q.kick:
				q.refreshTotal(ctx)
			case <-ctx.Done():
				return
			}
			continue
		}
		for _, t := range batch {
			q.mu.Lock()
			q.claimed[t.ID] = true
			q.mu.Unlock()
			select {
			case jobs <- job{id: t.ID, path: t.Path}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// waitUnpaused blocks while the queue is paused; false when cancelled.
func (q *Queue) waitUnpaused(ctx context.Context) bool {
	for {
		q.mu.Lock()
		paused, resume := q.paused, q.resume
		q.mu.Unlock()
		if !paused {
			return ctx.Err() == nil
		}
		select {
		case <-resume:
		case <-ctx.Done():
			return false
		}
	}
}

func (q *Queue) release(id int64) {
	q.mu.Lock()
	delete(q.claimed, id)
	delete(q.current, id)
	q.mu.Unlock()
}

func (q *Queue) refreshTotal(ctx context.Context) {
	c, err := q.lib.Counts(ctx)
	if err != nil {
		return
	}
	q.mu.Lock()
	// Pending includes files being analysed right now.
	q.progress.Total = q.progress.Done + c.Pending
	q.publishLocked(nil)
	q.mu.Unlock()
}

// work analyses one file and stores the outcome. A cancelled analysis
// leaves the track pending.
func (q *Queue) work(ctx context.Context, j job) {
	q.mu.Lock()
	q.current[j.id] = j.path
	q.publishLocked(nil)
	q.mu.Unlock()
	a, err := q.analyzeSafe(ctx, j.path)
	var fe *FileError
	switch {
	case ctx.Err() != nil:
		// cancelled: stays pending
	case err != nil:
		fe = &FileError{Path: j.path, Err: err.Error()}
		if serr := q.lib.SetFailed(ctx, j.id, err.Error()); serr != nil {
			slog.Error("analysis queue: store failure", "path", j.path, "err", serr)
		}
	default:
		if serr := q.lib.SetAnalysis(ctx, j.id, a); serr != nil {
			fe = &FileError{Path: j.path, Err: serr.Error()}
			slog.Error("analysis queue: store analysis", "path", j.path, "err", serr)
		}
	}
	q.mu.Lock()
	delete(q.current, j.id)
	delete(q.claimed, j.id)
	if ctx.Err() == nil {
		q.progress.Done++
		if fe != nil {
			q.progress.Failed++
		}
		if q.progress.Total < q.progress.Done {
			q.progress.Total = q.progress.Done
		}
	}
	q.publishLocked(fe)
	q.mu.Unlock()
}

// analyzeSafe turns a panic in a decoder into this file's error, so one
// hostile file never takes the app down.
func (q *Queue) analyzeSafe(ctx context.Context, p string) (a Analysis, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("analysis crashed on this file: %v", r)
		}
	}()
	// The file may have been swapped for a FIFO or device since the scan;
	// the analysis would block in its open.
	if err := regfile.Check(p); err != nil {
		return Analysis{}, err
	}
	a, err = q.analyze(ctx, p)
	if err == nil && !(a.BPM > 0) {
		err = errors.New("analysis found no tempo")
	}
	return a, err
}
