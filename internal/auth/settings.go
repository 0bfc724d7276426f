package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/store"
)

// SettingPublicURL is the county's public address (公开访问地址): the base
// of the links and QR codes on printed notices, which villagers open from
// their phones — not the intranet address a clerk happens to use.
const SettingPublicURL = "public_url"

// Setting returns a county's setting ("" when not set).
func (s *Service) Setting(ctx context.Context, county, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM county_settings WHERE county = ? AND skey = ?`, county, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", errs.Wrap(err, "auth: setting")
	}
	return v, nil
}

// NormalizePublicURL checks a public address: http or https, a host, no
// user, query or fragment; the path is kept without its trailing slash.
// Errors: Invalid (invalid_url, naming the field public_url).
func NormalizePublicURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := errs.F(errs.Invalid, "invalid_url", "public_url", "the public address must be like https://xczx.example.gov.cn (http or https, a host name, nothing after it but a path)")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(raw, " \\\t\r\n") {
		return "", bad
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// SetPublicURL sets (or, empty, clears) the county's public address.
// Only a county administrator; audited. Errors: Forbidden, Invalid.
func (s *Service) SetPublicURL(ctx context.Context, p Principal, raw string) (string, error) {
	if p.Role != RoleAdmin {
		return "", errs.F(errs.Forbidden, "forbidden", "", "only the county administrator changes the county's settings")
	}
	v, err := NormalizePublicURL(raw)
	if err != nil {
		return "", err
	}
	old, err := s.Setting(ctx, p.County, SettingPublicURL)
	if err != nil {
		return "", err
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO county_settings (county, skey, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (county, skey) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			p.County, SettingPublicURL, v, clock.Micros(tx.Now), p.Username); err != nil {
			return errs.Wrap(err, "auth: save setting")
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "settings.public_url", Object: "county " + p.County, Place: p.County + "000000",
			Before: map[string]any{"public_url": old}, After: map[string]any{"public_url": v}})
		return err
	})
	return v, err
}
