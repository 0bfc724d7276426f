package web

import (
	"net/http"

	"onepool/internal/agreements"
	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/relief"
)

// channelRow is one channel's money by where it sits now (the ledger's
// read model), with the share paid out as the page shows it.
type channelRow struct {
	ledger.ChannelWhere
	PaidOutRate string // (households + entities) / arrived
}

type transferRow struct {
	ledger.Transfer
	FromName, ToName string
}

type dashboardView struct {
	Page
	WholeCounty bool
	Channels    []channelRow
	Total       channelRow
	Recent      []transferRow
	Overdue     []commitmentRow
	Queue       int             // review steps waiting for the user
	QueueLate   int             // of them past their time limit
	LateSteps   int             // review steps past their limit in the user's place
	Relief      *relief.Request // the relief fund's open treasury top-up request
	// Assets whose upkeep (the next inspection) is past due in the place.
	UpkeepLate  []assets.Overdue
	UpkeepLateN int
	// Dividends are the entity agreements' dividends past their due date
	// and not (fully) paid in by the operator, in the user's area.
	Dividends []agreements.Overdue
}

// channelSummary is the ledger's channel summary for the caller's
// subtree, with each row's share paid out.
func (c *call) channelSummary(county, prefix string) ([]channelRow, channelRow, error) {
	ws, total, err := c.s.d.Ledger.ChannelSummary(c.r.Context(), county, prefix)
	if err != nil {
		return nil, channelRow{}, err
	}
	out := make([]channelRow, len(ws))
	for i, w := range ws {
		out[i] = channelRow{ChannelWhere: w, PaidOutRate: rate(w.PaidOut(), w.Arrived)}
	}
	return out, channelRow{ChannelWhere: total, PaidOutRate: rate(total.PaidOut(), total.Arrived)}, nil
}

func rate(part, whole money.Fen) string {
	if whole <= 0 {
		return "—"
	}
	return money.Percent(part, whole)
}

func (s *Server) dashboard(w http.ResponseWriter, c *call) error {
	county := c.p.County
	prefix := c.p.Prefix()
	if len(prefix) <= 6 {
		prefix = county
	}
	v := dashboardView{Page: c.page(translate(c.lang, "nav.desk"), "desk"), WholeCounty: prefix == county}
	var err error
	if v.Channels, v.Total, err = c.channelSummary(county, prefix); err != nil {
		return err
	}
	ts, err := s.d.Ledger.RecentTransfersIn(c.r.Context(), county, prefix, 0, 10)
	if err != nil {
		return err
	}
	if v.Recent, err = c.transferRows(county, ts); err != nil {
		return err
	}
	if v.Overdue, err = s.commitmentRows(c, true); err != nil {
		return err
	}
	q, err := s.queueRows(c)
	if err != nil {
		return err
	}
	for _, r := range q {
		v.Queue++
		if r.Overdue {
			v.QueueLate++
		}
	}
	// Objections the user's office answers wait in the same queue.
	os, err := s.objectionRows(c)
	if err != nil {
		return err
	}
	for _, o := range os {
		v.Queue++
		if o.Overdue {
			v.QueueLate++
		}
	}
	if v.LateSteps, err = s.d.Workflow.OverdueCount(c.r.Context(), county, prefix); err != nil {
		return err
	}
	if v.Relief, err = s.d.Relief.OpenRequest(c.r.Context(), county); err != nil {
		return err
	}
	if auth.Allowed(c.p.Role, auth.ViewAssets) {
		if v.UpkeepLate, v.UpkeepLateN, err = s.d.Assets.OverdueUpkeep(c.r.Context(), c.p, 10); err != nil {
			return err
		}
	}
	if c.p.County != "" && auth.Authorize(c.p, auth.ViewAgreements, "") == nil {
		if v.Dividends, err = s.d.Agreements.OverdueDividends(c.r.Context(), c.p); err != nil {
			return err
		}
	}
	return c.render(w, http.StatusOK, "dashboard", v)
}

// areaInfo is an area of MISSION.md that a later release builds.
type areaInfo struct {
	Key          string
	Requirements string // the MISSION.md requirement ids it covers
}

var plannedAreas = map[string]areaInfo{
	"agreements": {"agreements", "M-30 … M-33"},
	"assets":     {"assets", "M-50 … M-52"},
	"credit":     {"credit", "M-40 … M-41"},
}

type areaView struct {
	Page
	Area areaInfo
}

// area is the honest page of an area not built yet: it says so and shows
// no data.
func (s *Server) area(w http.ResponseWriter, c *call) error {
	a, ok := plannedAreas[c.r.PathValue("area")]
	if !ok {
		return errs.F(errs.NotFound, "not_found", "", "no such area")
	}
	v := areaView{Page: c.page(translate(c.lang, "nav."+a.Key), a.Key), Area: a}
	return c.render(w, http.StatusOK, "area", v)
}
