package server_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestRecapTotalsAgreeUnderLikes: recaps read while dancers like and
// unlike always have a total equal to the sum of their plays' likes.
func TestRecapTotalsAgreeUnderLikes(t *testing.T) {
	// Recaps are read as fast as they come: above the per-address limit.
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Limits.ReadBurst = 1 << 20 }))
	l := startLive(t, r, "")
	const dancers, each = 40, 28 // under the per-connection burst
	clients := make([]*relaytest.Client, dancers)
	for i := range clients {
		clients[i], _ = r.Join(t, l.reg.SessionID, fmt.Sprintf("client-recap-%03d", i), "")
	}
	var (
		wg   sync.WaitGroup
		done atomic.Bool
	)
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				typ := protocol.TypeLike
				if i%2 == 1 {
					typ = protocol.TypeUnlike
				}
				c.Request(t, typ, protocol.Like{PlayID: l.play.PlayID})
			}
		}()
	}
	go func() { wg.Wait(); done.Store(true) }()
	recaps := 0
	for !done.Load() || recaps == 0 {
		var rc protocol.Recap
		if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap", "", nil, &rc); code != http.StatusOK {
			t.Fatalf("recap %d", code)
		}
		sum := 0
		for _, p := range rc.Plays {
			sum += p.Likes
		}
		if sum != rc.TotalLikes {
			t.Fatalf("recap %d: plays have %d likes, the total says %d", recaps, sum, rc.TotalLikes)
		}
		recaps++
	}
	t.Logf("%d consistent recaps", recaps)
}
