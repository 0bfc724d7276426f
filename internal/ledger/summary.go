package ledger

import (
	"context"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
)

// KindTotal is the money of one channel held by the accounts of one kind.
type KindTotal struct {
	Kind    AccountKind
	Channel string
	Amount  money.Fen
}

// SummaryByKind sums balances per account kind and channel over the
// accounts whose place starts with prefix (a division-code prefix; the
// 6-digit county code for the whole county). For the whole county the
// households' share is derived by conservation (every transfer balances,
// so all balances of a channel sum to zero) instead of read account by
// account.
func (l *Ledger) SummaryByKind(ctx context.Context, county, prefix string) ([]KindTotal, error) {
	chans, err := l.channelCodes(ctx, county)
	if err != nil {
		return nil, err
	}
	whole := prefix == "" || prefix == county
	q := `SELECT a.kind, b.channel_id, SUM(b.balance) FROM ledger_accounts a
		JOIN ledger_balances b ON b.county = a.county AND b.account_id = a.id
		WHERE a.county = ?`
	args := []any{county}
	if whole {
		var in []string
		for _, k := range Kinds {
			if k != Household {
				in = append(in, "?")
				args = append(args, string(k))
			}
		}
		q += ` AND a.kind IN (` + strings.Join(in, ",") + `)`
	} else {
		lo, hi := place.Range(prefix)
		q += ` AND a.place BETWEEN ? AND ?`
		args = append(args, lo, hi)
	}
	q += ` GROUP BY a.kind, b.channel_id`
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: summary")
	}
	defer rows.Close()
	var out []KindTotal
	rest := map[string]money.Fen{}
	for rows.Next() {
		var kind string
		var ch, amt int64
		if err := rows.Scan(&kind, &ch, &amt); err != nil {
			return nil, errs.Wrap(err, "ledger: summary scan")
		}
		code := chans[ch]
		out = append(out, KindTotal{Kind: AccountKind(kind), Channel: code, Amount: money.Fen(amt)})
		rest[code] -= money.Fen(amt)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "ledger: summary")
	}
	if whole {
		for code, amt := range rest {
			if amt != 0 {
				out = append(out, KindTotal{Kind: Household, Channel: code, Amount: amt})
			}
		}
	}
	return out, nil
}

func (l *Ledger) channelCodes(ctx context.Context, county string) (map[int64]string, error) {
	chs, err := l.Channels(ctx, county)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(chs))
	for _, c := range chs {
		m[c.ID] = c.Code
	}
	return m, nil
}

// RecentTransfersIn lists the latest transfers whose source or destination
// account lies under the place prefix, newest first, with id < beforeID
// when beforeID > 0.
func (l *Ledger) RecentTransfersIn(ctx context.Context, county, prefix string, beforeID int64, limit int) ([]Transfer, error) {
	if prefix == "" || prefix == county {
		return l.RecentTransfers(ctx, county, beforeID, limit)
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	lo, hi := place.Range(prefix)
	rows, err := l.db.QueryContext(ctx, `SELECT `+transferCols+` FROM ledger_transfers t WHERE county = ? AND id < ?
		AND (EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.county = t.county AND a.id = t.from_account AND a.place BETWEEN ? AND ?)
		  OR EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.county = t.county AND a.id = t.to_account AND a.place BETWEEN ? AND ?))
		ORDER BY id DESC LIMIT ?`, county, beforeID, lo, hi, lo, hi, limit)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: recent in place")
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
	return l.expand(ctx, county, all)
}
