package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// errUnknownLead is the answer for a lead that does not exist and for one
// the asker does not see.
var errUnknownLead = errs.F(errs.NotFound, "unknown_lead", "lead", "no such lead")

const leadCols = `l.id, l.kind, l.households, l.status, l.reason, l.decided_by, l.created_at`

func scanLead(sc interface{ Scan(...any) error }) (Lead, error) {
	var l Lead
	var hh string
	var at int64
	if err := sc.Scan(&l.ID, &l.Kind, &hh, &l.Status, &l.Reason, &l.DecidedBy, &at); err != nil {
		return Lead{}, err
	}
	if hh != "" {
		l.Households = strings.Split(hh, ",")
	}
	l.CreatedAt = clock.FromMicros(at)
	return l, nil
}

func queryLeads(ctx context.Context, q store.Querier, query string, args ...any) ([]Lead, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "registry: leads")
	}
	defer rows.Close()
	var out []Lead
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			return nil, errs.Wrap(err, "registry: leads")
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// syncLead brings the lead of (kind, hash) in line with the records: two
// or more households with the hash make an open lead (a new household
// joining reopens an overridden one: the decision was about others);
// fewer resolve it. It returns the lead (nil when there is none) and
// whether it changed.
// sharedHashes reports which of hashes a household other than self holds
// too, or a lead names (of kind): the hashes whose lead syncLead must
// bring up to date. Two queries whatever the number of hashes.
//
// A new household (withLeads false) skips the leads: a lead names a hash
// only while, or after, two households held it — and a hash no other
// household holds now has nothing to raise or reopen.
func sharedHashes(ctx context.Context, tx *store.Tx, county, kind string, hashes []string, self string, withLeads bool) (map[string]bool, error) {
	out := map[string]bool{}
	if len(hashes) == 0 {
		return out, nil
	}
	// (county, hash) pairs drive a CROSS JOIN, each a probe of the
	// (county, id_hash) or (county, card_hash) index: no plan can scan the
	// county, whatever the statistics (an import fills these tables inside
	// one transaction, where PostgreSQL has none; see the ledger's
	// keyLookupSQL).
	pairs := `(CAST(? AS TEXT), CAST(? AS TEXT))` + strings.Repeat(`, (?, ?)`, len(hashes)-1)
	var args []any
	for _, h := range hashes {
		args = append(args, county, h)
	}
	q := `SELECT DISTINCT m.id_hash FROM (VALUES ` + pairs + `) AS k CROSS JOIN reg_members m WHERE m.county = k.column1 AND m.id_hash = k.column2 AND m.household <> ?`
	if kind == LeadSharedCard {
		q = `SELECT DISTINCT h.card_hash FROM (VALUES ` + pairs + `) AS k CROSS JOIN reg_households h WHERE h.county = k.column1 AND h.card_hash = k.column2 AND h.code <> ?`
	}
	in := "?" + strings.Repeat(", ?", len(hashes)-1)
	largs := []any{county}
	for _, h := range hashes {
		largs = append(largs, h)
	}
	queries := []struct {
		q    string
		args []any
	}{{q, append(append([]any{}, args...), self)}}
	if withLeads {
		queries = append(queries, struct {
			q    string
			args []any
		}{`SELECT hash FROM reg_leads WHERE county = ? AND kind = ? AND hash IN (` + in + `)`, append([]any{county, kind}, largs[1:]...)})
	}
	for _, qa := range queries {
		rows, err := tx.QueryContext(ctx, qa.q, qa.args...)
		if err != nil {
			return nil, errs.Wrap(err, "registry: find duplicates")
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "registry: find duplicates")
			}
			out[h] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "registry: find duplicates")
		}
	}
	return out, nil
}

func syncLead(ctx context.Context, tx *store.Tx, county, kind, hash string) (*Lead, bool, error) {
	q := `SELECT DISTINCT household FROM reg_members WHERE county = ? AND id_hash = ? ORDER BY household`
	if kind == LeadSharedCard {
		q = `SELECT code FROM reg_households WHERE county = ? AND card_hash = ? ORDER BY code`
	}
	rows, err := tx.QueryContext(ctx, q, county, hash)
	if err != nil {
		return nil, false, errs.Wrap(err, "registry: find duplicates")
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, false, errs.Wrap(err, "registry: find duplicates")
		}
		codes = append(codes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, errs.Wrap(err, "registry: find duplicates")
	}
	cur, err := scanLead(tx.QueryRowContext(ctx, `SELECT `+leadCols+` FROM reg_leads l WHERE l.county = ? AND l.kind = ? AND l.hash = ?`, county, kind, hash))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if len(codes) < 2 {
			return nil, false, nil
		}
		l := Lead{Kind: kind, Households: codes, Status: LeadOpen, CreatedAt: clock.FromMicros(clock.Micros(tx.Now))}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM reg_leads WHERE county = ?`, county).Scan(&l.ID); err != nil {
			return nil, false, errs.Wrap(err, "registry: lead id")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reg_leads (county, id, kind, hash, households, status, reason, decided_by, created_at) VALUES (?, ?, ?, ?, ?, ?, '', '', ?)`,
			county, l.ID, kind, hash, strings.Join(codes, ","), LeadOpen, clock.Micros(tx.Now)); err != nil {
			return nil, false, errs.Wrap(err, "registry: raise lead")
		}
		return &l, true, linkLead(ctx, tx, county, l.ID, codes)
	case err != nil:
		return nil, false, errs.Wrap(err, "registry: read lead")
	}
	if strings.Join(codes, ",") == strings.Join(cur.Households, ",") {
		// The same households; one of them may have moved village.
		scope, err := leadScope(ctx, tx, county, codes)
		if err != nil {
			return nil, false, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reg_leads SET scope = ? WHERE county = ? AND id = ? AND scope <> ?`, scope, county, cur.ID, scope); err != nil {
			return nil, false, errs.Wrap(err, "registry: lead scope")
		}
		return &cur, false, nil
	}
	l := cur
	switch {
	case len(codes) < 2:
		l.Status = LeadResolved
	case cur.Status == LeadResolved || !subset(codes, cur.Households):
		l.Status, l.Reason, l.DecidedBy = LeadOpen, "", ""
	}
	l.Households = codes
	if _, err := tx.ExecContext(ctx, `UPDATE reg_leads SET households = ?, status = ?, reason = ?, decided_by = ? WHERE county = ? AND id = ?`,
		strings.Join(codes, ","), l.Status, l.Reason, l.DecidedBy, county, l.ID); err != nil {
		return nil, false, errs.Wrap(err, "registry: update lead")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM reg_lead_households WHERE county = ? AND lead = ?`, county, l.ID); err != nil {
		return nil, false, errs.Wrap(err, "registry: update lead")
	}
	return &l, true, linkLead(ctx, tx, county, l.ID, codes)
}

// leadScope is the smallest place that holds every household of codes:
// their village when they share one, their township's 9-digit prefix,
// else the county.
func leadScope(ctx context.Context, tx *store.Tx, county string, codes []string) (string, error) {
	if len(codes) == 0 {
		return county, nil
	}
	args := []any{county}
	for _, c := range codes {
		args = append(args, c)
	}
	var lo, hi sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT MIN(village), MAX(village) FROM reg_households WHERE county = ? AND code IN (`+strings.TrimSuffix(strings.Repeat("?,", len(codes)), ",")+`)`, args...).Scan(&lo, &hi); err != nil {
		return "", errs.Wrap(err, "registry: lead scope")
	}
	switch {
	case !lo.Valid || len(lo.String) != 12:
		return county, nil
	case lo.String == hi.String:
		return lo.String, nil
	case lo.String[:9] == hi.String[:9]:
		return lo.String[:9], nil
	}
	return county, nil
}

func linkLead(ctx context.Context, tx *store.Tx, county string, id int64, codes []string) error {
	scope, err := leadScope(ctx, tx, county, codes)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reg_leads SET scope = ? WHERE county = ? AND id = ?`, scope, county, id); err != nil {
		return errs.Wrap(err, "registry: lead scope")
	}
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reg_lead_households (county, household, lead) VALUES (?, ?, ?)`, county, c, id); err != nil {
			return errs.Wrap(err, "registry: link lead")
		}
	}
	return nil
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	for _, x := range a {
		if !in[x] {
			return false
		}
	}
	return true
}

// Leads lists the leads whose households all lie in villages under prefix
// (a division-code prefix as from place.Code.Prefix; "" or the county's
// six digits: every lead of the county), oldest first; only open ones
// when openOnly. A lead that spans two townships (or two villages) belongs
// to the first level that sees all its households — the county (or the
// township): neither side lists it, since it would name the other's
// household and so tell where an ID is registered.
func (s *Service) Leads(ctx context.Context, county, prefix string, openOnly bool) ([]Lead, error) {
	q, args := leadsWhere(county, prefix, openOnly)
	return queryLeads(ctx, s.db, `SELECT `+leadCols+` FROM reg_leads l WHERE `+q+` ORDER BY l.id`, args...)
}

// LeadsPage is the first limit leads of Leads, open ones first, and how
// many there are in all (a first import of a messy file can raise
// thousands: a page shows the first and says how many).
func (s *Service) LeadsPage(ctx context.Context, county, prefix string, openOnly bool, limit int) ([]Lead, int, error) {
	q, args := leadsWhere(county, prefix, openOnly)
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_leads l WHERE `+q, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "registry: count leads")
	}
	// The open leads first, then the decided ones, each in id order: two
	// ranges of reg_leads_status, not a sort of the county's leads.
	ls, err := queryLeads(ctx, s.db, `SELECT `+leadCols+` FROM reg_leads l WHERE `+q+` AND l.status = 'open' ORDER BY l.id LIMIT ?`, append(args, limit)...)
	if err != nil || openOnly || len(ls) == limit {
		return ls, total, err
	}
	more, err := queryLeads(ctx, s.db, `SELECT `+leadCols+` FROM reg_leads l WHERE `+q+` AND l.status <> 'open' ORDER BY l.id LIMIT ?`, append(args, limit-len(ls))...)
	return append(ls, more...), total, err
}

func leadsWhere(county, prefix string, openOnly bool) (string, []any) {
	q := `l.county = ?`
	args := []any{county}
	if len(prefix) > 6 {
		// The lead's scope (the smallest place holding all its
		// households) lies in the subtree: the prefix itself, or a
		// village under it.
		lo, hi := place.Range(prefix)
		q += ` AND (l.scope = ? OR l.scope BETWEEN ? AND ?)`
		args = append(args, prefix, lo, hi)
	}
	if openOnly {
		q += ` AND l.status = 'open'`
	}
	return q, args
}

// OpenLeadsFor returns the open leads touching a household: a payment to
// its card is refused while a shared_card lead is open.
func (s *Service) OpenLeadsFor(ctx context.Context, county, household string) ([]Lead, error) {
	return queryLeads(ctx, s.db, `SELECT `+leadCols+` FROM reg_lead_households lh JOIN reg_leads l ON l.county = lh.county AND l.id = lh.lead
		WHERE lh.county = ? AND lh.household = ? AND l.status = 'open' ORDER BY l.id`, county, household)
}

// Override accepts an open lead with a reason (the two households really
// are different people with a typo fixed elsewhere, the card really is
// shared by a widow's two households, …): the rural-revitalization bureau
// or a township officer whose area holds every household of the lead
// decides, and the decision is audited. Errors: NotFound (unknown_lead,
// also for a lead with a household outside p's area: it is the county's,
// and answers exactly as a missing one), Forbidden (role), Invalid
// (reason), Conflict (lead_decided).
func (s *Service) Override(ctx context.Context, p auth.Principal, county string, id int64, reason string) (Lead, error) {
	if county != p.County {
		return Lead{}, errUnknownLead
	}
	reason = strings.TrimSpace(reason)
	var out Lead
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		l, err := scanLead(tx.QueryRowContext(ctx, `SELECT `+leadCols+` FROM reg_leads l WHERE l.county = ? AND l.id = ?`, county, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errUnknownLead
		}
		if err != nil {
			return errs.Wrap(err, "registry: read lead")
		}
		vils, err := leadVillages(ctx, tx, county, id)
		if err != nil {
			return err
		}
		seen, first := 0, place.Code(county+"000000")
		for i, v := range vils {
			if p.Sees(v) {
				seen++
			}
			if i == 0 {
				first = v
			}
		}
		if len(vils) == 0 && !p.Sees(first) || seen < len(vils) {
			return errUnknownLead
		}
		if p.Role != auth.RoleRural && p.Role != auth.RoleTownship {
			return errs.F(errs.Forbidden, "forbidden", "", "leads are decided by the rural-revitalization bureau or a township officer")
		}
		if reason == "" {
			return errs.F(errs.Invalid, "invalid_reason", "reason", "say why the lead is accepted")
		}
		if utf8.RuneCountInString(reason) > 500 {
			return errs.F(errs.Invalid, "invalid_reason", "reason", "at most 500 characters")
		}
		if l.Status != LeadOpen {
			return errs.F(errs.Conflict, "lead_decided", "lead", "lead %d is %s", id, l.Status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reg_leads SET status = ?, reason = ?, decided_by = ? WHERE county = ? AND id = ?`,
			LeadOverridden, reason, p.Username, county, id); err != nil {
			return errs.Wrap(err, "registry: override lead")
		}
		l.Status, l.Reason, l.DecidedBy = LeadOverridden, reason, p.Username
		out = l
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: p.Username, Action: "registry.override", Object: fmt.Sprintf("lead %d", id), Place: string(first),
			Before: map[string]any{"status": LeadOpen},
			After:  map[string]any{"kind": l.Kind, "households": l.Households, "status": l.Status, "reason": reason}})
		return err
	})
	return out, err
}

func leadVillages(ctx context.Context, q store.Querier, county string, id int64) ([]place.Code, error) {
	rows, err := q.QueryContext(ctx, `SELECT h.village FROM reg_lead_households lh JOIN reg_households h ON h.county = lh.county AND h.code = lh.household
		WHERE lh.county = ? AND lh.lead = ? ORDER BY h.code`, county, id)
	if err != nil {
		return nil, errs.Wrap(err, "registry: lead places")
	}
	defer rows.Close()
	var out []place.Code
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, errs.Wrap(err, "registry: lead places")
		}
		out = append(out, place.Code(v))
	}
	return out, rows.Err()
}
