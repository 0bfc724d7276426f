package auth

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Token lifetimes, in days.
const (
	DefaultTokenDays = 90
	MaxTokenDays     = 365
)

// Why a token was revoked.
const (
	RevokedByOwner    = "owner"    // its user revoked it
	RevokedByAdmin    = "admin"    // an administrator revoked it
	RevokedByPassword = "password" // its user's password changed (own or reset)
	RevokedByDisable  = "disabled" // its user was disabled
)

// Token describes a personal API token; the secret itself is never kept.
type Token struct {
	County       string
	Username     string
	Place        place.Code // the user's place
	ID           int64      // 1, 2, … per user
	Label        string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	LastUsed     time.Time // zero when never used
	RevokedAt    time.Time // zero when not revoked
	RevokedBy    string
	RevokeReason string
}

// State is "revoked", "expired" or "active" at now.
func (t Token) State(now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked"
	case !now.Before(t.ExpiresAt):
		return "expired"
	}
	return "active"
}

// IssueToken creates a personal API token for p's own user valid for
// DefaultTokenDays; see IssueTokenDays.
func (s *Service) IssueToken(ctx context.Context, p Principal, label string) (string, error) {
	return s.IssueTokenDays(ctx, p, label, DefaultTokenDays)
}

// IssueTokenDays creates a personal API token for p's own user that
// expires after days (1–MaxTokenDays) and returns it (it is shown once;
// only its hash is kept). Errors: Forbidden, Invalid (invalid_label,
// invalid_days), RuleBroken (user_disabled).
func (s *Service) IssueTokenDays(ctx context.Context, p Principal, label string, days int) (string, error) {
	if err := Authorize(p, ManageTokens, ""); err != nil {
		return "", err
	}
	label = strings.TrimSpace(label)
	if label == "" || utf8.RuneCountInString(label) > 80 {
		return "", errs.F(errs.Invalid, "invalid_label", "label", "label must be 1–80 characters")
	}
	if days < 1 || days > MaxTokenDays {
		return "", errs.F(errs.Invalid, "invalid_days", "days", "a token is valid for 1–%d days", MaxTokenDays)
	}
	tok, hash := newToken()
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		// The user's row is locked so that two tokens issued at once get
		// different numbers.
		q := `SELECT disabled FROM users WHERE county = ? AND username = ?`
		if tx.Dialect() == store.Postgres {
			q += ` FOR UPDATE`
		}
		var dis int
		if err := tx.QueryRowContext(ctx, q, p.County, p.Username).Scan(&dis); errors.Is(err, sql.ErrNoRows) {
			return NotFound()
		} else if err != nil {
			return errs.Wrap(err, "auth: lock user")
		}
		if dis != 0 {
			return errs.E(errs.RuleBroken, "user_disabled", "user %s is disabled", p.Username)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM api_tokens WHERE username = ?`, p.Username).Scan(&id); err != nil {
			return errs.Wrap(err, "auth: token id")
		}
		expires := tx.Now.Add(time.Duration(days) * 24 * time.Hour)
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (county, token_hash, username, label, created_at, id, expires_at, last_used_at, revoked_at, revoked_by, revoke_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, '', '')`,
			p.County, hash, p.Username, label, clock.Micros(tx.Now), id, clock.Micros(expires)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "token.issue", Object: tokenObject(p.Username, id), Place: string(p.Place),
			After: map[string]any{"label": label, "expires": clock.Day(expires), "days": days}})
		return err
	})
	if err != nil {
		if _, ok := errs.As(err); ok && errs.KindOf(err) != errs.Internal {
			return "", err
		}
		return "", errs.Wrap(err, "auth: issue token")
	}
	return "op_" + tok, nil
}

func tokenObject(username string, id int64) string {
	return "token " + username + "/" + strconv.FormatInt(id, 10)
}

const tokenCols = `t.county, t.username, u.place, t.id, t.label, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, t.revoked_by, t.revoke_reason`

func scanToken(sc interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var pl string
	var cat, exp, used, rev int64
	if err := sc.Scan(&t.County, &t.Username, &pl, &t.ID, &t.Label, &cat, &exp, &used, &rev, &t.RevokedBy, &t.RevokeReason); err != nil {
		return t, err
	}
	t.Place = place.Code(pl)
	t.CreatedAt, t.ExpiresAt = clock.FromMicros(cat), clock.FromMicros(exp)
	if used > 0 {
		t.LastUsed = clock.FromMicros(used)
	}
	if rev > 0 {
		t.RevokedAt = clock.FromMicros(rev)
	}
	return t, nil
}

func (s *Service) queryTokens(ctx context.Context, where string, args ...any) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.username = t.username WHERE `+where+` ORDER BY t.username, t.id`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "auth: tokens")
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, errs.Wrap(err, "auth: scan token")
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// canSeeTokens says whether actor may list username's tokens: their own,
// or (administrators and auditors) those of a user in their subtree.
// A user outside it is NotFound.
func (s *Service) canSeeTokens(ctx context.Context, actor Principal, username string) (User, error) {
	u, err := s.user(ctx, normUsername(username))
	if err != nil {
		return User{}, err
	}
	if u.Username == actor.Username {
		return u, Authorize(actor, ManageTokens, "")
	}
	return u, Authorize(actor, ViewUsers, u.Place)
}

// Tokens lists username's API tokens, newest last, revoked and expired
// ones included. The user sees their own; administrators and auditors
// those of the users in their subtree. Errors: NotFound, Forbidden.
func (s *Service) Tokens(ctx context.Context, actor Principal, username string) ([]Token, error) {
	u, err := s.canSeeTokens(ctx, actor, username)
	if err != nil {
		return nil, err
	}
	return s.queryTokens(ctx, `t.username = ?`, u.Username)
}

// SubtreeTokens lists the API tokens of every user in actor's subtree
// (administrators and auditors). Errors: Forbidden.
func (s *Service) SubtreeTokens(ctx context.Context, actor Principal) ([]Token, error) {
	if err := Authorize(actor, ViewUsers, ""); err != nil {
		return nil, err
	}
	lo, hi := place.Range(actor.Prefix())
	return s.queryTokens(ctx, `t.county = ? AND u.place BETWEEN ? AND ?`, actor.County, lo, hi)
}

// RevokeToken revokes token id of username: the user their own, an
// administrator any of a user in their subtree. Errors: NotFound
// (unknown_token, or the user is outside the subtree), Forbidden,
// Conflict (already_revoked).
func (s *Service) RevokeToken(ctx context.Context, actor Principal, username string, id int64) error {
	u, err := s.user(ctx, normUsername(username))
	if err != nil {
		return err
	}
	reason := RevokedByOwner
	if u.Username == actor.Username {
		err = Authorize(actor, ManageTokens, "")
	} else {
		reason = RevokedByAdmin
		err = Authorize(actor, ManageUsers, u.Place)
	}
	if err != nil {
		return err
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var rev int64
		var label string
		err := tx.QueryRowContext(ctx, `SELECT revoked_at, label FROM api_tokens WHERE username = ? AND id = ?`, u.Username, id).Scan(&rev, &label)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.F(errs.NotFound, "unknown_token", "id", "user %s has no token %d", u.Username, id)
		}
		if err != nil {
			return errs.Wrap(err, "auth: token")
		}
		if rev != 0 {
			return errs.F(errs.Conflict, "already_revoked", "id", "token %d of %s is already revoked", id, u.Username)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE username = ? AND id = ?`,
			clock.Micros(tx.Now), actor.Username, reason, u.Username, id); err != nil {
			return errs.Wrap(err, "auth: revoke token")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: u.County, Actor: actor.Username, Action: "token.revoke", Object: tokenObject(u.Username, id), Place: string(u.Place),
			After: map[string]string{"label": label, "reason": reason}})
		return err
	})
}

// revokeAllTx revokes every live token of username (a password change or
// a disable) and returns how many.
func revokeAllTx(ctx context.Context, tx *store.Tx, username, actor, reason string) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE username = ? AND revoked_at = 0`,
		clock.Micros(tx.Now), actor, reason, username)
	if err != nil {
		return 0, errs.Wrap(err, "auth: revoke tokens")
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// The answers to a token that does not work. Each is Unauthenticated
// (401) with its own stable code.
var (
	errNoToken      = errs.E(errs.Unauthenticated, "unauthenticated", "a valid API token is required (Authorization: Bearer …)")
	errTokenExpired = errs.E(errs.Unauthenticated, "token_expired", "this API token has expired; issue a new one under Settings → API tokens")
	errTokenRevoked = errs.E(errs.Unauthenticated, "token_revoked", "this API token was revoked; issue a new one under Settings → API tokens")
)

// TokenPrincipal returns the user of an API token. Errors: Unauthenticated
// (unauthenticated, token_expired, token_revoked).
func (s *Service) TokenPrincipal(ctx context.Context, tok string) (Principal, error) {
	p, _, err := s.UseToken(ctx, tok)
	return p, err
}

// UseToken returns the user of an API token and the token, recording its
// use (at most once a minute, so that reads stay reads). A disabled user's
// token does not work. Errors: Unauthenticated (unauthenticated,
// token_expired, token_revoked).
func (s *Service) UseToken(ctx context.Context, tok string) (Principal, Token, error) {
	raw, ok := strings.CutPrefix(tok, "op_")
	if !ok || len(raw) > 100 {
		return Principal{}, Token{}, errNoToken
	}
	var u User
	var t Token
	var cat, exp, used, rev int64
	err := s.db.QueryRowContext(ctx, `SELECT `+prefixed("u", userCols)+`, t.id, t.label, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = ?`,
		tokenHash(raw)).Scan(scanInto(&u, &t.ID, &t.Label, &cat, &exp, &used, &rev)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, Token{}, errNoToken
	}
	if err != nil {
		return Principal{}, Token{}, errs.Wrap(err, "auth: token")
	}
	u.finishScan()
	t.County, t.Username, t.Place = u.County, u.Username, u.Place
	t.CreatedAt, t.ExpiresAt = clock.FromMicros(cat), clock.FromMicros(exp)
	now := s.now()
	switch {
	case rev != 0:
		return Principal{}, Token{}, errTokenRevoked
	case u.Disabled:
		return Principal{}, Token{}, errTokenRevoked
	case clock.Micros(now) >= exp:
		return Principal{}, Token{}, errTokenExpired
	}
	if clock.Micros(now)-used > time.Minute.Microseconds() {
		if err := s.db.Write(ctx, now, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE county = ? AND token_hash = ?`, clock.Micros(now), u.County, tokenHash(raw))
			return err
		}); err != nil {
			return Principal{}, Token{}, errs.Wrap(err, "auth: touch token")
		}
		used = clock.Micros(now)
	}
	t.LastUsed = clock.FromMicros(used)
	return u.Principal(), t, nil
}
