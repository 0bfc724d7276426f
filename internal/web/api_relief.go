package web

import (
	"net/http"
	"onepool/internal/place"
	"strconv"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/relief"
	"onepool/internal/workflow"
)

// The relief and registry API: /api/v1/relief/{county}/… and
// /api/v1/registry/{county}/…; personal data leaves masked.

type fundJSON struct {
	Balance    Amount       `json:"balance"`
	InTransit  Amount       `json:"in_transit"`
	Floor      Amount       `json:"floor"`
	Donations  Amount       `json:"donations"`
	Treasury   Amount       `json:"treasury"`
	Paid       Amount       `json:"paid"`
	Request    *Amount      `json:"topup_requested,omitempty"`
	ByCampaign []amountJSON `json:"by_campaign"`
	ByVillage  []amountJSON `json:"by_village"`
	ByMonth    []amountJSON `json:"by_month"`
}

type amountJSON struct {
	Label string `json:"label"`
	Count int    `json:"count"`
	Sum   Amount `json:"sum"`
}

// The answers of the relief and registry API, one struct each.
type (
	reliefAnswer struct {
		Fund         fundJSON  `json:"fund"`
		Applications []appJSON `json:"applications"`
		pageOf
	}
	fundAnswer struct {
		Fund fundJSON `json:"fund"`
	}
	inflowAnswer struct {
		Transfer int64 `json:"transfer"` // the transfer's id
	}
	applicationAnswer struct {
		Application appJSON `json:"application"`
	}
	calcJSON struct {
		Standard  Amount `json:"standard"`
		Source    string `json:"source"`
		Income    Amount `json:"income"`
		Expenses  Amount `json:"expenses"`
		Members   int    `json:"members"`
		PerCapita Amount `json:"per_capita"`
		Rounding  string `json:"rounding"`
		Amount    Amount `json:"amount"`
	}
	applicationDetail struct {
		Application appJSON  `json:"application"`
		Calculation calcJSON `json:"calculation"`
		BankCheck   []string `json:"bank_check"`
		Review      itemJSON `json:"review"`
	}
	postedAnswer struct {
		Posted int `json:"posted"`
	}
	batchLineJSON struct {
		Line        int    `json:"line"`
		Application int64  `json:"application"`
		Attempt     int    `json:"attempt"`
		Household   string `json:"household"`
		Card        string `json:"card"` // masked
		Amount      Amount `json:"amount"`
		Status      string `json:"status"`
		Code        string `json:"code"` // a failed line's reason code: refused, account_invalid, returned ('' otherwise)
		Reason      string `json:"reason"`
	}
	batchAnswer struct {
		Batch int64           `json:"batch"`
		Total Amount          `json:"total"`
		Lines []batchLineJSON `json:"lines"`
	}
	memberJSON struct {
		Seq        int    `json:"seq"`
		Name       string `json:"name"`
		ResidentID string `json:"resident_id"` // masked
		Relation   string `json:"relation"`
		BirthYear  int    `json:"birth_year"`
		Alive      bool   `json:"alive"`
	}
	cardJSON struct {
		Holder string `json:"holder"`
		Bank   string `json:"bank"`
		Number string `json:"number"` // masked
	}
	householdJSON struct {
		Code    string       `json:"code"`
		Village string       `json:"village"`
		Head    string       `json:"head"`
		Members []memberJSON `json:"members"`
		Card    cardJSON     `json:"card"`
	}
	householdsAnswer struct {
		Households []householdJSON `json:"households"`
		pageOf
	}
	householdAnswer struct {
		Household householdJSON `json:"household"`
	}
	importedAnswer struct {
		Imported int `json:"imported"`
	}
	leadJSON struct {
		ID         int64    `json:"id"`
		Kind       string   `json:"kind"`
		Households []string `json:"households"`
		Status     string   `json:"status"`
		Reason     string   `json:"reason"`
	}
	leadsAnswer struct {
		Leads []leadJSON `json:"leads"`
	}
)

func toFundJSON(f relief.Fund) fundJSON {
	out := fundJSON{Balance: Amount(f.Balance), InTransit: Amount(f.InTransit), Floor: Amount(f.Floor), Donations: Amount(f.Donations), Treasury: Amount(f.Treasury), Paid: Amount(f.Paid),
		ByCampaign: []amountJSON{}, ByVillage: []amountJSON{}, ByMonth: []amountJSON{}}
	if f.Open != nil {
		a := Amount(f.Open.Amount)
		out.Request = &a
	}
	for _, a := range f.ByCampaign {
		out.ByCampaign = append(out.ByCampaign, amountJSON{a.Label, a.Count, Amount(a.Sum)})
	}
	for _, a := range f.ByVillage {
		out.ByVillage = append(out.ByVillage, amountJSON{a.Label, a.Count, Amount(a.Sum)})
	}
	for _, a := range f.ByMonth {
		out.ByMonth = append(out.ByMonth, amountJSON{a.Label, a.Count, Amount(a.Sum)})
	}
	return out
}

type appJSON struct {
	ID        int64  `json:"id"`
	Household string `json:"household"`
	Village   string `json:"village"`
	Applicant string `json:"applicant"`
	Year      int    `json:"year"`
	Standard  Amount `json:"standard"`
	PerCapita Amount `json:"per_capita"`
	Members   int    `json:"members"`
	Amount    Amount `json:"amount"`
	Frozen    bool   `json:"frozen"`
	Status    string `json:"status"`
}

func toAppJSON(a relief.Application) appJSON {
	return appJSON{a.ID, a.Household, string(a.Village), a.Applicant, a.Year, Amount(a.Calc.Standard), Amount(a.Calc.PerCapita), a.Calc.Members, Amount(a.Calc.Amount), a.Frozen, a.Status}
}

func (s *Server) apiRelief(w http.ResponseWriter, c *call) error {
	f, err := s.d.Relief.Fund(c.r.Context(), c.p.County)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	offset, limit, err := offsetLimit(c.r, 500, 1000)
	if err != nil {
		return err
	}
	af := relief.AppFilter{Prefix: c.p.Prefix(), Status: q.Get("status"), Village: place.Code(strings.TrimSpace(q.Get("village"))), Offset: offset, Limit: limit}
	if y := strings.TrimSpace(q.Get("year")); y != "" {
		if af.Year, err = strconv.Atoi(y); err != nil || af.Year < 2000 || af.Year > 2100 {
			return errs.F(errs.Invalid, "invalid_query", "year", "year must be a year such as 2026")
		}
	}
	apps, total, err := s.d.Relief.ListApplications(c.r.Context(), c.p.County, af)
	if err != nil {
		return err
	}
	out := []appJSON{}
	for _, a := range apps {
		out = append(out, toAppJSON(a))
	}
	writeJSON(w, http.StatusOK, reliefAnswer{Fund: toFundJSON(f), Applications: out, pageOf: pageOf{Total: total, Offset: offset, Limit: limit}})
	return nil
}

func (s *Server) apiReliefInflow(w http.ResponseWriter, c *call) error {
	var b struct {
		Key      string `json:"key"`
		Source   string `json:"source"`
		Donor    string `json:"donor"`
		Campaign string `json:"campaign"`
		Amount   Amount `json:"amount"`
		DocNo    string `json:"doc_no"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	t, err := s.d.Relief.Receive(c.r.Context(), c.p, relief.Inflow{Key: b.Key, Source: b.Source, Donor: b.Donor, Campaign: b.Campaign, Amount: b.Amount.Fen(), DocNo: b.DocNo})
	if err != nil {
		return err
	}
	// The same key again answers the same body, 200 with the replay header.
	status := http.StatusCreated
	if t.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, inflowAnswer{Transfer: t.ID})
	return nil
}

func (s *Server) apiReliefApply(w http.ResponseWriter, c *call) error {
	var b struct {
		Household string `json:"household"`
		Member    int    `json:"member"`
		Year      int    `json:"year"`
		Cause     string `json:"cause"`
		Opinion   string `json:"opinion"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if b.Household == "" {
		return errs.F(errs.Invalid, "invalid_household", "household", "name the household")
	}
	a, err := s.d.Relief.Apply(c.r.Context(), c.p, relief.NewApplication{Household: b.Household, MemberSeq: b.Member, Year: b.Year, Cause: b.Cause, Opinion: b.Opinion})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, applicationAnswer{Application: toAppJSON(a)})
	return nil
}

func (s *Server) apiReliefApplication(w http.ResponseWriter, c *call) error {
	v, err := s.applicationView(c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	hist, _ := s.d.Workflow.History(c.r.Context(), c.p.County, v.A.Item)
	writeJSON(w, http.StatusOK, applicationDetail{Application: toAppJSON(v.A), Calculation: calcJSON{Standard: Amount(v.Calc.Standard), Source: v.Calc.Source,
		Income: Amount(v.Calc.Income), Expenses: Amount(v.Calc.Expenses), Members: v.Calc.Members, PerCapita: Amount(v.Calc.PerCapita),
		Rounding: v.Calc.Rounding, Amount: Amount(v.Calc.Amount)}, BankCheck: v.Problems, Review: toItemJSON(v.Item, s.d.Clock(), hist)})
	return nil
}

func (s *Server) apiReliefDecide(w http.ResponseWriter, c *call) error {
	a, err := c.application(c.r.PathValue("id"))
	if err != nil {
		return err
	}
	var b struct {
		Action  string `json:"action"`
		ToStep  int    `json:"to_step"`
		Opinion string `json:"opinion"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	var d workflow.Decision
	if b.Action == workflow.Submit {
		d = workflow.Decision{Action: b.Action, Opinion: b.Opinion}
	} else if d, err = decision(b.Action, strconv.Itoa(b.ToStep), b.Opinion); err != nil {
		return err
	}
	got, err := s.d.Relief.Decide(c.r.Context(), c.p, a.ID, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationAnswer{Application: toAppJSON(got)})
	return nil
}

func (s *Server) apiReliefNotices(w http.ResponseWriter, c *call) error {
	var b struct {
		Starts string `json:"starts"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	n, err := s.d.Relief.PostNotices(c.r.Context(), c.p, b.Starts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, postedAnswer{Posted: n})
	return nil
}

func (s *Server) apiReliefSend(w http.ResponseWriter, c *call) error {
	var b struct {
		Key string `json:"key"`
	}
	if c.r.ContentLength != 0 {
		if err := decodeJSON(c.r, &b); err != nil {
			return err
		}
	}
	in, err := s.d.Relief.ProposeBatch(c.r.Context(), c.p, b.Key)
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

func (s *Server) apiReliefBatch(w http.ResponseWriter, c *call) error {
	v, err := s.batchView(c)
	if err != nil {
		return err
	}
	lines := []batchLineJSON{}
	for _, l := range v.Lines {
		lines = append(lines, batchLineJSON{Line: l.Line, Application: l.Source, Attempt: l.Attempt, Household: l.Payee, Card: l.CardMask,
			Amount: Amount(l.Amount), Status: l.Status, Code: l.Code, Reason: l.Reason})
	}
	writeJSON(w, http.StatusOK, batchAnswer{Batch: v.B.ID, Total: Amount(v.B.Total), Lines: lines})
	return nil
}

// apiReliefReturn imports the bank's return file from the body.
func (s *Server) apiReliefReturn(w http.ResponseWriter, c *call) error {
	body, done := importBody(w, c)
	in, err := s.d.Relief.ProposeReturn(c.r.Context(), c.p, body)
	done()
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

func (s *Server) apiPublicRelief(w http.ResponseWriter, c *call) error {
	f, err := s.d.Relief.Fund(c.r.Context(), c.r.PathValue("county"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fundAnswer{Fund: toFundJSON(f)})
	return nil
}
