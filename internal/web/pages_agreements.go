// The agreements' pages (协议, M-30 … M-33): the list with its filters and
// export, an agreement with its parties, terms, schedule and review, the
// create form, the steps, the renewal.

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/workflow"
)

// The navigation's agreements area opens the agreements (it was a
// "not built" page).
func init() {
	for i, a := range areas {
		if a.key == "agreements" {
			areas[i].href, areas[i].action = "/agreements", auth.ViewAgreements
		}
	}
}

type agreementRow struct {
	agreements.Agreement
	PlaceName string
}

type agreementsView struct {
	Page
	Rows                  []agreementRow
	Total                 int
	Kind, State, Township string
	Kinds, States         []string
	Townships             []placeOption
	Pager                 Pager
	ExportQuery           string
	Error                 string
}

func agreementFilter(c *call) (agreements.Filter, error) {
	q := c.r.URL.Query()
	f := agreements.Filter{Kind: q.Get("kind"), State: q.Get("state")}
	if v := q.Get("township"); v != "" {
		code, err := place.Parse(v)
		if err != nil {
			return f, errs.F(errs.Invalid, "invalid_query", "township", "township must be a division code")
		}
		f.Township = code
	}
	return f, nil
}

func (s *Server) agreementsView(c *call) (agreementsView, error) {
	ctx := c.r.Context()
	v := agreementsView{Page: c.page(translate(c.lang, "agreements.title"), "agreements"), Kinds: agreements.Kinds, States: agreements.States}
	for _, o := range s.subtreePlaces(c, place.County) {
		if place.Code(o.Code).Level() == place.Township {
			v.Townships = append(v.Townships, o)
		}
	}
	f, err := agreementFilter(c)
	if err != nil {
		return v, err
	}
	v.Kind, v.State, v.Township = f.Kind, f.State, string(f.Township)
	eq := url.Values{}
	for k, val := range map[string]string{"kind": v.Kind, "state": v.State, "township": v.Township} {
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
	f.Limit, f.Offset = listSize, (page-1)*listSize
	as, total, err := s.d.Agreements.List(ctx, c.p, f)
	if err != nil {
		return v, err
	}
	if v.Pager = pagerCapped(c.r, total, page, listSize, total+1); v.Pager.Page != page && total > 0 {
		f.Offset = v.Pager.Offset()
		if as, total, err = s.d.Agreements.List(ctx, c.p, f); err != nil {
			return v, err
		}
	}
	for _, a := range as {
		v.Rows = append(v.Rows, agreementRow{Agreement: a, PlaceName: s.d.Auth.PlaceName(ctx, a.Place)})
	}
	v.Total = total
	return v, nil
}

func (s *Server) agreementsPage(w http.ResponseWriter, c *call) error {
	v, err := s.agreementsView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "agreements", v)
}

func (s *Server) agreementsArea(w http.ResponseWriter, c *call) error {
	http.Redirect(w, c.r, "/agreements", http.StatusSeeOther)
	return nil
}

// partiesOf reads "code" or "code:shares" items, one a line or comma.
func partiesOf(v string) ([]agreements.Party, error) {
	out := []agreements.Party{}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ',' || r == '，' || r == ';' || r == '\r' || r == ' ' }) {
		code, sh, ok := strings.Cut(f, ":")
		p := agreements.Party{Household: code}
		if ok {
			n, err := strconv.ParseInt(strings.TrimSpace(sh), 10, 64)
			if err != nil {
				return nil, errs.F(errs.Invalid, "invalid_shares", "households", "household %s: the quantified shares must be a whole number", code)
			}
			p.Shares = n
		}
		out = append(out, p)
	}
	return out, nil
}

// agreementFromForm reads the create form.
func agreementFromForm(c *call) (agreements.Agreement, error) {
	r := c.r
	a := agreements.Agreement{Kind: r.PostFormValue("kind"), Form: r.PostFormValue("form"), Township: place.Code(strings.TrimSpace(r.PostFormValue("township"))),
		Entity: r.PostFormValue("entity"), Project: r.PostFormValue("project"), Lender: r.PostFormValue("lender"), Purpose: r.PostFormValue("purpose"),
		Start: r.PostFormValue("start"), CollateralKind: r.PostFormValue("collateral_kind"), Manager: r.PostFormValue("manager")}
	var err error
	if a.TermYears, err = strconv.Atoi(strings.TrimSpace(r.PostFormValue("term_years"))); err != nil {
		return a, errs.F(errs.Invalid, "invalid_term", "term_years", "the term is 1 to 30 years")
	}
	if a.Kind == agreements.Entity {
		if a.Parties, err = partiesOf(r.PostFormValue("households")); err != nil {
			return a, err
		}
	} else {
		a.Parties = []agreements.Party{{Household: r.PostFormValue("household")}}
		if a.Amount, err = parseAmount("amount", r.PostFormValue("amount")); err != nil {
			return a, err
		}
	}
	if a.Form == agreements.Guaranteed {
		if a.Rates, err = agreements.ParseRates(r.PostFormValue("rates")); err != nil {
			return a, err
		}
		if a.Collateral, err = parseAmount("collateral", r.PostFormValue("collateral")); err != nil {
			return a, err
		}
	}
	if a.Form == agreements.Equity {
		rs, err := agreements.ParseRates(r.PostFormValue("households_share"))
		if err != nil || len(rs) != 1 {
			return a, errs.F(errs.Invalid, "invalid_share", "households_share", "the households' share is one percentage, e.g. 70%%")
		}
		a.HouseholdsShare = rs[0]
	}
	return a, nil
}

func (s *Server) createAgreement(w http.ResponseWriter, c *call) error {
	a, err := agreementFromForm(c)
	if err == nil {
		a, err = s.d.Agreements.Create(c.r.Context(), c.p, a)
	}
	if err != nil {
		return afterForm(w, c, err, "", func(msg string, status int) error {
			v, verr := s.agreementsView(c)
			if verr != nil {
				return err
			}
			v.Error = msg
			return c.render(w, status, "agreements", v)
		})
	}
	c.done = fmt.Sprintf(translate(c.lang, "done.agreement"), a.ID)
	return afterForm(w, c, nil, fmt.Sprintf("/agreements/%d", a.ID), nil)
}

type agreementView struct {
	Page
	A          agreements.Agreement
	PlaceName  string
	EntityName string
	Item       workflow.Item
	History    []workflow.Record
	Notes      []agreements.Note
	Schedule   []agreements.Schedule
	CanTake    bool
	Rates      string
	Error      string
	// PayLines are a direct subsidy's payout lines; CanPay: the viewer
	// enters payout batches and this subsidy waits for one.
	PayLines []payout.Line
	CanPay   bool
	// ChannelNames name the legs' channels (code → name).
	ChannelNames map[string]string
	// Principal: an equity agreement's principal returned to the village
	// collective; CanReturn: the viewer may enter it now (pages_linkage.go).
	Principal agreements.PrincipalReturn
	CanReturn bool
}

func agreementID(c *call) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, errs.F(errs.NotFound, "unknown_agreement", "id", "no such agreement")
	}
	return id, nil
}

func (s *Server) agreementView(c *call) (agreementView, error) {
	ctx := c.r.Context()
	id, err := agreementID(c)
	if err != nil {
		return agreementView{}, err
	}
	a, err := s.d.Agreements.Get(ctx, c.p, id)
	if err != nil {
		return agreementView{}, err
	}
	v := agreementView{Page: c.page(fmt.Sprintf("%s %d", translate(c.lang, "agreements.one"), a.ID), "agreements"), A: a,
		PlaceName: s.d.Auth.PlaceName(ctx, a.Place), Schedule: a.Schedule(), Rates: agreements.FormatRates(a.Rates)}
	if a.Entity != "" {
		if e, err := s.d.Entities.Get(ctx, c.p, a.Entity); err == nil {
			v.EntityName = e.Name
		}
	}
	if len(a.Legs) > 0 {
		chs, err := s.d.Ledger.Channels(ctx, c.p.County)
		if err != nil {
			return v, err
		}
		v.ChannelNames = map[string]string{}
		for _, ch := range chs {
			v.ChannelNames[ch.Code] = ch.Name
		}
	}
	if v.Item, v.History, err = s.d.Agreements.History(ctx, c.p, a); err != nil {
		return v, err
	}
	v.CanTake = a.Item != 0 && v.Item.CanTake(c.p)
	if v.Notes, err = s.d.Agreements.Notes(ctx, c.p, a.ID); err != nil {
		return v, err
	}
	if v.PayLines, err = s.d.Agreements.PayLines(ctx, c.p, a); err != nil {
		return v, err
	}
	v.CanPay = agreements.MayPay(c.p) && (a.PayStatus == agreements.PayWaiting || a.PayStatus == agreements.PayFailed)
	v.Principal, v.CanReturn = s.principalOf(c, a)
	return v, nil
}

func (s *Server) agreementPage(w http.ResponseWriter, c *call) error {
	v, err := s.agreementView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "agreement", v)
}

// agreementStep takes one step of an agreement's life from the page's
// forms (do: negotiate, approve, return, reject, resubmit, activate,
// accept, end, terminate, note).
func (s *Server) agreementStep(w http.ResponseWriter, c *call) error {
	v, err := s.agreementView(c)
	if err != nil {
		return err
	}
	err = s.stepAgreement(c, v.A.ID, stepIn{Do: c.r.PostFormValue("do"), Witnesses: c.r.PostFormValue("witnesses"), Text: c.r.PostFormValue("text")})
	c.done = translate(c.lang, "done.agreement_step")
	return afterForm(w, c, err, fmt.Sprintf("/agreements/%d", v.A.ID), func(msg string, status int) error {
		v, verr := s.agreementView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "agreement", v)
	})
}

// stepIn is a step of an agreement (page and API).
type stepIn struct {
	Do        string `json:"do"`
	Witnesses string `json:"witnesses"`
	Text      string `json:"text"` // the opinion, the reason or the note
}

func (s *Server) stepAgreement(c *call, id int64, in stepIn) error {
	ctx, ag := c.r.Context(), s.d.Agreements
	var err error
	switch in.Do {
	case "negotiate":
		_, err = ag.Negotiate(ctx, c.p, id, in.Witnesses, in.Text)
	case workflow.Approve, workflow.Return, workflow.Reject:
		_, err = ag.Decide(ctx, c.p, id, workflow.Decision{Action: in.Do, Opinion: in.Text})
	case "resubmit":
		_, err = ag.Decide(ctx, c.p, id, workflow.Decision{Action: workflow.Submit, Opinion: in.Text})
	case "activate":
		_, err = ag.Activate(ctx, c.p, id)
	case "accept":
		_, err = ag.Accept(ctx, c.p, id, in.Text)
	case "end":
		_, err = ag.End(ctx, c.p, id, in.Text)
	case "terminate":
		_, err = ag.Terminate(ctx, c.p, id, in.Text)
	case "note":
		err = ag.AddNote(ctx, c.p, id, in.Text)
	default:
		err = errs.F(errs.Invalid, "invalid_step", "do", "the step must be one of negotiate, approve, return, reject, resubmit, activate, accept, end, terminate, note")
	}
	return err
}

// renewAgreement drafts the renewal from the page's form.
func (s *Server) renewAgreement(w http.ResponseWriter, c *call) error {
	v, err := s.agreementView(c)
	if err != nil {
		return err
	}
	r := c.r
	terms := agreements.Agreement{Start: r.PostFormValue("start"), CollateralKind: v.A.CollateralKind}
	if terms.TermYears, err = strconv.Atoi(strings.TrimSpace(r.PostFormValue("term_years"))); err != nil {
		err = errs.F(errs.Invalid, "invalid_term", "term_years", "the term is 1 to 30 years")
	}
	if err == nil && v.A.Form == agreements.Guaranteed {
		terms.Rates, err = agreements.ParseRates(r.PostFormValue("rates"))
	}
	var n agreements.Agreement
	if err == nil {
		n, err = s.d.Agreements.Renew(r.Context(), c.p, v.A.ID, terms)
	}
	c.done = fmt.Sprintf(translate(c.lang, "done.agreement"), n.ID)
	return afterForm(w, c, err, fmt.Sprintf("/agreements/%d", n.ID), func(msg string, status int) error {
		v.Error = msg
		v.form, v.badField = c.r.PostForm, c.badField
		return c.render(w, status, "agreement", v)
	})
}

// agreementsExport writes the list as xlsx, amounts as number cells.
func (s *Server) agreementsExport(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	f, err := agreementFilter(c)
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	title := t("agreements.title") + " · " + s.d.Auth.PlaceName(ctx, c.p.Place)
	var cond []string
	if f.Kind != "" {
		cond = append(cond, t("list.kind")+"："+t("agkind."+f.Kind))
	}
	if f.State != "" {
		cond = append(cond, t("agreements.state")+"："+t("agstate."+f.State))
	}
	if f.Township != "" {
		cond = append(cond, t("level.township")+"："+s.d.Auth.PlaceName(ctx, f.Township))
	}
	if len(cond) > 0 {
		title += "（" + strings.Join(cond, "；") + "）"
	}
	rows := [][]any{{title}, {t("agreements.id"), t("list.kind"), t("agreements.form"), t("col.place"), t("agreements.parties"), t("agreements.purpose"),
		t("agreements.amount"), t("agreements.start"), t("agreements.term"), t("agreements.state")}}
	f.Limit, f.Offset = 1000, 0
	for {
		as, total, err := s.d.Agreements.List(ctx, c.p, f)
		if err != nil {
			return err
		}
		for _, a := range as {
			form := ""
			if a.Form != "" {
				form = t("agform." + a.Form)
			}
			rows = append(rows, []any{a.ID, t("agkind." + a.Kind), form, s.d.Auth.PlaceName(ctx, a.Place), len(a.Parties), a.Purpose, a.Amount, a.Start, a.TermYears, t("agstate." + a.State)})
		}
		f.Offset += f.Limit
		if f.Offset >= total || len(as) == 0 {
			break
		}
	}
	return writeXLSX(w, fmt.Sprintf("agreements-%s.xlsx", c.p.County), rows)
}
