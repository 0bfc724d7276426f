// Package web translates HTTP to calls on onepool's services and back: the
// JSON API under /api/v1/ and, later, the HTML pages. It holds no rules.
package web

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/store"
)

// Deps are what the server needs.
type Deps struct {
	DB     *store.DB
	Ledger *ledger.Ledger
	Clock  clock.Clock
	Log    *slog.Logger
	// APIToken guards the JSON API (Authorization: Bearer …). Required.
	APIToken string
}

// Server is onepool's HTTP handler.
type Server struct {
	d   Deps
	mux *http.ServeMux
}

// NewServer returns the HTTP handler with every route registered.
func NewServer(d Deps) http.Handler {
	if d.Clock == nil {
		d.Clock = clock.System
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{d: d, mux: http.NewServeMux()}
	s.routes()
	return s
}

// ServeHTTP adds security headers and recovers from panics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	defer func() {
		if p := recover(); p != nil {
			s.d.Log.Error("panic", "path", r.URL.Path, "panic", p)
			writeError(w, errs.E(errs.Internal, "internal", "internal error"))
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// api wraps an API handler: it checks the bearer token.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || s.d.APIToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.d.APIToken)) != 1 {
			writeError(w, errs.E(errs.Unauthenticated, "unauthenticated", "a valid API token is required (Authorization: Bearer …)"))
			return
		}
		if err := h(w, r); err != nil {
			if errs.KindOf(err) == errs.Internal {
				s.d.Log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			writeError(w, err)
		}
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var one int
	if err := s.d.DB.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "db": s.d.DB.Dialect.String(), "time": s.d.Clock().In(clock.Zone).Format(time.RFC3339)})
}
