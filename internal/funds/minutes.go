package funds

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Commitment is a department's promise in a village's minutes.
type Commitment struct {
	Department string
	Amount     money.Fen
	Deadline   time.Time
}

// Minutes is an on-site meeting's record for one village (一村一纪要).
type Minutes struct {
	Village     place.Code
	MinutesNo   string // 纪要编号
	Day         time.Time
	Commitments []Commitment
}

// RecordMinutes keeps a village's minutes and its commitments, in one
// transaction with the audit entry. Errors: Invalid (naming the field),
// Conflict (minutes_exists).
func (s *Service) RecordMinutes(ctx context.Context, actor, county string, m Minutes) error {
	if err := checkMinutes(county, &m); err != nil {
		return err
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error { return recordMinutesTx(ctx, tx, actor, county, m) })
}

func checkMinutes(county string, m *Minutes) error {
	if !m.Village.Valid() || m.Village.Level() != place.Village || !place.Code(county+"000000").Contains(m.Village) {
		return errs.F(errs.Invalid, "invalid_place", "village", "%q is not a village of county %s", m.Village, county)
	}
	m.MinutesNo = strings.TrimSpace(m.MinutesNo)
	if m.MinutesNo == "" {
		return errs.F(errs.Invalid, "invalid_minutes", "minutes_no", "the minutes need a number")
	}
	if m.Day.IsZero() {
		return errs.F(errs.Invalid, "invalid_date", "day", "the meeting date is required")
	}
	if len(m.Commitments) == 0 {
		return errs.F(errs.Invalid, "invalid_minutes", "commitments", "record at least one department's commitment")
	}
	seen := map[string]bool{}
	for i, c := range m.Commitments {
		f := func(x string) string { return fmt.Sprintf("commitments[%d].%s", i, x) }
		if strings.TrimSpace(c.Department) == "" || seen[c.Department] {
			return errs.F(errs.Invalid, "invalid_minutes", f("department"), "each department once, not empty")
		}
		seen[c.Department] = true
		if c.Amount <= 0 {
			return errs.F(errs.Invalid, "invalid_amount", f("amount"), "the amount must be greater than zero")
		}
		if c.Deadline.Before(m.Day) {
			return errs.F(errs.Invalid, "invalid_date", f("deadline"), "the deadline is before the meeting")
		}
	}
	return nil
}

func recordMinutesTx(ctx context.Context, tx *store.Tx, actor, county string, m Minutes) error {
	for _, c := range m.Commitments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fund_commitments (county, village, minutes_no, department, meeting_day, amount, deadline, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, county, string(m.Village), m.MinutesNo, strings.TrimSpace(c.Department), clock.Day(m.Day), int64(c.Amount), clock.Day(c.Deadline), clock.Micros(tx.Now), actor); err != nil {
			if errs.KindOf(err) == errs.Conflict {
				return errs.F(errs.Conflict, "minutes_exists", "minutes_no", "minutes %s of village %s already record %s", m.MinutesNo, m.Village, c.Department)
			}
			return errs.Wrap(err, "funds: minutes")
		}
	}
	_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.minutes", Object: "minutes " + m.MinutesNo, Place: string(m.Village), After: m})
	return err
}

// CommitmentStatus is a commitment with what was done about it.
type CommitmentStatus struct {
	Village    place.Code
	MinutesNo  string
	MeetingDay string
	Commitment
	Fulfilled money.Fen // allocations to the village's projects by the department's channels, meeting year up to the deadline
	Met       bool
	Overdue   bool // not met and past the deadline
}

// Commitments lists the commitments of villages under prefix with their
// fulfilment, overdue first.
func (s *Service) Commitments(ctx context.Context, county, prefix string) ([]CommitmentStatus, error) {
	lo, hi := place.Range(prefix)
	rows, err := s.db.QueryContext(ctx, `SELECT village, minutes_no, department, meeting_day, amount, deadline FROM fund_commitments
		WHERE county = ? AND village BETWEEN ? AND ? ORDER BY deadline, village`, county, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "funds: commitments")
	}
	var out []CommitmentStatus
	for rows.Next() {
		var c CommitmentStatus
		var vil, deadline string
		var amt int64
		if err := rows.Scan(&vil, &c.MinutesNo, &c.Department, &c.MeetingDay, &amt, &deadline); err != nil {
			rows.Close()
			return nil, err
		}
		c.Village, c.Amount = place.Code(vil), money.Fen(amt)
		c.Deadline, _ = time.ParseInLocation("2006-01-02", deadline, clock.Zone)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	chans, err := s.Channels(ctx, county)
	if err != nil {
		return nil, err
	}
	today := clock.Day(s.now())
	for i := range out {
		c := &out[i]
		var codes []any
		var marks []string
		for _, ch := range chans {
			if ch.Department == c.Department || strings.Contains(c.Department, ch.Department) {
				codes = append(codes, ch.Code)
				marks = append(marks, "?")
			}
		}
		if len(codes) > 0 {
			vlo, vhi := place.Range(c.Village.Prefix())
			args := append([]any{county, c.MeetingDay[:4] + "-01-01", clock.Day(c.Deadline), vlo, vhi}, codes...)
			var sum int64
			if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(m.amount), 0) FROM fund_movements m JOIN fund_projects p ON p.county = m.county AND p.code = m.project
				WHERE m.county = ? AND m.kind = 'allocation' AND m.day >= ? AND m.day <= ? AND p.place BETWEEN ? AND ? AND m.channel IN (`+strings.Join(marks, ",")+`)`, args...).Scan(&sum); err != nil {
				return nil, errs.Wrap(err, "funds: fulfilment")
			}
			c.Fulfilled = money.Fen(sum)
		}
		c.Met = c.Fulfilled >= c.Amount
		c.Overdue = !c.Met && today > clock.Day(c.Deadline)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Overdue && !out[j].Overdue })
	return out, nil
}
