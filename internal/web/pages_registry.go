// The household registry's pages: the list with its search and filters, a household, its years, card and deaths, the import and its leads.

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"onepool/internal/agreements"
	"slices"
	"strconv"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/registry"
)

type householdRow struct {
	registry.Household
	PlaceName string
}

type registryView struct {
	Page
	Villages []placeOption
	Slots    []int // member rows of the new-household form
	Rows     []householdRow
	Total    int
	// The list's search and filters, as typed, and its pager.
	Q, Village, Status string
	Year               int
	Statuses           []string
	Pager              Pager
	Leads              []registry.Lead
	LeadsTotal         int // all the leads; Leads holds the first listSize
	Error              string
	Imported           int
}

func (s *Server) registryView(c *call) (registryView, error) {
	ctx := c.r.Context()
	v := registryView{Page: c.page(translate(c.lang, "registry.title"), "households"), Slots: []int{1, 2, 3, 4, 5, 6}}
	for _, o := range s.subtreePlaces(c, place.Village) {
		if place.Code(o.Code).Level() == place.Village {
			v.Villages = append(v.Villages, o)
		}
	}
	f, err := s.householdFilter(c)
	if err != nil {
		return v, err
	}
	v.Q, v.Village, v.Status, v.Year, v.Statuses = f.Q, string(f.Village), f.Status, f.Year, registry.Statuses
	page, err := pageNumber(c.r)
	if err != nil {
		return v, err
	}
	f.Limit, f.Offset, f.CountCap = listSize, (page-1)*listSize, ledger.CountCap
	hs, total, err := s.d.Registry.List(ctx, c.p.County, f)
	if err != nil {
		return v, err
	}
	if v.Pager = pagerCapped(c.r, total, page, listSize, ledger.CountCap); v.Pager.Page != page && total > 0 {
		// Past the last page: show the last.
		f.Offset = v.Pager.Offset()
		if hs, total, err = s.d.Registry.List(ctx, c.p.County, f); err != nil {
			return v, err
		}
	}
	for _, h := range hs {
		v.Rows = append(v.Rows, householdRow{Household: h, PlaceName: s.d.Auth.PlaceName(ctx, h.Village)})
	}
	v.Total = min(total, ledger.CountCap)
	if v.Leads, v.LeadsTotal, err = s.d.Registry.LeadsPage(ctx, c.p.County, c.p.Prefix(), false, listSize); err != nil {
		return v, err
	}
	return v, nil
}

// householdFilter reads the households list's search and filters (page
// and API alike): village, year, status (of the year; the current year
// when only a status is given) and q (a name or a code prefix). The list
// stays inside the viewer's subtree whatever the village says.
func (s *Server) householdFilter(c *call) (registry.HouseholdFilter, error) {
	q := c.r.URL.Query()
	f := registry.HouseholdFilter{Prefix: c.p.Prefix(), Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}
	if len([]rune(f.Q)) > 50 {
		return f, errs.F(errs.Invalid, "invalid_query", "q", "the search is at most 50 characters")
	}
	if v := q.Get("village"); v != "" {
		code, err := place.Parse(v)
		if err != nil {
			return f, errs.F(errs.Invalid, "invalid_query", "village", "village must be a 12-digit division code")
		}
		f.Village = code
	}
	if v := q.Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			return f, errs.F(errs.Invalid, "invalid_query", "year", "year must be a year such as 2026")
		}
		f.Year = n
	}
	if f.Status != "" {
		if !slices.Contains(registry.Statuses, f.Status) {
			return f, errs.F(errs.Invalid, "invalid_query", "status", "no such status")
		}
		if f.Year == 0 {
			f.Year = s.d.Clock().In(clock.Zone).Year()
		}
	}
	return f, nil
}

func (s *Server) registryPage(w http.ResponseWriter, c *call) error {
	v, err := s.registryView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "registry", v)
}

func (s *Server) registryResult(w http.ResponseWriter, c *call, err error) error {
	return afterForm(w, c, err, "/registry", func(msg string, status int) error {
		v, verr := s.registryView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "registry", v)
	})
}

// createHousehold records one household with its members and card from
// the form (up to six members; empty rows are skipped).
func (s *Server) createHousehold(w http.ResponseWriter, c *call) error {
	r := c.r
	h := registry.Household{County: c.p.County, Code: strings.TrimSpace(r.PostFormValue("code")), Village: place.Code(r.PostFormValue("village")), Head: r.PostFormValue("head"),
		Card: registry.Card{Holder: r.PostFormValue("card_holder"), Bank: r.PostFormValue("bank"), Number: r.PostFormValue("card")}}
	for i := 1; i <= 6; i++ {
		name := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("name%d", i)))
		if name == "" {
			continue
		}
		h.Members = append(h.Members, registry.Member{Seq: len(h.Members) + 1, Name: name, ResidentID: r.PostFormValue(fmt.Sprintf("id%d", i)),
			Relation: r.PostFormValue(fmt.Sprintf("relation%d", i)), Alive: true})
	}
	var err error
	if h.Code != "" {
		if err := auth.CheckNewCode(c.p, strings.TrimSpace(h.Code), h.Village); err != nil {
			return s.registryResult(w, c, err)
		}
		// After the check, a clash can only be with a household the user
		// sees (codes are scoped by place): saying so reveals nothing.
		if old, err := c.household(h.Code); err == nil {
			return s.registryResult(w, c, errs.F(errs.Conflict, "household_exists", "code", "household %s is already in the registry", old.Code))
		}
	}
	_, _, err = s.d.Registry.Save(r.Context(), c.p, h)
	c.done = fmt.Sprintf(translate(c.lang, "done.household"), h.Head)
	return afterForm(w, c, err, "/registry/"+url.PathEscape(h.Code), func(msg string, status int) error {
		v, verr := s.registryView(c)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "registry", v)
	})
}

// registryImport reads households (one row per member) or their years.
func (s *Server) registryImport(w http.ResponseWriter, c *call) error {
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err != nil {
		return s.registryResult(w, c, err)
	}
	defer f.Close()
	var n int
	if c.r.PostFormValue("kind") == "years" {
		n, err = s.d.Registry.ImportYears(c.r.Context(), c.p, f)
	} else {
		n, err = s.d.Registry.Import(c.r.Context(), c.p, f)
	}
	c.done = fmt.Sprintf("%s（%d）", translate(c.lang, "done.imported"), n)
	return s.registryResult(w, c, err)
}

func (s *Server) overrideLead(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "not_found", "lead", "no such lead")
	}
	_, err = s.d.Registry.Override(c.r.Context(), c.p, c.p.County, id, c.r.PostFormValue("reason"))
	return s.registryResult(w, c, err)
}

type householdView struct {
	Page
	H         registry.Household
	PlaceName string
	Years     []registry.Year
	Revealed  string
	RevealOf  string
	Statuses  []string
	Causes    []string
	Error     string
	CanReveal bool
	// CausesHidden: the viewer's role does not handle the household, so
	// the years' causes are not shown (a label says so).
	CausesHidden bool
	Agreements   []agreements.Agreement // the agreements naming the household
	Dividends    []agreements.RunLine   // what the household's agreements paid it as dividends
}

// household returns a household the caller may see.
func (c *call) household(code string) (registry.Household, error) {
	h, err := c.s.d.Registry.Household(c.r.Context(), c.p.County, code)
	if err != nil {
		return h, err
	}
	if !c.p.Sees(h.Village) {
		return registry.Household{}, errs.F(errs.NotFound, "unknown_household", "household", "no such household")
	}
	return h, nil
}

func (s *Server) householdView(c *call, code string) (householdView, error) {
	h, err := c.household(code)
	if err != nil {
		return householdView{}, err
	}
	v := householdView{Page: c.page(ident.MaskName(h.Head)+" "+h.Code, "households"), H: h, PlaceName: s.d.Auth.PlaceName(c.r.Context(), h.Village),
		Statuses: registry.Statuses, Causes: registry.Causes, CanReveal: auth.Allowed(c.p.Role, auth.RevealPersonal), CausesHidden: !seesSensitive(c.p, h.Village)}
	now := s.d.Clock().In(clock.Zone).Year()
	for y := now; y >= now-5; y-- {
		if yr, err := s.d.Registry.Year(c.r.Context(), c.p.County, h.Code, y); err == nil {
			if v.CausesHidden {
				yr.Causes = nil // illness is for the staff who handle the household
			}
			v.Years = append(v.Years, yr)
		}
	}
	if v.Agreements, err = s.d.Agreements.ForHousehold(c.r.Context(), c.p, h.Code); err != nil {
		return v, err
	}
	if v.Dividends, err = s.d.Agreements.HouseholdDividends(c.r.Context(), c.p, h.Code); err != nil {
		return v, err
	}
	return v, nil
}

func (s *Server) householdPage(w http.ResponseWriter, c *call) error {
	v, err := s.householdView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.renderHousehold(w, c, http.StatusOK, v)
}

// revealField shows one sensitive value once, on the page (audited by the
// registry); it is never put in a URL.
func (s *Server) revealField(w http.ResponseWriter, c *call) error {
	v, err := s.householdView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	seq, _ := strconv.Atoi(c.r.PostFormValue("seq"))
	field := c.r.PostFormValue("field")
	val, err := s.d.Registry.Reveal(c.r.Context(), c.p, c.p.County, v.H.Code, field, seq)
	if err != nil {
		return afterForm(w, c, err, "", func(msg string, status int) error {
			v.Error = msg
			return s.renderHousehold(w, c, status, v)
		})
	}
	v.Revealed, v.RevealOf = val, fmt.Sprintf("%s %d", field, seq)
	return s.renderHousehold(w, c, http.StatusOK, v)
}

// saveHousehold saves a change to a household read back masked: the
// stored ID numbers (and the card, unless a new number is given) are kept.
func (s *Server) saveHousehold(w http.ResponseWriter, c *call, change func(h *registry.Household) error) error {
	v, err := s.householdView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	h := v.H
	if err = change(&h); err == nil {
		_, _, err = s.d.Registry.Save(c.r.Context(), c.p, h)
	}
	return afterForm(w, c, err, "/registry/"+url.PathEscape(v.H.Code), func(msg string, status int) error {
		v.Error = msg
		v.form, v.badField = c.r.PostForm, c.badField // the view was made before the refusal
		return s.renderHousehold(w, c, status, v)
	})
}

// correctCard records a household's corrected bank card (after the bank
// returned a payment, say).
func (s *Server) correctCard(w http.ResponseWriter, c *call) error {
	return s.saveHousehold(w, c, func(h *registry.Household) error {
		r := c.r
		if r.PostFormValue("number") == "" {
			return errs.F(errs.Invalid, "invalid_card", "number", "give the new card number")
		}
		h.Card = registry.Card{Holder: r.PostFormValue("holder"), Bank: r.PostFormValue("bank"), Number: r.PostFormValue("number")}
		c.done = translate(c.lang, "done.card")
		return nil
	})
}

// setAlive records a member's death (or corrects it).
func (s *Server) setAlive(w http.ResponseWriter, c *call) error {
	return s.saveHousehold(w, c, func(h *registry.Household) error {
		seq, err := strconv.Atoi(c.r.PostFormValue("seq"))
		if err != nil {
			return errs.F(errs.Invalid, "invalid_member", "seq", "choose a member")
		}
		alive := c.r.PostFormValue("alive") == "1"
		for i := range h.Members {
			if h.Members[i].Seq == seq {
				if !alive {
					// A death is recorded with its date and a confirmation:
					// it stops the member's relief and changes the household.
					day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(c.r.PostFormValue("died_on")), clock.Zone)
					if err != nil || day.After(s.d.Clock()) {
						return errs.F(errs.Invalid, "invalid_date", "died_on", "give the date of death (YYYY-MM-DD, not in the future)")
					}
					if c.r.PostFormValue("confirm") != "1" {
						return errs.F(errs.Invalid, "confirm_required", "confirm", "tick the box to confirm that %s has died", h.Members[i].Name)
					}
					h.Note = "死亡日期 " + day.Format("2006-01-02") + "（" + h.Members[i].Name + "）"
				}
				h.Members[i].Alive = alive
				c.done = fmt.Sprintf(translate(c.lang, "done.alive"), h.Members[i].Name)
				return nil
			}
		}
		return errs.F(errs.Invalid, "invalid_member", "seq", "household %s has no member %d", h.Code, seq)
	})
}

func (s *Server) setYear(w http.ResponseWriter, c *call) error {
	v, err := s.householdView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	r := c.r
	y := registry.Year{Household: v.H.Code, Status: r.PostFormValue("status"), Stable: r.PostFormValue("stable") == "1"}
	if y.Year, err = strconv.Atoi(r.PostFormValue("year")); err != nil {
		err = errs.F(errs.Invalid, "invalid_year", "year", "the year must be a year like 2026")
	}
	if err == nil {
		y.Income, err = parseAmount("income", r.PostFormValue("income"))
	}
	if err == nil {
		y.Expenses, err = parseAmount("expenses", r.PostFormValue("expenses"))
	}
	y.Causes = r.PostForm["causes"]
	if err == nil {
		_, err = s.d.Registry.SetYear(r.Context(), c.p, y)
		c.done = fmt.Sprintf(translate(c.lang, "done.year"), y.Year)
	}
	return afterForm(w, c, err, "/registry/"+url.PathEscape(v.H.Code), func(msg string, status int) error {
		v.Error = msg
		v.form, v.badField = c.r.PostForm, c.badField // the view was made before the refusal
		return s.renderHousehold(w, c, status, v)
	})
}
