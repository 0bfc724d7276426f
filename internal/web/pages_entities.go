// The business entities' pages (经营主体, M-21): the list with its search,
// filters and export, an entity with the money invested in it and the
// households it drives, the create and edit forms, the import and its
// template.

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"onepool/internal/agreements"
	"slices"
	"strconv"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/tabular"
)

// The navigation's entry for the entities, after the households: added
// here so that the areas table of views.go stays as the other areas
// left it.
func init() {
	at := len(areas)
	for i, a := range areas {
		if a.key == "households" {
			at = i + 1
		}
	}
	areas = slices.Insert(areas, at, struct {
		key, href string
		action    auth.Action
	}{"entities", "/entities", auth.ViewEntities})
}

type entityRow struct {
	entities.Entity
	PlaceName string
}

type entitiesView struct {
	Page
	Rows  []entityRow
	Total int
	// The search and filters as typed, and the pager.
	Q, Kind, Township string
	Kinds             []string
	Townships         []placeOption
	Places            []placeOption // where a new entity may be
	Pager             Pager
	ExportQuery       string // the filters, for the export's link ("" or "?…")
	Error             string
}

// entityFilter reads the list's search and filters (page, export and API).
func entityFilter(c *call) (entities.Filter, error) {
	q := c.r.URL.Query()
	f := entities.Filter{Q: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind")}
	if len([]rune(f.Q)) > 50 {
		return f, errs.F(errs.Invalid, "invalid_query", "q", "the search is at most 50 characters")
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

func (s *Server) entitiesView(c *call) (entitiesView, error) {
	ctx := c.r.Context()
	v := entitiesView{Page: c.page(translate(c.lang, "entities.title"), "entities"), Kinds: entities.Kinds, Places: s.subtreePlaces(c, place.County)}
	for _, o := range v.Places {
		if place.Code(o.Code).Level() == place.Township {
			v.Townships = append(v.Townships, o)
		}
	}
	f, err := entityFilter(c)
	if err != nil {
		return v, err
	}
	v.Q, v.Kind, v.Township = f.Q, f.Kind, string(f.Township)
	eq := url.Values{}
	for k, val := range map[string]string{"q": v.Q, "kind": v.Kind, "township": v.Township} {
		if val != "" {
			eq.Set(k, val)
		}
	}
	if len(eq) > 0 {
		v.ExportQuery = "?" + eq.Encode()
	}
	page, err := pageNumber(c.r)
	if err != nil {
		return v, err
	}
	f.Limit, f.Offset, f.CountCap = listSize, (page-1)*listSize, ledger.CountCap
	es, total, err := s.d.Entities.List(ctx, c.p, f)
	if err != nil {
		return v, err
	}
	if v.Pager = pagerCapped(c.r, total, page, listSize, ledger.CountCap); v.Pager.Page != page && total > 0 {
		f.Offset = v.Pager.Offset()
		if es, total, err = s.d.Entities.List(ctx, c.p, f); err != nil {
			return v, err
		}
	}
	for _, e := range es {
		v.Rows = append(v.Rows, entityRow{Entity: e, PlaceName: s.d.Auth.PlaceName(ctx, e.Place)})
	}
	v.Total = min(total, ledger.CountCap)
	return v, nil
}

func (s *Server) entitiesPage(w http.ResponseWriter, c *call) error {
	v, err := s.entitiesView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "entities", v)
}

func (s *Server) entitiesResult(w http.ResponseWriter, c *call, err error, next string) error {
	return afterForm(w, c, err, next, func(msg string, status int) error {
		v, verr := s.entitiesView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "entities", v)
	})
}

// entityFromForm reads the create and edit forms.
func entityFromForm(c *call) entities.Entity {
	r := c.r
	return entities.Entity{County: c.p.County, USCC: r.PostFormValue("uscc"), Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"),
		Place: place.Code(strings.TrimSpace(r.PostFormValue("place"))), LegalRep: r.PostFormValue("legal_rep"), RepID: r.PostFormValue("rep_id"),
		Account: r.PostFormValue("account"),
		Bank:    entities.Bank{Holder: r.PostFormValue("bank_holder"), Bank: r.PostFormValue("bank"), Number: r.PostFormValue("bank_account")}}
}

// createEntity registers an entity from the form.
func (s *Server) createEntity(w http.ResponseWriter, c *call) error {
	e, _, err := s.d.Entities.Create(c.r.Context(), c.p, entityFromForm(c))
	if err != nil {
		return s.entitiesResult(w, c, err, "")
	}
	c.done = fmt.Sprintf(translate(c.lang, "done.entity"), e.Name)
	return s.entitiesResult(w, c, nil, "/entities/"+url.PathEscape(e.USCC))
}

// entitiesImport registers the entities of a file, all or nothing.
func (s *Server) entitiesImport(w http.ResponseWriter, c *call) error {
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err != nil {
		return s.entitiesResult(w, c, err, "/entities")
	}
	defer f.Close()
	n, err := s.d.Entities.Import(c.r.Context(), c.p, f)
	c.done = fmt.Sprintf("%s（%d）", translate(c.lang, "done.imported"), n)
	return s.entitiesResult(w, c, err, "/entities")
}

// entitiesImportTemplate is the import's template: its columns, an
// example row that imports in the user's area, and the notes.
func (s *Server) entitiesImportTemplate(w http.ResponseWriter, c *call) error {
	vil := s.firstVillage(c)
	return sendTemplate(w, c, "template-entities.xlsx", "经营主体", []tabular.TemplateColumn{
		tcol("统一社会信用代码", true, "93520000MA0000001D", "excel.entities.uscc"),
		tcol("名称", true, "示例：桃园茶叶专业合作社", "excel.entities.name"),
		tcol("类型", true, entities.KindNames[entities.Cooperative], "excel.entities.kind"),
		tcol("所在地代码", true, string(vil), "excel.entities.place"),
		tcol("法定代表人", true, "示例：杨文清", "excel.entities.legal_rep"),
		tcol("法定代表人身份证号", false, "", "excel.entities.rep_id"),
		tcol("开户名", false, "示例：桃园茶叶专业合作社", "excel.entities.bank_holder"),
		tcol("开户银行", false, "示例：农商银行", "excel.entities.bank"),
		tcol("银行账号", false, "", "excel.entities.bank_account"),
		tcol("台账账户", false, "", "excel.entities.account"),
	}, "excel.entities.note")
}

// entitiesExport writes the list as xlsx: a title row naming the
// filters, the header, one row per entity; the invested money is a
// number cell. Bank accounts and ID numbers appear masked.
func (s *Server) entitiesExport(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	f, err := entityFilter(c)
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	title := t("entities.title") + " · " + s.d.Auth.PlaceName(ctx, c.p.Place)
	var cond []string
	if f.Kind != "" {
		cond = append(cond, t("list.kind")+"："+t("entkind."+f.Kind))
	}
	if f.Township != "" {
		cond = append(cond, t("level.township")+"："+s.d.Auth.PlaceName(ctx, f.Township))
	}
	if f.Q != "" {
		cond = append(cond, t("list.search")+"："+f.Q)
	}
	if len(cond) > 0 {
		title += "（" + strings.Join(cond, "；") + "）"
	}
	rows := [][]any{{title}, {t("entities.uscc"), t("col.name"), t("list.kind"), t("col.place"), t("entities.legal_rep"), t("entities.bank_account"),
		t("entities.account"), t("entities.households"), t("entities.invested")}}
	f.Limit, f.Offset = 1000, 0
	for {
		es, total, err := s.d.Entities.List(ctx, c.p, f)
		if err != nil {
			return err
		}
		for _, e := range es {
			inv, err := s.d.Entities.Invested(ctx, c.p, e.USCC)
			if err != nil {
				return err
			}
			var sum money.Fen
			for _, i := range inv {
				sum += i.Amount
			}
			rows = append(rows, []any{e.USCC, e.Name, t("entkind." + e.Kind), s.d.Auth.PlaceName(ctx, e.Place), e.LegalRep, e.Bank.Masked, e.Account, e.Households, sum})
		}
		f.Offset += f.Limit
		if f.Offset >= total || len(es) == 0 {
			break
		}
	}
	return writeXLSX(w, fmt.Sprintf("entities-%s.xlsx", c.p.County), rows)
}

// investLine is one project's money in an entity on one channel.
type investLine struct {
	entities.Investment
	ProjectName string
}

type entityView struct {
	Page
	E          entities.Entity
	PlaceName  string
	Invested   []investLine
	ByChannel  []investLine // totals per channel
	Total      money.Fen
	Links      []entities.Link
	Driven     int // households driven in all (some may be outside the viewer's area)
	Effect     money.Fen
	EffectYear int
	LinkTypes  []string
	Kinds      []string // the kinds the edit form may choose
	Revealed   string
	CanReveal  bool
	Error      string
	Agreements []agreements.Agreement // the entity's agreements in the viewer's area
	// Returned: a village collective's principals returned by terminated
	// equity agreements (pages_linkage.go); Today bounds the end form.
	Returned []agreements.Returned
	Today    string
}

func (s *Server) entityView(c *call, code string) (entityView, error) {
	ctx := c.r.Context()
	e, err := s.d.Entities.Get(ctx, c.p, code)
	if err != nil {
		return entityView{}, err
	}
	v := entityView{Page: c.page(e.Name, "entities"), E: e, PlaceName: s.d.Auth.PlaceName(ctx, e.Place), LinkTypes: entities.LinkTypes,
		CanReveal: auth.Allowed(c.p.Role, auth.RevealPersonal)}
	for _, k := range entities.Kinds {
		if entities.AccountKind(k) == entities.AccountKind(e.Kind) {
			v.Kinds = append(v.Kinds, k)
		}
	}
	inv, err := s.d.Entities.Invested(ctx, c.p, e.USCC)
	if err != nil {
		return v, err
	}
	byCh := map[string]money.Fen{}
	for _, i := range inv {
		l := investLine{Investment: i}
		if i.Project != "" {
			if p, err := s.d.Funds.Project(ctx, c.p.County, i.Project); err == nil {
				l.ProjectName = p.Name
			}
		}
		v.Invested = append(v.Invested, l)
		byCh[i.Channel] += i.Amount
		v.Total += i.Amount
	}
	for ch, a := range byCh {
		v.ByChannel = append(v.ByChannel, investLine{Investment: entities.Investment{Channel: ch, Amount: a}})
	}
	slices.SortFunc(v.ByChannel, func(a, b investLine) int { return strings.Compare(a.Channel, b.Channel) })
	if v.Links, v.Driven, err = s.d.Entities.Links(ctx, c.p, e.USCC); err != nil {
		return v, err
	}
	if v.Agreements, _, err = s.d.Agreements.List(ctx, c.p, agreements.Filter{Entity: e.USCC, Limit: 1000}); err != nil {
		return v, err
	}
	v.Returned, v.Today = s.returnedTo(c, e), clock.Day(s.d.Clock())
	// The income effect of the latest year recorded, over the households shown.
	seen := map[string]bool{}
	for _, l := range v.Links {
		for _, ef := range l.Effects {
			v.EffectYear = max(v.EffectYear, ef.Year)
		}
	}
	for _, l := range v.Links {
		if seen[l.Household] {
			continue
		}
		seen[l.Household] = true
		for _, ef := range l.Effects {
			if ef.Year == v.EffectYear {
				v.Effect += ef.Income
			}
		}
	}
	return v, nil
}

func (s *Server) entityPage(w http.ResponseWriter, c *call) error {
	v, err := s.entityView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "entity", v)
}

// entityResult ends a form of the entity page: back to the page with the
// flash, or the page again with the form's values and the refusal.
func (s *Server) entityResult(w http.ResponseWriter, c *call, v entityView, err error) error {
	return afterForm(w, c, err, "/entities/"+url.PathEscape(v.E.USCC), func(msg string, status int) error {
		v, verr := s.entityView(c, v.E.USCC)
		if verr != nil {
			return err
		}
		v.Error = msg
		v.form, v.badField = c.r.PostForm, c.badField
		return c.render(w, status, "entity", v)
	})
}

// updateEntity saves the edit form.
func (s *Server) updateEntity(w http.ResponseWriter, c *call) error {
	v, err := s.entityView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	e := entityFromForm(c)
	e.USCC, e.Place = v.E.USCC, ""
	_, err = s.d.Entities.Update(c.r.Context(), c.p, e)
	c.done = fmt.Sprintf(translate(c.lang, "done.entity"), strings.TrimSpace(e.Name))
	return s.entityResult(w, c, v, err)
}

// revealEntity shows the bank account (or the legal representative's ID)
// once, on the page; the service audits it. It is never put in a URL.
func (s *Server) revealEntity(w http.ResponseWriter, c *call) error {
	v, err := s.entityView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	val, err := s.d.Entities.Reveal(c.r.Context(), c.p, v.E.USCC, c.r.PostFormValue("field"))
	if err != nil {
		return s.entityResult(w, c, v, err)
	}
	v.Revealed = val
	return c.render(w, http.StatusOK, "entity", v)
}

// addEntityLink records a household the entity drives, with the income
// effect of a year when one is given.
func (s *Server) addEntityLink(w http.ResponseWriter, c *call) error {
	v, err := s.entityView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	r := c.r
	l := entities.Link{Household: r.PostFormValue("household"), Type: r.PostFormValue("link_type"), Since: r.PostFormValue("since")}
	var eff *entities.Effect
	if inc := strings.TrimSpace(r.PostFormValue("income")); inc != "" {
		eff, err = effectOf(r.PostFormValue("year"), inc)
	}
	if err == nil {
		_, err = s.d.Entities.AddLink(r.Context(), c.p, v.E.USCC, l, eff)
	}
	c.done = fmt.Sprintf(translate(c.lang, "done.entity_link"), strings.TrimSpace(l.Household))
	return s.entityResult(w, c, v, err)
}

// setEntityEffect records a linked household's income effect of a year.
func (s *Server) setEntityEffect(w http.ResponseWriter, c *call) error {
	v, err := s.entityView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	eff, err := effectOf(c.r.PostFormValue("year"), c.r.PostFormValue("income"))
	if err == nil {
		eff.Household = c.r.PostFormValue("household")
		err = s.d.Entities.SetEffect(c.r.Context(), c.p, v.E.USCC, *eff)
	}
	c.done = translate(c.lang, "done.entity_effect")
	return s.entityResult(w, c, v, err)
}

// effectOf reads a year and an amount of yuan.
func effectOf(year, income string) (*entities.Effect, error) {
	y, err := strconv.Atoi(strings.TrimSpace(year))
	if err != nil {
		return nil, errs.F(errs.Invalid, "invalid_year", "year", "the year must be a year like 2026")
	}
	f, err := parseAmount("income", income)
	if err != nil {
		return nil, err
	}
	return &entities.Effect{Year: y, Income: f}, nil
}
