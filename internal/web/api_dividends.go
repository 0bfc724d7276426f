// The dividend runs' JSON API (see docs/API.md).

package web

import (
	"net/http"
	"strconv"

	"onepool/internal/agreements"
	"onepool/internal/errs"
)

type dividendLegJSON struct {
	Channel string `json:"channel"`
	Amount  Amount `json:"amount"`
}

func divLegs(ls []agreements.Leg) []dividendLegJSON {
	out := []dividendLegJSON{}
	for _, l := range ls {
		out = append(out, dividendLegJSON{Channel: l.Channel, Amount: Amount(l.Amount)})
	}
	return out
}

type dividendPeriodJSON struct {
	Period   int    `json:"period"`
	From     string `json:"from"`
	To       string `json:"to"`
	DueBy    string `json:"due_by"`
	Rate     string `json:"rate"`
	Declared bool   `json:"declared"`
	Returns  Amount `json:"returns"`
	Owed     Amount `json:"owed"`
	PaidIn   Amount `json:"paid_in"`
	Run      int64  `json:"run"`
	PaidOut  Amount `json:"paid_out"`
	Overdue  bool   `json:"overdue"`
	DaysLate int    `json:"days_late"`
}

type dividendPaymentJSON struct {
	ID        int64             `json:"id"`
	Period    int               `json:"period"`
	Amount    Amount            `json:"amount"`
	Legs      []dividendLegJSON `json:"legs"`
	DocNo     string            `json:"doc_no"`
	PaidOn    string            `json:"paid_on"`
	Transfer  int64             `json:"transfer"`
	CreatedBy string            `json:"created_by"`
}

type dividendRunJSON struct {
	ID          int64             `json:"id"`
	Agreement   int64             `json:"agreement"`
	Period      int               `json:"period"`
	Amount      Amount            `json:"amount"`
	Legs        []dividendLegJSON `json:"legs"`
	Instruction int64             `json:"instruction"`
	Maker       string            `json:"maker"`
	Approver    string            `json:"approver"`
}

type dividendLineJSON struct {
	ID        int64             `json:"id"`
	Household string            `json:"household"`
	Head      string            `json:"head"`
	Shares    int64             `json:"shares"`
	Amount    Amount            `json:"amount"`
	Legs      []dividendLegJSON `json:"legs"`
	Status    string            `json:"status"`
	Code      string            `json:"code"`
	Attempts  int               `json:"attempts"`
}

type dividendsAnswer struct {
	Agreement int64                 `json:"agreement"`
	Periods   []dividendPeriodJSON  `json:"periods"`
	Payments  []dividendPaymentJSON `json:"payments"`
	Runs      []dividendRunJSON     `json:"runs"`
}

type dividendRunAnswer struct {
	dividendRunJSON
	Lines []dividendLineJSON `json:"lines"`
}

func toPaymentJSON(p agreements.Payment) dividendPaymentJSON {
	return dividendPaymentJSON{ID: p.ID, Period: p.Period, Amount: Amount(p.Amount), Legs: divLegs(p.Legs), DocNo: p.DocNo, PaidOn: p.PaidOn, Transfer: p.Transfer, CreatedBy: p.CreatedBy}
}

func toRunJSON(r agreements.Run) dividendRunJSON {
	return dividendRunJSON{ID: r.ID, Agreement: r.Agreement, Period: r.Period, Amount: Amount(r.Amount), Legs: divLegs(r.Legs), Instruction: r.Instruction, Maker: r.Maker, Approver: r.Approver}
}

func toLineJSON(l agreements.RunLine) dividendLineJSON {
	return dividendLineJSON{ID: l.ID, Household: l.Household, Head: l.Head, Shares: l.Shares, Amount: Amount(l.Amount), Legs: divLegs(l.Legs), Status: l.Status, Code: l.Code, Attempts: l.Attempts}
}

func (s *Server) apiDividends(w http.ResponseWriter, c *call) error {
	v, err := s.dividendsView(c)
	if err != nil {
		return err
	}
	ans := dividendsAnswer{Agreement: v.A.ID, Periods: []dividendPeriodJSON{}, Payments: []dividendPaymentJSON{}, Runs: []dividendRunJSON{}}
	for _, p := range v.Periods {
		ans.Periods = append(ans.Periods, dividendPeriodJSON{Period: p.Period, From: p.From, To: p.To, DueBy: p.DueBy, Rate: p.Rate, Declared: p.Declared, Returns: Amount(p.Returns),
			Owed: Amount(p.Owed), PaidIn: Amount(p.PaidIn), Run: p.Run, PaidOut: Amount(p.PaidOut), Overdue: p.Overdue, DaysLate: p.DaysLate})
	}
	for _, p := range v.Payments {
		ans.Payments = append(ans.Payments, toPaymentJSON(p))
	}
	for _, r := range v.Runs {
		ans.Runs = append(ans.Runs, toRunJSON(r))
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// apiDividendPayment records an operator's payment (posted at once): 201,
// or the same key again 200 with Idempotent-Replayed: true.
func (s *Server) apiDividendPayment(w http.ResponseWriter, c *call) error {
	id, err := agreementID(c)
	if err != nil {
		return err
	}
	var b struct {
		Key    string `json:"key"`
		Period int    `json:"period"`
		Amount Amount `json:"amount"`
		DocNo  string `json:"doc_no"`
		PaidOn string `json:"paid_on"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	p, err := s.d.Agreements.RecordPayment(c.r.Context(), c.p, agreements.PaymentIn{Key: b.Key, Agreement: id, Period: b.Period, Amount: b.Amount.Fen(), DocNo: b.DocNo, PaidOn: b.PaidOn})
	if err != nil {
		return err
	}
	writeJSON(w, createdOrReplayed(w, p.Replayed), toPaymentJSON(p))
	return nil
}

// apiDividendDeclare records an equity operator's declared returns: 201.
func (s *Server) apiDividendDeclare(w http.ResponseWriter, c *call) error {
	id, err := agreementID(c)
	if err != nil {
		return err
	}
	if _, err := s.d.Agreements.Get(c.r.Context(), c.p, id); err != nil {
		return err // outside the viewer's area: not found, whatever the body
	}
	var b struct {
		Period  int    `json:"period"`
		Returns Amount `json:"returns"`
		DocNo   string `json:"doc_no"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	p, err := s.d.Agreements.Declare(c.r.Context(), c.p, id, b.Period, b.Returns.Fen(), b.DocNo)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, dividendPeriodJSON{Period: p.Period, From: p.From, To: p.To, DueBy: p.DueBy, Rate: p.Rate, Declared: p.Declared, Returns: Amount(p.Returns),
		Owed: Amount(p.Owed), PaidIn: Amount(p.PaidIn), Run: p.Run, PaidOut: Amount(p.PaidOut), Overdue: p.Overdue, DaysLate: p.DaysLate})
	return nil
}

// apiDividendRun enters a period's run for approval: 202 with the
// instruction (a replayed key: 200, Idempotent-Replayed: true).
func (s *Server) apiDividendRun(w http.ResponseWriter, c *call) error {
	id, err := agreementID(c)
	if err != nil {
		return err
	}
	var b struct {
		Key    string `json:"key"`
		Period int    `json:"period"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	in, err := s.d.Agreements.ProposeRun(c.r.Context(), c.p, id, b.Period, b.Key)
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

func runID(c *call) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("run"), 10, 64)
	if err != nil {
		return 0, errs.F(errs.NotFound, "unknown_run", "run", "no such dividend run")
	}
	return id, nil
}

func (s *Server) apiDividendRunGet(w http.ResponseWriter, c *call) error {
	aid, err := agreementID(c)
	if err != nil {
		return err
	}
	id, err := runID(c)
	if err != nil {
		return err
	}
	r, ls, err := s.d.Agreements.Run(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	if r.Agreement != aid {
		return errs.F(errs.NotFound, "unknown_run", "run", "no such dividend run")
	}
	ans := dividendRunAnswer{dividendRunJSON: toRunJSON(r), Lines: []dividendLineJSON{}}
	for _, l := range ls {
		ans.Lines = append(ans.Lines, toLineJSON(l))
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}
