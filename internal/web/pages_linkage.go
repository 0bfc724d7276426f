// Interest-linkage tracking (利益联结, M-23) on the entities' pages: the
// yearly report per entity, township and county with its export, the
// income effects' import and template, links that end; the principal an
// equity agreement returns to the village collective (M-32); and the list
// of the direct subsidies' payout batches.

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/tabular"
)

// linkageFilter reads the report's year (default: this year), township
// and entity (page, export and API).
func (s *Server) linkageFilter(c *call) (entities.ReportFilter, error) {
	q := c.r.URL.Query()
	f := entities.ReportFilter{Year: s.d.Clock().In(clock.Zone).Year(), Entity: strings.TrimSpace(q.Get("entity"))}
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return f, errs.F(errs.Invalid, "invalid_year", "year", "the year must be a year like 2026")
		}
		f.Year = y
	}
	if v := q.Get("township"); v != "" {
		code, err := place.Parse(v)
		if err != nil {
			return f, errs.F(errs.Invalid, "invalid_query", "township", "township must be a division code")
		}
		f.Township = code
	}
	return f, nil
}

type linkEntityRow struct {
	entities.EntityTally
	PlaceName string
}

type linkTownRow struct {
	entities.TownshipTally
	Name string
}

type linkageView struct {
	Page
	R           entities.Report
	Entities    []linkEntityRow
	Towns       []linkTownRow
	Years       []int
	Township    string
	Townships   []placeOption
	EntityName  string
	ExportQuery string
	Error       string
}

func (s *Server) linkageView(c *call) (linkageView, error) {
	ctx := c.r.Context()
	v := linkageView{Page: c.page(translate(c.lang, "linkage.title"), "entities")}
	this := s.d.Clock().In(clock.Zone).Year()
	for y := this; y > this-5; y-- {
		v.Years = append(v.Years, y)
	}
	for _, o := range s.subtreePlaces(c, place.County) {
		if place.Code(o.Code).Level() == place.Township {
			v.Townships = append(v.Townships, o)
		}
	}
	f, err := s.linkageFilter(c)
	if err != nil {
		return v, err
	}
	v.Township = string(f.Township)
	if v.R, err = s.d.Entities.Report(ctx, c.p, f); err != nil {
		return v, err
	}
	for _, e := range v.R.Entities {
		v.Entities = append(v.Entities, linkEntityRow{EntityTally: e, PlaceName: s.d.Auth.PlaceName(ctx, e.Place)})
	}
	for _, t := range v.R.Townships {
		v.Towns = append(v.Towns, linkTownRow{TownshipTally: t, Name: s.d.Auth.PlaceName(ctx, t.Township)})
	}
	if v.R.Entity != "" {
		if e, err := s.d.Entities.Get(ctx, c.p, v.R.Entity); err == nil {
			v.EntityName = e.Name
		}
	}
	eq := url.Values{"year": {strconv.Itoa(f.Year)}}
	if f.Township != "" {
		eq.Set("township", string(f.Township))
	}
	if v.R.Entity != "" {
		eq.Set("entity", v.R.Entity)
	}
	v.ExportQuery = "?" + eq.Encode()
	return v, nil
}

func (s *Server) linkagePage(w http.ResponseWriter, c *call) error {
	v, err := s.linkageView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "linkage", v)
}

// linkageExport is the report's export: a title naming the year and the
// filters, one row per entity with number cells, the totals row.
func (s *Server) linkageExport(c *call) (exportSpec, error) {
	ctx := c.r.Context()
	f, err := s.linkageFilter(c)
	if err != nil {
		return exportSpec{}, err
	}
	r, err := s.d.Entities.Report(ctx, c.p, f)
	if err != nil {
		return exportSpec{}, err
	}
	t := func(k string) string { return translate(c.lang, k) }
	township, entity := "", ""
	if f.Township != "" {
		township = s.d.Auth.PlaceName(ctx, f.Township) + " " + string(f.Township)
	}
	if r.Entity != "" {
		entity = r.Entity
		if e, err := s.d.Entities.Get(ctx, c.p, r.Entity); err == nil {
			entity = e.Name + " " + r.Entity
		}
	}
	title := filterTitle(c.lang, t("linkage.title")+" · "+s.d.Auth.PlaceName(ctx, c.p.Place),
		[][2]string{{"policy.year", strconv.Itoa(r.Year)}, {"level.township", township}, {"linkage.entity", entity}, {"linkage.threshold", r.Threshold.String()}})
	head := []any{t("entities.uscc"), t("col.name"), t("list.kind"), t("col.place"), t("linkage.households"), t("linkage.reached"), t("linkage.total"), t("linkage.average")}
	return exportSpec{Title: title, Header: head, Rows: len(r.Entities), File: fmt.Sprintf("linkage-%s-%d.xlsx", c.p.County, r.Year),
		Each: func(ctx context.Context, emit func([]any, int) error) error {
			for i, e := range r.Entities {
				if err := emit([]any{e.USCC, e.Name, t("entkind." + e.Kind), s.d.Auth.PlaceName(ctx, e.Place), e.Households, e.Reached, e.Total, e.Average}, i+1); err != nil {
					return err
				}
			}
			return nil
		},
		Totals: func() []any {
			return []any{fmt.Sprintf(t("linkage.total_row"), r.County.Entities), "", "", "", r.County.Households, r.County.Reached, r.County.Total, r.County.Average}
		}}, nil
}

// linkageImport records the income effects of a file, all or nothing.
func (s *Server) linkageImport(w http.ResponseWriter, c *call) error {
	next := "/entities/linkage"
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err == nil {
		defer f.Close()
		var n int
		n, err = s.d.Entities.ImportEffects(c.r.Context(), c.p, f)
		c.done = fmt.Sprintf("%s（%d）", translate(c.lang, "done.imported"), n)
	}
	return afterForm(w, c, err, next, func(msg string, status int) error {
		v, verr := s.linkageView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "linkage", v)
	})
}

// linkageTemplate is the effects import's template.
func (s *Server) linkageTemplate(w http.ResponseWriter, c *call) error {
	year := s.d.Clock().In(clock.Zone).Year() - 1
	return sendTemplate(w, c, "template-linkage.xlsx", "利益联结增收", []tabular.TemplateColumn{
		tcol("统一社会信用代码", true, "93520000MA0000001D", "excel.linkage.uscc"),
		tcol("户编号", true, string(s.firstVillage(c))+"-01", "excel.linkage.household"),
		tcol("年度", true, year, "excel.linkage.year"),
		tcol("年增收（元）", true, "1,200.00", "excel.linkage.income"),
	}, "excel.linkage.note")
}

// endEntityLink ends a household's link to the entity (date, reason).
func (s *Server) endEntityLink(w http.ResponseWriter, c *call) error {
	v, err := s.entityView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	r := c.r
	hh := strings.TrimSpace(r.PostFormValue("household"))
	_, err = s.d.Entities.EndLink(r.Context(), c.p, v.E.USCC, hh, r.PostFormValue("link_type"), r.PostFormValue("ended"), r.PostFormValue("reason"))
	c.done = fmt.Sprintf(translate(c.lang, "done.link_ended"), hh)
	return s.entityResult(w, c, v, err)
}

// returnedView is what the linkage adds to an entity's page: the
// principals returned into a village collective's account.
func (s *Server) returnedTo(c *call, e entities.Entity) []agreements.Returned {
	if e.Kind != entities.Collective {
		return nil
	}
	rs, err := s.d.Agreements.ReturnedTo(c.r.Context(), c.p, e.Account)
	if err != nil {
		return nil
	}
	return rs
}

// principalOf is the principal return an agreement's page shows, and
// whether the viewer may enter it now.
func (s *Server) principalOf(c *call, a agreements.Agreement) (agreements.PrincipalReturn, bool) {
	if a.Kind != agreements.Entity || a.Form != agreements.Equity {
		return agreements.PrincipalReturn{}, false
	}
	pr, err := s.d.Agreements.PrincipalOf(c.r.Context(), c.p, a)
	if err != nil {
		return agreements.PrincipalReturn{}, false
	}
	can := a.State == agreements.Terminated && (pr.Instruction == 0 || pr.State == instruct.Rejected) && auth.Allowed(c.p.Role, auth.WriteAgreements)
	return pr, can
}

// returnPrincipal enters the return of a terminated equity agreement's
// principal to the village collective, for another person's approval.
func (s *Server) returnPrincipal(w http.ResponseWriter, c *call) error {
	v, err := s.agreementView(c)
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.r.PostFormValue("key"))
	if key == "" {
		key = fmt.Sprintf("principal:%d", v.A.ID)
	}
	in, err := s.d.Agreements.ProposePrincipalReturn(c.r.Context(), c.p, v.A.ID, key)
	c.done = translate(c.lang, "done.principal_return")
	return afterForm(w, c, err, instructionPath(in), func(msg string, status int) error {
		v.Error = msg
		return c.render(w, status, "agreement", v)
	})
}

type subsidyBatchesView struct {
	Page
	Pay     payer
	Batches []payout.Batch
}

// subsidyBatches lists the direct subsidies' payout batches (the
// payout mechanism's, like relief's list), newest first.
func (s *Server) subsidyBatches(w http.ResponseWriter, c *call) error {
	if c.p.Place.Level() != place.County {
		return errs.F(errs.NotFound, "unknown_batch", "batch", "no such batch")
	}
	bs, err := s.d.Relief.Payout().Batches(c.r.Context(), c.p.County, subsidyPayer.Kind)
	if err != nil {
		return err
	}
	if bs == nil {
		bs = []payout.Batch{}
	}
	return c.render(w, http.StatusOK, "subsidy_batches", subsidyBatchesView{Page: c.page(translate(c.lang, "subsidy.batches"), subsidyPayer.Menu), Pay: subsidyPayer, Batches: bs})
}
