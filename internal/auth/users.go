package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Config holds the session and password rules. Zero fields take defaults.
type Config struct {
	IdleTimeout     time.Duration // a session unused this long ends (default 30 min)
	AbsoluteTimeout time.Duration // a session ends this long after login (default 12 h)
	MaxFailures     int           // consecutive failed logins before a lockout (default 5)
	LockoutFor      time.Duration // lockout length (default 15 min)
	IPFailures      int           // failed logins per address per IPWindow before throttling (default 20)
	IPWindow        time.Duration // default 10 min
	// ArgonMemoryKiB and ArgonTime tune argon2id (defaults 19456 KiB, 2:
	// OWASP's minimum). Tests may lower them.
	ArgonMemoryKiB uint32
	ArgonTime      uint32
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.IdleTimeout, 30*time.Minute)
	def(&c.AbsoluteTimeout, 12*time.Hour)
	def(&c.LockoutFor, 15*time.Minute)
	def(&c.IPWindow, 10*time.Minute)
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.IPFailures <= 0 {
		c.IPFailures = 20
	}
	if c.ArgonMemoryKiB == 0 {
		c.ArgonMemoryKiB = 19456
	}
	if c.ArgonTime == 0 {
		c.ArgonTime = 2
	}
}

// Service keeps users, places, sessions and tokens.
type Service struct {
	db  *store.DB
	now clock.Clock
	cfg Config

	mu       sync.Mutex
	ipFails  map[string][]time.Time // failed logins per client address
	trees    map[string]*place.Tree // county → place tree cache
	dummyPHC string                 // hashed once, checked for unknown users (equal timing)
	// held are sessions begun while the storage was full (no session row
	// could be written): kept in memory, by token hash, so that a user
	// can still sign in and read; they end with the process.
	held map[string]heldSession
}

// New returns the service.
func New(db *store.DB, now clock.Clock, cfg Config) *Service {
	if now == nil {
		now = clock.System
	}
	cfg.defaults()
	s := &Service{db: db, now: now, cfg: cfg, ipFails: map[string][]time.Time{}, trees: map[string]*place.Tree{}, held: map[string]heldSession{}}
	s.dummyPHC, _ = s.HashPassword("unknown user, equal timing")
	return s
}

// User is an account that signs in.
type User struct {
	County      string
	Username    string
	DisplayName string
	Role        Role
	Place       place.Code
	Disabled    bool
	LockedUntil time.Time // zero when not locked
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
	UpdatedBy   string

	scan *userScan // raw columns while scanning
}

// Principal is the user acting.
func (u User) Principal() Principal {
	return Principal{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Place: u.Place, County: u.County}
}

// NewUser describes a user to create.
type NewUser struct {
	Username    string
	DisplayName string
	Role        Role
	Place       place.Code
	Password    string
}

// System is the principal of command-line administration for a county:
// an administrator at the county's root.
func System(county string) Principal {
	return Principal{Username: "cli", DisplayName: "cli", Role: RoleAdmin, Place: place.Code(county + "000000"), County: county}
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// ValidatePassword checks a new password. Errors: Invalid (weak_password).
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return errs.F(errs.Invalid, "weak_password", "password", "password must be at least %d characters", MinPasswordLen)
	}
	if len(pw) > 256 {
		return errs.F(errs.Invalid, "weak_password", "password", "password must be at most 256 bytes")
	}
	return nil
}

// HashPassword returns an argon2id PHC string for pw.
func (s *Service) HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, s.cfg.ArgonTime, s.cfg.ArgonMemoryKiB, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=1$%s$%s", argon2.Version, s.cfg.ArgonMemoryKiB, s.cfg.ArgonTime, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches the PHC string (with the
// parameters stored in it).
func checkPassword(phc, pw string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func normUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validUsername(s string) error {
	if len(s) < 2 || len(s) > 40 {
		return errs.F(errs.Invalid, "invalid_username", "username", "username must be 2–40 characters")
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return errs.F(errs.Invalid, "invalid_username", "username", "username may contain only a–z, 0–9, '.', '-' and '_'")
		}
	}
	return nil
}

const userCols = `county, username, display_name, role, place, disabled, locked_until, created_at, created_by, updated_at, updated_by`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	if err := sc.Scan(scanInto(&u)...); err != nil {
		return u, err
	}
	u.finishScan()
	return u, nil
}

// CreateUser adds a user inside actor's subtree. Errors: Invalid (naming
// the field), Conflict (username_taken), NotFound/Forbidden from Authorize.
func (s *Service) CreateUser(ctx context.Context, actor Principal, in NewUser) (User, error) {
	in.Username = normUsername(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if err := validUsername(in.Username); err != nil {
		return User{}, err
	}
	if in.DisplayName == "" || utf8.RuneCountInString(in.DisplayName) > 40 {
		return User{}, errs.F(errs.Invalid, "invalid_name", "display_name", "display name must be 1–40 characters")
	}
	if !in.Role.Valid() {
		return User{}, errs.F(errs.Invalid, "invalid_role", "role", "unknown role %q", in.Role)
	}
	if !in.Place.Valid() || in.Place.Level() < place.County {
		return User{}, errs.F(errs.Invalid, "invalid_place", "place", "place must be a county, township or village code")
	}
	if err := ValidatePassword(in.Password); err != nil {
		return User{}, err
	}
	if err := Authorize(actor, ManageUsers, in.Place); err != nil {
		return User{}, err
	}
	phc, err := s.HashPassword(in.Password)
	if err != nil {
		return User{}, errs.Wrap(err, "auth: hash")
	}
	county := in.Place.Prefix()[:6]
	now := s.now()
	u := User{County: county, Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, Place: in.Place,
		CreatedAt: now, CreatedBy: actor.Username, UpdatedAt: now, UpdatedBy: actor.Username}
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		if err := s.knownPlace(ctx, tx, county, in.Place); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (county, username, display_name, role, place, password_hash, disabled, failed_logins, locked_until, created_at, created_by, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)`,
			county, u.Username, u.DisplayName, string(u.Role), string(u.Place), phc, clock.Micros(tx.Now), actor.Username, clock.Micros(tx.Now), actor.Username)
		if err != nil {
			if errs.KindOf(err) == errs.Conflict {
				return errs.F(errs.Conflict, "username_taken", "username", "username %q is taken", u.Username)
			}
			return errs.Wrap(err, "auth: insert user")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor.Username, Action: "user.create", Object: "user " + u.Username, Place: string(u.Place),
			After: map[string]string{"username": u.Username, "display_name": u.DisplayName, "role": string(u.Role), "place": string(u.Place)}})
		return err
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// knownPlace refuses a place that is not in the county's tree, once the
// county has a tree (a county may create its first administrator before it
// imports its places).
func (s *Service) knownPlace(ctx context.Context, tx *store.Tx, county string, pl place.Code) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM places WHERE county = ?`, county).Scan(&n); err != nil {
		return errs.Wrap(err, "auth: count places")
	}
	if n == 0 {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM places WHERE county = ? AND code = ?`, county, string(pl)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.F(errs.Invalid, "unknown_place", "place", "place %s is not in the county's place tree", pl)
	}
	if err != nil {
		return errs.Wrap(err, "auth: place")
	}
	return nil
}

// User returns a user p may see. Errors: NotFound.
func (s *Service) User(ctx context.Context, p Principal, username string) (User, error) {
	u, err := s.user(ctx, normUsername(username))
	if err != nil {
		return User{}, err
	}
	if err := Authorize(p, ViewUsers, u.Place); err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) user(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, NotFound()
	}
	if err != nil {
		return User{}, errs.Wrap(err, "auth: user")
	}
	return u, nil
}

// Users lists the users in p's subtree, by place then username.
func (s *Service) Users(ctx context.Context, p Principal) ([]User, error) {
	if err := Authorize(p, ViewUsers, ""); err != nil {
		return nil, err
	}
	lo, hi := place.Range(p.Prefix())
	rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE county = ? AND place BETWEEN ? AND ? ORDER BY place, username`, p.County, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "auth: users")
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, errs.Wrap(err, "auth: scan user")
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetDisabled disables or re-enables a user. Disabling ends the user's
// sessions and revokes their API tokens (re-enabling does not restore
// them: the user issues new ones).
// Errors: NotFound, Forbidden, RuleBroken (self_disable).
func (s *Service) SetDisabled(ctx context.Context, actor Principal, username string, disabled bool) error {
	u, err := s.user(ctx, normUsername(username))
	if err != nil {
		return err
	}
	if err := Authorize(actor, ManageUsers, u.Place); err != nil {
		return err
	}
	if u.Username == actor.Username && disabled {
		return errs.E(errs.RuleBroken, "self_disable", "you cannot disable your own account")
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ?, failed_logins = 0, locked_until = 0, updated_at = ?, updated_by = ? WHERE county = ? AND username = ?`,
			b2i(disabled), clock.Micros(tx.Now), actor.Username, u.County, u.Username); err != nil {
			return errs.Wrap(err, "auth: disable")
		}
		after := map[string]any{"disabled": disabled}
		if disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = ?`, u.Username); err != nil {
				return errs.Wrap(err, "auth: end sessions")
			}
			n, err := revokeAllTx(ctx, tx, u.Username, actor.Username, RevokedByDisable)
			if err != nil {
				return err
			}
			after["tokens_revoked"] = n
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: u.County, Actor: actor.Username, Action: action, Object: "user " + u.Username, Place: string(u.Place),
			Before: map[string]bool{"disabled": u.Disabled}, After: after})
		return err
	})
}

// SetPassword sets a user's password: an administrator resetting it, or
// the user changing their own. It ends the user's sessions and revokes
// their API tokens.
// Errors: Invalid (weak_password), NotFound, Forbidden.
func (s *Service) SetPassword(ctx context.Context, actor Principal, username, pw string) error {
	u, err := s.user(ctx, normUsername(username))
	if err != nil {
		return err
	}
	if u.Username != actor.Username {
		if err := Authorize(actor, ManageUsers, u.Place); err != nil {
			return err
		}
	}
	if err := ValidatePassword(pw); err != nil {
		return err
	}
	phc, err := s.HashPassword(pw)
	if err != nil {
		return errs.Wrap(err, "auth: hash")
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0, updated_at = ?, updated_by = ? WHERE county = ? AND username = ?`,
			phc, clock.Micros(tx.Now), actor.Username, u.County, u.Username); err != nil {
			return errs.Wrap(err, "auth: set password")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = ?`, u.Username); err != nil {
			return errs.Wrap(err, "auth: end sessions")
		}
		n, err := revokeAllTx(ctx, tx, u.Username, actor.Username, RevokedByPassword)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: u.County, Actor: actor.Username, Action: "user.password", Object: "user " + u.Username, Place: string(u.Place),
			After: map[string]int64{"tokens_revoked": n}})
		return err
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// newToken returns a random URL-safe token and its SHA-256 (hex), which is
// what the database keeps.
func newToken() (tok, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	tok = base64.RawURLEncoding.EncodeToString(b)
	return tok, tokenHash(tok)
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// FindUser returns a user by name, for command-line administration (no
// principal: the operator of the machine). Errors: NotFound.
func (s *Service) FindUser(ctx context.Context, username string) (User, error) {
	return s.user(ctx, normUsername(username))
}
