package ledger

import (
	"context"
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
	Limit    int    // default 50, at most 500
	Offset   int
}

// transfersWhere is the condition of TransferFilter on ledger_transfers t
// and its arguments. The scan runs on the primary key (county, id) newest
// first; every filter is a condition on the row, so a page reads the rows
// down to its last match.
func transfersWhere(county string, f TransferFilter) (string, []any) {
	where := []string{"t.county = ?"}
	args := []any{county}
	if f.Prefix != "" && f.Prefix != county {
		lo, hi := place.Range(f.Prefix)
		where = append(where, `(EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.county = t.county AND a.id = t.from_account AND a.place BETWEEN ? AND ?)
		  OR EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.county = t.county AND a.id = t.to_account AND a.place BETWEEN ? AND ?))`)
		args = append(args, lo, hi, lo, hi)
	}
	if f.Kind != "" {
		where, args = append(where, "t.kind = ?"), append(args, f.Kind)
	}
	if f.Channel > 0 {
		// Legs are "channelID:fen;…".
		id := strconv.FormatInt(f.Channel, 10)
		where = append(where, "(t.legs LIKE ? OR t.legs LIKE ?)")
		args = append(args, id+":%", "%;"+id+":%")
	}
	if !f.From.IsZero() {
		where, args = append(where, "t.posted_at >= ?"), append(args, clock.Micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "t.posted_at < ?"), append(args, clock.Micros(f.To))
	}
	if d := strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(f.DocNo)); d != "" {
		where, args = append(where, "t.doc_no LIKE ?"), append(args, "%"+d+"%")
	}
	return strings.Join(where, " AND "), args
}

// ListTransfers is one page of the transfers matching f, newest first,
// with the total count.
func (l *Ledger) ListTransfers(ctx context.Context, county string, f TransferFilter) ([]Transfer, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	where, args := transfersWhere(county, f)
	var total int
	if err := l.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transfers t WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "ledger: count transfers")
	}
	ts, err := l.queryTransfers(ctx, county, `SELECT `+prefixed("t.", transferCols)+` FROM ledger_transfers t WHERE `+where+` ORDER BY t.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	if ts == nil {
		ts = []Transfer{}
	}
	return ts, total, nil
}
