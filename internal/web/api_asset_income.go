package web

import (
	"net/http"
	"strconv"
	"time"

	"onepool/internal/assets"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/policy"
)

// The JSON API of an asset's income (issue 14): leases and 入股, income,
// valuations, distribution runs and their lines, the value report and the
// idle-asset leads. See docs/API.md.

func toAssetLegsJSON(ls []assets.Leg) []assetLegJSON {
	out := []assetLegJSON{}
	for _, l := range ls {
		out = append(out, assetLegJSON{Channel: l.Channel, Amount: Amount(l.Amount)})
	}
	return out
}

type leaseJSON struct {
	ID               int64  `json:"id"`
	Asset            int64  `json:"asset"`
	Kind             string `json:"kind"`
	Counterparty     string `json:"counterparty"`
	CounterpartyName string `json:"counterparty_name"`
	Starts           string `json:"starts"`
	Ends             string `json:"ends"`
	Rent             Amount `json:"rent"`
	Share            int64  `json:"share_bp"`
	Doc              string `json:"doc"`
	State            string `json:"state"`
	CreatedBy        string `json:"created_by"`
}

func toLeaseJSON(l assets.Lease) leaseJSON {
	return leaseJSON{l.ID, l.Asset, l.Kind, l.Counterparty, l.CounterpartyName, l.Starts, l.Ends, Amount(l.Rent), l.Share, l.Doc, l.State, l.CreatedBy}
}

type incomeJSON struct {
	ID         int64          `json:"id"`
	Period     int            `json:"period"`
	Kind       string         `json:"kind"`
	Lease      int64          `json:"lease"`
	Amount     Amount         `json:"amount"`
	Legs       []assetLegJSON `json:"legs"`
	DocNo      string         `json:"doc_no"`
	Payer      string         `json:"payer"`
	ReceivedOn string         `json:"received_on"`
	Transfer   int64          `json:"transfer"`
}

func toIncomeJSON(i assets.Income) incomeJSON {
	return incomeJSON{i.ID, i.Period, i.Kind, i.Lease, Amount(i.Amount), toAssetLegsJSON(i.Legs), i.DocNo, i.Payer, i.ReceivedOn, i.Transfer}
}

type periodJSON struct {
	Period int            `json:"period"`
	Total  Amount         `json:"total"`
	Count  int            `json:"count"`
	Legs   []assetLegJSON `json:"legs"`
}

type valuationJSON struct {
	Year      int    `json:"year"`
	BookValue Amount `json:"book_value"`
	Assessed  Amount `json:"assessed"`
	Appraiser string `json:"appraiser"`
	Doc       string `json:"doc"`
}

type assetRunShareJSON struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Percent string `json:"percent"`
	To      string `json:"to"`
	Use     string `json:"use"`
	Amount  Amount `json:"amount"`
}

type assetRunJSON struct {
	ID          int64               `json:"id"`
	Asset       int64               `json:"asset"`
	Period      int                 `json:"period"`
	Total       Amount              `json:"total"`
	Lines       int                 `json:"lines"`
	Shares      []assetRunShareJSON `json:"shares"`
	Instruction int64               `json:"instruction"`
	State       string              `json:"state"`
	CreatedBy   string              `json:"created_by"`
	PostedBy    string              `json:"posted_by"`
}

func toAssetRunJSON(r assets.Run) assetRunJSON {
	out := assetRunJSON{ID: r.ID, Asset: r.Asset, Period: r.Period, Total: Amount(r.Total), Lines: r.Lines, Shares: []assetRunShareJSON{}, Instruction: r.Instruction,
		State: r.State, CreatedBy: r.CreatedBy, PostedBy: r.PostedBy}
	for _, s := range r.Shares {
		out.Shares = append(out.Shares, assetRunShareJSON{s.Key, s.Name, s.Percent.String(), s.To, s.Use, Amount(s.Amount)})
	}
	return out
}

type runLineJSON struct {
	ID        int64          `json:"id"`
	Share     string         `json:"share"`
	PayeeKind string         `json:"payee_kind"`
	Payee     string         `json:"payee"`
	Name      string         `json:"name"`
	Amount    Amount         `json:"amount"`
	Legs      []assetLegJSON `json:"legs"`
	Status    string         `json:"status"`
	Attempts  int            `json:"attempts"`
}

type assetIncomeAnswer struct {
	Leases     []leaseJSON     `json:"leases"`
	Income     []incomeJSON    `json:"income"`
	Periods    []periodJSON    `json:"periods"`
	Valuations []valuationJSON `json:"valuations"`
	Runs       []assetRunJSON  `json:"runs"`
}

func assetID(c *call) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, assets.NotFound()
	}
	return id, nil
}

// seenAsset is the path's asset, checked before the body is read: an
// asset outside the viewer's area is not found whatever the body says.
func (s *Server) seenAsset(c *call) (int64, error) {
	id, err := assetID(c)
	if err != nil {
		return 0, err
	}
	if _, err := s.d.Assets.Get(c.r.Context(), c.p, id); err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Server) assetIncomeAnswer(c *call, id int64) (assetIncomeAnswer, error) {
	ctx := c.r.Context()
	a := assetIncomeAnswer{Leases: []leaseJSON{}, Income: []incomeJSON{}, Periods: []periodJSON{}, Valuations: []valuationJSON{}, Runs: []assetRunJSON{}}
	ls, err := s.d.AssetIncome.Leases(ctx, c.p, id)
	if err != nil {
		return a, err
	}
	for _, l := range ls {
		a.Leases = append(a.Leases, toLeaseJSON(l))
	}
	ins, err := s.d.AssetIncome.Incomes(ctx, c.p, id)
	if err != nil {
		return a, err
	}
	for _, i := range ins {
		a.Income = append(a.Income, toIncomeJSON(i))
	}
	ps, err := s.d.AssetIncome.IncomeByPeriod(ctx, c.p, id)
	if err != nil {
		return a, err
	}
	for _, p := range ps {
		a.Periods = append(a.Periods, periodJSON{p.Period, Amount(p.Total), p.Count, toAssetLegsJSON(p.Legs)})
	}
	vs, err := s.d.AssetIncome.Valuations(ctx, c.p, id)
	if err != nil {
		return a, err
	}
	for _, v := range vs {
		a.Valuations = append(a.Valuations, valuationJSON{v.Year, Amount(v.BookValue), Amount(v.Assessed), v.Appraiser, v.Doc})
	}
	rs, err := s.d.AssetIncome.Runs(ctx, c.p, id)
	if err != nil {
		return a, err
	}
	for _, r := range rs {
		a.Runs = append(a.Runs, toAssetRunJSON(r))
	}
	return a, nil
}

// apiAssetIncome: an asset's leases, income (each and per year),
// valuations and distribution runs.
func (s *Server) apiAssetIncome(w http.ResponseWriter, c *call) error {
	id, err := assetID(c)
	if err != nil {
		return err
	}
	a, err := s.assetIncomeAnswer(c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

type leaseIn struct {
	Kind         string `json:"kind"`
	Counterparty string `json:"counterparty"`
	Starts       string `json:"starts"`
	Years        int    `json:"years"`
	Ends         string `json:"ends"`
	Rent         Amount `json:"rent"`
	Share        int64  `json:"share_bp"`
	Doc          string `json:"doc"`
}

// apiLeaseAsset: 201 with the lease.
func (s *Server) apiLeaseAsset(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	var b leaseIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	l, err := s.d.AssetIncome.LeaseAsset(c.r.Context(), c.p, id, assets.NewLease{Kind: b.Kind, Counterparty: b.Counterparty, Starts: b.Starts, Years: b.Years, Ends: b.Ends,
		Rent: money.Fen(b.Rent), Share: b.Share, Doc: b.Doc})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		Lease leaseJSON `json:"lease"`
	}{toLeaseJSON(l)})
	return nil
}

type incomeIn struct {
	Kind       string `json:"kind"`
	Amount     Amount `json:"amount"`
	DocNo      string `json:"doc_no"`
	ReceivedOn string `json:"received_on"`
	Period     int    `json:"period"`
	Payer      string `json:"payer"`
}

// apiRecordIncome: 201 with the income; the same document and amount
// again is a replay (200, Idempotent-Replayed: true).
func (s *Server) apiRecordIncome(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	var b incomeIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	in, err := s.d.AssetIncome.RecordIncome(c.r.Context(), c.p, id, assets.NewIncomeRecord{Kind: b.Kind, Amount: money.Fen(b.Amount), DocNo: b.DocNo, ReceivedOn: b.ReceivedOn, Period: b.Period, Payer: b.Payer})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if in.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, struct {
		Income incomeJSON `json:"income"`
	}{toIncomeJSON(in)})
	return nil
}

type valuationIn struct {
	Year      int    `json:"year"`
	BookValue Amount `json:"book_value"`
	Assessed  Amount `json:"assessed"`
	Appraiser string `json:"appraiser"`
	Doc       string `json:"doc"`
}

// apiValueAsset: 201 with the valuation.
func (s *Server) apiValueAsset(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	var b valuationIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	v, err := s.d.AssetIncome.Value(c.r.Context(), c.p, id, assets.Valuation{Year: b.Year, BookValue: money.Fen(b.BookValue), Assessed: money.Fen(b.Assessed), Appraiser: b.Appraiser, Doc: b.Doc})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		Valuation valuationJSON `json:"valuation"`
	}{valuationJSON{v.Year, Amount(v.BookValue), Amount(v.Assessed), v.Appraiser, v.Doc}})
	return nil
}

type runIn struct {
	Period     int    `json:"period"`
	Key        string `json:"key"`
	Households []struct {
		Code   string `json:"code"`
		Weight int64  `json:"weight"`
	} `json:"households"`
	Uses   map[string]string `json:"uses"`
	Shares []struct {
		Key     string `json:"key"`
		Name    string `json:"name"`
		Percent int64  `json:"percent_bp"`
		To      string `json:"to"`
	} `json:"shares"`
}

// apiProposeRun enters a distribution run (a money instruction): 201
// with the run and its instruction; the same key and content again is a
// replay (200, Idempotent-Replayed: true).
func (s *Server) apiProposeRun(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	var b runIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	n := assets.NewRun{Period: b.Period, Key: b.Key, Uses: b.Uses}
	for _, h := range b.Households {
		n.Households = append(n.Households, assets.RunHousehold{Code: h.Code, Weight: h.Weight})
	}
	for _, sh := range b.Shares {
		n.Shares = append(n.Shares, policy.AssetShare{Key: sh.Key, Name: sh.Name, Percent: policy.Percent(sh.Percent), To: sh.To})
	}
	r, in, err := s.d.AssetIncome.ProposeRun(c.r.Context(), c.p, id, n)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if in.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, struct {
		Run         assetRunJSON `json:"run"`
		Instruction int64        `json:"instruction"`
		State       string       `json:"state"`
	}{toAssetRunJSON(r), in.ID, in.State})
	return nil
}

// apiRun: a run with its lines (household head's or collective's name,
// amount, legs, status).
func (s *Server) apiRun(w http.ResponseWriter, c *call) error {
	if _, err := assetID(c); err != nil {
		return err
	}
	rid, err := strconv.ParseInt(c.r.PathValue("run"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	r, err := s.d.AssetIncome.Run(c.r.Context(), c.p, rid)
	if err != nil {
		return err
	}
	ls, err := s.d.AssetIncome.Lines(c.r.Context(), c.p, rid, 0, 0)
	if err != nil {
		return err
	}
	lines := []runLineJSON{}
	for _, l := range ls {
		lines = append(lines, runLineJSON{l.ID, l.Share, l.PayeeKind, l.Payee, l.Name, Amount(l.Amount), toAssetLegsJSON(l.Legs), l.Status, l.Attempts})
	}
	writeJSON(w, http.StatusOK, struct {
		Run   assetRunJSON  `json:"run"`
		Lines []runLineJSON `json:"lines"`
	}{toAssetRunJSON(r), lines})
	return nil
}

type reportRowJSON struct {
	Place     string `json:"place"`
	Asset     int64  `json:"asset,omitempty"`
	Code      string `json:"code,omitempty"`
	Name      string `json:"name,omitempty"`
	Type      string `json:"type,omitempty"`
	Assets    int    `json:"assets"`
	Value     Amount `json:"value"`
	BookValue Amount `json:"book_value"`
	Assessed  Amount `json:"assessed"`
	Income    Amount `json:"income"`
	ReturnBP  int64  `json:"return_bp"`
}

func toReportRows(rs []assets.ReportRow) []reportRowJSON {
	out := []reportRowJSON{}
	for _, r := range rs {
		out = append(out, toReportRow(r))
	}
	return out
}

func toReportRow(r assets.ReportRow) reportRowJSON {
	return reportRowJSON{string(r.Place), r.Asset, r.Code, r.Name, r.Type, r.Assets, Amount(r.Value), Amount(r.BookValue), Amount(r.Assessed), Amount(r.Income), r.ReturnBP()}
}

func reportYear(c *call, now time.Time) (int, error) {
	y := now.Year()
	if v := c.r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			return 0, errs.F(errs.Invalid, "invalid_period", "year", "the period is a year")
		}
		y = n
	}
	return y, nil
}

// apiAssetReport: the value kept and grown of a year in the viewer's area.
func (s *Server) apiAssetReport(w http.ResponseWriter, c *call) error {
	y, err := reportYear(c, s.d.Clock())
	if err != nil {
		return err
	}
	rep, err := s.d.AssetIncome.Report(c.r.Context(), c.p, y)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Year      int             `json:"year"`
		Assets    []reportRowJSON `json:"assets"`
		Villages  []reportRowJSON `json:"villages"`
		Townships []reportRowJSON `json:"townships"`
		Total     reportRowJSON   `json:"total"`
	}{rep.Year, toReportRows(rep.Assets), toReportRows(rep.Villages), toReportRows(rep.Townships), toReportRow(rep.Total)})
	return nil
}

type idleJSON struct {
	Asset    int64  `json:"asset"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Place    string `json:"place"`
	Since    string `json:"since"`
	Months   int    `json:"months"`
	UseState string `json:"use_state"`
}

// apiIdleAssets: the idle-asset leads of the viewer's area.
func (s *Server) apiIdleAssets(w http.ResponseWriter, c *call) error {
	ls, err := s.d.AssetIncome.IdleLeads(c.r.Context(), c.p)
	if err != nil {
		return err
	}
	out := []idleJSON{}
	for _, l := range ls {
		out = append(out, idleJSON{l.Asset, l.Code, l.Name, string(l.Place), l.Since, l.Months, l.UseState})
	}
	writeJSON(w, http.StatusOK, struct {
		Leads []idleJSON `json:"leads"`
	}{out})
	return nil
}
