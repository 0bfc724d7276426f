package policy

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/store"
)

// Choice is the profile a county uses and its overrides.
type Choice struct {
	County    string
	Profile   string
	Overrides string
	UpdatedAt time.Time
	UpdatedBy string
}

// Counties keeps each county's choice of profile.
type Counties struct {
	db  *store.DB
	now clock.Clock

	mu       sync.Mutex
	resolved map[[2]string]Profile // (profile, overrides) → resolved profile
}

// NewCounties returns the store of county choices.
func NewCounties(db *store.DB, now clock.Clock) *Counties {
	if now == nil {
		now = clock.System
	}
	return &Counties{db: db, now: now}
}

// Choice returns the county's choice. Errors: NotFound (no_profile).
func (c *Counties) Choice(ctx context.Context, county string) (Choice, error) {
	ch := Choice{County: county}
	var at int64
	err := c.db.QueryRowContext(ctx, `SELECT profile, overrides, updated_at, updated_by FROM county_policies WHERE county = ?`, county).Scan(&ch.Profile, &ch.Overrides, &at, &ch.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return ch, errs.F(errs.NotFound, "no_profile", "profile", "county %s has not chosen a policy profile yet", county)
	}
	if err != nil {
		return ch, errs.Wrap(err, "policy: choice")
	}
	ch.UpdatedAt = clock.FromMicros(at)
	return ch, nil
}

// Current is the county's resolved profile (its choice with overrides).
// Errors: NotFound (no_profile), Invalid when a stored choice no longer
// validates (a newer binary tightened a rule).
func (c *Counties) Current(ctx context.Context, county string) (Profile, Choice, error) {
	ch, err := c.Choice(ctx, county)
	if err != nil {
		return Profile{}, ch, err
	}
	key := [2]string{ch.Profile, ch.Overrides}
	c.mu.Lock()
	p, ok := c.resolved[key]
	c.mu.Unlock()
	if ok {
		return p, ch, nil
	}
	p, err = Resolve(ch.Profile, ch.Overrides)
	if err == nil {
		c.mu.Lock()
		if c.resolved == nil || len(c.resolved) > 100 {
			c.resolved = map[[2]string]Profile{}
		}
		c.resolved[key] = p
		c.mu.Unlock()
	}
	return p, ch, err
}

// Choose sets the county's profile and overrides after validating them;
// nothing is written when they do not validate. actor is audited.
// Errors: NotFound (unknown_profile), Invalid (invalid_profile).
func (c *Counties) Choose(ctx context.Context, actor, county, profile, overrides string) (Profile, error) {
	p, err := Resolve(profile, overrides)
	if err != nil {
		return Profile{}, err
	}
	err = c.db.Write(ctx, c.now(), func(tx *store.Tx) error {
		var before any
		var oldP, oldO string
		switch err := tx.QueryRowContext(ctx, `SELECT profile, overrides FROM county_policies WHERE county = ?`, county).Scan(&oldP, &oldO); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return errs.Wrap(err, "policy: read choice")
		default:
			before = map[string]string{"profile": oldP, "overrides": oldO}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO county_policies (county, profile, overrides, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (county) DO UPDATE SET profile = excluded.profile, overrides = excluded.overrides, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			county, profile, overrides, clock.Micros(tx.Now), actor); err != nil {
			return errs.Wrap(err, "policy: write choice")
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "policy.choose", Object: "policy of " + county, Place: county + "000000",
			Before: before, After: map[string]string{"profile": profile, "overrides": overrides}})
		return err
	})
	if err != nil {
		return Profile{}, err
	}
	return p, nil
}
