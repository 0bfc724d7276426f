package ledger

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
)

// TransferFilter selects a page of the transfers list.
type TransferFilter struct {
	// Prefix keeps transfers whose source or destination lies under the
	// place prefix (the viewer's subtree; "" or the county: all).
	Prefix  string
	Kind    string
	Channel int64 // a leg on this channel (0: any)
	// From and To bound the posting time: From <= posted_at < To (zero:
	// unbounded).
	From, To time.Time
	DocNo    string // part of the document number (文号)
	Before   int64  // only transfers with id < Before (0: any)
	Limit    int    // default 50, at most 500
	Offset   int
}

// CountCap bounds the count of a transfers list: past it the list says
// "more than CountCap" instead of counting a million rows on every page.
// (A variable only so that a test can lower it.)
var CountCap = 10_000

// transfersWhere is the condition of TransferFilter on ledger_transfers t
// and its arguments. The scan runs on the primary key (county, id) newest
// first; a date range is also an id range (ids follow posting time, and
// ledger_days holds each day's first id), a kind reads its index and a
// document number the index of the transfers that have one; the other
// filters are conditions on the row, so a page reads the rows down to its
// last match.
func (l *Ledger) transfersWhere(ctx context.Context, county string, f TransferFilter) (from, where string, args []any, err error) {
	from = "ledger_transfers t"
	id := "t.id"
	conds := []string{"t.county = ?"}
	args = []any{county}
	if f.Prefix != "" && f.Prefix != county {
		if len(f.Prefix) == 9 || len(f.Prefix) == 12 {
			// A township's or a village's list reads its scope.
			if err := l.RefreshProjections(ctx, county); err != nil {
				return "", "", nil, err
			}
			from = "ledger_transfer_scopes s JOIN ledger_transfers t ON t.county = s.county AND t.id = s.transfer_id"
			id = "s.transfer_id"
			conds = []string{"s.county = ? AND s.scope = ?"}
			args = append(args, f.Prefix)
		} else {
			lo, hi := place.Range(f.Prefix)
			conds = append(conds, `(EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.county = t.county AND a.id = t.from_account AND a.place BETWEEN ? AND ?)
		  OR EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.county = t.county AND a.id = t.to_account AND a.place BETWEEN ? AND ?))`)
			args = append(args, lo, hi, lo, hi)
		}
	}
	if !f.From.IsZero() {
		if n, ok, err := l.firstIDFrom(ctx, county, f.From); err != nil {
			return "", "", nil, err
		} else if ok {
			conds, args = append(conds, id+" >= ?"), append(args, n)
		}
		conds, args = append(conds, "t.posted_at >= ?"), append(args, clock.Micros(f.From))
	}
	if !f.To.IsZero() {
		if n, ok, err := l.firstIDFrom(ctx, county, f.To); err != nil {
			return "", "", nil, err
		} else if ok {
			conds, args = append(conds, id+" < ?"), append(args, n)
		}
		conds, args = append(conds, "t.posted_at < ?"), append(args, clock.Micros(f.To))
	}
	if f.Before > 0 {
		conds, args = append(conds, id+" < ?"), append(args, f.Before)
	}
	if f.Kind != "" {
		conds, args = append(conds, "t.kind = ?"), append(args, f.Kind)
	}
	if f.Channel > 0 {
		// Legs are "channelID:fen;…".
		ch := strconv.FormatInt(f.Channel, 10)
		conds = append(conds, "(t.legs LIKE ? OR t.legs LIKE ?)")
		args = append(args, ch+":%", "%;"+ch+":%")
	}
	if d := strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(f.DocNo)); d != "" {
		// "doc_no <> ''" lets both planners read ledger_transfers_doc, the
		// partial index of the few transfers with a document number.
		conds, args = append(conds, "t.doc_no <> '' AND t.doc_no LIKE ?"), append(args, "%"+d+"%")
	}
	return from, strings.Join(conds, " AND ") + " ORDER BY " + id + " DESC", args, nil
}

// firstIDFrom is the id of the first transfer posted on or after the local
// day of at (ok false: none yet).
func (l *Ledger) firstIDFrom(ctx context.Context, county string, at time.Time) (int64, bool, error) {
	var id int64
	err := l.db.QueryRowContext(ctx, `SELECT first_transfer_id FROM ledger_days WHERE county = ? AND day >= ? ORDER BY day LIMIT 1`, county, clock.Day(at)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, errs.Wrap(err, "ledger: day")
	}
	return id, true, nil
}

// ListTransfers is one page of the transfers matching f, newest first,
// with the total count — at most CountCap+1, which means "more than
// CountCap".
func (l *Ledger) ListTransfers(ctx context.Context, county string, f TransferFilter) ([]Transfer, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	from, where, args, err := l.transfersWhere(ctx, county, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := l.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` WHERE `+where+` LIMIT ?) c`, append(args, CountCap+1)...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "ledger: count transfers")
	}
	ts, err := l.queryTransfers(ctx, county, `SELECT `+prefixed("t.", transferCols)+` FROM `+from+` WHERE `+where+` LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	if ts == nil {
		ts = []Transfer{}
	}
	return ts, total, nil
}
