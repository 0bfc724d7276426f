package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/money"
	"onepool/internal/policy"
)

// The asset income pages (issue 14): an operating asset's income page
// (leases and 入股, income by period with its legs, valuations, runs and
// the forms), a run's page (shares, lines, the payout batch form) and
// the asset payout batches through relief's shared batch pages (payer
// assetPayer).

var assetPayer = payer{Kind: assets.PayoutKind, Base: "/asset-income", Item: "/asset-income/lines/", Title: "assetpay.batch", Menu: "assets"}

type incomeLegView struct {
	Channel string
	Name    string
	Amount  money.Fen
}

type incomeRowView struct {
	assets.Income
	Legs []incomeLegView
}

type leaseRowView struct {
	assets.Lease
	SharePct string // the 入股 share, "12.5%"
}

type periodRowView struct {
	assets.PeriodIncome
	Legs []incomeLegView
}

type assetIncomeView struct {
	Page
	A           assets.Asset
	Leases      []leaseRowView
	Income      []incomeRowView
	Periods     []periodRowView
	Valuations  []assets.Valuation
	Runs        []assets.Run
	Shares      []policy.AssetShare
	Kept        []assets.Beneficiary // the households kept with the asset for county runs
	KeptText    string               // the same, as the form's text: code[:weight] a line
	IncomeKinds []string
	Year        int
	CanWrite    bool
	Error       string
}

func namedLegs(ls []assets.Leg, names map[string]string) []incomeLegView {
	out := []incomeLegView{}
	for _, l := range ls {
		out = append(out, incomeLegView{Channel: l.Channel, Name: channelLabel(l.Channel, names), Amount: l.Amount})
	}
	return out
}

func (s *Server) assetIncomeView(c *call) (assetIncomeView, error) {
	ctx := c.r.Context()
	id, err := assetID(c)
	if err != nil {
		return assetIncomeView{}, err
	}
	a, err := s.d.Assets.Get(ctx, c.p, id)
	if err != nil {
		return assetIncomeView{}, err
	}
	v := assetIncomeView{Page: c.page(fmt.Sprintf("%s · %s", a.Name, translate(c.lang, "assetinc.title")), "assets"), A: a, IncomeKinds: assets.IncomeKinds,
		Year: s.d.Clock().Year(), CanWrite: auth.Allowed(c.p.Role, auth.WriteAssets)}
	names := s.channelNames(c)
	ls, err := s.d.AssetIncome.Leases(ctx, c.p, id)
	if err != nil {
		return v, err
	}
	for _, l := range ls {
		v.Leases = append(v.Leases, leaseRowView{Lease: l, SharePct: policy.Percent(l.Share).String()})
	}
	ins, err := s.d.AssetIncome.Incomes(ctx, c.p, id)
	if err != nil {
		return v, err
	}
	for _, in := range ins {
		v.Income = append(v.Income, incomeRowView{Income: in, Legs: namedLegs(in.Legs, names)})
	}
	ps, err := s.d.AssetIncome.IncomeByPeriod(ctx, c.p, id)
	if err != nil {
		return v, err
	}
	for _, p := range ps {
		v.Periods = append(v.Periods, periodRowView{PeriodIncome: p, Legs: namedLegs(p.Legs, names)})
	}
	if v.Valuations, err = s.d.AssetIncome.Valuations(ctx, c.p, id); err != nil {
		return v, err
	}
	if v.Runs, err = s.d.AssetIncome.Runs(ctx, c.p, id); err != nil {
		return v, err
	}
	if rule, err := s.d.AssetIncome.Rule(ctx, c.p.County); err == nil {
		v.Shares = rule.IncomeShares
	}
	if v.Kept, err = s.d.AssetIncome.Beneficiaries(ctx, c.p, id); err != nil {
		return v, err
	}
	var kept []string
	for _, b := range v.Kept {
		if b.Weight > 1 {
			kept = append(kept, fmt.Sprintf("%s:%d", b.Household, b.Weight))
		} else {
			kept = append(kept, b.Household)
		}
	}
	v.KeptText = strings.Join(kept, "\n")
	return v, nil
}

// assetHouseholdsForm sets the households kept with an operating asset
// (those its households' share is paid to in county-wide runs): codes one
// a line, "code:weight" for unequal shares; the whole list is replaced.
func (s *Server) assetHouseholdsForm(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	hs, err := formHouseholds(c.r.PostFormValue("households"))
	if err == nil {
		_, err = s.d.AssetIncome.SetBeneficiaries(c.r.Context(), c.p, id, hs)
	}
	c.done = translate(c.lang, "done.asset_households")
	return s.assetIncomeForm(w, c, id, err, "")
}

func (s *Server) assetIncomePage(w http.ResponseWriter, c *call) error {
	v, err := s.assetIncomeView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "asset_income", v)
}

// assetIncomeForm answers a form of the income page: the flash and the
// page, or the page again with the input kept and the refusal.
func (s *Server) assetIncomeForm(w http.ResponseWriter, c *call, id int64, err error, to string) error {
	if to == "" {
		to = fmt.Sprintf("/assets/%d/income", id)
	}
	return afterForm(w, c, err, to, func(msg string, status int) error {
		v, verr := s.assetIncomeView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "asset_income", v)
	})
}

// formMoney reads an amount typed in 元 or, when the field's unit
// select says wan, in 万元.
func formMoney(c *call, field string) (money.Fen, error) {
	in := strings.TrimSpace(c.r.PostFormValue(field))
	f, err := money.Parse(in)
	if err != nil {
		return 0, amountRefusal(field, in, err)
	}
	if c.r.PostFormValue(field+"_unit") == "wan" {
		if f, err = money.MulInt(f, 10000); err != nil {
			return 0, amountRefusal(field, in, err)
		}
	}
	return f, nil
}

func formInt(c *call, field string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(c.r.PostFormValue(field)))
	return n
}

// formBP reads a percentage ("30" or "12.5") as basis points.
func formBP(c *call, field string) (int64, error) {
	in := strings.TrimSpace(c.r.PostFormValue(field))
	if in == "" {
		return 0, nil
	}
	f, err := money.Parse(in) // two decimals: the same grammar as a percentage
	if err != nil || f < 0 || f > 10000 {
		return 0, errs.F(errs.Invalid, "invalid_share", field, "the share %q is a percentage between 0 and 100", in)
	}
	return int64(f), nil
}

func (s *Server) assetLeaseForm(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	n := assets.NewLease{Kind: c.r.PostFormValue("kind"), Counterparty: strings.TrimSpace(c.r.PostFormValue("counterparty")), Starts: c.r.PostFormValue("starts"),
		Years: formInt(c, "years"), Ends: c.r.PostFormValue("ends"), Doc: strings.TrimSpace(c.r.PostFormValue("doc"))}
	if strings.TrimSpace(c.r.PostFormValue("rent")) != "" {
		n.Rent, err = formMoney(c, "rent")
	}
	if err == nil {
		n.Share, err = formBP(c, "share")
	}
	if err == nil {
		_, err = s.d.AssetIncome.LeaseAsset(c.r.Context(), c.p, id, n)
	}
	c.done = translate(c.lang, "done.asset_lease")
	return s.assetIncomeForm(w, c, id, err, "")
}

func (s *Server) assetEndLeaseForm(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	lid, perr := strconv.ParseInt(c.r.PathValue("lease"), 10, 64)
	if perr != nil {
		return errs.F(errs.NotFound, "unknown_lease", "lease", "no such lease")
	}
	l, err := s.d.AssetIncome.Lease(c.r.Context(), c.p, lid)
	if err == nil && l.Asset != id {
		err = errs.F(errs.NotFound, "unknown_lease", "lease", "no such lease")
	}
	if err == nil {
		_, err = s.d.AssetIncome.EndLease(c.r.Context(), c.p, lid, c.r.PostFormValue("idle") == "1")
	}
	c.done = translate(c.lang, "done.asset_lease_ended")
	return s.assetIncomeForm(w, c, id, err, "")
}

func (s *Server) assetRecordIncomeForm(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	amt, err := formMoney(c, "amount")
	if err == nil {
		_, err = s.d.AssetIncome.RecordIncome(c.r.Context(), c.p, id, assets.NewIncomeRecord{Kind: c.r.PostFormValue("kind"), Amount: amt,
			DocNo: strings.TrimSpace(c.r.PostFormValue("doc_no")), ReceivedOn: c.r.PostFormValue("received_on"), Period: formInt(c, "period"),
			Payer: strings.TrimSpace(c.r.PostFormValue("payer"))})
	}
	c.done = translate(c.lang, "done.asset_income")
	return s.assetIncomeForm(w, c, id, err, "")
}

func (s *Server) assetValueForm(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	var book, assessed money.Fen
	book, err = formMoney(c, "book_value")
	if err == nil {
		assessed, err = formMoney(c, "assessed")
	}
	if err == nil {
		_, err = s.d.AssetIncome.Value(c.r.Context(), c.p, id, assets.Valuation{Year: formInt(c, "year"), BookValue: book, Assessed: assessed,
			Appraiser: strings.TrimSpace(c.r.PostFormValue("appraiser")), Doc: strings.TrimSpace(c.r.PostFormValue("doc"))})
	}
	c.done = translate(c.lang, "done.asset_valued")
	return s.assetIncomeForm(w, c, id, err, "")
}

// formHouseholds reads the households of a run: codes one a line (or
// separated by commas or spaces), each optionally "code:weight".
func formHouseholds(text string) ([]assets.RunHousehold, error) {
	out := []assets.RunHousehold{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == '，' || r == ' ' || r == '\t' }) {
		code, weight, _ := strings.Cut(f, ":")
		h := assets.RunHousehold{Code: strings.TrimPrefix(strings.TrimSpace(code), "hh:")}
		if weight != "" {
			n, err := strconv.ParseInt(weight, 10, 64)
			if err != nil || n <= 0 {
				return nil, errs.F(errs.Invalid, "invalid_household", "households", "the weight of household %s is a positive whole number", h.Code)
			}
			h.Weight = n
		}
		out = append(out, h)
	}
	return out, nil
}

func (s *Server) assetRunForm(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	var in instruct.Instruction
	hs, err := formHouseholds(c.r.PostFormValue("households"))
	if err == nil {
		n := assets.NewRun{Period: formInt(c, "period"), Households: hs, Uses: formUses(c), Key: strings.TrimSpace(c.r.PostFormValue("key"))}
		_, in, err = s.d.AssetIncome.ProposeRun(c.r.Context(), c.p, id, n)
	}
	return s.assetIncomeForm(w, c, id, err, instructionPath(in))
}

type assetLineView struct {
	assets.RunLine
	Legs []incomeLegView
}

type assetRunView struct {
	Page
	A      assets.Asset
	R      assets.Run
	Lines  []assetLineView
	CanPay bool
	Error  string
}

func (s *Server) assetRunView(c *call) (assetRunView, error) {
	ctx := c.r.Context()
	id, err := assetID(c)
	if err != nil {
		return assetRunView{}, err
	}
	rid, err := strconv.ParseInt(c.r.PathValue("run"), 10, 64)
	if err != nil {
		return assetRunView{}, errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	r, err := s.d.AssetIncome.Run(ctx, c.p, rid)
	if err != nil {
		return assetRunView{}, err
	}
	if r.Asset != id {
		return assetRunView{}, errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	a, err := s.d.Assets.Get(ctx, c.p, id)
	if err != nil {
		return assetRunView{}, err
	}
	ls, err := s.d.AssetIncome.Lines(ctx, c.p, rid, 0, 0)
	if err != nil {
		return assetRunView{}, err
	}
	v := assetRunView{Page: c.page(fmt.Sprintf("%s · %s #%d", a.Name, translate(c.lang, "assetinc.run"), r.ID), "assets"), A: a, R: r, CanPay: assets.MayPay(c.p)}
	names := s.channelNames(c)
	for _, l := range ls {
		v.Lines = append(v.Lines, assetLineView{RunLine: l, Legs: namedLegs(l.Legs, names)})
	}
	return v, nil
}

func (s *Server) assetRunPage(w http.ResponseWriter, c *call) error {
	v, err := s.assetRunView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "asset_run", v)
}

// assetPayForm enters a payout batch of every household line waiting
// (the finance or rural bureau), for approval by another person.
func (s *Server) assetPayForm(w http.ResponseWriter, c *call) error {
	v, err := s.assetRunView(c)
	if err != nil {
		return err
	}
	var in instruct.Instruction
	in, err = s.d.AssetIncome.ProposePayment(c.r.Context(), c.p, strings.TrimSpace(c.r.PostFormValue("key")))
	return afterForm(w, c, err, instructionPath(in), func(msg string, status int) error {
		v.Error = msg
		return c.render(w, status, "asset_run", v)
	})
}

func (s *Server) assetBatchPage(w http.ResponseWriter, c *call) error {
	return s.payBatchPage(w, c, assetPayer)
}

func (s *Server) assetPayoutFile(w http.ResponseWriter, c *call) error {
	return s.payPayoutFile(w, c, assetPayer)
}

func (s *Server) assetBankReturn(w http.ResponseWriter, c *call) error {
	return s.payBankReturn(w, c, assetPayer)
}

func (s *Server) assetReturnTemplate(w http.ResponseWriter, c *call) error {
	return s.payReturnTemplate(w, c, assetPayer)
}

func (s *Server) assetSendRest(w http.ResponseWriter, c *call) error {
	return s.paySendRest(w, c, assetPayer)
}

// assetLinePage sends a payout line's source (a run line) to its run.
func (s *Server) assetLinePage(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	run, asset, err := s.d.AssetIncome.LineRun(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	http.Redirect(w, c.r, fmt.Sprintf("/assets/%d/runs/%d", asset, run), http.StatusSeeOther)
	return nil
}
