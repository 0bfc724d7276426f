package workflow

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
)

// Objections reach the office that must answer them, and the objector
// holds a receipt number (受理编号) to follow theirs.
//
// Who answers (answererOf): for a relief application, the township
// office of the household's township (it verifies households at home and
// posts their notices); for any other item (a project), the role and
// level of the step the notice comes before (the profile's
// review.approval: the rural-revitalization bureau at the county), when
// that role answers objections (township or rural), else the
// rural-revitalization bureau at the county. An item placed at the county
// itself is always answered at the county. The objection then waits in
// that office's queue (ObjectionQueue) until answered, and past its
// reply deadline (the profile's review.objection_reply_days) it is
// overdue.

// DefaultReplyDays is the reply deadline when the caller gives none.
const DefaultReplyDays = 7

// receiptAlphabet has no 0/O, 1/I/L: a receipt is read aloud and typed.
const receiptAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCheck is the receipt's random check code: 6 characters of 31, about
// 29.7 bits, so that knowing one receipt (or the sequence) does not let
// anyone enumerate the others.
func newCheck() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errs.Wrap(err, "workflow: receipt")
	}
	out := make([]byte, len(b))
	for i, x := range b {
		out[i] = receiptAlphabet[int(x)%len(receiptAlphabet)]
	}
	return string(out), nil
}

// receiptOf is county-year-sequence-check, e.g. 990101-2026-000012-7KQ3XM.
func receiptOf(county string, filed time.Time, id int64, check string) string {
	return fmt.Sprintf("%s-%d-%06d-%s", county, filed.In(clock.Zone).Year(), id, check)
}

// parseReceipt splits a receipt into its county and sequence (ok false
// when it has not the receipt's shape).
func parseReceipt(r string) (county string, id int64, ok bool) {
	parts := strings.Split(r, "-")
	if len(parts) != 4 || len(parts[0]) != 6 || len(parts[1]) != 4 || len(parts[3]) != 6 {
		return "", 0, false
	}
	for _, c := range parts[0] + parts[1] {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return parts[0], id, true
}

// NormalizeReceipt is a typed receipt as stored: trimmed, upper case,
// full-width digits and dashes as ASCII.
func NormalizeReceipt(r string) string {
	r = strings.ToUpper(strings.TrimSpace(r))
	return strings.Map(func(c rune) rune {
		switch {
		case c >= '０' && c <= '９':
			return '0' + (c - '０')
		case c == '－' || c == '—' || c == '–' || c == '_':
			return '-'
		case c == ' ':
			return -1
		}
		return c
	}, r)
}

// answererOf is the role and level of the office that answers the
// objections to a notice of it (see the package comment above).
func answererOf(it Item) (role, level string) {
	role, level = string(auth.RoleRural), "county"
	if it.Place.Level() == place.County {
		return role, level
	}
	if it.Kind == "relief" {
		return string(auth.RoleTownship), "township"
	}
	for _, s := range it.Chain {
		if s.NoticeBefore {
			if s.Role == string(auth.RoleTownship) || s.Role == string(auth.RoleRural) {
				return s.Role, s.Level
			}
			break
		}
	}
	return role, level
}

// Overdue reports whether an open objection is past its reply deadline.
func (o Objection) Overdue(now time.Time) bool {
	return o.Status == "open" && !o.DueAt.IsZero() && now.After(o.DueAt)
}

// Answered reports whether the objection has its reply.
func (o Objection) Answered() bool { return o.Status != "open" }

const objectionCols = `id, notice, kind, name, contact, body, filed_at, status, reply, replied_by, replied_at, receipt, place, answer_role, answer_level, due_at`

func scanObjection(county string, sc interface{ Scan(...any) error }) (Objection, error) {
	o := Objection{County: county}
	var filed, replied, due int64
	var pl string
	if err := sc.Scan(&o.ID, &o.Notice, &o.Kind, &o.Name, &o.Contact, &o.Body, &filed, &o.Status, &o.Reply, &o.RepliedBy, &replied,
		&o.Receipt, &pl, &o.AnswerRole, &o.AnswerLevel, &due); err != nil {
		return o, err
	}
	o.Place = place.Code(pl)
	o.FiledAt = clock.FromMicros(filed)
	if replied > 0 {
		o.RepliedAt = clock.FromMicros(replied)
	}
	if due > 0 {
		o.DueAt = clock.FromMicros(due)
	}
	return o, nil
}

// ObjectionByReceipt finds an objection by its receipt number (public:
// whoever holds the receipt sees its status and reply). A receipt of the
// wrong shape, an unknown one and one whose check code does not match
// are the same NotFound.
func (e *Engine) ObjectionByReceipt(ctx context.Context, receipt string) (Objection, error) {
	receipt = NormalizeReceipt(receipt)
	notFound := errs.F(errs.NotFound, "not_found", "receipt", "no objection with this receipt number")
	county, id, ok := parseReceipt(receipt)
	if !ok {
		return Objection{}, notFound
	}
	o, err := scanObjection(county, e.db.QueryRowContext(ctx, `SELECT `+objectionCols+` FROM wf_objections WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Objection{}, notFound
	}
	if err != nil {
		return Objection{}, errs.Wrap(err, "workflow: objection")
	}
	if o.Receipt == "" || subtle.ConstantTimeCompare([]byte(o.Receipt), []byte(receipt)) != 1 {
		return Objection{}, notFound
	}
	return o, nil
}

// ObjectionQueue lists the open objections p's office must answer: those
// whose answering role and level are p's, inside p's subtree, earliest
// deadline first, at most limit.
func (e *Engine) ObjectionQueue(ctx context.Context, p auth.Principal, limit int) ([]Objection, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	lo, hi := place.Range(p.Prefix())
	level := "county"
	switch p.Place.Level() {
	case place.Village:
		level = "village"
	case place.Township:
		level = "township"
	}
	rows, err := e.db.QueryContext(ctx, `SELECT `+objectionCols+` FROM wf_objections WHERE county = ? AND answer_role = ? AND answer_level = ? AND status = 'open' AND place BETWEEN ? AND ?
		ORDER BY CASE WHEN due_at = 0 THEN 1 ELSE 0 END, due_at, id LIMIT ?`, p.County, string(p.Role), level, lo, hi, limit)
	if err != nil {
		return nil, errs.Wrap(err, "workflow: objection queue")
	}
	defer rows.Close()
	out := []Objection{}
	for rows.Next() {
		o, err := scanObjection(p.County, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OverdueObjections counts the open objections past their reply deadline
// under a place prefix (for the desk).
func (e *Engine) OverdueObjections(ctx context.Context, county, prefix string) (int, error) {
	lo, hi := place.Range(prefix)
	var n int
	if err := e.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM wf_objections WHERE county = ? AND status = 'open' AND due_at > 0 AND due_at < ? AND place BETWEEN ? AND ?`,
		county, clock.Micros(e.now()), lo, hi).Scan(&n); err != nil {
		return 0, errs.Wrap(err, "workflow: overdue objections")
	}
	return n, nil
}

// MaskDigits replaces every run of six or more digits (ASCII or
// full-width) by as many asterisks: an objection's text shown publicly
// keeps no ID, card, phone or account number, whatever its form.
func MaskDigits(s string) string {
	rs := []rune(s)
	isDigit := func(c rune) bool { return c >= '0' && c <= '9' || c >= '０' && c <= '９' }
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		if j-i >= 6 {
			for k := i; k < j; k++ {
				rs[k] = '*'
			}
		}
		i = j
	}
	return string(rs)
}
