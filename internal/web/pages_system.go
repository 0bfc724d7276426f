package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/place"
)

type auditView struct {
	Page
	Actor, Action, Object, From, To string
	Rows                            []audit.Record
	Before                          int64
	Pager                           Pager
}

// auditPage lists the audit log of the caller's subtree, newest first.
func (s *Server) auditPage(w http.ResponseWriter, c *call) error {
	q := c.r.URL.Query()
	v := auditView{Page: c.page(translate(c.lang, "audit.title"), "oversight"),
		Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")), Object: strings.TrimSpace(q.Get("object")), From: q.Get("from"), To: q.Get("to")}
	f := audit.Filter{County: c.p.County, PlacePrefix: c.p.Prefix(), Actor: v.Actor, Action: v.Action, Object: v.Object, Limit: 100}
	if len(f.PlacePrefix) <= 6 {
		f.PlacePrefix = c.p.County
	}
	var err error
	if v.From != "" {
		if f.From, err = parseDay(v.From); err != nil {
			return errs.F(errs.Invalid, "invalid_date", "from", "from must be a date YYYY-MM-DD")
		}
	}
	if v.To != "" {
		if f.To, err = parseDay(v.To); err != nil {
			return errs.F(errs.Invalid, "invalid_date", "to", "to must be a date YYYY-MM-DD")
		}
		f.To = f.To.Add(24 * time.Hour)
	}
	if b := q.Get("before"); b != "" {
		if f.BeforeID, err = strconv.ParseInt(b, 10, 64); err != nil || f.BeforeID < 0 {
			return errs.F(errs.Invalid, "invalid_query", "before", "before must be a non-negative integer")
		}
	}
	page, err := pageNumber(c.r)
	if err != nil {
		return err
	}
	total, err := audit.Count(c.r.Context(), s.d.DB, f)
	if err != nil {
		return err
	}
	f.Limit = listSize
	v.Pager = pagerFor(c.r, total, page, listSize)
	f.Offset = v.Pager.Offset()
	if f.BeforeID > 0 {
		// The older keyset link (?before=id): its page, then page numbers.
		f.Offset = 0
	}
	if v.Rows, err = audit.List(c.r.Context(), s.d.DB, f); err != nil {
		return err
	}
	for i := range v.Rows {
		// Entries written before the masks changed keep the old 6 + 4
		// form of an ID: shown in today's form, so that no page pairs it
		// with a birth year.
		r := &v.Rows[i]
		r.Before, r.After = ident.RemaskLegacyIDs(r.Before), ident.RemaskLegacyIDs(r.After)
	}
	return c.render(w, http.StatusOK, "audit", v)
}

type userRow struct {
	auth.User
	PlaceName string
}

type usersView struct {
	Page
	Users  []userRow
	Roles  []auth.Role
	Places []placeOption
	Error  string
	Done   string
	Form   auth.NewUser
}

func (s *Server) usersView(c *call) (usersView, error) {
	v := usersView{Page: c.page(translate(c.lang, "users.title"), "settings"), Roles: auth.Roles}
	us, err := s.d.Auth.Users(c.r.Context(), c.p)
	if err != nil {
		return v, err
	}
	for _, u := range us {
		v.Users = append(v.Users, userRow{User: u, PlaceName: s.d.Auth.PlaceName(c.r.Context(), u.Place)})
	}
	t, err := s.d.Auth.Places(c.r.Context(), c.p.County)
	if err != nil {
		return v, err
	}
	for _, n := range auth.Subtree(t, c.p.Place) {
		label := n.Name
		for i := place.County; i < n.Code.Level(); i++ {
			label = "　" + label
		}
		v.Places = append(v.Places, placeOption{Code: string(n.Code), Label: label})
	}
	return v, nil
}

func (s *Server) usersPage(w http.ResponseWriter, c *call) error {
	v, err := s.usersView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "users", v)
}

// formError re-renders a settings page with the error when it is the
// user's to fix, and fails the request otherwise.
func formError(c *call, err error) (string, int, error) {
	switch errs.KindOf(err) {
	case errs.Invalid, errs.Conflict, errs.RuleBroken:
		return formMessage(c.lang, err), statusOf(errs.KindOf(err)), nil
	}
	return "", 0, err
}

func (s *Server) createUser(w http.ResponseWriter, c *call) error {
	r := c.r
	in := auth.NewUser{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"), Role: auth.Role(r.PostFormValue("role")),
		Place: place.Code(r.PostFormValue("place")), Password: r.PostFormValue("password")}
	_, err := s.d.Auth.CreateUser(r.Context(), c.p, in)
	if err != nil {
		msg, status, ferr := formError(c, err)
		if ferr != nil {
			return ferr
		}
		v, verr := s.usersView(c)
		if verr != nil {
			return verr
		}
		in.Password = ""
		v.Error, v.Form = msg, in
		if e, ok := errs.As(err); ok {
			c.badField = e.Field
		}
		return c.render(w, status, "users", v)
	}
	c.done = fmt.Sprintf(translate(c.lang, "done.user"), in.Username)
	return afterForm(w, c, nil, "/system/users", nil)
}

func (s *Server) setUserDisabled(w http.ResponseWriter, c *call, disabled bool) error {
	if err := s.d.Auth.SetDisabled(c.r.Context(), c.p, c.r.PathValue("username"), disabled); err != nil {
		msg, status, ferr := formError(c, err)
		if ferr != nil {
			return ferr
		}
		v, verr := s.usersView(c)
		if verr != nil {
			return verr
		}
		v.Error = msg
		return c.render(w, status, "users", v)
	}
	key := "done.user_enabled"
	if disabled {
		key = "done.user_disabled"
	}
	c.done = fmt.Sprintf(translate(c.lang, key), c.r.PathValue("username"))
	return afterForm(w, c, nil, "/system/users", nil)
}

func (s *Server) disableUser(w http.ResponseWriter, c *call) error {
	return s.setUserDisabled(w, c, true)
}
func (s *Server) enableUser(w http.ResponseWriter, c *call) error {
	return s.setUserDisabled(w, c, false)
}

func (s *Server) resetPassword(w http.ResponseWriter, c *call) error {
	err := s.d.Auth.SetPassword(c.r.Context(), c.p, c.r.PathValue("username"), c.r.PostFormValue("password"))
	v, verr := s.usersView(c)
	if verr != nil {
		return verr
	}
	if err != nil {
		msg, status, ferr := formError(c, err)
		if ferr != nil {
			return ferr
		}
		v.Error = msg
		return c.render(w, status, "users", v)
	}
	v.Done = translate(c.lang, "users.password_set")
	return c.render(w, http.StatusOK, "users", v)
}

type placeRow struct {
	Code, Name string
	Level      string
	Depth      int
}

type placesView struct {
	Page
	Rows  []placeRow
	Error string
	Done  string
}

func (s *Server) placesView(c *call) (placesView, error) {
	v := placesView{Page: c.page(translate(c.lang, "places.title"), "settings")}
	t, err := s.d.Auth.Places(c.r.Context(), c.p.County)
	if err != nil {
		return v, err
	}
	for _, n := range auth.Subtree(t, c.p.Place) {
		v.Rows = append(v.Rows, placeRow{Code: string(n.Code), Name: n.Name, Level: n.Code.Level().String(), Depth: int(n.Code.Level() - place.County)})
	}
	return v, nil
}

func (s *Server) placesPage(w http.ResponseWriter, c *call) error {
	v, err := s.placesView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "places", v)
}

// importPlaces reads an uploaded CSV or xlsx of (code, name, parent).
func (s *Server) importPlaces(w http.ResponseWriter, c *call) error {
	var n int
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err == nil {
		defer f.Close()
		var nodes []place.Node
		if nodes, err = auth.ParsePlaceFile(f); err == nil {
			n, err = s.d.Auth.ImportPlaces(c.r.Context(), c.p, nodes)
		}
	}
	v, verr := s.placesView(c)
	if verr != nil {
		return verr
	}
	if err != nil {
		msg, status, ferr := formError(c, err)
		if ferr != nil {
			return ferr
		}
		v.Error = msg
		return c.render(w, status, "places", v)
	}
	v.Done = strconv.Itoa(n)
	return c.render(w, http.StatusOK, "places", v)
}

// tokenRow is one API token as listed: its state at the time of the page.
type tokenRow struct {
	auth.Token
	State string // active, expired, revoked
}

type tokensView struct {
	Page
	Token   string
	Error   string
	Done    string
	Days    int
	MaxDays int
	Own     []tokenRow
	Others  []tokenRow // administrators and auditors: the tokens of the users in their subtree
}

// tokensView lists the caller's tokens and, for administrators and
// auditors, those of the users in their subtree.
func (s *Server) tokensView(c *call) (tokensView, error) {
	v := tokensView{Page: c.page(translate(c.lang, "tokens.title"), "settings"), Days: auth.DefaultTokenDays, MaxDays: auth.MaxTokenDays}
	ctx, now := c.r.Context(), s.d.Clock()
	own, err := s.d.Auth.Tokens(ctx, c.p, c.p.Username)
	if err != nil {
		return v, err
	}
	for _, t := range own {
		v.Own = append(v.Own, tokenRow{Token: t, State: t.State(now)})
	}
	if auth.Allowed(c.p.Role, auth.ViewUsers) {
		all, err := s.d.Auth.SubtreeTokens(ctx, c.p)
		if err != nil {
			return v, err
		}
		for _, t := range all {
			if t.Username != c.p.Username {
				v.Others = append(v.Others, tokenRow{Token: t, State: t.State(now)})
			}
		}
	}
	return v, nil
}

func (s *Server) tokensPage(w http.ResponseWriter, c *call) error {
	v, err := s.tokensView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "tokens", v)
}

// tokensForm re-renders the tokens page after a form: with the message
// of an error the user can fix, or with done.
func (s *Server) tokensForm(w http.ResponseWriter, c *call, err error, done, token string) error {
	status := http.StatusOK
	var msg string
	if err != nil {
		var ferr error
		if msg, status, ferr = formError(c, err); ferr != nil {
			if errs.KindOf(ferr) != errs.NotFound {
				return ferr
			}
			msg, status = translate(c.lang, "tokens.not_found"), http.StatusNotFound
		}
	}
	v, verr := s.tokensView(c)
	if verr != nil {
		return verr
	}
	v.Error, v.Done, v.Token = msg, done, token
	return c.render(w, status, "tokens", v)
}

// issueToken shows a new API token once.
func (s *Server) issueToken(w http.ResponseWriter, c *call) error {
	days := auth.DefaultTokenDays
	if d := strings.TrimSpace(c.r.PostFormValue("days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return s.tokensForm(w, c, errs.F(errs.Invalid, "invalid_days", "days", "days must be a whole number from 1 to %d", auth.MaxTokenDays), "", "")
		}
		days = n
	}
	tok, err := s.d.Auth.IssueTokenDays(c.r.Context(), c.p, c.r.PostFormValue("label"), days)
	return s.tokensForm(w, c, err, "", tok)
}

// revokeToken revokes a token: the caller's own, or (administrators) one
// of a user in their subtree.
func (s *Server) revokeToken(w http.ResponseWriter, c *call) error {
	username := c.r.PostFormValue("username")
	if username == "" {
		username = c.p.Username
	}
	id, perr := strconv.ParseInt(c.r.PostFormValue("id"), 10, 64)
	if perr != nil || id <= 0 {
		return s.tokensForm(w, c, errs.F(errs.Invalid, "invalid_id", "id", "choose a token to revoke"), "", "")
	}
	err := s.d.Auth.RevokeToken(c.r.Context(), c.p, username, id)
	return s.tokensForm(w, c, err, translate(c.lang, "tokens.revoked_done"), "")
}

// afterForm ends a state-changing form: a redirect to next on success; on
// an error the user can fix (any 4xx), the page again via rerender with
// the message (naming the field); anything else fails the request.
func afterForm(w http.ResponseWriter, c *call, err error, next string, rerender func(msg string, status int) error) error {
	if err == nil {
		setFlash(w, doneMessage(c, next))
		http.Redirect(w, c.r, next, http.StatusSeeOther)
		return nil
	}
	err = oneNotFound(err)
	status := statusOf(errs.KindOf(err))
	if status >= 500 {
		return err
	}
	// The page comes back with what was typed, the field in error marked.
	c.keep = true
	if e, ok := errs.As(err); ok {
		c.badField = e.Field
	}
	return rerender(formMessage(c.lang, err), status)
}
