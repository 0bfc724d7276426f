package ledger

import (
	"context"
	"time"

	"onepool/internal/money"
)

// ChannelWhere is one channel's money by where it sits now, in a place's
// subtree: the dashboard's and the public portal's table.
type ChannelWhere struct {
	Code, Name string
	Arrived    money.Fen // came in from outside (minus what went back)
	InChannel  money.Fen
	InPool     money.Fen
	InProjects money.Fen
	Households money.Fen
	Entities   money.Fen // entities and collectives
	Other      money.Fen // assets, relief, loans, suspense
}

// PaidOut is what reached households and entities.
func (c ChannelWhere) PaidOut() money.Fen { return c.Households + c.Entities }

// ChannelSummary sums each channel's money by where it sits under the
// place prefix (from the ledger_place_totals projection, via
// SummaryByKind), in the channels' order, with the total of all.
func (l *Ledger) ChannelSummary(ctx context.Context, county, prefix string) ([]ChannelWhere, ChannelWhere, error) {
	chs, err := l.Channels(ctx, county)
	if err != nil {
		return nil, ChannelWhere{}, err
	}
	kt, err := l.SummaryByKind(ctx, county, prefix)
	if err != nil {
		return nil, ChannelWhere{}, err
	}
	rows := map[string]*ChannelWhere{}
	for _, ch := range chs {
		rows[ch.Code] = &ChannelWhere{Code: ch.Code, Name: ch.Name}
	}
	for _, k := range kt {
		r := rows[k.Channel]
		if r == nil {
			continue
		}
		switch k.Kind {
		case External:
			r.Arrived -= k.Amount
		case ChannelAcc:
			r.InChannel += k.Amount
		case Pool:
			r.InPool += k.Amount
		case Project:
			r.InProjects += k.Amount
		case Household:
			r.Households += k.Amount
		case Entity, Collective:
			r.Entities += k.Amount
		default:
			r.Other += k.Amount
		}
	}
	out := make([]ChannelWhere, 0, len(chs))
	var total ChannelWhere
	for _, ch := range chs {
		r := rows[ch.Code]
		total.Arrived += r.Arrived
		total.InChannel += r.InChannel
		total.InPool += r.InPool
		total.InProjects += r.InProjects
		total.Households += r.Households
		total.Entities += r.Entities
		total.Other += r.Other
		out = append(out, *r)
	}
	return out, total, nil
}

// Payout is one leg of a payment to a household: what the public
// payouts list shows (the name is the caller's to mask).
type Payout struct {
	Transfer int64
	PostedAt time.Time
	Account  Account
	Channel  string
	Amount   money.Fen
}

// RecentPayouts lists the legs of the county's latest payments to
// households, newest first, leaving out reversals and payments later
// reversed (paid to the wrong card, say, they were not paid): at most n
// legs, read from the latest 200 transfers.
func (l *Ledger) RecentPayouts(ctx context.Context, county string, n int) ([]Payout, error) {
	ts, err := l.RecentTransfers(ctx, county, 0, 200)
	if err != nil {
		return nil, err
	}
	var out []Payout
	for _, t := range ts {
		if t.Kind != "payment" || t.Reverses != 0 {
			continue
		}
		a, err := l.Account(ctx, county, t.To)
		if err != nil {
			return nil, err
		}
		if a.Kind != Household {
			continue
		}
		if by, err := l.ReversedBy(ctx, county, t.ID); err != nil {
			return nil, err
		} else if by != 0 {
			continue
		}
		for _, lg := range t.Legs {
			out = append(out, Payout{Transfer: t.ID, PostedAt: t.PostedAt, Account: a, Channel: lg.Channel, Amount: lg.Amount})
		}
		if len(out) >= n {
			break
		}
	}
	return out, nil
}
