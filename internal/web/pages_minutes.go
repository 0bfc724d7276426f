package web

import (
	"net/http"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/place"
)

type commitmentRow struct {
	funds.CommitmentStatus
	PlaceName string
}

type minutesView struct {
	Page
	Teams    []teamRow
	Roles    []string
	Rows     []commitmentRow
	Villages []placeOption
	Error    string
}

func (s *Server) commitmentRows(c *call, overdueOnly bool) ([]commitmentRow, error) {
	cs, err := s.d.Funds.Commitments(c.r.Context(), c.p.County, c.p.Prefix())
	if err != nil {
		return nil, err
	}
	var out []commitmentRow
	for _, x := range cs {
		if overdueOnly && !x.Overdue {
			continue
		}
		out = append(out, commitmentRow{CommitmentStatus: x, PlaceName: s.d.Auth.PlaceName(c.r.Context(), x.Village)})
	}
	return out, nil
}

func (s *Server) minutesView(c *call) (minutesView, error) {
	v := minutesView{Page: c.page(translate(c.lang, "minutes.title"), "funds"), Roles: funds.AssignmentRoles}
	var err error
	if v.Rows, err = s.commitmentRows(c, false); err != nil {
		return v, err
	}
	if v.Teams, err = s.teamRows(c); err != nil {
		return v, err
	}
	if t, err := s.d.Auth.Places(c.r.Context(), c.p.County); err == nil {
		for _, n := range auth.Subtree(t, c.p.Place) {
			if n.Code.Level() == place.Village {
				v.Villages = append(v.Villages, placeOption{Code: string(n.Code), Label: n.Name})
			}
		}
	}
	return v, nil
}

func (s *Server) minutesPage(w http.ResponseWriter, c *call) error {
	v, err := s.minutesView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "minutes", v)
}

// recordMinutes records one department's commitment of a village's minutes.
func (s *Server) recordMinutes(w http.ResponseWriter, c *call) error {
	r := c.r
	vil := place.Code(r.PostFormValue("village"))
	err := c.authorize(auth.WriteFunds, vil)
	var day, deadline time.Time
	if err == nil {
		if day, err = time.ParseInLocation("2006-01-02", r.PostFormValue("day"), clock.Zone); err != nil {
			err = errs.F(errs.Invalid, "invalid_date", "day", "the meeting date must be YYYY-MM-DD")
		}
	}
	if err == nil {
		if deadline, err = time.ParseInLocation("2006-01-02", r.PostFormValue("deadline"), clock.Zone); err != nil {
			err = errs.F(errs.Invalid, "invalid_date", "deadline", "the deadline must be YYYY-MM-DD")
		}
	}
	if err == nil {
		amt, aerr := formAmount(r)
		if aerr != nil {
			err = aerr
		} else {
			err = s.d.Funds.RecordMinutes(r.Context(), c.p.Username, c.p.County, funds.Minutes{Village: vil, MinutesNo: r.PostFormValue("minutes_no"), Day: day,
				Commitments: []funds.Commitment{{Department: strings.TrimSpace(r.PostFormValue("department")), Amount: amt, Deadline: deadline}}})
		}
	}
	c.done = translate(c.lang, "done.minutes")
	return s.minutesResult(w, c, err)
}

func (s *Server) apiCommitments(w http.ResponseWriter, c *call) error {
	rows, err := s.commitmentRows(c, c.r.URL.Query().Get("overdue") == "1")
	if err != nil {
		return err
	}
	type cj = commitmentJSON
	out := make([]cj, len(rows))
	for i, r := range rows {
		out[i] = cj{string(r.Village), r.MinutesNo, r.MeetingDay, r.Department, Amount(r.Amount), clock.Day(r.Deadline), Amount(r.Fulfilled), r.Met, r.Overdue}
	}
	writeJSON(w, http.StatusOK, commitmentsAnswer{Commitments: out})
	return nil
}

func (s *Server) apiRecordMinutes(w http.ResponseWriter, c *call) error {
	var b struct {
		Village     string `json:"village"`
		MinutesNo   string `json:"minutes_no"`
		Day         string `json:"day"`
		Commitments []struct {
			Department string `json:"department"`
			Amount     Amount `json:"amount"`
			Deadline   string `json:"deadline"`
		} `json:"commitments"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	vil := place.Code(b.Village)
	if err := c.authorize(auth.WriteFunds, vil); err != nil {
		return err
	}
	day, err := time.ParseInLocation("2006-01-02", b.Day, clock.Zone)
	if err != nil {
		return errs.F(errs.Invalid, "invalid_date", "day", "day must be YYYY-MM-DD")
	}
	m := funds.Minutes{Village: vil, MinutesNo: b.MinutesNo, Day: day}
	for _, x := range b.Commitments {
		dl, err := time.ParseInLocation("2006-01-02", x.Deadline, clock.Zone)
		if err != nil {
			return errs.F(errs.Invalid, "invalid_date", "commitments.deadline", "deadline must be YYYY-MM-DD")
		}
		m.Commitments = append(m.Commitments, funds.Commitment{Department: x.Department, Amount: x.Amount.Fen(), Deadline: dl})
	}
	if err := s.d.Funds.RecordMinutes(c.r.Context(), c.p.Username, c.r.PathValue("county"), m); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, minutesAnswer{Village: string(vil), MinutesNo: m.MinutesNo, Commitments: len(m.Commitments)})
	return nil
}

type teamRow struct {
	funds.Team
	PlaceName string
}

func (s *Server) teamRows(c *call) ([]teamRow, error) {
	ts, err := s.d.Funds.Teams(c.r.Context(), c.p.County, c.p.Prefix())
	if err != nil {
		return nil, err
	}
	out := make([]teamRow, len(ts))
	for i, t := range ts {
		out[i] = teamRow{Team: t, PlaceName: s.d.Auth.PlaceName(c.r.Context(), t.Village)}
	}
	return out, nil
}

// assignTeam sets a role of a village's help team from the form.
func (s *Server) assignTeam(w http.ResponseWriter, c *call) error {
	vil := place.Code(c.r.PostFormValue("village"))
	err := c.authorize(auth.WriteFunds, vil)
	if err == nil {
		names := strings.FieldsFunc(c.r.PostFormValue("names"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '\n' })
		err = s.d.Funds.Assign(c.r.Context(), c.p.Username, c.p.County, vil, c.r.PostFormValue("role"), names)
	}
	c.done = translate(c.lang, "done.team")
	return s.minutesResult(w, c, err)
}

// pairCadre pairs a cadre with a household account.
func (s *Server) pairCadre(w http.ResponseWriter, c *call) error {
	hh := strings.TrimSpace(c.r.PostFormValue("household"))
	var err error
	if hh == "" {
		err = errs.F(errs.Invalid, "invalid_account", "household", "name the household account")
	} else {
		_, err = c.account(c.p.County, hh)
		if e, ok := errs.As(err); ok && e.Field == "account" {
			marked := *e
			marked.Field = "household" // the form's field
			err = &marked
		}
	}
	if err == nil {
		err = s.d.Funds.PairCadre(c.r.Context(), c.p.Username, c.p.County, hh, c.r.PostFormValue("cadre"))
	}
	c.done = translate(c.lang, "done.pair")
	return s.minutesResult(w, c, err)
}

// minutesResult ends a minutes or team form (see afterForm).
func (s *Server) minutesResult(w http.ResponseWriter, c *call, err error) error {
	return afterForm(w, c, err, "/funds/minutes", func(msg string, status int) error {
		v, err := s.minutesView(c)
		if err != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "minutes", v)
	})
}

func (s *Server) apiTeams(w http.ResponseWriter, c *call) error {
	rows, err := s.teamRows(c)
	if err != nil {
		return err
	}
	type pj = pairJSON
	type tj = teamJSON
	out := make([]tj, len(rows))
	for i, r := range rows {
		out[i] = tj{Village: string(r.Village), Members: r.Members, Pairs: []pj{}}
		for _, p := range r.Pairs {
			out[i].Pairs = append(out[i].Pairs, pj{p.Household, p.Cadre})
		}
	}
	writeJSON(w, http.StatusOK, teamsAnswer{Teams: out})
	return nil
}

func (s *Server) apiAssign(w http.ResponseWriter, c *call) error {
	var b struct {
		Village string   `json:"village"`
		Role    string   `json:"role"`
		Names   []string `json:"names"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if err := c.authorize(auth.WriteFunds, place.Code(b.Village)); err != nil {
		return err
	}
	if err := s.d.Funds.Assign(c.r.Context(), c.p.Username, c.r.PathValue("county"), place.Code(b.Village), b.Role, b.Names); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, assignAnswer{Village: b.Village, Role: b.Role, Names: b.Names})
	return nil
}

func (s *Server) apiPair(w http.ResponseWriter, c *call) error {
	var b struct {
		Household string `json:"household"`
		Cadre     string `json:"cadre"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if strings.TrimSpace(b.Household) == "" {
		return errs.F(errs.Invalid, "invalid_account", "household", "name the household account")
	}
	if _, err := c.account(c.r.PathValue("county"), b.Household); err != nil {
		return err
	}
	if err := s.d.Funds.PairCadre(c.r.Context(), c.p.Username, c.r.PathValue("county"), b.Household, b.Cadre); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pairJSON{Household: b.Household, Cadre: b.Cadre})
	return nil
}
