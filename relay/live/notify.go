package live

// Notice is what a session tells dancers who are not on its page (Web
// Push): a poll started or an announcement. StageID and StageURL are set
// when the session is a set on an event's stage, whose subscribers hear
// it too.
type Notice struct {
	SessionID, StageID string
	Title, Body        string
	URL, StageURL      string // the session's dancer page, the stage's
}

// Notifier hears notices. Notify must not block: the room calls it while
// its DJ waits for the answer.
type Notifier interface {
	Notify(Notice)
}

func (r *Room) notify(title, body string) {
	n := r.m.cfg.Notifier
	if n == nil {
		return
	}
	sess := r.session()
	nt := Notice{SessionID: r.id, StageID: sess.StageID, Title: title, Body: body, URL: r.m.JoinURL(r.id)}
	if sess.StageSlug != "" {
		nt.StageURL = r.m.StageURL(sess.StageSlug)
	}
	n.Notify(nt)
}
