package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Session is a signed-in browser.
type Session struct {
	Principal Principal
	CSRF      string // the token every state-changing form must carry
	CreatedAt time.Time
}

var errBadLogin = errs.E(errs.Unauthenticated, "bad_login", "wrong username or password")

// Login checks a username and password from client address ip and starts
// a session, returning the cookie token (a new one at every login).
// Errors: Unauthenticated (bad_login — the same for an unknown user and a
// wrong password; locked — after too many failures; disabled),
// Unavailable (too_many_attempts — the address is throttled). Every
// outcome is in the audit log.
func (s *Service) Login(ctx context.Context, username, password, ip string) (string, Session, error) {
	username = normUsername(username)
	now := s.now()
	if s.throttled(ip, now) {
		_ = audit.Write(ctx, s.db, now, audit.Entry{County: audit.SystemCounty, Actor: username, Action: "auth.login", Object: "address " + ip, Outcome: "throttled"})
		return "", Session{}, errs.E(errs.Unavailable, "too_many_attempts", "too many failed sign-ins from this address; wait a few minutes")
	}
	var u User
	var phc string
	var failures int
	err := s.db.QueryRowContext(ctx, `SELECT `+userCols+`, password_hash, failed_logins FROM users WHERE username = ?`, username).Scan(
		scanInto(&u, &phc, &failures)...)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(s.dummyPHC, password)
		s.failIP(ip, now)
		_ = audit.Write(ctx, s.db, now, audit.Entry{County: audit.SystemCounty, Actor: username, Action: "auth.login", Object: "unknown user " + username, Outcome: "failed"})
		return "", Session{}, errBadLogin
	}
	if err != nil {
		return "", Session{}, errs.Wrap(err, "auth: login")
	}
	u.finishScan()
	obj := "user " + u.Username
	if !u.LockedUntil.IsZero() && u.LockedUntil.After(now) {
		s.failIP(ip, now)
		_ = audit.Write(ctx, s.db, now, audit.Entry{County: u.County, Actor: u.Username, Action: "auth.login", Object: obj, Place: string(u.Place), Outcome: "locked"})
		return "", Session{}, errs.E(errs.Unauthenticated, "locked", "this account is locked after repeated failed sign-ins; try again later or ask an administrator")
	}
	if !checkPassword(phc, password) {
		s.failIP(ip, now)
		failures++
		var lockUntil int64
		outcome := "failed"
		if failures >= s.cfg.MaxFailures {
			lockUntil, failures, outcome = clock.Micros(now.Add(s.cfg.LockoutFor)), 0, "failed, locked"
		}
		err := s.db.Write(ctx, now, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = ?, locked_until = ? WHERE county = ? AND username = ?`, failures, lockUntil, u.County, u.Username); err != nil {
				return err
			}
			_, err := audit.Append(ctx, tx, audit.Entry{County: u.County, Actor: u.Username, Action: "auth.login", Object: obj, Place: string(u.Place), Outcome: outcome})
			return err
		})
		if err != nil {
			return "", Session{}, errs.Wrap(err, "auth: record failure")
		}
		return "", Session{}, errBadLogin
	}
	if u.Disabled {
		_ = audit.Write(ctx, s.db, now, audit.Entry{County: u.County, Actor: u.Username, Action: "auth.login", Object: obj, Place: string(u.Place), Outcome: "disabled"})
		return "", Session{}, errs.E(errs.Unauthenticated, "disabled", "this account is disabled")
	}
	tok, hash := newToken()
	csrf, _ := newToken()
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = 0 WHERE county = ? AND username = ?`, u.County, u.Username); err != nil {
			return err
		}
		// Expired sessions of this user are swept at each login.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = ? AND (last_seen < ? OR created_at < ?)`,
			u.Username, clock.Micros(now.Add(-s.cfg.IdleTimeout)), clock.Micros(now.Add(-s.cfg.AbsoluteTimeout))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (county, id_hash, username, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
			u.County, hash, u.Username, csrf, clock.Micros(now), clock.Micros(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: u.County, Actor: u.Username, Action: "auth.login", Object: obj, Place: string(u.Place)})
		return err
	})
	if err != nil {
		return "", Session{}, errs.Wrap(err, "auth: start session")
	}
	return tok, Session{Principal: u.Principal(), CSRF: csrf, CreatedAt: now}, nil
}

// scanInto lists scan targets for userCols followed by extra columns.
func scanInto(u *User, extra ...any) []any {
	u.scan = &userScan{}
	t := []any{&u.County, &u.Username, &u.DisplayName, &u.scan.role, &u.scan.place, &u.scan.dis, &u.scan.locked, &u.scan.cat, &u.CreatedBy, &u.scan.uat, &u.UpdatedBy}
	return append(t, extra...)
}

func (s *Service) throttled(ip string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recentFails(ip, now)) >= s.cfg.IPFailures
}

func (s *Service) failIP(ip string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ipFails[ip] = append(s.recentFails(ip, now), now)
	if len(s.ipFails) > 100000 { // bound memory under a spray of addresses
		s.ipFails = map[string][]time.Time{ip: s.ipFails[ip]}
	}
}

// recentFails drops failures older than the window; s.mu is held.
func (s *Service) recentFails(ip string, now time.Time) []time.Time {
	f := s.ipFails[ip]
	i := 0
	for i < len(f) && now.Sub(f[i]) > s.cfg.IPWindow {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(s.ipFails, ip)
		return nil
	}
	s.ipFails[ip] = f
	return f
}

// Session returns the session of a cookie token, extending its idle time.
// Errors: Unauthenticated (session_expired) when it does not exist, has
// been idle or open too long, or its user is disabled.
func (s *Service) Session(ctx context.Context, tok string) (Session, error) {
	expired := errs.E(errs.Unauthenticated, "session_expired", "your session has ended; please sign in again")
	if tok == "" || len(tok) > 100 {
		return Session{}, expired
	}
	hash := tokenHash(tok)
	var u User
	var csrf string
	var created, seen int64
	err := s.db.QueryRowContext(ctx, `SELECT `+prefixed("u", userCols)+`, s.csrf, s.created_at, s.last_seen
		FROM sessions s JOIN users u ON u.username = s.username WHERE s.id_hash = ?`, hash).Scan(scanInto(&u, &csrf, &created, &seen)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, expired
	}
	if err != nil {
		return Session{}, errs.Wrap(err, "auth: session")
	}
	u.finishScan()
	now := s.now()
	nowµ := clock.Micros(now)
	if u.Disabled || nowµ-seen > s.cfg.IdleTimeout.Microseconds() || nowµ-created > s.cfg.AbsoluteTimeout.Microseconds() {
		_ = s.db.Write(ctx, now, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE county = ? AND id_hash = ?`, u.County, hash)
			return err
		})
		return Session{}, expired
	}
	// Touch at most once a minute: reads stay reads.
	if nowµ-seen > time.Minute.Microseconds() {
		if err := s.db.Write(ctx, now, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE county = ? AND id_hash = ?`, nowµ, u.County, hash)
			return err
		}); err != nil {
			return Session{}, errs.Wrap(err, "auth: touch session")
		}
	}
	return Session{Principal: u.Principal(), CSRF: csrf, CreatedAt: clock.FromMicros(created)}, nil
}

// Logout ends the session of a cookie token (nothing if there is none).
func (s *Service) Logout(ctx context.Context, tok string) error {
	sess, err := s.Session(ctx, tok)
	if err != nil {
		return nil
	}
	p := sess.Principal
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE county = ? AND id_hash = ?`, p.County, tokenHash(tok)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "auth.logout", Object: "user " + p.Username, Place: string(p.Place)})
		return err
	})
}

// IssueToken creates a personal API token for p's own user and returns it
// (it is shown once; only its hash is kept). Errors: Forbidden.
func (s *Service) IssueToken(ctx context.Context, p Principal, label string) (string, error) {
	if err := Authorize(p, ManageTokens, ""); err != nil {
		return "", err
	}
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 80 {
		return "", errs.F(errs.Invalid, "invalid_label", "label", "label must be 1–80 characters")
	}
	tok, hash := newToken()
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (county, token_hash, username, label, created_at) VALUES (?, ?, ?, ?, ?)`,
			p.County, hash, p.Username, label, clock.Micros(tx.Now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "token.issue", Object: "token " + hash[:12], Place: string(p.Place),
			After: map[string]string{"label": label}})
		return err
	})
	if err != nil {
		return "", errs.Wrap(err, "auth: issue token")
	}
	return "op_" + tok, nil
}

// TokenPrincipal returns the user of an API token. Errors: Unauthenticated.
func (s *Service) TokenPrincipal(ctx context.Context, tok string) (Principal, error) {
	bad := errs.E(errs.Unauthenticated, "unauthenticated", "a valid API token is required (Authorization: Bearer …)")
	raw, ok := strings.CutPrefix(tok, "op_")
	if !ok || len(raw) > 100 {
		return Principal{}, bad
	}
	var u User
	err := s.db.QueryRowContext(ctx, `SELECT `+prefixed("u", userCols)+` FROM api_tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = ?`,
		tokenHash(raw)).Scan(scanInto(&u)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, bad
	}
	if err != nil {
		return Principal{}, errs.Wrap(err, "auth: token")
	}
	u.finishScan()
	if u.Disabled {
		return Principal{}, bad
	}
	return u.Principal(), nil
}

func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = alias + "." + parts[i]
	}
	return strings.Join(parts, ", ")
}

// userScan holds raw columns between Scan and finishScan.
type userScan struct {
	role, place      string
	dis              int
	locked, cat, uat int64
}

func (u *User) finishScan() {
	sc := u.scan
	u.scan = nil
	u.Role, u.Place, u.Disabled = Role(sc.role), place.Code(sc.place), sc.dis != 0
	if sc.locked > 0 {
		u.LockedUntil = clock.FromMicros(sc.locked)
	}
	u.CreatedAt, u.UpdatedAt = clock.FromMicros(sc.cat), clock.FromMicros(sc.uat)
}
