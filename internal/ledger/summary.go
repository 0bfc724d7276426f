package ledger

import (
	"context"

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

// SummaryByKind sums money per account kind and channel over the accounts
// whose place starts with prefix (a division-code prefix; the 6-digit
// county code, or "", for the whole county). It reads the place-totals
// projection (a few rows per place), brought up to date first.
func (l *Ledger) SummaryByKind(ctx context.Context, county, prefix string) ([]KindTotal, error) {
	if err := l.RefreshProjections(ctx, county); err != nil {
		return nil, err
	}
	chans, err := l.channelCodes(ctx, county)
	if err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = county
	}
	lo, hi := place.Range(prefix)
	rows, err := l.db.QueryContext(ctx, `SELECT kind, channel_id, SUM(amount) FROM ledger_place_totals
		WHERE county = ? AND place BETWEEN ? AND ? GROUP BY kind, channel_id`, county, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: summary")
	}
	defer rows.Close()
	var out []KindTotal
	for rows.Next() {
		var kind string
		var ch, amt int64
		if err := rows.Scan(&kind, &ch, &amt); err != nil {
			return nil, errs.Wrap(err, "ledger: summary scan")
		}
		if amt != 0 {
			out = append(out, KindTotal{Kind: AccountKind(kind), Channel: chans[ch], Amount: money.Fen(amt)})
		}
	}
	return out, rows.Err()
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
	// A township's or a village's transfers are its scope's key range
	// (ledger_transfer_scopes), as in the transfers list.
	from, where, args, err := l.transfersWhere(ctx, county, TransferFilter{Prefix: prefix, Before: beforeID})
	if err != nil {
		return nil, err
	}
	return l.queryTransfers(ctx, county, `SELECT `+prefixed("t.", transferCols)+` FROM `+from+` WHERE `+where+` LIMIT ?`, append(args, limit)...)
}
