package auth

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
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

var errBadLogin = errs.E(errs.Unauthenticated, "bad_login", "wrong username or password (after repeated failures an account is locked for a while)")

// Login checks a username and password from client address ip and starts
// a session, returning the cookie token (a new one at every login).
// Errors: Unauthenticated (bad_login — the same status, code and message
// for an unknown user, a wrong password and a locked account, so that the
// answer never tells whether a user name exists; disabled — only after
// the right password), TooMany (too_many — the address is throttled; the
// error carries when to retry). Every outcome is in the audit log, the
// lockout distinctly ("locked").
func (s *Service) Login(ctx context.Context, username, password, ip string) (string, Session, error) {
	username = normUsername(username)
	now := s.now()
	if wait := s.throttled(ip, now); wait > 0 {
		_ = audit.Write(ctx, s.db, now, audit.Entry{County: audit.SystemCounty, Actor: username, Action: "auth.login", Object: "address " + ip, Outcome: "throttled"})
		return "", Session{}, errs.TooManyFor(wait, "too many failed sign-ins from this address; wait a few minutes")
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
		checkPassword(phc, password) // equal timing: a lockout looks like a wrong password
		s.failIP(ip, now)
		_ = audit.Write(ctx, s.db, now, audit.Entry{County: u.County, Actor: u.Username, Action: "auth.login", Object: obj, Place: string(u.Place), Outcome: "locked"})
		return "", Session{}, errBadLogin
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
	if errs.CodeOf(err) == "storage_full" {
		// The disk is full: no session row can be written. The user may
		// still sign in to read — the session is held in memory (it ends
		// with the process) and the sign-in goes to the server's log, as
		// the audit log cannot take it either.
		s.mu.Lock()
		if len(s.held) > 10000 {
			s.held = map[string]heldSession{}
		}
		s.held[hash] = heldSession{username: u.Username, csrf: csrf, created: now, seen: now}
		s.mu.Unlock()
		slog.Warn("auth: storage full: a sign-in is held in memory (read-only until space is freed)", "user", u.Username, "county", u.County)
		return tok, Session{Principal: u.Principal(), CSRF: csrf, CreatedAt: now}, nil
	}
	if err != nil {
		return "", Session{}, errs.Wrap(err, "auth: start session")
	}
	return tok, Session{Principal: u.Principal(), CSRF: csrf, CreatedAt: now}, nil
}

// heldSession is a session begun while the storage was full.
type heldSession struct {
	username, csrf string
	created, seen  time.Time
}

// heldSessionFor returns the session held in memory for a token hash.
func (s *Service) heldSessionFor(ctx context.Context, hash string) (Session, bool) {
	s.mu.Lock()
	h, ok := s.held[hash]
	s.mu.Unlock()
	if !ok {
		return Session{}, false
	}
	now := s.now()
	if now.Sub(h.seen) > s.cfg.IdleTimeout || now.Sub(h.created) > s.cfg.AbsoluteTimeout {
		s.mu.Lock()
		delete(s.held, hash)
		s.mu.Unlock()
		return Session{}, false
	}
	var u User
	var phc string
	var failures int
	if err := s.db.QueryRowContext(ctx, `SELECT `+userCols+`, password_hash, failed_logins FROM users WHERE username = ?`, h.username).Scan(scanInto(&u, &phc, &failures)...); err != nil {
		return Session{}, false
	}
	u.finishScan()
	if u.Disabled {
		return Session{}, false
	}
	s.mu.Lock()
	h.seen = now
	s.held[hash] = h
	s.mu.Unlock()
	return Session{Principal: u.Principal(), CSRF: h.csrf, CreatedAt: h.created}, true
}

// scanInto lists scan targets for userCols followed by extra columns.
func scanInto(u *User, extra ...any) []any {
	u.scan = &userScan{}
	t := []any{&u.County, &u.Username, &u.DisplayName, &u.scan.role, &u.scan.place, &u.scan.dis, &u.scan.locked, &u.scan.cat, &u.CreatedBy, &u.scan.uat, &u.UpdatedBy}
	return append(t, extra...)
}

// throttled returns how long ip must wait before its next sign-in, 0
// when it may sign in now.
func (s *Service) throttled(ip string, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.recentFails(ip, now)
	if len(f) < s.cfg.IPFailures {
		return 0
	}
	// The window must drop enough failures to fall under the limit.
	wait := f[len(f)-s.cfg.IPFailures].Add(s.cfg.IPWindow).Sub(now)
	if wait < time.Second {
		wait = time.Second
	}
	return wait
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
		if held, ok := s.heldSessionFor(ctx, hash); ok {
			return held, nil
		}
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
		}); err != nil && errs.CodeOf(err) != "storage_full" { // a full disk must not end the user's reading
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
	s.mu.Lock()
	delete(s.held, tokenHash(tok))
	s.mu.Unlock()
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE county = ? AND id_hash = ?`, p.County, tokenHash(tok)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "auth.logout", Object: "user " + p.Username, Place: string(p.Place)})
		return err
	})
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
