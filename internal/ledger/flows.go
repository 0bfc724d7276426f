package ledger

import (
	"context"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/money"
)

// Flow is money of one channel moved from one account to another, summed
// over all transfers (reversals are flows of their own, backwards).
type Flow struct {
	Channel  string
	From, To string      // account codes
	ToKind   AccountKind // the destination's kind
	ToName   string
	Amount   money.Fen
	Count    int64
}

// FlowFilter selects flows; empty fields match everything. From or To
// must be given.
type FlowFilter struct {
	From, To string // account codes
	Channel  string // channel code
}

// Flows lists the flows out of f.From or into f.To (from the projection,
// brought up to date first), largest first. Errors: NotFound
// (unknown_account, unknown_channel), Invalid.
func (l *Ledger) Flows(ctx context.Context, county string, f FlowFilter) ([]Flow, error) {
	if f.From == "" && f.To == "" {
		return nil, errs.F(errs.Invalid, "invalid_query", "from", "name the account the flows leave or enter")
	}
	if err := l.RefreshProjections(ctx, county); err != nil {
		return nil, err
	}
	byCode, byID, err := loadChannels(ctx, l.db, county)
	if err != nil {
		return nil, err
	}
	var where []string
	args := []any{county}
	for _, side := range []struct{ col, code string }{{"from_account", f.From}, {"to_account", f.To}} {
		if side.code == "" {
			continue
		}
		a, err := l.Account(ctx, county, side.code)
		if err != nil {
			return nil, err
		}
		where = append(where, side.col+" = ?")
		args = append(args, a.ID)
	}
	if f.Channel != "" {
		c, ok := byCode[f.Channel]
		if !ok {
			return nil, errs.F(errs.NotFound, "unknown_channel", "channel", "channel %q does not exist", f.Channel)
		}
		where = append(where, "channel_id = ?")
		args = append(args, c.id)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT channel_id, from_account, to_account, amount, n FROM ledger_flows WHERE county = ? AND `+strings.Join(where, " AND ")+` ORDER BY amount DESC LIMIT ?`,
		append(args, MaxTraceEdges)...)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: flows")
	}
	type raw struct{ ch, from, to, amt, n int64 }
	var rs []raw
	ids := map[int64]bool{}
	for rows.Next() {
		var r raw
		if err := rows.Scan(&r.ch, &r.from, &r.to, &r.amt, &r.n); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
		ids[r.from], ids[r.to] = true, true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	codes, err := l.accountCodesByID(ctx, county, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Flow, len(rs))
	for i, r := range rs {
		to := codes[r.to]
		out[i] = Flow{Channel: byID[r.ch].code, From: codes[r.from].Code, To: to.Code, ToKind: to.Kind, ToName: to.Name, Amount: money.Fen(r.amt), Count: r.n}
	}
	return out, nil
}

// accountCodesByID loads code, kind and name of the accounts ids.
func (l *Ledger) accountCodesByID(ctx context.Context, county string, ids map[int64]bool) (map[int64]TraceNode, error) {
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	out := make(map[int64]TraceNode, len(list))
	for start := 0; start < len(list); start += 500 {
		end := min(start+500, len(list))
		args := []any{county}
		for _, id := range list[start:end] {
			args = append(args, id)
		}
		rows, err := l.db.QueryContext(ctx, `SELECT id, code, name, kind, place FROM ledger_accounts WHERE county = ? AND id IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: account codes")
		}
		for rows.Next() {
			var n TraceNode
			var kind, pl string
			if err := rows.Scan(&n.ID, &n.Code, &n.Name, &kind, &pl); err != nil {
				rows.Close()
				return nil, err
			}
			n.Kind, n.Place = AccountKind(kind), placeCode(pl)
			out[n.ID] = n
		}
		rows.Close()
	}
	return out, nil
}

// Outflows is what one account paid on a channel: to households (summed,
// with how many households) and to every other account.
type Outflows struct {
	Households     money.Fen
	HouseholdCount int64
	Others         []Flow
}

// OutflowsOf returns, for each of the accounts froms, what it paid on the
// channel — in two queries however many accounts, from the projections
// (households grouped by village, other destinations one by one). Errors:
// NotFound (unknown_channel).
func (l *Ledger) OutflowsOf(ctx context.Context, county, channel string, froms []string) (map[string]Outflows, error) {
	if err := l.RefreshProjections(ctx, county); err != nil {
		return nil, err
	}
	byCode, _, err := loadChannels(ctx, l.db, county)
	if err != nil {
		return nil, err
	}
	c, ok := byCode[channel]
	if !ok {
		return nil, errs.F(errs.NotFound, "unknown_channel", "channel", "channel %q does not exist", channel)
	}
	accs, err := accountsByCode(ctx, l.db, county, froms)
	if err != nil {
		return nil, err
	}
	codeOf := map[int64]string{}
	var ids []int64
	for code, a := range accs {
		codeOf[a.id] = code
		ids = append(ids, a.id)
	}
	out := make(map[string]Outflows, len(ids))
	others := map[int64]bool{}
	type raw struct{ from, to, amt, n int64 }
	var rs []raw
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		args := []any{county, c.id}
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		rows, err := l.db.QueryContext(ctx, `SELECT from_account, SUM(amount), SUM(accounts) FROM ledger_flow_groups WHERE county = ? AND channel_id = ? AND from_account IN (`+placeholders(end-start)+`) GROUP BY from_account`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: outflows to households")
		}
		for rows.Next() {
			var from, amt, n int64
			if err := rows.Scan(&from, &amt, &n); err != nil {
				rows.Close()
				return nil, err
			}
			o := out[codeOf[from]]
			o.Households, o.HouseholdCount = money.Fen(amt), n
			out[codeOf[from]] = o
		}
		rows.Close()
		rows, err = l.db.QueryContext(ctx, `SELECT from_account, to_account, amount, n FROM ledger_flows_inst WHERE county = ? AND channel_id = ? AND from_account IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: outflows")
		}
		for rows.Next() {
			var r raw
			if err := rows.Scan(&r.from, &r.to, &r.amt, &r.n); err != nil {
				rows.Close()
				return nil, err
			}
			rs = append(rs, r)
			others[r.to] = true
		}
		rows.Close()
	}
	names, err := l.accountCodesByID(ctx, county, others)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		to := names[r.to]
		o := out[codeOf[r.from]]
		o.Others = append(o.Others, Flow{Channel: channel, From: codeOf[r.from], To: to.Code, ToKind: to.Kind, ToName: to.Name, Amount: money.Fen(r.amt), Count: r.n})
		out[codeOf[r.from]] = o
	}
	return out, nil
}
