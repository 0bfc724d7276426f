package ledger

import (
	"context"

	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
)

// RecipientFilter selects a page of a channel's recipients: the households
// and entities its money reached.
type RecipientFilter struct {
	Channel string // the channel's code
	// Prefix keeps recipients whose place starts with it (the viewer's
	// subtree or a village searched for; "": the whole county).
	Prefix string
	Limit  int // default 50, at most 1000
	Offset int
}

// Recipient is a household or entity with what it received of one
// channel (every transfer into it with a leg of the channel), what it
// passed on or returned of it (every leg of the channel out of it), and so
// what it holds of it now.
type Recipient struct {
	Code      string
	Name      string
	Kind      AccountKind
	Place     place.Code
	Received  money.Fen
	PaidOut   money.Fen
	Transfers int64 // transfers into it with a leg of the channel
}

// Holds is what the recipient holds of the channel now.
func (r Recipient) Holds() money.Fen { return r.Received - r.PaidOut }

// RecipientPage is one page of recipients with the count and the sums of
// all that match the filter.
type RecipientPage struct {
	Rows     []Recipient
	Total    int
	Received money.Fen
	PaidOut  money.Fen
}

// recipientKinds are the accounts a channel's money ends in with a name
// of their own: households and entities (enterprises, cooperatives).
const recipientKinds = `a.kind IN ('household', 'entity')`

// ChannelRecipients is one page of the households and entities that
// received money of the channel, ordered by place and code, with the
// totals of all that match. It reads the flows projection (legs summed
// per channel, source and destination) from the recipients' accounts,
// which the place index selects: the place filter is a range on
// ledger_accounts (county, place, id), each account a probe of
// ledger_flows_to (county, to_account, channel_id) and of the flows'
// primary key (county, channel_id, from_account).
// Errors: NotFound (unknown_channel).
func (l *Ledger) ChannelRecipients(ctx context.Context, county string, f RecipientFilter) (RecipientPage, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	if err := l.RefreshProjections(ctx, county); err != nil {
		return RecipientPage{}, err
	}
	byCode, _, err := loadChannels(ctx, l.db, county)
	if err != nil {
		return RecipientPage{}, err
	}
	c, ok := byCode[f.Channel]
	if !ok {
		return RecipientPage{}, errs.F(errs.NotFound, "unknown_channel", "channel", "channel %q does not exist", f.Channel)
	}
	lo, hi := place.Range(f.Prefix)
	if f.Prefix == "" {
		lo, hi = place.Range(county)
	}
	from := ` FROM ledger_accounts a JOIN ledger_flows f ON f.county = a.county AND f.to_account = a.id AND f.channel_id = ?
		WHERE a.county = ? AND ` + recipientKinds + ` AND a.place BETWEEN ? AND ?`
	args := []any{c.id, county, lo, hi}
	p := RecipientPage{Rows: []Recipient{}}
	var received int64
	if err := l.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT a.id), COALESCE(SUM(f.amount), 0)`+from, args...).Scan(&p.Total, &received); err != nil {
		return p, errs.Wrap(err, "ledger: count recipients")
	}
	p.Received = money.Fen(received)
	// Paid out: legs of the channel leaving the recipients that received it.
	var paid int64
	if err := l.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(o.amount), 0) FROM ledger_accounts a JOIN ledger_flows o ON o.county = a.county AND o.channel_id = ? AND o.from_account = a.id
		WHERE a.county = ? AND `+recipientKinds+` AND a.place BETWEEN ? AND ?
		AND EXISTS (SELECT 1 FROM ledger_flows f WHERE f.county = a.county AND f.to_account = a.id AND f.channel_id = o.channel_id)`, args...).Scan(&paid); err != nil {
		return p, errs.Wrap(err, "ledger: sum recipients' payments")
	}
	p.PaidOut = money.Fen(paid)
	rows, err := l.db.QueryContext(ctx, `SELECT a.code, a.name, a.kind, a.place, SUM(f.amount), SUM(f.n),
		COALESCE((SELECT SUM(o.amount) FROM ledger_flows o WHERE o.county = a.county AND o.channel_id = ? AND o.from_account = a.id), 0)`+from+`
		GROUP BY a.county, a.place, a.id, a.code, a.name, a.kind ORDER BY a.place, a.id LIMIT ? OFFSET ?`,
		append([]any{c.id}, append(args, f.Limit, f.Offset)...)...)
	if err != nil {
		return p, errs.Wrap(err, "ledger: recipients")
	}
	defer rows.Close()
	for rows.Next() {
		var r Recipient
		var kind, pl string
		var recv, out int64
		if err := rows.Scan(&r.Code, &r.Name, &kind, &pl, &recv, &r.Transfers, &out); err != nil {
			return p, err
		}
		r.Kind, r.Place, r.Received, r.PaidOut = AccountKind(kind), place.Code(pl), money.Fen(recv), money.Fen(out)
		p.Rows = append(p.Rows, r)
	}
	return p, rows.Err()
}
