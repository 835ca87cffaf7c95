package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/pikadj/pika/relay/internal/auth"
	"github.com/pikadj/pika/relay/internal/loginguard"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

const maxJSONBody = 16 << 10

// decodeJSON reads a small JSON body strictly.
func decodeJSON(c echo.Context, v any) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apiBodyTooLarge
		}
		return apiBodyNotObject
	}
	if _, err := dec.Token(); err != io.EOF {
		return apiBodyNotOne
	}
	return nil
}

// dummyHash is compared against when an email is unknown, so a wrong email
// takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("pika-no-such-account"), bcrypt.DefaultCost)

func (s *Server) register(c echo.Context) error {
	var req protocol.RegisterRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	email, err := auth.NormaliseEmail(req.Email)
	if err != nil {
		return badRequest(err.Error())
	}
	if err := auth.CheckPassword(req.Password); err != nil {
		return badRequest(err.Error())
	}
	name, err := auth.CleanName("displayName", req.DisplayName, auth.MaxNameLen)
	if err != nil {
		return badRequest(err.Error())
	}
	// The hash is made whether or not the email is taken, so both take
	// as long.
	hash, err := bcrypt.GenerateFromPassword([]byte(req.Password), s.cfg.BcryptCost)
	if err != nil {
		return err
	}
	dj, _, err := s.store.CreateDJ(c.Request().Context(), email, string(hash), name, "", "")
	switch {
	case errors.Is(err, store.ErrEmailTaken):
		// Answered exactly as a new account: see relay/README.md,
		// "Accounts, tokens and health". Nothing changes on the account.
		s.log.Info("registration for an existing email ignored")
	case err != nil:
		return err
	default:
		s.log.Info("dj registered", "dj", dj.ID)
	}
	return c.JSON(http.StatusAccepted, protocol.RegisterResponse{Message: protocol.RegisterMessage})
}

func (s *Server) login(c echo.Context) error {
	var req protocol.LoginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	email, err := auth.NormaliseEmail(req.Email)
	if err != nil {
		email = strings.ToLower(strings.TrimSpace(req.Email)) // still counted against
	}
	ip := c.RealIP()
	if wait := s.logins.Wait(email, ip); wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return echo.NewHTTPError(http.StatusTooManyRequests, loginguard.Message(wait))
	}
	acct, ok, err := s.checkLogin(c.Request().Context(), email, err == nil, req.Password)
	if err != nil {
		return err
	}
	if !ok {
		s.logins.Failed(email, ip)
		return apiWrongLogin
	}
	s.logins.Succeeded(email, ip)
	raw := auth.NewToken()
	name := "Web sign-in " + time.Now().UTC().Format("2006-01-02")
	if _, err := s.store.CreateToken(c.Request().Context(), acct.ID, name, auth.HashToken(raw)); err != nil {
		return err
	}
	s.log.Info("dj logged in", "dj", acct.ID)
	return c.JSON(http.StatusOK, protocol.AuthResponse{DJ: acct.DJ, Token: raw})
}

// checkLogin reports whether password is the account's; a wrong email
// costs the same bcrypt comparison as a wrong password.
func (s *Server) checkLogin(ctx context.Context, email string, validEmail bool, password string) (store.DJAccount, bool, error) {
	if !validEmail || len(password) > auth.MaxPasswordLen {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return store.DJAccount{}, false, nil
	}
	acct, err := s.store.DJByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return store.DJAccount{}, false, nil
	}
	if err != nil {
		return store.DJAccount{}, false, err
	}
	if bcrypt.CompareHashAndPassword([]byte(acct.PasswordHash), []byte(password)) != nil {
		return store.DJAccount{}, false, nil
	}
	return acct, true, nil
}

// requireDJ authenticates "Authorization: Bearer pk_dj_…".
func (s *Server) requireDJ(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		raw, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !auth.LooksLikeToken(strings.TrimSpace(raw)) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="pika"`)
			return apiTokenRequired
		}
		dj, tok, err := s.authenticate(c.Request().Context(), strings.TrimSpace(raw))
		if errors.Is(err, errUnknownToken) {
			return apiUnknownToken
		}
		if err != nil {
			return err
		}
		c.Set("dj", dj)
		c.Set("token", tok)
		return next(c)
	}
}

// authenticate resolves a raw token; an unknown token is errUnknownToken,
// any other error a failure to check it.
func (s *Server) authenticate(ctx context.Context, raw string) (protocol.DJ, store.Token, error) {
	dj, tok, err := s.store.Authenticate(ctx, auth.HashToken(raw))
	if errors.Is(err, store.ErrNotFound) {
		return protocol.DJ{}, store.Token{}, errUnknownToken
	}
	return dj, tok, err
}

func currentDJ(c echo.Context) (protocol.DJ, store.Token) {
	return c.Get("dj").(protocol.DJ), c.Get("token").(store.Token)
}

func (s *Server) me(c echo.Context) error {
	dj, _ := currentDJ(c)
	return c.JSON(http.StatusOK, dj)
}

func (s *Server) listTokens(c echo.Context) error {
	dj, cur := currentDJ(c)
	toks, err := s.store.Tokens(c.Request().Context(), dj.ID)
	if err != nil {
		return err
	}
	out := make([]protocol.TokenInfo, 0, len(toks))
	for _, t := range toks {
		out = append(out, t.Info(t.ID == cur.ID))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) createToken(c echo.Context) error {
	dj, _ := currentDJ(c)
	var req protocol.CreateTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	name, err := auth.CleanName("name", req.Name, auth.MaxTokenNameLen)
	if err != nil {
		return badRequest(err.Error())
	}
	raw := auth.NewToken()
	tok, err := s.store.CreateToken(c.Request().Context(), dj.ID, name, auth.HashToken(raw))
	if err != nil {
		return err
	}
	s.log.Info("token created", "dj", dj.ID, "token_id", tok.ID)
	return c.JSON(http.StatusCreated, protocol.CreatedToken{TokenInfo: tok.Info(false), Token: raw})
}

func (s *Server) deleteToken(c echo.Context) error {
	dj, _ := currentDJ(c)
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchToken
	}
	err := s.store.DeleteToken(c.Request().Context(), dj.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return apiNoSuchToken
	}
	if err != nil {
		return err
	}
	s.log.Info("token revoked", "dj", dj.ID, "token_id", id, "connections_closed", s.live.RevokeToken(id))
	return c.NoContent(http.StatusNoContent)
}
