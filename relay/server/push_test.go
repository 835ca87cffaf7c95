package server_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/hkdf"
	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

var b64 = base64.RawURLEncoding

// browserKeys is what a browser keeps for one subscription: its ECDH key
// pair and auth secret, with which the test decrypts what arrives.
type browserKeys struct {
	priv *ecdh.PrivateKey
	auth []byte
}

func newBrowserKeys(t *testing.T) browserKeys {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return browserKeys{priv: priv, auth: auth}
}

// decrypt opens an RFC 8291 aes128gcm body (one record).
func (k browserKeys) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, fmt.Errorf("body of %d bytes has no aes128gcm header", len(body))
	}
	salt, idLen := body[:16], int(body[20])
	_ = binary.BigEndian.Uint32(body[16:20]) // record size: one record here
	if len(body) < 21+idLen {
		return nil, fmt.Errorf("truncated key id")
	}
	asPub, ct := body[21:21+idLen], body[21+idLen:]
	pub, err := ecdh.P256().NewPublicKey(asPub)
	if err != nil {
		return nil, fmt.Errorf("sender key: %w", err)
	}
	secret, err := k.priv.ECDH(pub)
	if err != nil {
		return nil, err
	}
	info := append(append([]byte("WebPush: info\x00"), k.priv.PublicKey().Bytes()...), asPub...)
	ikm := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, k.auth, info), ikm); err != nil {
		return nil, err
	}
	cek, nonce := make([]byte, 16), make([]byte, 12)
	if _, err := io.ReadFull(hkdf.New(sha256.New, ikm, salt, []byte("Content-Encoding: aes128gcm\x00")), cek); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, ikm, salt, []byte("Content-Encoding: nonce\x00")), nonce); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, fmt.Errorf("open record: %w", err)
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		return nil, fmt.Errorf("last record lacks its 0x02 delimiter")
	}
	return plain[:len(plain)-1], nil
}

// checkVAPID verifies "vapid t=JWT, k=KEY": k is the relay's key and the
// JWT is ES256-signed by it for the endpoint's origin.
func checkVAPID(header, wantKey, aud string) error {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return fmt.Errorf("authorization %q is not vapid", header)
	}
	var tok, key string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			tok = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			key = v
		}
	}
	if key != wantKey {
		return fmt.Errorf("k=%q, the relay's key is %q", key, wantKey)
	}
	raw, err := b64.DecodeString(key)
	if err != nil {
		return fmt.Errorf("k is not base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return fmt.Errorf("k is not a P-256 point: %w", err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fmt.Errorf("t is not a JWT")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return fmt.Errorf("JWT signature is not ES256")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return fmt.Errorf("JWT signature does not verify with the relay's key")
	}
	var hdr struct{ Alg string }
	hb, _ := b64.DecodeString(parts[0])
	if err := json.Unmarshal(hb, &hdr); err != nil || hdr.Alg != "ES256" {
		return fmt.Errorf("JWT header %s", hb)
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	cb, _ := b64.DecodeString(parts[1])
	if err := json.Unmarshal(cb, &claims); err != nil {
		return fmt.Errorf("JWT claims %s: %w", cb, err)
	}
	if claims.Aud != aud || claims.Sub == "" || time.Unix(claims.Exp, 0).Before(time.Now()) {
		return fmt.Errorf("JWT claims %s, want aud %s, a sub and a future exp", cb, aud)
	}
	return nil
}

type pushed struct {
	path, auth, encoding string
	body                 []byte
}

// pushService is a push service on 127.0.0.1: paths under /gone/ answer
// 410, the others 201.
func pushService(t *testing.T) (*httptest.Server, chan pushed) {
	got := make(chan pushed, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- pushed{path: r.URL.Path, auth: r.Header.Get("Authorization"), encoding: r.Header.Get("Content-Encoding"), body: b}
		if strings.HasPrefix(r.URL.Path, "/gone/") {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func postJSON(t *testing.T, method, url string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func subscription(endpoint string, k browserKeys, sessionID string) map[string]any {
	return map[string]any{
		"endpoint":  endpoint,
		"keys":      map[string]string{"p256dh": b64.EncodeToString(k.priv.PublicKey().Bytes()), "auth": b64.EncodeToString(k.auth)},
		"sessionId": sessionID,
	}
}

func next(t *testing.T, got chan pushed, what string) pushed {
	t.Helper()
	select {
	case p := <-got:
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("no push for %s", what)
		return pushed{}
	}
}

func TestPushDeliversEncryptedAndSigned(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) {
		c.Push.AllowLoopbackHTTP = true
		c.Push.Workers = 1 // notices in order: the 410's removal precedes the next notice
	}))
	svc, got := pushService(t)
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	dj, reg := r.StartSession(t, token, "Friday Social", "")

	var key struct{ PublicKey string }
	resp, err := http.Get(r.URL + "/api/push/key")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&key)
	resp.Body.Close()
	if raw, err := b64.DecodeString(key.PublicKey); err != nil || len(raw) != 65 {
		t.Fatalf("push key %q is not a base64url P-256 point", key.PublicKey)
	}

	live, gone := newBrowserKeys(t), newBrowserKeys(t)
	for _, s := range []struct {
		path string
		k    browserKeys
	}{{"/ok/abc", live}, {"/gone/def", gone}} {
		if code, body := postJSON(t, http.MethodPost, r.URL+"/api/push/subscriptions", subscription(svc.URL+s.path, s.k, reg.SessionID)); code != http.StatusCreated {
			t.Fatalf("subscribe %s: %d %s", s.path, code, body)
		}
	}

	dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Blues next?", Options: []string{"Yes", "No"}})
	for range 2 {
		p := next(t, got, "the poll")
		k := live
		if strings.HasPrefix(p.path, "/gone/") {
			k = gone
		}
		if p.encoding != "aes128gcm" {
			t.Errorf("%s: Content-Encoding %q", p.path, p.encoding)
		}
		if err := checkVAPID(p.auth, key.PublicKey, svc.URL); err != nil {
			t.Errorf("%s: %v", p.path, err)
		}
		plain, err := k.decrypt(p.body)
		if err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		var msg struct{ Title, Body, URL string }
		if err := json.Unmarshal(plain, &msg); err != nil || msg.Title != "New poll" || msg.Body != "Blues next?" || msg.URL != reg.JoinURL {
			t.Errorf("%s: payload %s", p.path, plain)
		}
	}

	// The 410 removed its subscription: the next two notices reach only
	// the live one (the second proves the first was wholly delivered).
	for _, text := range []string{"Last dance at midnight", "Water at the bar"} {
		dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: text})
		p := next(t, got, text)
		if p.path != "/ok/abc" {
			t.Fatalf("%q went to %s after it answered 410", text, p.path)
		}
		plain, err := live.decrypt(p.body)
		if err != nil || !strings.Contains(string(plain), text) {
			t.Fatalf("announcement payload %s, %v", plain, err)
		}
	}
	if strings.Contains(r.Logs(), "/ok/abc") || strings.Contains(r.Logs(), "/gone/def") {
		t.Error("the relay logged a subscription's endpoint path")
	}

	// Unsubscribing ends deliveries.
	if code, body := postJSON(t, http.MethodDelete, r.URL+"/api/push/subscriptions", map[string]string{"endpoint": svc.URL + "/ok/abc"}); code != http.StatusNoContent {
		t.Fatalf("unsubscribe: %d %s", code, body)
	}
	dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "After unsubscribe"})
	dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Fence?", Options: []string{"a", "b"}})
	select {
	case p := <-got:
		t.Fatalf("a push reached %s after unsubscribing", p.path)
	default:
	}
}

func TestPushRefusesHostileSubscriptions(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) {
		c.Push.AllowLoopbackHTTP = true
		c.PushRate, c.PushBurst = rate.Every(time.Hour), 11 // the cases below, then a refusal
	}))
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	_, reg := r.StartSession(t, token, "Friday Social", "")
	k := newBrowserKeys(t)
	good := func(edit func(m map[string]any)) map[string]any {
		m := subscription("https://push.example/send/abc", k, reg.SessionID)
		edit(m)
		return m
	}
	offCurve := make([]byte, 65)
	offCurve[0] = 4
	offCurve[64] = 1
	for _, tc := range []struct {
		name string
		body any
		code int
		want string
	}{
		{"http endpoint", good(func(m map[string]any) { m["endpoint"] = "http://push.example/send/abc" }), 400, "the endpoint must be https"},
		{"private address", good(func(m map[string]any) { m["endpoint"] = "https://10.0.0.7/send" }), 400, "public push service"},
		{"huge endpoint", good(func(m map[string]any) { m["endpoint"] = "https://push.example/" + strings.Repeat("a", 2000) }), 400, "at most 1024"},
		{"key off the curve", good(func(m map[string]any) {
			m["keys"] = map[string]string{"p256dh": b64.EncodeToString(offCurve), "auth": b64.EncodeToString(k.auth)}
		}), 400, "not a P-256 public key"},
		{"huge key", good(func(m map[string]any) {
			m["keys"] = map[string]string{"p256dh": strings.Repeat("A", 5000), "auth": b64.EncodeToString(k.auth)}
		}), 400, "too long"},
		{"short auth", good(func(m map[string]any) {
			m["keys"] = map[string]string{"p256dh": b64.EncodeToString(k.priv.PublicKey().Bytes()), "auth": "AAAA"}
		}), 400, "must be 16"},
		{"both targets", good(func(m map[string]any) { m["stageSlug"] = "main" }), 400, "exactly one of sessionId and stageSlug"},
		{"no target", good(func(m map[string]any) { delete(m, "sessionId") }), 400, "exactly one of sessionId and stageSlug"},
		{"unknown session", good(func(m map[string]any) { m["sessionId"] = "nosuchsession0000" }), 404, "no such session"},
		{"huge body", `{"endpoint":"` + strings.Repeat("x", 40<<10) + `"}`, 413, ""},
		{"accepted", good(func(map[string]any) {}), 201, ""},
		{"rate limited", good(func(map[string]any) {}), 429, "too many push subscriptions from your address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := postJSON(t, http.MethodPost, r.URL+"/api/push/subscriptions", tc.body)
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Fatalf("answer %d %s, want %d with %q", code, body, tc.code, tc.want)
			}
		})
	}
}

// TestPushReachesStageSubscribers: a dancer subscribed to a stage hears
// the polls of whichever set is on it, with the stage's link.
func TestPushReachesStageSubscribers(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Push.AllowLoopbackHTTP = true }))
	svc, got := pushService(t)
	org, ev, st := eventWithStage(t, r)
	ana := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	invite(t, r, org, ev.ID, ana, protocol.RoleDJ)
	k := newBrowserKeys(t)
	sub := subscription(svc.URL+"/stage/xyz", k, "")
	delete(sub, "sessionId")
	sub["stageSlug"] = st.Slug
	if code, body := postJSON(t, http.MethodPost, r.URL+"/api/push/subscriptions", sub); code != http.StatusCreated {
		t.Fatalf("subscribe to the stage: %d %s", code, body)
	}
	dj, f := goLiveOn(t, r, ana, "Friday social", st.ID)
	if _, ok := f.Payload.(*protocol.SessionRegistered); !ok {
		t.Fatalf("go live on the stage: %s %v", f.Type, f.Err())
	}
	dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Shim sham?", Options: []string{"Yes", "Later"}})
	p := next(t, got, "the stage's poll")
	plain, err := k.decrypt(p.body)
	if err != nil {
		t.Fatal(err)
	}
	var msg struct{ Title, Body, URL string }
	if err := json.Unmarshal(plain, &msg); err != nil || msg.Body != "Shim sham?" || msg.URL != st.URL {
		t.Fatalf("payload %s, want the poll with the stage's link %s", plain, st.URL)
	}
}
