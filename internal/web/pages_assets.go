// The asset register's pages (资产, issue 14): the list with its search,
// filters, export and import, an asset's page with its forms (确权,
// handover, keeper, upkeep plan and records, disposal and its decisions),
// the printable asset card with its QR code, and the public-safe page
// the card's QR code leads to.

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/tabular"
	"onepool/internal/workflow"
)

// The navigation's 资产 opens the register (the area was "not built").
func init() {
	for i, a := range areas {
		if a.key == "assets" {
			areas[i].href, areas[i].action = "/assets", auth.ViewAssets
		}
	}
	delete(plannedAreas, "assets")
}

type assetRow struct {
	assets.Asset
	PlaceName string
	Income    money.Fen // the year's income (the village page)
}

type assetsView struct {
	Page
	Rows                                 []assetRow
	Total                                int
	Q, Type, Status, Category, PlaceCode string
	Types, Statuses, Categories          []string
	Places                               []placeOption // filter: townships and villages
	Villages                             []placeOption // where a new asset may be
	Pager                                Pager
	ExportQuery                          string
	Error                                string
	ProjectCode                          string // the register form's project (from a project's page)
}

// assetFilter reads the list's search and filters (page, export and API).
func assetFilter(c *call) (assets.Filter, error) {
	q := c.r.URL.Query()
	f := assets.Filter{Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Status: q.Get("status"), Category: q.Get("category"), Project: strings.TrimSpace(q.Get("project"))}
	if len([]rune(f.Q)) > 50 {
		return f, errs.F(errs.Invalid, "invalid_query", "q", "the search is at most 50 characters")
	}
	if v := q.Get("place"); v != "" {
		code, err := place.Parse(v)
		if err != nil {
			return f, errs.F(errs.Invalid, "invalid_query", "place", "place must be a division code")
		}
		f.Place = code
	}
	return f, nil
}

func (s *Server) assetsView(c *call) (assetsView, error) {
	ctx := c.r.Context()
	v := assetsView{Page: c.page(translate(c.lang, "assets.title"), "assets"), Types: assets.Types, Statuses: assets.Statuses, Categories: assets.Categories,
		ProjectCode: c.r.URL.Query().Get("register")}
	for _, o := range s.subtreePlaces(c, place.Township) {
		v.Places = append(v.Places, o)
		if place.Code(o.Code).Level() == place.Village {
			v.Villages = append(v.Villages, o)
		}
	}
	f, err := assetFilter(c)
	if err != nil {
		return v, err
	}
	v.Q, v.Type, v.Status, v.Category, v.PlaceCode = f.Q, f.Type, f.Status, f.Category, string(f.Place)
	if c.r.URL.RawQuery != "" {
		eq := c.r.URL.Query()
		eq.Del("page")
		eq.Del("register")
		if len(eq) > 0 {
			v.ExportQuery = "?" + eq.Encode()
		}
	}
	page, err := pageNumber(c.r)
	if err != nil {
		return v, err
	}
	f.Limit, f.Offset, f.CountCap = listSize, (page-1)*listSize, ledger.CountCap
	as, total, err := s.d.Assets.List(ctx, c.p, f)
	if err != nil {
		return v, err
	}
	if v.Pager = pagerCapped(c.r, total, page, listSize, ledger.CountCap); v.Pager.Page != page && total > 0 {
		f.Offset = v.Pager.Offset()
		if as, total, err = s.d.Assets.List(ctx, c.p, f); err != nil {
			return v, err
		}
	}
	for _, a := range as {
		v.Rows = append(v.Rows, assetRow{Asset: a, PlaceName: s.d.Auth.PlaceName(ctx, a.Place)})
	}
	v.Total = min(total, ledger.CountCap)
	// The totals of the values are the export's (a sum over the whole
	// county on every page would read every row).
	return v, nil
}

func (s *Server) assetsPage(w http.ResponseWriter, c *call) error {
	v, err := s.assetsView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "assets", v)
}

func (s *Server) assetsArea(w http.ResponseWriter, c *call) error {
	http.Redirect(w, c.r, "/assets", http.StatusSeeOther)
	return nil
}

func (s *Server) assetsResult(w http.ResponseWriter, c *call, err error, next string) error {
	return afterForm(w, c, err, next, func(msg string, status int) error {
		v, verr := s.assetsView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "assets", v)
	})
}

// newAssetFromForm reads the register form.
func newAssetFromForm(c *call) (assets.NewAsset, error) {
	r := c.r
	n := assets.NewAsset{Code: r.PostFormValue("code"), Project: r.PostFormValue("project"), Name: r.PostFormValue("name"), Type: r.PostFormValue("type"),
		Category: r.PostFormValue("category"), Place: place.Code(strings.TrimSpace(r.PostFormValue("place"))), Location: r.PostFormValue("location"), Unit: r.PostFormValue("unit")}
	if q := strings.TrimSpace(r.PostFormValue("quantity")); q != "" {
		v, err := assets.ParseQuantity(q)
		if err != nil {
			return n, err
		}
		n.Quantity = v
	}
	v, err := parseWrittenAmount("value", r.PostFormValue("value"))
	n.Value = v
	return n, err
}

// parseWrittenAmount reads 元 or 万元 (money.ParseWritten).
func parseWrittenAmount(field, in string) (money.Fen, error) {
	f, err := money.ParseWritten(in)
	if err != nil {
		return 0, amountRefusal(field, in, err)
	}
	return f, nil
}

func (s *Server) registerAsset(w http.ResponseWriter, c *call) error {
	n, err := newAssetFromForm(c)
	var a assets.Asset
	if err == nil {
		a, err = s.d.Assets.Register(c.r.Context(), c.p, n)
	}
	if err != nil {
		return s.assetsResult(w, c, err, "")
	}
	c.done = fmt.Sprintf(translate(c.lang, "done.asset"), a.Code, a.Name)
	return s.assetsResult(w, c, nil, fmt.Sprintf("/assets/%d", a.ID))
}

func (s *Server) assetsImport(w http.ResponseWriter, c *call) error {
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err != nil {
		return s.assetsResult(w, c, err, "/assets")
	}
	defer f.Close()
	n, err := s.d.Assets.Import(c.r.Context(), c.p, f)
	c.done = fmt.Sprintf("%s（%d）", translate(c.lang, "done.imported"), n)
	return s.assetsResult(w, c, err, "/assets")
}

// assetsImportTemplate is the import's template: its columns, an example
// row that imports in the user's area, and the notes.
func (s *Server) assetsImportTemplate(w http.ResponseWriter, c *call) error {
	vil := s.firstVillage(c)
	legs := "ZX:20万元；SJ:10万元"
	if chs, err := s.d.Ledger.Channels(c.r.Context(), c.p.County); err == nil && len(chs) > 0 {
		legs = chs[0].Code + ":30万元"
	}
	return sendTemplate(w, c, "template-assets.xlsx", "资产", []tabular.TemplateColumn{
		tcol("资产编号", true, "ZC9001", "excel.assets.code"),
		tcol("资产名称", true, "示例：闲置村小", "excel.assets.name"),
		tcol("资产类型", true, "经营性", "excel.assets.type"),
		tcol("资产类别", true, "房屋建筑", "excel.assets.category"),
		tcol("所在村代码", true, string(vil), "excel.assets.village"),
		tcol("坐落位置", false, "示例：老村委旁", "excel.assets.location"),
		tcol("数量", false, "1", "excel.assets.quantity"),
		tcol("计量单位", false, "座", "excel.assets.unit"),
		tcol("原值", true, "30万元", "excel.assets.value"),
		tcol("建成日期", false, "2012-09-01", "excel.assets.built_on"),
		tcol("资金渠道", false, legs, "excel.assets.legs"),
		tcol("使用状态", false, "闲置", "excel.assets.use_state"),
		tcol("权属主体", false, "", "excel.assets.owner"),
		tcol("确权文件", false, "", "excel.assets.confirm_doc"),
	}, "excel.assets.note")
}

// assetsExport is the register's export through the shared mechanism:
// the list's filters in the title, values as number cells, totals.
func (s *Server) assetsExport(c *call) (exportSpec, error) {
	ctx := c.r.Context()
	f, err := assetFilter(c)
	if err != nil {
		return exportSpec{}, err
	}
	f.Limit, f.CountCap = 1, 0
	_, total, err := s.d.Assets.List(ctx, c.p, f)
	if err != nil {
		return exportSpec{}, err
	}
	t := func(k string) string { return translate(c.lang, k) }
	opt := func(prefix, v string) string {
		if v == "" {
			return ""
		}
		return t(prefix + v)
	}
	pl := ""
	if f.Place != "" {
		pl = s.d.Auth.PlaceName(ctx, f.Place)
	}
	title := filterTitle(c.lang, t("assets.title")+" · "+s.d.Auth.PlaceName(ctx, c.p.Place), [][2]string{{"col.place", pl}, {"assets.type", opt("asset.type.", f.Type)},
		{"list.status", opt("status.", f.Status)}, {"assets.category", opt("asset.cat.", f.Category)}, {"list.search", f.Q}})
	head := []any{t("assets.code"), t("col.name"), t("assets.type"), t("assets.category"), t("col.place"), t("assets.location"), t("assets.quantity"), t("assets.unit"),
		t("assets.value"), t("assets.book"), t("assets.built_on"), t("list.status"), t("assets.use"), t("assets.project")}
	var sumV, sumB money.Fen
	return exportSpec{Title: title, Header: head, Rows: total, File: "assets-" + c.p.County + ".xlsx",
		Each: func(ctx context.Context, emit func([]any, int) error) error {
			pf := f
			pf.Limit, pf.Offset = 1000, 0
			done := 0
			for {
				as, _, err := s.d.Assets.List(ctx, c.p, pf)
				if err != nil {
					return err
				}
				for _, a := range as {
					sumV += a.Value
					sumB += a.BookValue
					done++
					if err := emit([]any{a.Code, a.Name, t("asset.type." + a.Type), t("asset.cat." + a.Category), s.d.Auth.PlaceName(ctx, a.Place), a.Location,
						assets.QuantityText(a.Quantity), a.Unit, a.Value, a.BookValue, a.BuiltOn, t("status." + a.Status), t("asset.use." + a.UseState), a.Project}, done); err != nil {
						return err
					}
				}
				if len(as) < pf.Limit {
					return nil
				}
				pf.Offset += pf.Limit
			}
		},
		Totals: func() []any { return []any{t("col.total"), "", "", "", "", "", "", "", sumV, sumB} },
	}, nil
}

type assetLegRow struct {
	Channel, Name string
	Amount        money.Fen
}

type shareRow struct {
	Village string
	Share   string
}

type eventRow struct {
	At, Actor, Text string
}

type disposalRow struct {
	assets.Disposal
	StepName  string // the step awaiting a decision ("" when decided)
	Notice    *workflow.Notice
	CanTake   bool
	CanNotice bool
}

type assetView struct {
	Page
	A           assets.Asset
	PlaceName   string
	ProjectName string
	OwnerName   string
	Legs        []assetLegRow
	Shares      []shareRow
	Handovers   []assets.Handover
	Upkeeps     []assets.Upkeep
	Plan        *assets.Plan
	Events      []eventRow
	Disposals   []disposalRow
	Pending     bool // a disposal is under review
	Kinds       []string
	UpkeepKinds []string
	Today       string
	Error       string
	PublicURL   string
	Print       printFrame
	FileByID    map[int64]*assetFileRow // the asset's files (handovers, upkeep, minutes)
}

func (s *Server) assetView(c *call, idText string) (assetView, error) {
	ctx := c.r.Context()
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return assetView{}, assets.NotFound()
	}
	a, err := s.d.Assets.Get(ctx, c.p, id)
	if err != nil {
		return assetView{}, err
	}
	v := assetView{Page: c.page(a.Name, "assets"), A: a, PlaceName: s.d.Auth.PlaceName(ctx, a.Place), OwnerName: s.d.Assets.OwnerName(ctx, a),
		Kinds: assets.DisposalKinds, UpkeepKinds: assets.UpkeepKinds, Today: clock.Day(s.d.Clock())}
	if a.Project != "" {
		if p, err := s.d.Funds.Project(ctx, c.p.County, a.Project); err == nil {
			v.ProjectName = p.Name
		}
	}
	names := map[string]string{}
	if chs, err := s.d.Ledger.Channels(ctx, c.p.County); err == nil {
		for _, ch := range chs {
			names[ch.Code] = ch.Name
		}
	}
	for _, l := range a.Legs {
		v.Legs = append(v.Legs, assetLegRow{Channel: l.Channel, Name: names[l.Channel], Amount: l.Amount})
	}
	for _, sh := range a.Shares {
		v.Shares = append(v.Shares, shareRow{Village: s.d.Auth.PlaceName(ctx, sh.Village), Share: fmt.Sprintf("%d.%02d%%", sh.Share/100, sh.Share%100)})
	}
	if v.Handovers, err = s.d.Assets.Handovers(ctx, c.p, id); err != nil {
		return v, err
	}
	if v.Upkeeps, err = s.d.Assets.Upkeeps(ctx, c.p, id); err != nil {
		return v, err
	}
	if pl, ok, err := s.d.Assets.PlanOf(ctx, c.p, id); err != nil {
		return v, err
	} else if ok {
		v.Plan = &pl
	}
	evs, err := s.d.Assets.Events(ctx, c.p, id)
	if err != nil {
		return v, err
	}
	for _, e := range evs {
		v.Events = append(v.Events, eventRow{At: e.At.In(clock.Zone).Format("2006-01-02 15:04"), Actor: e.Actor, Text: s.eventText(c, a, v.OwnerName, e, names)})
	}
	ds, err := s.d.Assets.Disposals(ctx, c.p, id)
	if err != nil {
		return v, err
	}
	for _, d := range ds {
		row := disposalRow{Disposal: d}
		if it, err := s.d.Workflow.Item(ctx, c.p.County, d.Item); err == nil && d.State == "pending" {
			v.Pending = true
			if st, ok := it.Current(); ok {
				row.StepName = st.Name
				row.CanTake = it.CanTake(c.p) && !it.MadeBy(c.p.Username)
				row.CanNotice = st.NoticeBefore && it.NoticeID == 0 && (c.p.Role == auth.RoleTownship || c.p.Role == auth.RoleRural)
			}
			if it.NoticeID != 0 {
				if n, err := s.d.Workflow.Notice(ctx, c.p.County, it.NoticeID); err == nil {
					row.Notice = &n
				}
			}
		}
		v.Disposals = append(v.Disposals, row)
	}
	if v.FileByID, err = s.assetFiles(c, id); err != nil {
		return v, err
	}
	v.PublicURL = fmt.Sprintf("%s/public/%s/assets/%s", s.publicBase(c, c.p.County), c.p.County, url.PathEscape(a.Code))
	v.Print = s.staffPrintFrame(c, a.Name)
	return v, nil
}

// eventText says an event of the history in words (never its code).
func (s *Server) eventText(c *call, a assets.Asset, owner string, e assets.Event, channels map[string]string) string {
	t := func(k string) string { return translate(c.lang, k) }
	d := e.Detail
	amount := func(k string) string {
		f, err := money.Parse(d[k])
		if err != nil {
			return d[k]
		}
		return f.String()
	}
	switch e.Action {
	case "registered":
		var legs []string
		for k, v := range d {
			if ch, ok := strings.CutPrefix(k, "leg:"); ok {
				f, _ := money.Parse(v)
				legs = append(legs, fmt.Sprintf("%s %s", channelLabel(ch, channels), f))
			}
		}
		slices.Sort(legs)
		out := fmt.Sprintf(t("asset.ev.registered"), amount("value"))
		if d["project"] != "" {
			out += fmt.Sprintf(t("asset.ev.from_project"), d["project"])
		}
		if d["imported"] != "" {
			out += t("asset.ev.imported")
		}
		if len(legs) > 0 {
			out += "（" + strings.Join(legs, "；") + "）"
		}
		return out
	case "confirmed":
		name := t("assets.owner_" + d["owner_kind"])
		if a.Owner == d["owner"] && owner != "" {
			name = owner
		}
		return fmt.Sprintf(t("asset.ev.confirmed"), name, d["doc"])
	case "handed_over":
		return fmt.Sprintf(t("asset.ev.handed_over"), d["from"], d["to"], d["day"], d["doc"])
	case "keeper":
		return fmt.Sprintf(t("asset.ev.keeper"), d["unit"], d["person"])
	case "upkeep_plan":
		return fmt.Sprintf(t("asset.ev.upkeep_plan"), d["every_months"], d["next_due"])
	case "upkeep":
		out := fmt.Sprintf(t("asset.ev.upkeep"), t("upkeep.kind."+d["kind"]), d["day"], d["note"])
		if d["cost"] != "" && d["cost"] != "0.00" {
			out += fmt.Sprintf(t("asset.ev.cost"), amount("cost"))
		}
		return out
	case "disposal_requested":
		return fmt.Sprintf(t("asset.ev.disposal_requested"), t("disposal.kind."+d["kind"]), d["reason"], d["resolution"])
	case "disposed":
		out := fmt.Sprintf(t("asset.ev.disposed"), t("disposal.kind."+d["kind"]))
		if d["proceeds"] != "" && d["proceeds"] != "0.00" {
			out += fmt.Sprintf(t("asset.ev.proceeds"), amount("proceeds"))
		}
		return out
	case "disposal_rejected":
		return fmt.Sprintf(t("asset.ev.disposal_rejected"), d["opinion"])
	}
	if k := "asset.ev." + e.Action; translate(c.lang, k) != k {
		return t(k)
	}
	return t("asset.ev.other")
}

func channelLabel(code string, names map[string]string) string {
	if n := names[code]; n != "" {
		return n
	}
	return code
}

func (s *Server) assetPage(w http.ResponseWriter, c *call) error {
	v, err := s.assetView(c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "asset", v)
}

func (s *Server) assetCard(w http.ResponseWriter, c *call) error {
	v, err := s.assetView(c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "asset_card", v)
}

// assetResult ends a form of the asset page.
func (s *Server) assetResult(w http.ResponseWriter, c *call, id string, err error) error {
	return afterForm(w, c, err, "/assets/"+id, func(msg string, status int) error {
		v, verr := s.assetView(c, id)
		if verr != nil {
			return err
		}
		v.Error = msg
		v.form, v.badField = c.r.PostForm, c.badField
		return c.render(w, status, "asset", v)
	})
}

// assetID is the asset a form's path names: one outside the user's area
// is not found before anything the form says is checked.
func (c *call) assetID() (int64, string, error) {
	id := c.r.PathValue("id")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, id, assets.NotFound()
	}
	if _, err := c.s.d.Assets.Get(c.r.Context(), c.p, n); err != nil {
		return 0, id, err
	}
	return n, id, nil
}

func (s *Server) confirmAsset(w http.ResponseWriter, c *call) error {
	id, raw, err := c.assetID()
	if err != nil {
		return err
	}
	r := c.r
	_, err = s.d.Assets.Confirm(r.Context(), c.p, id, assets.Confirmation{Owner: r.PostFormValue("owner"), Doc: r.PostFormValue("confirm_doc")})
	c.done = translate(c.lang, "done.asset_confirmed")
	return s.assetResult(w, c, raw, err)
}

func (s *Server) assetHandover(w http.ResponseWriter, c *call) error {
	id, raw, err := c.assetID()
	if err != nil {
		return err
	}
	r := c.r
	ups, done, err := uploads(r, "files", "acceptance")
	defer done()
	if err == nil {
		var files []assets.Upload
		for _, u := range ups {
			files = append(files, assets.Upload{Name: u.Name, Body: u.R})
		}
		var h assets.Handover
		h, err = s.d.Assets.RecordHandover(r.Context(), c.p, id, assets.Handover{From: r.PostFormValue("from_unit"), To: r.PostFormValue("to_unit"), Day: r.PostFormValue("day"),
			DocNo: r.PostFormValue("doc_no"), Note: r.PostFormValue("note")}, files)
		c.done = translate(c.lang, "done.asset_handover")
		if h.ProjectHandedOver {
			c.done += translate(c.lang, "done.project_handed_over")
		}
	}
	return s.assetResult(w, c, raw, err)
}

func (s *Server) assetKeeper(w http.ResponseWriter, c *call) error {
	id, raw, err := c.assetID()
	if err != nil {
		return err
	}
	_, err = s.d.Assets.SetKeeper(c.r.Context(), c.p, id, assets.Keeper{Unit: c.r.PostFormValue("keeper_unit"), Person: c.r.PostFormValue("keeper_person")})
	c.done = translate(c.lang, "done.asset_keeper")
	return s.assetResult(w, c, raw, err)
}

func (s *Server) assetPlan(w http.ResponseWriter, c *call) error {
	id, raw, err := c.assetID()
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(c.r.PostFormValue("every_months")))
	if err != nil {
		err = errs.F(errs.Invalid, "invalid_plan", "every_months", "an inspection is planned every 1 to 60 months, not %d", 0)
	} else {
		_, err = s.d.Assets.SetPlan(c.r.Context(), c.p, id, n, c.r.PostFormValue("next_due"))
	}
	c.done = translate(c.lang, "done.asset_plan")
	return s.assetResult(w, c, raw, err)
}

func (s *Server) assetUpkeep(w http.ResponseWriter, c *call) error {
	id, raw, err := c.assetID()
	if err != nil {
		return err
	}
	r := c.r
	ups, done, err := uploads(r, "photos", "inspection")
	defer done()
	var cost money.Fen
	if err == nil && strings.TrimSpace(r.PostFormValue("cost")) != "" {
		cost, err = parseAmount("cost", r.PostFormValue("cost"))
	}
	if err == nil {
		var photos []assets.Upload
		for _, u := range ups {
			photos = append(photos, assets.Upload{Name: u.Name, Body: u.R})
		}
		var u assets.Upkeep
		u, err = s.d.Assets.AddUpkeep(r.Context(), c.p, id, assets.Upkeep{Kind: r.PostFormValue("kind"), Day: r.PostFormValue("day"), Cost: cost,
			PayTo: r.PostFormValue("pay_to"), Note: r.PostFormValue("note")}, photos)
		c.done = translate(c.lang, "done.asset_upkeep")
		if u.Instruction != 0 {
			c.done += fmt.Sprintf(translate(c.lang, "done.asset_upkeep_paid"), u.Instruction)
		}
	}
	return s.assetResult(w, c, raw, err)
}

func (s *Server) requestDisposal(w http.ResponseWriter, c *call) error {
	id, raw, err := c.assetID()
	if err != nil {
		return err
	}
	r := c.r
	ups, done, err := uploads(r, "minutes", "minutes")
	defer done()
	var proceeds money.Fen
	if err == nil && strings.TrimSpace(r.PostFormValue("proceeds")) != "" {
		proceeds, err = parseWrittenAmount("proceeds", r.PostFormValue("proceeds"))
	}
	if err == nil {
		req := assets.DisposalRequest{Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason"), Resolution: r.PostFormValue("resolution"), Proceeds: proceeds}
		if len(ups) > 0 {
			req.Minutes = &assets.Upload{Name: ups[0].Name, Body: ups[0].R}
		}
		_, err = s.d.Assets.RequestDisposal(r.Context(), c.p, id, req)
	}
	c.done = translate(c.lang, "done.disposal_requested")
	return s.assetResult(w, c, raw, err)
}

// disposalAsset is the asset page of a disposal's form (its path names
// the disposal).
func (s *Server) disposalAsset(c *call) (int64, string, error) {
	did, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, "", errs.F(errs.NotFound, "unknown_disposal", "id", "no such disposal")
	}
	var asset int64
	if err := s.d.DB.QueryRowContext(c.r.Context(), `SELECT asset FROM as_disposals WHERE county = ? AND id = ?`, c.p.County, did).Scan(&asset); err != nil {
		return 0, "", errs.F(errs.NotFound, "unknown_disposal", "id", "no such disposal")
	}
	if _, err := s.d.Assets.Get(c.r.Context(), c.p, asset); err != nil {
		return 0, "", errs.F(errs.NotFound, "unknown_disposal", "id", "no such disposal")
	}
	return did, strconv.FormatInt(asset, 10), nil
}

func (s *Server) decideDisposal(w http.ResponseWriter, c *call) error {
	did, raw, err := s.disposalAsset(c)
	if err != nil {
		return err
	}
	r := c.r
	to, _ := strconv.Atoi(r.PostFormValue("to_step"))
	d, err := s.d.Assets.DecideDisposal(r.Context(), c.p, did, assets.DisposalDecision{Action: r.PostFormValue("action"), ToStep: to, Opinion: r.PostFormValue("opinion")})
	c.done = translate(c.lang, "done.disposal_decided")
	if d.State == "approved" {
		c.done = translate(c.lang, "done.disposal_approved")
	}
	return s.assetResult(w, c, raw, err)
}

func (s *Server) disposalNotice(w http.ResponseWriter, c *call) error {
	did, raw, err := s.disposalAsset(c)
	if err != nil {
		return err
	}
	_, err = s.d.Assets.DisposalNotice(c.r.Context(), c.p, did, strings.TrimSpace(c.r.PostFormValue("starts")), strings.TrimSpace(c.r.PostFormValue("ends")))
	c.done = translate(c.lang, "done.disposal_notice")
	return s.assetResult(w, c, raw, err)
}

// publicAssetView is what anyone may see of an asset: what it is, where,
// its value and who owns it — a collective by name, a household not by
// name (到户类资产 shows "农户").
type publicAssetView struct {
	Page
	A         assets.Asset
	PlaceName string
	Owner     string
	County    string
}

func (s *Server) publicAsset(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	county, _, err := s.publicCountyName(c)
	if err != nil {
		return err
	}
	// The public reads the county's register as its rural bureau would.
	p := auth.Principal{Username: "public", Role: auth.RoleRural, Place: place.Code(county + "000000"), County: county}
	a, err := s.d.Assets.ByCode(ctx, p, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	v := publicAssetView{Page: c.page(a.Name, "disclosure"), A: a, PlaceName: s.d.Auth.PlaceName(ctx, a.Place), County: county}
	v.Public = true
	switch a.OwnerKind {
	case assets.OwnerCollective:
		v.Owner = s.d.Assets.OwnerName(ctx, a)
	case assets.OwnerHousehold:
		v.Owner = translate(c.lang, "assets.owner_household")
	}
	return c.render(w, http.StatusOK, "public_asset", v)
}

// assetQR is the QR code (SVG) of an asset's public address.
func (s *Server) assetQR(w http.ResponseWriter, c *call) error {
	v, err := s.assetView(c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	svg, err := qrSVG(v.PublicURL)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(svg))
	return err
}

// villageAssets are the assets of a village for the village's page,
// with each one's income of the year and their total.
func (s *Server) villageAssets(c *call, village place.Code, year int) ([]assetRow, money.Fen) {
	as, _, err := s.d.Assets.List(c.r.Context(), c.p, assets.Filter{Place: village, Limit: 100})
	if err != nil {
		return nil, 0
	}
	var inc map[int64]money.Fen
	if s.d.AssetIncome != nil {
		inc, _ = s.d.AssetIncome.YearIncome(c.r.Context(), c.p, village, year)
	}
	out, total := []assetRow{}, money.Fen(0)
	for _, a := range as {
		out = append(out, assetRow{Asset: a, Income: inc[a.ID]})
		total += inc[a.ID]
	}
	return out, total
}

// mayRegisterFrom reports whether a project's page offers 登记资产.
func mayRegisterFrom(p auth.Principal, status string) bool {
	return auth.Allowed(p.Role, auth.WriteAssets) && slices.Contains(assets.ProjectStatuses, status)
}
