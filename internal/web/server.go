// Package web translates HTTP to calls on onepool's services and back: the
// HTML pages (server-rendered, embedded templates and static files) and
// the JSON API under /api/v1/. It holds no rules: who may do what is asked
// of auth.Authorize, everything else of the capabilities.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"onepool/internal/adopt"
	"onepool/internal/agreements"
	"onepool/internal/assets"
	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/jobs"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/projects"
	"onepool/internal/registry"
	"onepool/internal/relief"
	"onepool/internal/store"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// Deps are what the server needs.
type Deps struct {
	DB     *store.DB
	Ledger *ledger.Ledger
	Auth   *auth.Service
	Policy *policy.Counties
	Funds  *funds.Service
	// Workflow, Volume and Projects default to services on DB.
	Workflow *workflow.Engine
	Volume   *volume.Store
	Projects *projects.Service
	// Registry and Relief need the registry's keys; without them (tests)
	// a random key for this process is used.
	Registry *registry.Service
	Relief   *relief.Service
	// Instructions is two people on money; it defaults to a service on DB
	// with every capability's money moves registered.
	Instructions *instruct.Service
	Keys         *registry.Keys
	// Jobs runs long work (imports) off the request; it defaults to a
	// runner on DB, which at start-up fails the jobs a stopped server
	// left running (jobs.Runner.Recover).
	Jobs *jobs.Runner
	// Adopt is the opening import of a county starting mid-year; it
	// defaults to a service on DB, its executor registered with
	// Instructions.
	Adopt *adopt.Service
	// Entities is the register of business entities (经营主体).
	Entities *entities.Service
	// Agreements are the benefit agreements (协议).
	Agreements *agreements.Service
	// Assets is the register of project assets (扶贫项目资产).
	Assets *assets.Service
	// AssetIncome is the assets' leases, income and its distribution.
	AssetIncome *assets.IncomeService
	Clock       clock.Clock
	Log         *slog.Logger
	// TrustProxy makes the server believe X-Forwarded-Proto and
	// X-Forwarded-For from a reverse proxy on this machine (a loopback
	// peer); Proxies adds other proxy addresses. A request from any
	// other peer is taken at its connection's address.
	TrustProxy bool
	Proxies    []netip.Prefix
	// Limits are the request limits; the zero value enforces none
	// (tests, benchmarks), `onepool serve` passes DefaultLimits.
	Limits Limits
	// ExportJobRows is the size over which a list's xlsx export runs as
	// a job (0: 5,000 rows).
	ExportJobRows int
}

// Server is onepool's HTTP handler.
type Server struct {
	d          Deps
	mux        *http.ServeMux
	routes     []Route
	views      *views
	objections limiter // public objections per address
	proxies    []netip.Prefix
	limits     limiters
	folds      folder // repeated refusals → one audit entry a minute
}

// Route is a registered route and the action it requires; the
// authorization matrix test walks them.
type Route struct {
	Pattern string
	Action  auth.Action
	API     bool
}

// NewServer returns the HTTP handler with every route registered, on the
// services of d (see app.Wire).
func NewServer(d Deps) *Server {
	if d.Clock == nil {
		d.Clock = clock.System
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.DB == nil || d.Ledger == nil || d.Auth == nil || d.Policy == nil || d.Funds == nil || d.Workflow == nil || d.Volume == nil ||
		d.Projects == nil || d.Registry == nil || d.Relief == nil || d.Instructions == nil || d.Jobs == nil || d.Adopt == nil || d.Entities == nil || d.Agreements == nil || d.Assets == nil {
		// The services are built and wired by internal/app (cmd, tests
		// and benchmarks call app.Server): web builds none of its own.
		panic("web: NewServer needs every service; build them with app.Wire")
	}
	s := &Server{d: d, mux: http.NewServeMux(), views: loadViews(), limits: newLimiters(d.Limits)}
	s.proxies = append(s.proxies, d.Proxies...)
	if d.TrustProxy {
		s.proxies = append(s.proxies, Loopback...)
	}
	s.registerJobs()
	s.register()
	return s
}

// Routes lists every registered route with its rule.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// ServeHTTP adds security headers and recovers from panics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.secure(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	defer func() {
		if p := recover(); p != nil {
			s.d.Log.Error("panic", "path", r.URL.Path, "panic", p)
			writeError(w, errs.E(errs.Internal, "internal", "internal error"))
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// secure reports whether the request came over HTTPS (directly, or through
// a trusted proxy).
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") && s.fromTrustedProxy(r))
}

// call is one request's context: who asks, in which language, with which
// CSRF token.
type call struct {
	s       *Server
	r       *http.Request
	p       auth.Principal
	lang    string
	csrf    string // the token forms must carry (session's, or the anonymous cookie's)
	session string // the session cookie's token, "" when anonymous
	// keep: a refused form is shown again with what was posted, and
	// badField (the refusal's field) marked; done: what a successful
	// write says on the next page (else a sentence for its kind).
	keep     bool
	badField string
	done     string
}

const (
	sessionCookie = "op_session"
	csrfCookie    = "op_csrf"
	langCookie    = "op_lang"
)

// newCall resolves the principal from the session cookie.
func (s *Server) newCall(w http.ResponseWriter, r *http.Request) (*call, error) {
	c := &call{s: s, r: r, p: auth.Public(), lang: langOf(r)}
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		sess, err := s.d.Auth.Session(r.Context(), ck.Value)
		switch {
		case err == nil:
			c.p, c.csrf, c.session = sess.Principal, sess.CSRF, ck.Value
		case errs.KindOf(err) == errs.Unauthenticated:
			s.clearCookie(w, r, sessionCookie)
		default:
			return nil, err
		}
	}
	if c.session == "" {
		if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
			c.csrf = ck.Value
		} else {
			c.csrf = randomHex(16)
			s.setCookie(w, r, csrfCookie, c.csrf)
		}
	}
	return c, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

var errCSRF = errs.E(errs.Forbidden, "csrf", "the form has expired or did not come from this site; reload the page and try again")

// checkCSRF refuses a state-changing request without the caller's token
// (form field "csrf" or header X-CSRF-Token) or from another origin.
func (c *call) checkCSRF() error {
	r := c.r
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errCSRF
		}
	}
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	if c.csrf == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(c.csrf)) != 1 {
		return errCSRF
	}
	return nil
}

// authorize asks the policy about a record at pl and puts a refusal in the
// audit log.
func (c *call) authorize(act auth.Action, pl place.Code) error {
	err := auth.Authorize(c.p, act, pl)
	if err != nil {
		c.s.denied(c.r.Context(), c.p, c.r, act, err)
	}
	return err
}

// denied records a refused access. Repeated refusals of one kind are
// folded into one entry a minute with a count (see folder).
func (s *Server) denied(ctx context.Context, p auth.Principal, r *http.Request, act auth.Action, cause error) {
	county := p.County
	if county == "" {
		county = audit.SystemCounty
	}
	actor := p.Username
	if actor == "" {
		actor = "public " + s.clientIP(r)
	}
	reason := errs.CodeOf(cause)
	route := r.Pattern
	if route == "" {
		route = r.Method + " " + r.URL.Path
	}
	e := audit.Entry{County: county, Actor: p.Username, Action: "access.denied", Object: r.Method + " " + r.URL.Path,
		Place: string(p.Place), Outcome: "denied", After: map[string]string{"action": string(act), "reason": reason}}
	k := foldKey{county: county, actor: actor, action: string(act), route: route, reason: reason}
	s.writeAudit(ctx, s.folds.add(k, e, s.d.Clock()))
}

// tooMany is the answer to a caller over a rate limit.
func tooMany(wait time.Duration) error {
	return errs.TooManyFor(wait, "too many requests; try again in %d s", retrySeconds(wait))
}

// retrySeconds is wait rounded up to whole seconds, at least 1.
func retrySeconds(wait time.Duration) int {
	n := int((wait + time.Second - 1) / time.Second)
	if n < 1 {
		n = 1
	}
	return n
}

// setRetryAfter sets Retry-After on a TooMany answer.
func setRetryAfter(w http.ResponseWriter, err error) {
	if errs.KindOf(err) != errs.TooMany {
		return
	}
	wait, ok := errs.RetryAfter(err)
	if !ok {
		wait = time.Minute
	}
	w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
}

type pageFunc func(w http.ResponseWriter, c *call) error

// page registers an HTML route that requires act. Anonymous visitors of a
// staff page are sent to the login page; state-changing methods need the
// CSRF token.
func (s *Server) page(pattern string, act auth.Action, h pageFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, Action: act})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead
		c, err := s.newCall(w, r)
		if err != nil {
			s.renderError(w, &call{s: s, r: r, p: auth.Public(), lang: langOf(r)}, err)
			return
		}
		if c.p.IsPublic() && !auth.Allowed(auth.RolePublic, act) {
			if unsafe {
				s.renderError(w, c, errs.E(errs.Unauthenticated, "unauthenticated", "please sign in"))
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err := auth.Authorize(c.p, act, ""); err != nil {
			s.denied(r.Context(), c.p, r, act, err)
			s.renderError(w, c, err)
			return
		}
		if unsafe {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := parseUpload(r); err != nil {
				s.renderError(w, c, err)
				return
			}
			if err := c.checkCSRF(); err != nil {
				s.denied(r.Context(), c.p, r, act, err)
				s.renderError(w, c, err)
				return
			}
		}
		if err := h(w, c); err != nil {
			s.renderError(w, c, err)
		}
	})
}

// maxFormBytes bounds a form body (uploads included).
const maxFormBytes = uploadLimit

type apiFunc func(w http.ResponseWriter, c *call) error

// api registers a JSON API route that requires act in the county named by
// the path ({county}). The caller is a bearer token's user, or a session
// (which must then send X-CSRF-Token on writes).
func (s *Server) api(pattern string, act auth.Action, h apiFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, Action: act, API: true})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead
		c := &call{s: s, r: r, p: auth.Public(), lang: langOf(r)}
		// The address's limit comes first, before any database work.
		now := s.d.Clock()
		if ok, wait := s.limits.apiAddr.take(s.clientIP(r), now); !ok {
			s.limited(w, r, c.p, act, "address", wait)
			return
		}
		tokenKey := ""
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			p, t, err := s.d.Auth.UseToken(r.Context(), tok)
			if err != nil {
				writeErrorIn(w, apiLang(r.Header.Get("Accept-Language")), err)
				return
			}
			c.p = p
			tokenKey = t.Username + "/" + strconv.FormatInt(t.ID, 10)
		} else if ck, err := r.Cookie(sessionCookie); err == nil {
			sess, err := s.d.Auth.Session(r.Context(), ck.Value)
			if err == nil {
				c.p, c.csrf, c.session = sess.Principal, sess.CSRF, ck.Value
				if unsafe {
					if err := c.checkCSRF(); err != nil {
						writeErrorIn(w, apiLang(r.Header.Get("Accept-Language")), err)
						return
					}
				}
			}
		}
		if c.p.IsPublic() && !auth.Allowed(auth.RolePublic, act) {
			writeErrorIn(w, apiLang(r.Header.Get("Accept-Language")), errs.E(errs.Unauthenticated, "unauthenticated", "a valid API token is required (Authorization: Bearer …)"))
			return
		}
		if tokenKey != "" {
			if ok, wait := s.limits.apiToken.take(tokenKey, now); !ok {
				s.limited(w, r, c.p, act, "token", wait)
				return
			}
		}
		if !c.p.IsPublic() {
			if ok, wait := s.limits.apiUser.take(c.p.Username, now); !ok {
				s.limited(w, r, c.p, act, "user", wait)
				return
			}
		}
		var err error
		if county := r.PathValue("county"); county != "" {
			if err := ledger.ValidCounty(county); err != nil {
				writeErrorIn(w, apiLang(r.Header.Get("Accept-Language")), err)
				return
			}
			err = auth.AuthorizeCounty(c.p, act, county)
		} else {
			err = auth.Authorize(c.p, act, "")
		}
		if err != nil {
			s.denied(r.Context(), c.p, r, act, err)
			writeErrorIn(w, apiLang(r.Header.Get("Accept-Language")), err)
			return
		}
		if err := h(w, c); err != nil {
			if errs.KindOf(err) == errs.Internal {
				s.d.Log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			writeErrorIn(w, apiLang(r.Header.Get("Accept-Language")), err)
		}
	})
}

// limited answers an API request over a rate limit (429 too_many with
// Retry-After) and audits it, folded like every refusal.
func (s *Server) limited(w http.ResponseWriter, r *http.Request, p auth.Principal, act auth.Action, per string, wait time.Duration) {
	err := errs.TooManyFor(wait, "too many requests from this %s; try again in %d s", per, retrySeconds(wait))
	s.denied(r.Context(), p, r, act, errs.E(errs.TooMany, "too_many_per_"+per, ""))
	writeErrorIn(w, apiLang(r.Header.Get("Accept-Language")), err)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var one int
	if err := s.d.DB.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	// A write refused for want of space makes the server not ready until a
	// write commits again: a load balancer or monitor sees it, while signed-
	// in users keep reading.
	if s.d.DB.StorageFull() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "storage full", "code": "storage_full",
			"message": "the last database write failed because the storage is full; reads work, writes fail until space is freed"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "db": s.d.DB.Dialect.String(), "time": s.d.Clock().In(clock.Zone).Format(time.RFC3339)})
}
