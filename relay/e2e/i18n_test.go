package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// speaking makes the tab's browser speak lang (an Accept-Language list:
// navigator.language(s) and the header) in the clock of timeZone.
func (p *page) speaking(acceptLanguage, timeZone string) *page {
	p.t.Helper()
	ua := eval[string](p, `navigator.userAgent`)
	if _, err := chromedp.Call(p.ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: acceptLanguage}); err != nil {
		p.fatalf("Emulation.setUserAgentOverride: %v", err)
	}
	first, _, _ := strings.Cut(acceptLanguage, ",")
	if _, err := chromedp.Call(p.ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: strings.ReplaceAll(first, "-", "_")}); err != nil {
		p.fatalf("Emulation.setLocaleOverride: %v", err)
	}
	if _, err := chromedp.Call(p.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: timeZone}); err != nil {
		p.fatalf("Emulation.setTimezoneOverride: %v", err)
	}
	return p
}

// TestDancerPageInTheBrowsersLanguage: a phone set to Polish gets the
// dancer page in Polish, its counts in Polish plural forms and its clock
// written the Polish way; the switch turns it to German, and the choice
// stays for the next visit; the recap follows.
func TestDancerPageInTheBrowsersLanguage(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	out := outputDir(t)
	token := r.RegisterDJ(t, "ola@example.com", "DJ Ola")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Piątkowa potańcówka"})
	d.play(trackSlowBurn)
	livePath := r.URL + "/live/" + d.sessionID

	p := b.newPage(t, "Polish phone", 390, 844)
	// The landing page, not /live: with one live set that page goes to
	// it by itself, which would cut the next navigation short.
	p.open(r.URL + "/")
	p.speaking("pl-PL,pl,en", "Europe/Warsaw")

	step(t, "the page comes in Polish")
	p.open(livePath)
	p.waitText("#now-title", "Slow Burn")
	p.waitAttr("html", "lang", "pl")
	p.waitText("#now .label", "Teraz gra")
	p.waitText(".tempo button[data-vote=perfect] .what", "Idealnie")
	p.waitText("#now-feel", "Taneczność")
	p.waitText(".session-line", "gra DJ Ola")
	p.waitText("#listeners", "1 tancerz")
	if got := eval[string](p, `document.querySelector('#lang').value`); got != "pl" {
		t.Errorf("the switch shows %q, want pl", got)
	}

	step(t, "the listener count in Polish plural forms: 1 tancerz, 2 tancerze, 5 tancerzy")
	others := []*page{}
	for _, tc := range []struct {
		dancers int
		want    string
	}{{2, "2 tancerze"}, {5, "5 tancerzy"}} {
		for len(others)+1 < tc.dancers {
			o := b.newPage(t, fmt.Sprintf("dancer %d", len(others)+2), 390, 844)
			o.open(livePath)
			o.waitText("#now-title", "Slow Burn")
			others = append(others, o)
		}
		p.waitJS("listeners "+tc.want, `(want) => document.querySelector('#listeners').textContent === want`, tc.want)
	}

	step(t, "a poll's votes in Polish, and the clock of the history the Polish way")
	d.startPoll("Blues teraz?", "Tak", "Nie")
	p.click(`#poll-options button[data-index="0"]`)
	p.waitText("#poll-status", "Głos oddany · 1 głos")
	others[0].click(`#poll-options button[data-index="1"]`)
	p.waitText("#poll-status", "Głos oddany · 2 głosy")
	// Polish writes the time on a 24-hour clock with no AM/PM: 21:05.
	clock := p.text("#history li .time")
	if !regexp.MustCompile(`^\d{2}:\d{2}$`).MatchString(clock) {
		t.Errorf("history time %q, want the Polish 24-hour clock (HH:MM)", clock)
	}
	p.screenshot(out, "i18n-dancer-pl.png", true)

	step(t, "the switch turns the page to German, and it is remembered")
	eval[bool](p, `(() => { const s = document.querySelector('#lang'); s.value = 'de'; s.dispatchEvent(new Event('change')); return true; })()`)
	p.waitAttr("html", "lang", "de")
	p.waitText("#now .label", "Läuft gerade")
	p.waitText(".tempo button[data-vote=faster] .what", "Schneller")
	p.waitText("#poll-status", "2 Stimmen")
	p.open(livePath)
	p.waitAttr("html", "lang", "de")
	p.waitText("#now .label", "Läuft gerade")
	p.screenshot(out, "i18n-dancer-de.png", true)

	step(t, "the recap in German: dates and counts in the reader's locale")
	for _, o := range others {
		o.open("about:blank")
	}
	d.request(protocol.TypeEndSession, protocol.Empty{})
	p.open(r.URL + "/recap/" + d.sessionID)
	p.waitAttr("body", "data-loaded", "true")
	p.waitText("#stats", "Track")
	if got := statValue(p, "Track"); got != "1" {
		t.Errorf("recap stat Track = %q, want 1 (the singular form beside 1)", got)
	}
	// The set started moments ago: its date is today's, written in German.
	wantDate := eval[string](p, `new Date().toLocaleDateString('de-DE', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })`)
	p.waitText("#when", wantDate)
	p.waitText("#polls", "2 Stimmen")
	p.screenshot(out, "i18n-recap-de.png", true)
}

// TestCatalogueFormsAgreeWithTheBrowser: the plural forms each catalogue
// gives its messages are those the browser's Intl.PluralRules picks from,
// and the messages come out right for a range of counts; numbers are
// written in the reader's locale.
func TestCatalogueFormsAgreeWithTheBrowser(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	p := b.newPage(t, "page", 390, 844)
	p.open(r.URL + "/live")
	for _, l := range []string{"en", "pl", "de", "fr", "es"} {
		got := evalModule[string](p, "/assets/js/i18n.js", fmt.Sprintf(`
			const cat = await (await fetch('/assets/i18n/%[1]s.json')).json();
			const forms = Object.keys(cat['poll.votes']).sort().join(',');
			const browser = new Intl.PluralRules('%[1]s').resolvedOptions().pluralCategories.slice().sort().join(',');
			return forms === browser ? '' : 'catalogue ' + forms + ', browser ' + browser;`, l))
		if got != "" {
			t.Errorf("%s: plural forms disagree: %s", l, got)
		}
	}

	tests := []struct {
		accept string
		expr   string
		want   string
	}{
		{"pl-PL,pl", `m.t('poll.votes', {count: 1})`, "1 głos"},
		{"pl-PL,pl", `m.t('poll.votes', {count: 2})`, "2 głosy"},
		{"pl-PL,pl", `m.t('poll.votes', {count: 5})`, "5 głosów"},
		{"pl-PL,pl", `m.t('poll.votes', {count: 12})`, "12 głosów"},
		{"pl-PL,pl", `m.t('poll.votes', {count: 22})`, "22 głosy"},
		{"pl-PL,pl", `m.t('poll.votes', {count: 1.5})`, "1,5 głosu"},
		{"pl-PL,pl", `m.t('session.dancers', {count: 24})`, "24 tancerze"},
		{"pl-PL,pl", `m.formatNumber(12345.5, 1)`, "12\u00a0345,5"},
		{"de-DE,de", `m.t('poll.votes', {count: 1})`, "1 Stimme"},
		{"de-DE,de", `m.formatNumber(1234.5, 1)`, "1.234,5"},
		{"fr-FR,fr", `m.t('poll.votes', {count: 0})`, "0 vote"},
		{"fr-FR,fr", `m.t('poll.votes', {count: 1000000})`, "1\u202f000\u202f000 de votes"},
		{"es-ES,es", `m.t('poll.votes', {count: 3})`, "3 votos"},
		{"en-US,en", `m.t('poll.votes', {count: 1})`, "1 vote"},
		{"en-US,en", `m.formatNumber(1234.5, 1)`, "1,234.5"},
		// A language Pika! does not speak: English.
		{"ja-JP,ja", `m.lang + ' ' + m.t('poll.votes', {count: 2})`, "en 2 votes"},
		// A key no catalogue has comes out as itself.
		{"pl-PL,pl", `m.t('no.such.key')`, "no.such.key"},
	}
	for _, tc := range tests {
		t.Run(tc.accept+" "+tc.expr, func(t *testing.T) {
			q := b.newPage(t, tc.accept, 390, 844)
			q.open(r.URL + "/live")
			q.speaking(tc.accept, "UTC")
			q.open(r.URL + "/live")
			if got := evalModule[string](q, "/assets/js/i18n.js", "return "+tc.expr+";"); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

// TestShareSendsTheCard: the recap's Share button hands the relay's PNG
// card to a browser that can share files, and falls back to the link
// where it cannot (headless Chromium on Linux has no share sheet: there
// the link is copied).
func TestShareSendsTheCard(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Friday Social"})
	d.play(trackSlowBurn)
	d.request(protocol.TypeEndSession, protocol.Empty{})
	recap := r.URL + "/recap/" + d.sessionID

	res, err := http.Get(r.URL + "/api/sessions/" + d.sessionID + "/card.png")
	if err != nil {
		t.Fatal(err)
	}
	card, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET card.png: %d %v", res.StatusCode, err)
	}

	step(t, "what headless Chromium itself offers: no file sharing, so the link is copied")
	p := b.newPage(t, "browser as it is", 390, 844)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: r.URL, BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID,
		}); err != nil {
			t.Fatalf("Browser.setPermission %s: %v", name, err)
		}
	}
	p.open(recap)
	p.waitAttr("body", "data-share-card", "ready")
	canShare := eval[bool](p, `typeof navigator.canShare === 'function' && typeof navigator.share === 'function'`)
	t.Logf("headless Chromium: navigator.share and canShare present: %v", canShare)
	p.click("#share")
	p.waitJS("the share to settle", `() => !!document.body.dataset.shared`)
	how := eval[string](p, `document.body.dataset.shared`)
	switch {
	case canShare && (how == "file" || how == "link"):
	case !canShare && how == "copied":
		if got := evalModule[string](p, "/assets/js/i18n.js", `return await navigator.clipboard.readText();`); got != recap {
			t.Errorf("clipboard %q, want the recap's link %s", got, recap)
		}
	default:
		t.Errorf("share went %q with share %v", how, canShare)
	}

	step(t, "a browser that shares files gets the card as a PNG file with the link")
	q := b.newPage(t, "phone that shares files", 390, 844)
	q.open(recap)
	q.waitAttr("body", "data-share-card", "ready")
	// The share sheet itself is the phone's: here it records what it was
	// handed, which is what the page decides.
	eval[bool](q, `(() => {
		navigator.canShare = (data) => !!data && Array.isArray(data.files) && data.files.every((f) => f.type === 'image/png');
		navigator.share = async (data) => {
			const f = data.files && data.files[0];
			window.__shared = { url: data.url, title: data.title, name: f ? f.name : '', type: f ? f.type : '', bytes: f ? Array.from(new Uint8Array(await f.arrayBuffer())) : [] };
		};
		return true;
	})()`)
	q.click("#share")
	q.waitAttr("body", "data-shared", "file")
	got := eval[struct {
		URL   string `json:"url"`
		Title string `json:"title"`
		Name  string `json:"name"`
		Type  string `json:"type"`
		Bytes []int  `json:"bytes"`
	}](q, `window.__shared`)
	if got.URL != recap || got.Type != "image/png" || !strings.HasSuffix(got.Name, ".png") || !strings.Contains(got.Title, "Friday Social") {
		t.Errorf("shared %q %q %q %q, want the recap link, title and a PNG file", got.URL, got.Title, got.Name, got.Type)
	}
	if len(got.Bytes) != len(card) {
		t.Fatalf("shared a file of %d bytes, the relay's card has %d", len(got.Bytes), len(card))
	}
	for i, v := range got.Bytes {
		if byte(v) != card[i] {
			t.Fatalf("the shared file differs from the relay's card at byte %d", i)
		}
	}
}

// TestStagePageOnTheEventsClock: a stage's schedule is written on the
// event's clock (New York here) in the reader's language and way of
// writing time (Polish, a 24-hour clock), whatever the phone's own zone.
func TestStagePageOnTheEventsClock(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	out := outputDir(t)
	org := r.RegisterDJ(t, "ola@example.com", "Ola Organizer")
	today := time.Now().UTC().Format("2006-01-02")
	var ev protocol.Event
	if code := r.DoJSON(t, http.MethodPost, "/api/events", org, protocol.EventRequest{Name: "Lindy Exchange", StartsOn: today, EndsOn: today, TimeZone: "America/New_York"}, &ev); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("create event: %d", code)
	}
	var st protocol.Stage
	if code := r.DoJSON(t, http.MethodPost, "/api/events/"+ev.ID+"/stages", org, map[string]string{"name": "Sala główna"}, &st); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("create stage: %d", code)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	// 21:30 in New York tomorrow: 03:30 in Warsaw, so a page on the
	// phone's clock would show another hour.
	tomorrow := time.Now().In(ny).AddDate(0, 0, 1)
	start := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 21, 30, 0, 0, ny)
	sched := protocol.ScheduleRequest{Slots: []protocol.ScheduleSlot{{DJName: "DJ Ben", StartsAt: start, EndsAt: start.Add(90 * time.Minute)}}}
	if code := r.DoJSON(t, http.MethodPut, "/api/events/"+ev.ID+"/stages/"+st.ID+"/schedule", org, sched, nil); code != http.StatusOK {
		t.Fatalf("put schedule: %d", code)
	}

	p := b.newPage(t, "Polish phone in Warsaw", 390, 844)
	// The landing page, not /live: with one live set that page goes to
	// it by itself, which would cut the next navigation short.
	p.open(r.URL + "/")
	p.speaking("pl-PL,pl", "Europe/Warsaw")
	p.open(r.URL + "/s/" + st.Slug)
	p.waitText("#between-text", "W sali Sala główna nikt teraz nie gra.")
	p.waitText("#between-text", "Następnie: DJ Ben, ")
	p.waitText("#stage-schedule", "21:30")
	p.waitText("#stage-schedule", "23:00")
	if s := p.text("#stage-schedule"); strings.Contains(s, "03:30") || strings.Contains(s, "PM") {
		t.Errorf("schedule %q is on the phone's clock or in English, want New York's in Polish", s)
	}
	p.waitText("#stage-schedule-card h2", "Program")
	p.screenshot(out, "i18n-stage-pl.png", true)
}
