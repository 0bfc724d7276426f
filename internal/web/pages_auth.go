package web

import (
	"fmt"
	"net/http"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/errs"
)

func (s *Server) home(w http.ResponseWriter, c *call) error {
	if c.p.IsPublic() {
		http.Redirect(w, c.r, "/login", http.StatusSeeOther)
	} else {
		http.Redirect(w, c.r, "/desk", http.StatusSeeOther)
	}
	return nil
}

type loginView struct {
	Page
	Username string
	Next     string
	Error    string
}

func (s *Server) loginForm(w http.ResponseWriter, c *call) error {
	if !c.p.IsPublic() {
		http.Redirect(w, c.r, "/desk", http.StatusSeeOther)
		return nil
	}
	v := loginView{Page: c.page(translate(c.lang, "login.title"), ""), Next: localPath(c.r.URL.Query().Get("next"), "/desk")}
	return c.render(w, http.StatusOK, "login", v)
}

// login checks the password and starts a session with a new id; the old
// session (if any) ends.
func (s *Server) login(w http.ResponseWriter, c *call) error {
	r := c.r
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"), "/desk")
	ip := s.clientIP(r)
	var tok string
	err := s.loginLimited(r, username, ip)
	if err == nil {
		tok, _, err = s.d.Auth.Login(r.Context(), username, password, ip)
	}
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Unauthenticated && k != errs.Unavailable && k != errs.TooMany {
			return err
		}
		msg := err.Error()
		if e, ok := errs.As(err); ok {
			msg = translate(c.lang, "login.err."+e.Code)
		}
		if wait, ok := errs.RetryAfter(err); ok {
			msg = fmt.Sprintf(translate(c.lang, "ratelimit.login"), retrySeconds(wait))
			setRetryAfter(w, err)
		}
		v := loginView{Page: c.page(translate(c.lang, "login.title"), ""), Username: username, Next: next, Error: msg}
		return c.render(w, statusOf(errs.KindOf(err)), "login", v)
	}
	if c.session != "" {
		_ = s.d.Auth.Logout(r.Context(), c.session)
	}
	s.setCookie(w, r, sessionCookie, tok)
	s.clearCookie(w, r, csrfCookie)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// loginLimited applies the sign-in limits per user name and per address
// (before any password is hashed); a refusal is audited, folded.
func (s *Server) loginLimited(r *http.Request, username, ip string) error {
	now := s.d.Clock()
	name := strings.ToLower(strings.TrimSpace(username))
	if len(name) > 64 {
		name = name[:64]
	}
	ok, wait := s.limits.loginAddr.take(ip, now)
	per := "address"
	if ok {
		ok, wait = s.limits.loginUser.take(name, now)
		per = "user"
	}
	if ok {
		return nil
	}
	k := foldKey{county: audit.SystemCounty, actor: name, action: "auth.login", route: "POST /login", reason: "too_many_per_" + per}
	e := audit.Entry{County: audit.SystemCounty, Actor: name, Action: "auth.login", Object: "address " + ip, Outcome: "throttled",
		After: map[string]string{"per": per}}
	s.writeAudit(r.Context(), s.folds.add(k, e, now))
	return tooMany(wait)
}

func (s *Server) logout(w http.ResponseWriter, c *call) error {
	if c.session != "" {
		if err := s.d.Auth.Logout(c.r.Context(), c.session); err != nil {
			return err
		}
	}
	s.clearCookie(w, c.r, sessionCookie)
	http.Redirect(w, c.r, "/login", http.StatusSeeOther)
	return nil
}

type meView struct {
	Page
	Error, Done string
}

func (s *Server) mePage(w http.ResponseWriter, c *call) error {
	return c.render(w, http.StatusOK, "me", meView{Page: c.page(translate(c.lang, "me.title"), "")})
}

// changeOwnPassword needs the current password; it ends the user's
// sessions, so the user signs in again.
func (s *Server) changeOwnPassword(w http.ResponseWriter, c *call) error {
	r := c.r
	v := meView{Page: c.page(translate(c.lang, "me.title"), "")}
	cur, pw, again := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("again")
	if pw != again {
		v.Error = translate(c.lang, "me.mismatch")
		return c.render(w, http.StatusBadRequest, "me", v)
	}
	if _, _, err := s.d.Auth.Login(r.Context(), c.p.Username, cur, s.clientIP(r)); err != nil {
		v.Error = translate(c.lang, "me.wrong")
		return c.render(w, http.StatusBadRequest, "me", v)
	}
	if err := s.d.Auth.SetPassword(r.Context(), c.p, c.p.Username, pw); err != nil {
		if errs.KindOf(err) == errs.Invalid {
			v.Error = formMessage(c.lang, err)
			return c.render(w, http.StatusBadRequest, "me", v)
		}
		return err
	}
	s.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
