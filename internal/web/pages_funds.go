package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/money"
	"onepool/internal/policy"
)

type fundsView struct {
	Page
	Year     int
	Years    []int
	Profile  policy.Profile
	NoPolicy bool
	Channels []funds.Channel
	Report   funds.Report
	Levels   []string
	Error    string
	Done     string
}

// reportYear reads ?year=, defaulting to the current year.
func (c *call) reportYear() (int, error) {
	y := c.s.d.Clock().In(clock.Zone).Year()
	if v := c.r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			return 0, errs.F(errs.Invalid, "invalid_year", "year", "year must be a year like 2026")
		}
		y = n
	}
	return y, nil
}

func (s *Server) fundsView(c *call, year int) (fundsView, error) {
	ctx := c.r.Context()
	v := fundsView{Page: c.page(translate(c.lang, "funds.title"), "funds"), Year: year, Levels: funds.Levels}
	now := s.d.Clock().In(clock.Zone).Year()
	for y := now + 1; y >= now-4; y-- {
		v.Years = append(v.Years, y)
	}
	p, _, err := s.d.Policy.Current(ctx, c.p.County)
	if errs.CodeOf(err) == "no_profile" {
		v.NoPolicy = true
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Profile = p
	if v.Channels, err = s.d.Funds.Channels(ctx, c.p.County); err != nil {
		return v, err
	}
	if v.Report, err = s.d.Funds.YearReport(ctx, c.p.County, year); err != nil {
		return v, err
	}
	return v, nil
}

// fundsPage shows the channel registry and the year's plans, arrivals and
// integration, with the forms to add to them.
func (s *Server) fundsPage(w http.ResponseWriter, c *call) error {
	year, err := c.reportYear()
	if err != nil {
		return err
	}
	v, err := s.fundsView(c, year)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "funds", v)
}

// fundsResult ends a funds form (see afterForm).
func (s *Server) fundsResult(w http.ResponseWriter, c *call, err error) error {
	return afterForm(w, c, err, "/funds", func(msg string, status int) error {
		v, err := s.fundsView(c, s.d.Clock().In(clock.Zone).Year())
		if err != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "funds", v)
	})
}

func formYear(r *http.Request) (int, error) {
	y, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		return 0, errs.F(errs.Invalid, "invalid_year", "year", "year must be a year like 2026")
	}
	return y, nil
}

func formAmount(r *http.Request) (money.Fen, error) {
	f, err := parseAmount("amount", r.PostFormValue("amount"))
	if err != nil {
		return 0, err
	}
	return f, nil
}

func (s *Server) registerChannel(w http.ResponseWriter, c *call) error {
	r := c.r
	year, err := formYear(r)
	if err == nil {
		var purposes []string
		for _, p := range strings.FieldsFunc(r.PostFormValue("purposes"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
			purposes = append(purposes, p)
		}
		_, err = s.d.Funds.Register(r.Context(), c.p.Username, c.p.County, []funds.NewChannel{{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
			Level: r.PostFormValue("level"), Category: r.PostFormValue("category"), Department: r.PostFormValue("department"),
			Purposes: purposes, Year: year, NotIntegrable: r.PostFormValue("not_integrable") == "1"}})
	}
	return s.fundsResult(w, c, err)
}

func (s *Server) setPlan(w http.ResponseWriter, c *call) error {
	r := c.r
	year, err := formYear(r)
	var amt money.Fen
	if err == nil {
		amt, err = formAmount(r)
	}
	if err == nil {
		err = s.d.Funds.SetPlan(r.Context(), c.p.Username, c.p.County, r.PostFormValue("channel"), year, amt)
	}
	return s.fundsResult(w, c, err)
}

// movementForm reads an arrival or integration form. The idempotency key
// comes with the form (a hidden random field), so a double submit posts once.
func movementForm(r *http.Request) (funds.Movement, error) {
	amt, err := formAmount(r)
	if err != nil {
		return funds.Movement{}, err
	}
	day, err := time.ParseInLocation("2006-01-02", r.PostFormValue("day"), clock.Zone)
	if err != nil {
		return funds.Movement{}, errs.F(errs.Invalid, "invalid_date", "day", "the document date must be YYYY-MM-DD")
	}
	return funds.Movement{Key: r.PostFormValue("key"), Channel: r.PostFormValue("channel"), Amount: amt, Day: day,
		DocNo: strings.TrimSpace(r.PostFormValue("doc_no")), Memo: strings.TrimSpace(r.PostFormValue("memo"))}, nil
}

func (s *Server) recordArrival(w http.ResponseWriter, c *call) error {
	m, err := movementForm(c.r)
	if err == nil {
		_, err = s.d.Funds.Arrive(c.r.Context(), c.p.Username, c.p.County, []funds.Movement{m})
	}
	c.done = translate(c.lang, "done.arrival")
	return s.fundsResult(w, c, err)
}

func (s *Server) recordIntegration(w http.ResponseWriter, c *call) error {
	m, err := movementForm(c.r)
	if err == nil {
		_, err = s.d.Funds.Integrate(c.r.Context(), c.p.Username, c.p.County, []funds.Movement{m})
	}
	c.done = translate(c.lang, "done.integration")
	return s.fundsResult(w, c, err)
}

// FormKey is a fresh idempotency key for a money form.
func (p Page) FormKey() string { return randomHex(12) }

// fundsReportExport writes the year's report as xlsx.
func (s *Server) fundsReportExport(w http.ResponseWriter, c *call) error {
	year, err := c.reportYear()
	if err != nil {
		return err
	}
	rep, err := s.d.Funds.YearReport(c.r.Context(), c.p.County, year)
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	x := excelize.NewFile()
	defer x.Close()
	rows := [][]any{{t("col.channel_code"), t("col.channel"), t("funds.department"), t("funds.category"), t("funds.planned"), t("funds.arrived"), t("funds.arrival_rate"), t("funds.integrated"), t("funds.integration_ratio")}}
	for _, r := range append(rep.Rows, rep.Total) {
		rows = append(rows, []any{r.Channel.Code, r.Channel.Name, r.Channel.Department, r.Channel.Category, r.Planned, r.Arrived, r.ArrivalRate(), r.Integrated, r.IntegrationRatio()})
	}
	rows[len(rows)-1][1] = t("col.total")
	if len(rep.InputPlan) > 0 {
		rows = append(rows, []any{}, []any{t("policy.input_plan"), t("funds.plan_counts"), t("funds.planned"), t("funds.actual"), t("checks.short")})
		for _, l := range rep.InputPlan {
			var planned any = "—"
			if l.Line.Amount > 0 {
				planned = l.Line.Amount
			}
			rows = append(rows, []any{l.Line.Name, l.Line.Measure + " " + strings.Join(l.Channels, ","), planned, l.Actual, l.Short})
		}
	}
	es := newExportSheet(x)
	for i, row := range rows {
		if err := es.row(i+1, row); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="funds-%s-%d.xlsx"`, c.p.County, year))
	return x.Write(w)
}

// importFunds reads an uploaded CSV/xlsx of channels, plans or arrivals;
// every bad cell is listed and nothing is written.
func (s *Server) importFunds(w http.ResponseWriter, c *call) error {
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err != nil {
		return s.fundsResult(w, c, err)
	}
	defer f.Close()
	var n int
	n, err = s.d.Funds.Import(c.r.Context(), c.p.Username, c.p.County, c.r.PostFormValue("kind"), f)
	c.done = fmt.Sprintf("%s（%d）", translate(c.lang, "done.imported"), n)
	return s.fundsResult(w, c, err)
}

// apiImportFunds imports the request body (CSV or xlsx) as ?kind=.
func (s *Server) apiImportFunds(w http.ResponseWriter, c *call) error {
	body, done := importBody(w, c)
	n, err := s.d.Funds.Import(c.r.Context(), c.p.Username, c.r.PathValue("county"), c.r.URL.Query().Get("kind"), body)
	done()
	if err != nil {
		var ie *funds.ImportError
		if errors.As(err, &ie) {
			lang := apiLang(c.r.Header.Get("Accept-Language"))
			rows := make([]rowErrorJSON, len(ie.Rows))
			for i, r := range ie.Rows {
				why := r.Why
				if lang == "zh" {
					why = rowWhyZh(r)
				}
				rows[i] = rowErrorJSON{Row: r.Row, Column: r.Column, Why: why}
			}
			msg := "the file was not imported"
			if lang == "zh" {
				msg = "文件未导入，没有写入任何数据"
			}
			writeJSON(w, http.StatusBadRequest, rowsErrorAnswer{Error: rowsError{apiError: apiError{Code: "invalid_rows", Field: "file", Message: msg, Params: []string{}}, Rows: rows}})
			return nil
		}
		return err
	}
	writeJSON(w, http.StatusOK, importedAnswer{Imported: n})
	return nil
}
