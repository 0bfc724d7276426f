package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views holds the parsed templates (one per page, each with the layout)
// and the static files with their content hashes.
type views struct {
	pages  map[string]map[string]*template.Template // language → page → template
	static map[string]staticFile
}

type staticFile struct {
	body  []byte
	hash  string
	ctype string
}

var funcs = template.FuncMap{
	"yuan":  func(f money.Fen) string { return f.String() },
	"wan":   func(f money.Fen) string { return f.Wan() },
	"upper": upper,
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(clock.Zone).Format("2006-01-02 15:04")
	},
	"date":  func(t time.Time) string { return t.In(clock.Zone).Format("2006-01-02") },
	"neg":   func(f money.Fen) bool { return f < 0 },
	"add":   func(a, b int) int { return a + b },
	"mul":   func(a, b int) int { return a * b },
	"join":  strings.Join,
	"split": strings.Fields,
	"fen":   func(f int64) string { return money.Fen(f).String() },
	"qty":   assets.QuantityText,
	// tabs hands the settings_tabs partial the page (for its Can) and
	// the active tab.
	"tabs": func(p Page, active string) map[string]any { return map[string]any{"Page": p, "Active": active} },
	// checkList hands the checks_table partial its element id and checks.
	"checkList": func(id string, checks any) map[string]any { return map[string]any{"ID": id, "Checks": checks} },
}

func loadViews() *views {
	v := &views{pages: map[string]map[string]*template.Template{}, static: map[string]staticFile{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, lang := range []string{"zh", "en"} {
		v.pages[lang] = map[string]*template.Template{}
		fm := template.FuncMap{"tr": func(key string) string { return translate(lang, key) }}
		layout := template.Must(template.New("layout.html").Funcs(funcs).Funcs(fm).ParseFS(templateFS, "templates/layout.html", "templates/partials*.html"))
		for _, n := range names {
			base := path.Base(n)
			if base == "layout.html" || strings.HasPrefix(base, "partials") { // partials*.html: shared blocks
				continue
			}
			t := template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
			v.pages[lang][strings.TrimSuffix(base, ".html")] = t
		}
	}
	err = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		v.static[strings.TrimPrefix(p, "static/")] = staticFile{body: b, hash: hex.EncodeToString(h[:6]), ctype: ct}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return v
}

// static serves the embedded files; a ?v=hash URL is cached for a year.
func (s *Server) static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.views.static[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.ctype)
		if r.URL.Query().Get("v") == f.hash {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Write(f.body)
	})
}

// Page is what every page's view model embeds: the language, who is
// signed in, the CSRF token for forms, and the navigation.
type Page struct {
	Lang   string
	Title  string
	Active string // navigation key of the current area
	User   *auth.Principal
	Place  string // the user's place name
	CSRF   string
	Path   string // the request URI, for the language switch's return
	Nav    []NavItem
	Public bool // a public-portal page
	assets map[string]staticFile
	Flash  string
	// form and badField: a refused form's values and the field in error.
	form     url.Values
	badField string
}

// NavItem is one area in the navigation.
type NavItem struct {
	Key    string // message key nav.<key>
	Href   string
	Active bool
}

// Purpose is a purpose code's label.
func (p Page) Purpose(code string) string { return label(p.Lang, "purpose.", code) }

// T translates a message key into the page's language.
func (p Page) T(key string) string { return translate(p.Lang, key) }

// Asset is the versioned URL of a static file.
func (p Page) Asset(name string) string {
	return "/static/" + name + "?v=" + p.assets[name].hash
}

// Can reports whether the signed-in user's role may take an action (to
// show or hide links; the server checks again on use).
func (p Page) Can(act string) bool {
	return p.User != nil && auth.Allowed(p.User.Role, auth.Action(act))
}

// areas are the navigation's areas, in MISSION.md's order.
// Each names the action of the route it links to: the navigation shows an
// area only to a role that may open it.
var areas = []struct {
	key, href string
	action    auth.Action
}{
	{"desk", "/desk", auth.ViewDesk},
	{"funds", "/funds", auth.ViewFunds},
	{"money", "/instructions", auth.ViewInstructions},
	{"projects", "/projects", auth.ViewProjects},
	{"households", "/registry", auth.ViewRegistry},
	{"agreements", "/area/agreements", auth.ViewDesk},
	{"assets", "/area/assets", auth.ViewDesk},
	{"relief", "/relief", auth.ViewRelief},
	{"credit", "/area/credit", auth.ViewDesk},
	{"oversight", "/audit", auth.ViewAudit},
	{"disclosure", "/public", auth.ViewPublic},
	{"settings", "/system/places", auth.ViewPlaces},
}

// page fills the common part of a view.
func (c *call) page(title, active string) Page {
	p := Page{Lang: c.lang, Title: title, Active: active, CSRF: c.csrf, Path: c.r.URL.RequestURI(), assets: c.s.views.static}
	if c.keep {
		p.form, p.badField = c.r.PostForm, c.badField
	}
	if c.r.Method == http.MethodGet {
		p.Flash = flashOf(c.r)
	}
	if !c.p.IsPublic() {
		u := c.p
		p.User = &u
		p.Place = c.s.d.Auth.PlaceName(c.r.Context(), u.Place)
		for _, a := range areas {
			if !auth.Allowed(u.Role, a.action) {
				continue
			}
			p.Nav = append(p.Nav, NavItem{Key: a.key, Href: a.href, Active: a.key == active})
		}
	}
	return p
}

// render executes a page template into w with status.
func (c *call) render(w http.ResponseWriter, status int, name string, view any) error {
	t, ok := c.s.views.pages[c.lang][name]
	if !ok {
		return errs.E(errs.Internal, "internal", "no template %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", view); err != nil {
		return errs.Wrap(err, "web: render %s", name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if c.r.Method == http.MethodGet && flashOf(c.r) != "" {
		clearFlash(w) // shown once
	}
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

type errorView struct {
	Page
	Status  int
	Message string
	Code    string
}

// renderError shows err as an HTML page with the status of its kind.
func (s *Server) renderError(w http.ResponseWriter, c *call, err error) {
	err = oneNotFound(err)
	status := statusOf(errs.KindOf(err))
	msg := errorText(c.lang, err)
	if status >= 500 {
		s.d.Log.Error("page", "method", c.r.Method, "path", c.r.URL.Path, "err", err)
		msg = translate(c.lang, "error.internal")
		if errs.KindOf(err) == errs.StorageFull {
			msg = translate(c.lang, "error.storage_full")
		}
	}
	if errs.KindOf(err) == errs.TooMany {
		setRetryAfter(w, err)
		if wait, ok := errs.RetryAfter(err); ok {
			msg = fmt.Sprintf(translate(c.lang, "ratelimit.wait"), retrySeconds(wait))
		}
	}
	v := errorView{Page: c.page(translate(c.lang, "error.title"), ""), Status: status, Message: msg, Code: errs.CodeOf(err)}
	if rerr := c.render(w, status, "error", v); rerr != nil {
		http.Error(w, msg, status)
	}
}

func (s *Server) notFound(w http.ResponseWriter, c *call) error {
	return errs.F(errs.NotFound, "not_found", routeField, "no such page: %s", c.r.URL.Path)
}

// langOf is the language of the request: the cookie, else Chinese.
func langOf(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && ck.Value == "en" {
		return "en"
	}
	return "zh"
}

// setLang switches the language (a cookie) and returns to the page.
func (s *Server) setLang(w http.ResponseWriter, c *call) error {
	lang := c.r.PostFormValue("lang")
	if lang != "en" {
		lang = "zh"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.secure(c.r)})
	http.Redirect(w, c.r, localPath(c.r.PostFormValue("next"), "/"), http.StatusSeeOther)
	return nil
}

// localPath returns next when it is a path on this site, else def (no
// open redirects). Browsers drop tabs and newlines from a URL and read a
// backslash as a slash, so "/\t/evil.example" or "/\\evil.example" leave
// the site; next must therefore start with exactly one '/', and neither
// it nor its percent-decoded form may hold "//", a backslash, a control
// character or any white space.
func localPath(next, def string) string {
	if len(next) > 2048 || !localPathOK(next) {
		return def
	}
	dec, err := url.PathUnescape(next)
	if err != nil || !localPathOK(dec) {
		return def
	}
	return next
}

func localPathOK(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.ContainsRune(p, '\\') || !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// upper is the amount in Chinese capitals (大写), or "" when out of range.
func upper(f money.Fen) string {
	s, err := money.Upper(f)
	if err != nil {
		return ""
	}
	return s
}
