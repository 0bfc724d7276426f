package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onepool/internal/agreements"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/instruct"
	"onepool/internal/jobs"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/relief"
	"onepool/internal/workflow"
)

// The households registry (农户台账) and the relief fund (防返贫基金).

type reliefView struct {
	Page
	Fund      relief.Fund
	Screening *relief.Screening // the county-wide screening's result, when shown
	// The screening job named by ?screening= (its result is Screening
	// once it is done) and the year it screened.
	ScreeningJob  *jobs.Job
	ScreeningYear int
	County        bool // the user works at the county
	Apps          []appRow
	Status        string
	Batches       []relief.Batch
	Causes        []string
	Year          int
	Today         string
	Error         string
	Flash         string
	// The applications' filters and pager.
	FilterVillage string
	FilterYear    int
	AppPager      Pager
}

type appRow struct {
	relief.Application
	PlaceName string
}

func (s *Server) reliefView(c *call) (reliefView, error) {
	ctx := c.r.Context()
	v := reliefView{Page: c.page(translate(c.lang, "relief.title"), "relief"), Status: c.r.URL.Query().Get("status"), Year: s.d.Clock().In(clock.Zone).Year(), Today: clock.Day(s.d.Clock())}
	var err error
	if v.Fund, err = s.d.Relief.Fund(ctx, c.p.County); err != nil {
		return v, err
	}
	q := c.r.URL.Query()
	f := relief.AppFilter{Prefix: c.p.Prefix(), Status: v.Status, Village: place.Code(strings.TrimSpace(q.Get("village"))), Limit: listSize}
	v.FilterVillage = string(f.Village)
	if y := strings.TrimSpace(q.Get("year")); y != "" {
		if f.Year, err = strconv.Atoi(y); err != nil || f.Year < 2000 || f.Year > 2100 {
			return v, errs.F(errs.Invalid, "invalid_query", "year", "year must be a year such as 2026")
		}
		v.FilterYear = f.Year
	}
	page, err := pageNumber(c.r)
	if err != nil {
		return v, err
	}
	f.Offset = (page - 1) * listSize
	apps, total, err := s.d.Relief.ListApplications(ctx, c.p.County, f)
	if err != nil {
		return v, err
	}
	if v.AppPager = pagerFor(c.r, total, page, listSize); v.AppPager.Page != page && total > 0 {
		f.Offset = v.AppPager.Offset()
		if apps, _, err = s.d.Relief.ListApplications(ctx, c.p.County, f); err != nil {
			return v, err
		}
	}
	for _, a := range apps {
		v.Apps = append(v.Apps, appRow{Application: a, PlaceName: s.d.Auth.PlaceName(ctx, a.Village)})
	}
	if v.Batches, err = s.d.Relief.Batches(ctx, c.p.County); err != nil {
		return v, err
	}
	if prof, _, err := s.d.Policy.Current(ctx, c.p.County); err == nil {
		v.Causes = prof.Relief.Causes
	}
	v.County = c.p.Place.Level() == place.County
	if c.r.URL.Query().Get("screening") != "" {
		if err := s.screeningOfJob(c, &v); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (s *Server) reliefPage(w http.ResponseWriter, c *call) error {
	v, err := s.reliefView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "relief", v)
}

func (s *Server) reliefResult(w http.ResponseWriter, c *call, err error, next string) error {
	return afterForm(w, c, err, next, func(msg string, status int) error {
		v, verr := s.reliefView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "relief", v)
	})
}

func (s *Server) reliefReceive(w http.ResponseWriter, c *call) error {
	r := c.r
	amt, err := parseAmount("amount", r.PostFormValue("amount"))
	if err != nil {
		return s.reliefResult(w, c, err, "")
	}
	_, err = s.d.Relief.Receive(r.Context(), c.p, relief.Inflow{Key: r.PostFormValue("key"), Source: r.PostFormValue("source"), Donor: r.PostFormValue("donor"),
		Campaign: r.PostFormValue("campaign"), Amount: amt, DocNo: r.PostFormValue("doc_no")})
	c.done = translate(c.lang, "done.relief_inflow")
	return s.reliefResult(w, c, err, "/relief")
}

func (s *Server) reliefApply(w http.ResponseWriter, c *call) error {
	r := c.r
	if r.PostFormValue("household") == "" {
		return s.reliefResult(w, c, errs.F(errs.Invalid, "invalid_household", "household", "choose the household"), "")
	}
	seq, _ := strconv.Atoi(r.PostFormValue("member"))
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	a, err := s.d.Relief.Apply(r.Context(), c.p, relief.NewApplication{Household: strings.TrimSpace(r.PostFormValue("household")), MemberSeq: seq, Year: year, Cause: r.PostFormValue("cause"), Opinion: r.PostFormValue("opinion")})
	if err == nil {
		c.done = fmt.Sprintf(translate(c.lang, "done.relief_applied"), a.Applicant)
	}
	return s.reliefResult(w, c, err, fmt.Sprintf("/relief/applications/%d", a.ID))
}

func (s *Server) reliefNotices(w http.ResponseWriter, c *call) error {
	_, err := s.d.Relief.PostNotices(c.r.Context(), c.p, c.r.PostFormValue("starts"))
	c.done = translate(c.lang, "done.relief_notices")
	return s.reliefResult(w, c, err, "/relief")
}

func (s *Server) reliefSend(w http.ResponseWriter, c *call) error {
	in, err := s.d.Relief.ProposeBatch(c.r.Context(), c.p, strings.TrimSpace(c.r.PostFormValue("key")))
	return s.reliefResult(w, c, err, instructionPath(in))
}

type applicationView struct {
	Page
	A          relief.Application
	PlaceName  string
	Calc       relief.Calc
	Item       workflow.Item
	Chain      []chainRow
	MyStep     bool
	Notice     *workflow.Notice
	Objections []workflow.Objection
	Running    bool
	Problems   []string
	Error      string
	// CauseHidden: the cause is sensitive and the viewer's role does not
	// handle the household.
	CauseHidden bool
}

func (c *call) application(idText string) (relief.Application, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return relief.Application{}, errs.F(errs.NotFound, "unknown_application", "application", "no such application")
	}
	a, err := c.s.d.Relief.Application(c.r.Context(), c.p.County, id)
	if err != nil {
		return a, err
	}
	if !c.p.Sees(a.Village) {
		return relief.Application{}, errs.F(errs.NotFound, "unknown_application", "application", "no application %d", id)
	}
	return a, nil
}

func (s *Server) applicationView(c *call, idText string) (applicationView, error) {
	ctx := c.r.Context()
	a, err := c.application(idText)
	if err != nil {
		return applicationView{}, err
	}
	v := applicationView{Page: c.page(fmt.Sprintf("%s #%d", translate(c.lang, "relief.application"), a.ID), "relief"), A: a, PlaceName: s.d.Auth.PlaceName(ctx, a.Village)}
	if !seesSensitive(c.p, a.Village) {
		v.A.Cause, v.CauseHidden = "", true
	}
	if v.Calc, err = s.d.Relief.Recompute(ctx, a); err != nil {
		v.Error = errorText(c.lang, err)
		v.Calc = a.Calc
	}
	if v.Item, err = s.d.Workflow.Item(ctx, c.p.County, a.Item); err != nil {
		return v, err
	}
	hist, err := s.d.Workflow.History(ctx, c.p.County, a.Item)
	if err != nil {
		return v, err
	}
	v.Chain = chainRows(v.Item, hist)
	v.MyStep = v.Item.CanTake(c.p)
	if v.Item.NoticeID != 0 {
		n, err := s.d.Workflow.Notice(ctx, c.p.County, v.Item.NoticeID)
		if err != nil {
			return v, err
		}
		v.Notice, v.Running = &n, n.Running(clock.Day(s.d.Clock()))
		if v.Objections, err = s.d.Workflow.Objections(ctx, c.p.County, n.ID); err != nil {
			return v, err
		}
	}
	if v.Problems, err = s.d.Relief.BankCheck(ctx, c.p.County, a.Household); err != nil {
		v.Problems = []string{errorText(c.lang, err)}
	}
	return v, nil
}

func (s *Server) applicationPage(w http.ResponseWriter, c *call) error {
	v, err := s.applicationView(c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderApplication(w, c, http.StatusOK, v)
}

func (s *Server) decideApplication(w http.ResponseWriter, c *call) error {
	a, err := c.application(c.r.PathValue("id"))
	if err != nil {
		return err
	}
	act := c.r.PostFormValue("action")
	var d workflow.Decision
	if act == workflow.Submit {
		d = workflow.Decision{Action: act, Opinion: c.r.PostFormValue("opinion")}
	} else {
		d, err = decision(act, c.r.PostFormValue("to_step"), c.r.PostFormValue("opinion"))
	}
	if err == nil {
		_, err = s.d.Relief.Decide(c.r.Context(), c.p, a.ID, d)
	}
	return s.applicationResult(w, c, a.ID, err)
}

func (s *Server) applicationResult(w http.ResponseWriter, c *call, id int64, err error) error {
	idText := strconv.FormatInt(id, 10)
	return afterForm(w, c, err, "/relief/applications/"+idText, func(msg string, status int) error {
		v, verr := s.applicationView(c, idText)
		if verr != nil {
			return err
		}
		v.Error = msg
		return s.renderApplication(w, c, status, v)
	})
}

// answerReliefObjection answers an objection to a relief notice.
func (s *Server) answerReliefObjection(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "not_found", "objection", "no such objection")
	}
	notFound := errs.F(errs.NotFound, "not_found", "objection", "no objection %d", id)
	o, err := s.d.Workflow.Objection(c.r.Context(), c.p.County, id)
	if err != nil {
		return notFound
	}
	n, err := s.d.Workflow.Notice(c.r.Context(), c.p.County, o.Notice)
	if err != nil {
		return notFound
	}
	it, err := s.d.Workflow.Item(c.r.Context(), c.p.County, n.Item)
	if err != nil || it.Kind != relief.Kind || !c.p.Sees(it.Place) {
		return notFound
	}
	app, _ := strconv.ParseInt(it.Subject, 10, 64)
	d := c.r.PostFormValue("decision")
	if d != "uphold" && d != "dismiss" {
		return s.applicationResult(w, c, app, errs.F(errs.Invalid, "invalid_decision", "decision", "uphold or dismiss"))
	}
	_, err = s.d.Relief.Answer(c.r.Context(), c.p, id, d == "uphold", c.r.PostFormValue("reply"))
	return s.applicationResult(w, c, app, err)
}

// payer is a client of the payout mechanism as its batch pages show it:
// relief's and the direct subsidies' batches share the pages, the payout
// file, the bank's return and its template.
type payer struct {
	Kind  string // the payout source kind
	Base  string // the batches' path prefix (Base + "/batches/{id}")
	Item  string // the path prefix of a line's source
	Title string // the catalogue key of a batch's title
	Menu  string // the menu entry
}

var (
	reliefPayer  = payer{Kind: relief.PayoutKind, Base: "/relief", Item: "/relief/applications/", Title: "relief.batch", Menu: "relief"}
	subsidyPayer = payer{Kind: agreements.PayoutKind, Base: "/subsidies", Item: "/agreements/", Title: "subsidy.batch", Menu: "agreements"}
)

type batchView struct {
	Page
	Pay   payer
	B     payout.Batch
	Lines []payout.Line
	Error string
	Done  string
	// Unsent of Want: the approved lines not sent yet (a send that
	// stopped half way); the page offers to send them.
	Unsent, Want int
}

func (s *Server) batchView(c *call) (batchView, error) { return s.payBatchView(c, reliefPayer) }

func (s *Server) payBatchView(c *call, py payer) (batchView, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return batchView{}, errs.F(errs.NotFound, "unknown_batch", "batch", "no such batch")
	}
	pay := s.d.Relief.Payout()
	b, err := pay.Batch(c.r.Context(), c.p.County, py.Kind, id)
	if err != nil {
		return batchView{}, err
	}
	v := batchView{Page: c.page(fmt.Sprintf("%s #%d", translate(c.lang, py.Title), id), py.Menu), Pay: py, B: b, Lines: []payout.Line{}}
	ls, err := pay.Lines(c.r.Context(), c.p.County, id)
	if err != nil {
		return v, err
	}
	for _, l := range ls {
		if l.Kind == py.Kind {
			v.Lines = append(v.Lines, l)
		}
	}
	if _, a, err := s.unsentOf(c, id); err == nil {
		v.Unsent, v.Want = a.Unsent(), a.Want
	}
	return v, nil
}

func (s *Server) batchPage(w http.ResponseWriter, c *call) error {
	return s.payBatchPage(w, c, reliefPayer)
}

func (s *Server) payBatchPage(w http.ResponseWriter, c *call, py payer) error {
	if c.p.Place.Level() != place.County {
		return errs.F(errs.NotFound, "unknown_batch", "batch", "no such batch")
	}
	v, err := s.payBatchView(c, py)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "batch", v)
}

// payoutFile sends the bank's payout file (full card numbers: for the
// bank only; audited).
func (s *Server) payoutFile(w http.ResponseWriter, c *call) error {
	return s.payPayoutFile(w, c, reliefPayer)
}

func (s *Server) payPayoutFile(w http.ResponseWriter, c *call, py payer) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_batch", "batch", "no such batch")
	}
	pay := s.d.Relief.Payout()
	if _, err := pay.Batch(c.r.Context(), c.p.County, py.Kind, id); err != nil {
		return err
	}
	rows, err := pay.PayoutFile(c.r.Context(), c.p, py.Kind, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // audited by the payout mechanism (KIND.payout_file)
	return writeXLSXRaw(w, fmt.Sprintf("payout-%s-%d.xlsx", c.p.County, id), rows)
}

func (s *Server) bankReturn(w http.ResponseWriter, c *call) error {
	return s.payBankReturn(w, c, reliefPayer)
}

func (s *Server) payBankReturn(w http.ResponseWriter, c *call, py payer) error {
	v, err := s.payBatchView(c, py)
	if err != nil {
		return err
	}
	f, ferr := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose the bank's return file (CSV or xlsx)"))
	if ferr != nil {
		err = ferr
	} else {
		defer f.Close()
		var in instruct.Instruction
		if in, err = s.d.Relief.Payout().ProposeReturn(c.r.Context(), c.p, py.Kind, f); err == nil {
			http.Redirect(w, c.r, instructionPath(in), http.StatusSeeOther)
			return nil
		}
	}
	return afterForm(w, c, err, fmt.Sprintf("%s/batches/%d", py.Base, v.B.ID), func(msg string, status int) error {
		v.Error = msg
		return c.render(w, status, "batch", v)
	})
}

type publicReliefView struct {
	Page
	County, Name string
	Fund         relief.Fund
	Villages     []relief.Amount
}

// publicRelief is the fund's public page: balance, money in by source and
// campaign, money out by village and month; no donor or household names.
func (s *Server) publicRelief(w http.ResponseWriter, c *call) error {
	county, name, err := s.publicCountyName(c)
	if err != nil {
		return err
	}
	f, err := s.d.Relief.Fund(c.r.Context(), county)
	if err != nil {
		return err
	}
	v := publicReliefView{Page: c.page(translate(c.lang, "relief.title"), "disclosure"), County: county, Name: name, Fund: f}
	v.Public = true
	for _, a := range f.ByVillage {
		a.Label = s.d.Auth.PlaceName(c.r.Context(), place.Code(a.Label))
		v.Villages = append(v.Villages, a)
	}
	for i := range v.Fund.ByCampaign {
		v.Fund.ByCampaign[i].Label = ident.Scrub(v.Fund.ByCampaign[i].Label)
	}
	return c.render(w, http.StatusOK, "public_relief", v)
}
