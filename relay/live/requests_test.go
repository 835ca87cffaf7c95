package live

import (
	"context"
	"testing"

	"github.com/pikadj/pika/shared/protocol"
)

// TestCatalogueDroppedAtEnd: the request list lives as long as its
// session; a dancer still connected can no longer search it.
func TestCatalogueDroppedAtEnd(t *testing.T) {
	ctx := context.Background()
	f := setup(t, Config{})
	dj, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Short"})
	if pe := dj.RequestSettings(ctx, &protocol.RequestSettings{Enabled: true}); pe != nil {
		t.Fatal(pe)
	}
	if pe := dj.Catalogue(ctx, &protocol.Catalogue{Reset: true, Tracks: []protocol.CatalogueTrack{{ID: "a", Artist: "X", Title: "Sway"}}}); pe != nil {
		t.Fatal(pe)
	}
	dancer, st := f.join(t, newPeer(), reg.SessionID, "")
	if st.Requests == nil || st.Requests.Tracks != 1 {
		t.Fatalf("requests status %+v", st.Requests)
	}
	r := f.m.roomOf(reg.SessionID)
	if pe := dj.End(ctx); pe != nil {
		t.Fatal(pe)
	}
	r.req.mu.Lock()
	n := len(r.req.cat.byID)
	r.req.mu.Unlock()
	if n != 0 {
		t.Errorf("the ended session still holds %d catalogue tracks", n)
	}
	if _, pe := dancer.Search(ctx, "192.0.2.1", &protocol.SearchCatalogue{Query: "sway"}); pe == nil || pe.Code != protocol.CodeSessionEnded {
		t.Errorf("search after the end: %v, want session_ended", pe)
	}
}
