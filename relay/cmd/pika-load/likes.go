package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// likeStats counts the LIKE frames the tool sent and those it could not.
type likeStats struct {
	sent        atomic.Int64
	writeErrors atomic.Int64
	behind      atomic.Int64 // owed while the tool itself was stalled
	queueFull   atomic.Int64 // writers were blocked on slow sockets
	allLiked    atomic.Int64 // every connected dancer already liked the play
	noPlay      atomic.Int64 // no play known yet
}

// likeJob is one LIKE for one dancer.
type likeJob struct {
	d      *dancer
	n      uint64
	playID string
}

// likeLoop sends likesPerSec LIKE frames in total until ctx ends, spread
// round-robin over the connected dancers, each liking the current play
// once. A few writer goroutines do the socket writes so that one slow
// socket does not hold up the schedule.
func (r *run) likeLoop(ctx context.Context, d *dj, dancers []*dancer, st *likeStats) {
	if r.cfg.LikesPerSec <= 0 || len(dancers) == 0 {
		return
	}
	jobs := make(chan likeJob, 1024)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 128)
			for j := range jobs {
				buf = appendLikeFrame(buf[:0], j.n, j.playID)
				if err := j.d.sendLike(buf); err != nil {
					st.writeErrors.Add(1)
					continue
				}
				st.sent.Add(1)
			}
		}()
	}
	defer wg.Wait()
	defer close(jobs)

	const tick = 10 * time.Millisecond
	p := newPacer(r.cfg.LikesPerSec, int(r.cfg.LikesPerSec/4)+1, time.Now())
	t := time.NewTicker(tick)
	defer t.Stop()
	var n uint64
	next := 0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			send, skipped := p.due(now)
			st.behind.Add(int64(skipped))
			cur := d.current.Load()
			if cur == nil {
				st.noPlay.Add(int64(send))
				continue
			}
			seq := int32(cur.seq)
			for k := 0; k < send; k++ {
				var pick *dancer
				for range dancers {
					c := dancers[next]
					next = (next + 1) % len(dancers)
					if c.open.Load() && c.liked.Load() != seq {
						pick = c
						break
					}
				}
				if pick == nil {
					st.allLiked.Add(int64(send - k))
					break
				}
				pick.liked.Store(seq)
				n++
				select {
				case jobs <- likeJob{d: pick, n: n, playID: cur.id}:
				default:
					st.queueFull.Add(1)
				}
			}
		}
	}
}
