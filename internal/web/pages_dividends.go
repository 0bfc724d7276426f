package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onepool/internal/agreements"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/money"
)

// Dividend runs (M-31, M-32): an entity agreement's dividend page shows
// its schedule per period (owed, declared, paid in, run, paid to
// households) with the forms to record the operator's payment, declare
// an equity operator's returns, enter a run and enter a payout batch;
// a run's page shows its lines; the batches share relief's batch pages
// (payer dividendPayer).

var dividendPayer = payer{Kind: agreements.DividendKind, Base: "/dividends", Item: "/dividends/lines/", Title: "dividend.batch", Menu: "agreements"}

type dividendsView struct {
	Page
	A        agreements.Agreement
	Periods  []agreements.Period
	Payments []agreements.Payment
	Runs     []agreements.Run
	CanPay   bool
	Error    string
}

func (s *Server) dividendsView(c *call) (dividendsView, error) {
	ctx := c.r.Context()
	id, err := agreementID(c)
	if err != nil {
		return dividendsView{}, err
	}
	a, err := s.d.Agreements.Get(ctx, c.p, id)
	if err != nil {
		return dividendsView{}, err
	}
	v := dividendsView{Page: c.page(fmt.Sprintf("%s %d · %s", translate(c.lang, "agreements.one"), a.ID, translate(c.lang, "dividend.title")), "agreements"), A: a,
		CanPay: agreements.MayPay(c.p)}
	if v.Periods, err = s.d.Agreements.Periods(ctx, c.p, a); err != nil {
		return v, err
	}
	if v.Payments, err = s.d.Agreements.Payments(ctx, c.p, a); err != nil {
		return v, err
	}
	v.Runs, err = s.d.Agreements.Runs(ctx, c.p, a)
	return v, err
}

func (s *Server) dividendsPage(w http.ResponseWriter, c *call) error {
	v, err := s.dividendsView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "dividends", v)
}

func formPeriod(c *call) int {
	n, _ := strconv.Atoi(strings.TrimSpace(c.r.PostFormValue("period")))
	return n
}

// dividendForm answers a dividend form: the flash and the dividend page,
// or the page again with the input kept and the refusal.
func (s *Server) dividendForm(w http.ResponseWriter, c *call, v dividendsView, err error, to string) error {
	return afterForm(w, c, err, to, func(msg string, status int) error {
		v, verr := s.dividendsView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "dividends", v)
	})
}

func (s *Server) dividendPaymentForm(w http.ResponseWriter, c *call) error {
	v, err := s.dividendsView(c)
	if err != nil {
		return err
	}
	amt, err := money.Parse(strings.TrimSpace(c.r.PostFormValue("amount")))
	if err != nil {
		err = amountRefusal("amount", c.r.PostFormValue("amount"), err)
	} else {
		_, err = s.d.Agreements.RecordPayment(c.r.Context(), c.p, agreements.PaymentIn{Key: c.r.PostFormValue("key"), Agreement: v.A.ID, Period: formPeriod(c), Amount: amt,
			DocNo: c.r.PostFormValue("doc_no"), PaidOn: c.r.PostFormValue("paid_on")})
	}
	c.done = translate(c.lang, "done.dividend_in")
	return s.dividendForm(w, c, v, err, fmt.Sprintf("/agreements/%d/dividends", v.A.ID))
}

func (s *Server) dividendDeclareForm(w http.ResponseWriter, c *call) error {
	v, err := s.dividendsView(c)
	if err != nil {
		return err
	}
	amt, err := money.Parse(strings.TrimSpace(c.r.PostFormValue("returns")))
	if err != nil {
		err = amountRefusal("returns", c.r.PostFormValue("returns"), err)
	} else {
		_, err = s.d.Agreements.Declare(c.r.Context(), c.p, v.A.ID, formPeriod(c), amt, c.r.PostFormValue("doc_no"))
	}
	c.done = translate(c.lang, "done.dividend_declared")
	return s.dividendForm(w, c, v, err, fmt.Sprintf("/agreements/%d/dividends", v.A.ID))
}

func (s *Server) dividendRunForm(w http.ResponseWriter, c *call) error {
	v, err := s.dividendsView(c)
	if err != nil {
		return err
	}
	var in instruct.Instruction
	in, err = s.d.Agreements.ProposeRun(c.r.Context(), c.p, v.A.ID, formPeriod(c), c.r.PostFormValue("key"))
	return s.dividendForm(w, c, v, err, instructionPath(in))
}

func (s *Server) dividendPayForm(w http.ResponseWriter, c *call) error {
	v, err := s.dividendsView(c)
	if err != nil {
		return err
	}
	var in instruct.Instruction
	in, err = s.d.Relief.Payout().ProposeBatch(c.r.Context(), c.p, agreements.DividendKind, strings.TrimSpace(c.r.PostFormValue("key")))
	return s.dividendForm(w, c, v, err, instructionPath(in))
}

type dividendRunView struct {
	Page
	R     agreements.Run
	Lines []agreements.RunLine
}

func (s *Server) dividendRunPage(w http.ResponseWriter, c *call) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	r, ls, err := s.d.Agreements.Run(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	v := dividendRunView{Page: c.page(fmt.Sprintf("%s #%d", translate(c.lang, "dividend.run"), r.ID), "agreements"), R: r, Lines: ls}
	return c.render(w, http.StatusOK, "dividend_run", v)
}

func (s *Server) dividendBatchPage(w http.ResponseWriter, c *call) error {
	return s.payBatchPage(w, c, dividendPayer)
}

func (s *Server) dividendPayoutFile(w http.ResponseWriter, c *call) error {
	return s.payPayoutFile(w, c, dividendPayer)
}

func (s *Server) dividendBankReturn(w http.ResponseWriter, c *call) error {
	return s.payBankReturn(w, c, dividendPayer)
}

func (s *Server) dividendReturnTemplate(w http.ResponseWriter, c *call) error {
	return s.payReturnTemplate(w, c, dividendPayer)
}

// dividendLinePage sends a payout line's source (a run line) to its run.
func (s *Server) dividendLinePage(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_run", "run", "no such dividend run")
	}
	run, err := s.d.Agreements.LineRun(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	http.Redirect(w, c.r, fmt.Sprintf("/dividends/runs/%d", run), http.StatusSeeOther)
	return nil
}
