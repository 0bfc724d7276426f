package ledger

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Account returns the account with code. Errors: NotFound (unknown_account).
func (l *Ledger) Account(ctx context.Context, county, code string) (Account, error) {
	return l.AccountTx(ctx, l.db, county, code)
}

// AccountTx is Account read through q.
func (l *Ledger) AccountTx(ctx context.Context, q store.Querier, county, code string) (Account, error) {
	a, err := scanAccount(county, q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts WHERE county = ? AND code = ?`, county, code))
	if err == sql.ErrNoRows {
		return a, errs.F(errs.NotFound, "unknown_account", "account", "account %q does not exist", code)
	}
	if err != nil {
		return a, errs.Wrap(err, "ledger: read account")
	}
	return a, nil
}

// AccountFilter selects accounts.
type AccountFilter struct {
	PlacePrefix string      // division-code prefix (a subtree); empty for all
	Kind        AccountKind // empty for all
	Search      string      // substring of code or name
	AfterID     int64       // page: accounts with id > AfterID
	Limit       int
}

// AccountWithTotal is an account with its total balance over all channels.
type AccountWithTotal struct {
	Account
	Total money.Fen
}

// Accounts lists accounts matching f, in id order, with their total balances.
func (l *Ledger) Accounts(ctx context.Context, county string, f AccountFilter) ([]AccountWithTotal, error) {
	q := `SELECT a.id, a.code, a.kind, a.name, a.owner, a.place, a.no_overdraft, a.created_at,
		COALESCE((SELECT SUM(b.balance) FROM ledger_balances b WHERE b.county = a.county AND b.account_id = a.id), 0)
		FROM ledger_accounts a WHERE a.county = ? AND a.id > ?`
	args := []any{county, f.AfterID}
	if f.PlacePrefix != "" {
		lo, hi := place.Range(f.PlacePrefix)
		q += ` AND a.place BETWEEN ? AND ?`
		args = append(args, lo, hi)
	}
	if f.Kind != "" {
		q += ` AND a.kind = ?`
		args = append(args, string(f.Kind))
	}
	if f.Search != "" {
		q += ` AND (a.code LIKE ? OR a.name LIKE ?)`
		s := "%" + f.Search + "%"
		args = append(args, s, s)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q += ` ORDER BY a.id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: list accounts")
	}
	defer rows.Close()
	var out []AccountWithTotal
	for rows.Next() {
		var a AccountWithTotal
		var nod int
		var at, total int64
		var kind, pl string
		if err := rows.Scan(&a.ID, &a.Code, &kind, &a.Name, &a.Owner, &pl, &nod, &at, &total); err != nil {
			return nil, err
		}
		a.County, a.Kind, a.Place, a.NoOverdraft, a.CreatedAt, a.Total = county, AccountKind(kind), placeCode(pl), nod != 0, clock.FromMicros(at), money.Fen(total)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Channels lists the county's channels by code.
func (l *Ledger) Channels(ctx context.Context, county string) ([]Channel, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, code, name, created_at FROM ledger_channels WHERE county = ? ORDER BY code`, county)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: channels")
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		c := Channel{County: county}
		var at int64
		if err := rows.Scan(&c.ID, &c.Code, &c.Name, &at); err != nil {
			return nil, err
		}
		c.CreatedAt = clock.FromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Balances returns the account's current balance on every channel it has
// held money of, by channel code. Errors: NotFound (unknown_account).
func (l *Ledger) Balances(ctx context.Context, county, code string) ([]Balance, error) {
	return l.BalancesTx(ctx, l.db, county, code)
}

// BalancesTx is Balances read through q (a use case's write transaction,
// so that what it checks is what it posts against).
func (l *Ledger) BalancesTx(ctx context.Context, q store.Querier, county, code string) ([]Balance, error) {
	a, err := l.AccountTx(ctx, q, county, code)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT c.code, c.name, b.balance FROM ledger_balances b
		JOIN ledger_channels c ON c.county = b.county AND c.id = b.channel_id
		WHERE b.county = ? AND b.account_id = ? ORDER BY c.code`, county, a.ID)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: balances")
	}
	defer rows.Close()
	var out []Balance
	for rows.Next() {
		var b Balance
		var amt int64
		if err := rows.Scan(&b.Channel, &b.ChannelName, &amt); err != nil {
			return nil, err
		}
		b.Amount = money.Fen(amt)
		out = append(out, b)
	}
	return out, rows.Err()
}

// lastIDAtEndOf returns the id of the last transfer posted on or before day
// (local time, YYYY-MM-DD) and the current last id.
func (l *Ledger) lastIDAtEndOf(ctx context.Context, county, day string) (int64, int64, error) {
	var headID int64
	err := l.db.QueryRowContext(ctx, `SELECT last_transfer_id FROM ledger_heads WHERE county = ?`, county).Scan(&headID)
	if err == sql.ErrNoRows {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, errs.Wrap(err, "ledger: head")
	}
	var first int64
	err = l.db.QueryRowContext(ctx, `SELECT first_transfer_id FROM ledger_days WHERE county = ? AND day > ? ORDER BY day LIMIT 1`, county, day).Scan(&first)
	if err == sql.ErrNoRows {
		return headID, headID, nil
	}
	if err != nil {
		return 0, 0, errs.Wrap(err, "ledger: day index")
	}
	return first - 1, headID, nil
}

// BalancesAsOf returns the account's balances by channel at the end of the
// given local day. It walks whichever is shorter: the account's transfers up
// to that day, or those after it (subtracted from today's balances).
// Errors: NotFound (unknown_account), Invalid (invalid_date).
func (l *Ledger) BalancesAsOf(ctx context.Context, county, code string, day time.Time) ([]Balance, error) {
	a, err := l.Account(ctx, county, code)
	if err != nil {
		return nil, err
	}
	if err := l.RefreshProjections(ctx, county); err != nil {
		return nil, err
	}
	cut, headID, err := l.lastIDAtEndOf(ctx, county, clock.Day(day))
	if err != nil {
		return nil, err
	}
	_, byID, err := loadChannels(ctx, l.db, county)
	if err != nil {
		return nil, err
	}
	sums := map[int64]money.Fen{}
	forward := cut <= headID-cut
	if !forward {
		cur, err := l.Balances(ctx, county, code)
		if err != nil {
			return nil, err
		}
		for _, b := range cur {
			for id, c := range byID {
				if c.code == b.Channel {
					sums[id] = b.Amount
				}
			}
		}
	}
	{
		q := `SELECT t.to_account, t.legs FROM ledger_touches x JOIN ledger_transfers t ON t.county = x.county AND t.id = x.transfer_id
			WHERE x.county = ? AND x.account_id = ? AND x.transfer_id <= ?`
		if !forward {
			q = strings.Replace(q, "x.transfer_id <= ?", "x.transfer_id > ?", 1)
		}
		rows, err := l.db.QueryContext(ctx, q, county, a.ID, cut)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: as-of")
		}
		for rows.Next() {
			var s string
			var to int64
			if err := rows.Scan(&to, &s); err != nil {
				rows.Close()
				return nil, err
			}
			legs, err := decodeLegs(s)
			if err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "ledger: legs")
			}
			for _, lg := range legs {
				in := to == a.ID
				if !forward {
					in = !in // undo
				}
				if in {
					sums[lg.ch] += lg.amt
				} else {
					sums[lg.ch] -= lg.amt
				}
			}
		}
		rows.Close()
	}
	out := make([]Balance, 0, len(sums))
	for id, amt := range sums {
		if amt == 0 && forward {
			continue
		}
		out = append(out, Balance{Channel: byID[id].code, ChannelName: byID[id].name, Amount: amt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out, nil
}

// Transfer returns one transfer. Errors: NotFound (unknown_transfer).
func (l *Ledger) Transfer(ctx context.Context, county string, id int64) (Transfer, error) {
	s, err := loadByID(ctx, l.db, county, id)
	if err != nil {
		return Transfer{}, err
	}
	ts, err := l.expand(ctx, county, []stored{s})
	if err != nil {
		return Transfer{}, err
	}
	return ts[0], nil
}

// ReversedBy returns the id of the transfer that reverses id, or 0.
func (l *Ledger) ReversedBy(ctx context.Context, county string, id int64) (int64, error) {
	var by int64
	err := l.db.QueryRowContext(ctx, `SELECT id FROM ledger_transfers WHERE county = ? AND reverses = ?`, county, id).Scan(&by)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return by, err
}

// expand turns stored rows into Transfers with account and channel codes.
func (l *Ledger) expand(ctx context.Context, county string, rows []stored) ([]Transfer, error) {
	idset := map[int64]bool{}
	var ids []int64
	for _, s := range rows {
		for _, id := range []int64{s.from, s.to} {
			if !idset[id] {
				idset[id] = true
				ids = append(ids, id)
			}
		}
	}
	codes, err := accountCodes(ctx, l.db, county, ids)
	if err != nil {
		return nil, err
	}
	_, byID, err := loadChannels(ctx, l.db, county)
	if err != nil {
		return nil, err
	}
	out := make([]Transfer, len(rows))
	for i, s := range rows {
		legs, err := decodeLegs(s.legs)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: transfer %d", s.id)
		}
		t := toTransfer(county, resolved{req: TransferRequest{From: codes[s.from], To: codes[s.to]}}, s)
		for _, lg := range legs {
			t.Legs = append(t.Legs, Leg{Channel: byID[lg.ch].code, Amount: lg.amt})
		}
		out[i] = t
	}
	return out, nil
}

// StatementLine is one transfer as seen from an account.
type StatementLine struct {
	Transfer
	In bool // money came in (true) or went out (false)
}

// Statement lists the account's transfers, newest first, with id < beforeID
// when beforeID > 0. Errors: NotFound (unknown_account).
func (l *Ledger) Statement(ctx context.Context, county, code string, beforeID int64, limit int) ([]StatementLine, error) {
	a, err := l.Account(ctx, county, code)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	if err := l.RefreshProjections(ctx, county); err != nil {
		return nil, err
	}
	var all []stored
	rows, err := l.db.QueryContext(ctx, `SELECT `+prefixed("t.", transferCols)+` FROM ledger_touches x
		JOIN ledger_transfers t ON t.county = x.county AND t.id = x.transfer_id
		WHERE x.county = ? AND x.account_id = ? AND x.transfer_id < ? ORDER BY x.transfer_id DESC LIMIT ?`, county, a.ID, beforeID, limit)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: statement")
	}
	for rows.Next() {
		s, err := scanStored(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ts, err := l.expand(ctx, county, all)
	if err != nil {
		return nil, err
	}
	out := make([]StatementLine, len(ts))
	for i, t := range ts {
		out[i] = StatementLine{Transfer: t, In: all[i].to == a.ID}
	}
	return out, nil
}

// RecentTransfers lists the county's latest transfers, newest first.
func (l *Ledger) RecentTransfers(ctx context.Context, county string, beforeID int64, limit int) ([]Transfer, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	return l.queryTransfers(ctx, county, `SELECT `+transferCols+` FROM ledger_transfers WHERE county = ? AND id < ? ORDER BY id DESC LIMIT ?`, county, beforeID, limit)
}

// queryTransfers runs a query selecting transferCols and expands the rows.
func (l *Ledger) queryTransfers(ctx context.Context, county, q string, args ...any) ([]Transfer, error) {
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: transfers")
	}
	var all []stored
	for rows.Next() {
		s, err := scanStored(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return l.expand(ctx, county, all)
}

// Reverse posts the reversal of transfer id under key: the same legs, back
// from the original's destination to its source.
func (l *Ledger) Reverse(ctx context.Context, actor, county string, id int64, key, memo string) (Transfer, error) {
	ts, err := l.Post(ctx, actor, county, []TransferRequest{{Key: key, Kind: "reversal", Reverses: id, Memo: memo}})
	if err != nil {
		return Transfer{}, err
	}
	return ts[0], nil
}

var _ store.Querier = (*store.DB)(nil)

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// MaxHistoryTx is the most transfers HistoryTx returns.
const MaxHistoryTx = 100_000

// HistoryTx lists every transfer touching the account, oldest first (at
// most MaxHistoryTx), read through q: for a capability that checks an
// account's whole history inside its write transaction (what a project
// paid out, with its legs, when an asset it built is registered). It
// reads the transfers, not the projections, so it is current inside the
// transaction. Errors: NotFound (unknown_account), Invalid (too many).
func (l *Ledger) HistoryTx(ctx context.Context, q store.Querier, county, code string) ([]StatementLine, error) {
	a, err := l.AccountTx(ctx, q, county, code)
	if err != nil {
		return nil, err
	}
	// The touches are a projection, current through projected_through;
	// the transfers after it (the background refresh keeps them few) are
	// read from the transfers themselves.
	var through int64
	if err := q.QueryRowContext(ctx, `SELECT projected_through FROM ledger_heads WHERE county = ?`, county).Scan(&through); err != nil && err != sql.ErrNoRows {
		return nil, errs.Wrap(err, "ledger: history head")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+prefixed("t.", transferCols)+` FROM ledger_touches x
		JOIN ledger_transfers t ON t.county = x.county AND t.id = x.transfer_id
		WHERE x.county = ? AND x.account_id = ? AND x.transfer_id <= ?
		UNION ALL SELECT `+transferCols+` FROM ledger_transfers WHERE county = ? AND id > ? AND (from_account = ? OR to_account = ?)
		ORDER BY 1 LIMIT ?`, county, a.ID, through, county, through, a.ID, a.ID, MaxHistoryTx+1)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: history")
	}
	var all []stored
	ids := map[int64]bool{}
	var idList []int64
	for rows.Next() {
		s, err := scanStored(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, s)
		for _, id := range []int64{s.from, s.to} {
			if !ids[id] {
				ids[id] = true
				idList = append(idList, id)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(all) > MaxHistoryTx {
		return nil, errs.F(errs.Invalid, "history_too_long", "account", "account %s has more than %d transfers", code, MaxHistoryTx)
	}
	codes, err := accountCodes(ctx, q, county, idList)
	if err != nil {
		return nil, err
	}
	_, byID, err := loadChannels(ctx, q, county)
	if err != nil {
		return nil, err
	}
	out := make([]StatementLine, len(all))
	for i, s := range all {
		legs, err := decodeLegs(s.legs)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: transfer %d", s.id)
		}
		t := toTransfer(county, resolved{req: TransferRequest{From: codes[s.from], To: codes[s.to]}}, s)
		for _, lg := range legs {
			t.Legs = append(t.Legs, Leg{Channel: byID[lg.ch].code, Amount: lg.amt})
		}
		out[i] = StatementLine{Transfer: t, In: s.to == a.ID}
	}
	return out, nil
}

// TotalTx is an account's balance over all its channels, read through q
// (a payout client's check that its fund covers a batch).
func (l *Ledger) TotalTx(ctx context.Context, q store.Querier, county, code string) (money.Fen, error) {
	bals, err := l.BalancesTx(ctx, q, county, code)
	if err != nil {
		return 0, err
	}
	var total money.Fen
	for _, b := range bals {
		total += b.Amount
	}
	return total, nil
}
