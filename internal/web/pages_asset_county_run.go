package web

// The county-wide distribution run of the assets' income (资产收益分配（全县）,
// issue 14): /asset-runs previews what a run of a year (and township)
// would cover — the assets with their amounts and lines, the totals, the
// assets left out with the reason in words — and enters it as a money
// instruction (two people); /asset-runs/{id} shows an entered run, its
// assets and, once approved, each asset's run. The paths are of their
// own: under /assets/ they would overlap /assets/{id}/….

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/policy"
)

type assetCountyRowView struct {
	assets.CountyRunItem
	VillageName string
	Run         int64 // the asset's run, once approved
}

type assetLeftOutView struct {
	assets.CountyLeftOut
	Why string // the reason in the viewer's words
}

type assetCountyRunsView struct {
	Page
	Year      string
	Township  string
	Townships []placeOption
	Shares    []policy.AssetShare
	Plan      *assets.CountyPlan
	Rows      []assetCountyRowView
	LeftOut   []assetLeftOutView
	Error     string
}

// leftOutWhy says why an asset is left out of a county run, in words (a
// reason without its own label says so generally, never its code).
func leftOutWhy(lang, code string) string {
	if k := "acrun.why." + code; translate(lang, k) != k {
		return translate(lang, k)
	}
	return translate(lang, "acrun.why.other")
}

func (s *Server) assetCountyRunsView(c *call, year, township string) assetCountyRunsView {
	v := assetCountyRunsView{Page: c.page(translate(c.lang, "acrun.title"), "assets"), Year: year, Township: township}
	for _, o := range s.subtreePlaces(c, place.County) {
		if place.Code(o.Code).Level() == place.Township {
			v.Townships = append(v.Townships, o)
		}
	}
	if rule, err := s.d.AssetIncome.Rule(c.r.Context(), c.p.County); err == nil {
		v.Shares = rule.IncomeShares
	}
	return v
}

// withPlan fills the preview's rows.
func (s *Server) withPlan(c *call, v *assetCountyRunsView, plan assets.CountyPlan) {
	v.Plan = &plan
	for _, it := range plan.Assets {
		v.Rows = append(v.Rows, assetCountyRowView{CountyRunItem: it, VillageName: s.d.Auth.PlaceName(c.r.Context(), it.Village)})
	}
	for _, l := range plan.LeftOut {
		v.LeftOut = append(v.LeftOut, assetLeftOutView{CountyLeftOut: l, Why: leftOutWhy(c.lang, l.Reason)})
	}
}

// formUses reads the use entered for each share (use_<key>; blank ones
// left out), for the single and the county-wide run's forms.
func formUses(c *call) map[string]string {
	uses := map[string]string{}
	for k, vs := range c.r.Form {
		if key, ok := strings.CutPrefix(k, "use_"); ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			uses[key] = strings.TrimSpace(vs[0])
		}
	}
	return uses
}

func (s *Server) assetCountyRunsPage(w http.ResponseWriter, c *call) error {
	q := c.r.URL.Query()
	v := s.assetCountyRunsView(c, strings.TrimSpace(q.Get("year")), strings.TrimSpace(q.Get("township")))
	if v.Year == "" {
		v.Year = strconv.Itoa(s.d.Clock().Year())
		return c.render(w, http.StatusOK, "asset_county_runs", v)
	}
	n, err := countyYear(v.Year)
	if err == nil {
		var plan assets.CountyPlan
		if plan, err = s.d.AssetIncome.PlanCountyRun(c.r.Context(), c.p, n, v.Township, nil); err == nil {
			s.withPlan(c, &v, plan)
		}
	}
	if err != nil {
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.RuleBroken && k != errs.NotFound {
			return err
		}
		v.Error = formMessage(c.lang, err)
		return c.render(w, http.StatusUnprocessableEntity, "asset_county_runs", v)
	}
	return c.render(w, http.StatusOK, "asset_county_runs", v)
}

func (s *Server) assetCountyRunsForm(w http.ResponseWriter, c *call) error {
	year, township := strings.TrimSpace(c.r.PostFormValue("year")), strings.TrimSpace(c.r.PostFormValue("township"))
	n, err := countyYear(year)
	var in instruct.Instruction
	uses := formUses(c)
	if err == nil {
		in, _, err = s.d.AssetIncome.ProposeCountyRun(c.r.Context(), c.p, assets.CountyRunInput{Year: n, Township: township, Uses: uses, Key: strings.TrimSpace(c.r.PostFormValue("key"))})
	}
	c.done = translate(c.lang, "done.acrun")
	return afterForm(w, c, err, instructionPath(in), func(msg string, status int) error {
		v := s.assetCountyRunsView(c, year, township)
		v.Error = msg
		if n != 0 {
			if plan, perr := s.d.AssetIncome.PlanCountyRun(c.r.Context(), c.p, n, township, nil); perr == nil {
				s.withPlan(c, &v, plan)
			}
		}
		return c.render(w, status, "asset_county_runs", v)
	})
}

type assetCountyRunView struct {
	Page
	R        assets.CountyRun
	Rows     []assetCountyRowView
	Batches  []payout.Batch // the asset payout batches entered since its approval
	CanPay   bool
	AreaName string
	Error    string
}

func (s *Server) assetCountyRunPage(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	return s.assetCountyRunPageWith(w, c, id, "", http.StatusOK)
}

func (s *Server) assetCountyRunPageWith(w http.ResponseWriter, c *call, id int64, msg string, status int) error {
	ctx := c.r.Context()
	r, err := s.d.AssetIncome.CountyRun(ctx, c.p, id)
	if err != nil {
		return err
	}
	v := assetCountyRunView{Page: c.page(fmt.Sprintf("%s #%d", translate(c.lang, "acrun.run"), r.Instruction.ID), "assets"), R: r,
		CanPay: assets.MayPay(c.p) && auth.Allowed(c.p.Role, auth.PaySubsidies), AreaName: translate(c.lang, "divcounty.whole"), Error: msg}
	if r.Order.Township != "" {
		v.AreaName = s.d.Auth.PlaceName(ctx, place.Code(r.Order.Township))
	}
	for _, it := range r.Order.Assets {
		v.Rows = append(v.Rows, assetCountyRowView{CountyRunItem: it, VillageName: s.d.Auth.PlaceName(ctx, it.Village), Run: r.Runs[it.Asset]})
	}
	// The households' lines are paid in the county's asset payout
	// batches (every waiting line of the county in one batch): those
	// entered since the run was approved, for who may open them.
	if r.Instruction.State == instruct.Posted && auth.Allowed(c.p.Role, auth.PaySubsidies) {
		bs, err := s.d.Relief.Payout().Batches(ctx, c.p.County, assets.PayoutKind)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if !b.CreatedAt.Before(r.Instruction.DecidedAt) {
				v.Batches = append(v.Batches, b)
			}
		}
	}
	return c.render(w, status, "asset_county_run", v)
}

// assetCountyRunPay enters, from an approved county run's page, a payout
// batch of every household line waiting (the county's finance or rural
// bureau), for approval by another person — as a single run's page does.
func (s *Server) assetCountyRunPay(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	if _, err := s.d.AssetIncome.CountyRun(c.r.Context(), c.p, id); err != nil {
		return err
	}
	in, err := s.d.AssetIncome.ProposePayment(c.r.Context(), c.p, strings.TrimSpace(c.r.PostFormValue("key")))
	c.done = translate(c.lang, "done.acrun_pay")
	return afterForm(w, c, err, instructionPath(in), func(msg string, status int) error {
		return s.assetCountyRunPageWith(w, c, id, msg, status)
	})
}
