package web

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// Forms as staff expect them: a refused form comes back with what was
// typed and the field in error marked; every write that succeeds ends
// with a message saying what was done, shown once on the next page.

const flashCookie = "op_flash"

// Val is what the refused form held in a field ("" on a fresh page).
func (p Page) Val(name string) string {
	if p.form == nil {
		return ""
	}
	return p.form.Get(name)
}

// ValOr is Val, or def when the field was not posted.
func (p Page) ValOr(name, def string) string {
	if p.form == nil || !p.form.Has(name) {
		return def
	}
	return p.form.Get(name)
}

// FormVal is Val for a page with several forms of the same fields: only
// the form whose hidden "form" field is id gets the values back.
func (p Page) FormVal(id, name string) string {
	if p.form == nil || p.form.Get("form") != id {
		return ""
	}
	return p.form.Get(name)
}

// FormSel is Sel for the form id (see FormVal).
func (p Page) FormSel(id, name, value string) bool {
	return p.form != nil && p.form.Get("form") == id && p.form.Get(name) == value
}

// Sel reports whether the refused form chose value in a field (a select's
// option, a radio, a checkbox).
func (p Page) Sel(name, value string) bool {
	return p.form != nil && p.form.Get(name) == value
}

// Bad reports whether the refusal named the field (or one of its items,
// legs[0].amount for "legs").
func (p Page) Bad(name string) bool {
	if p.badField == "" {
		return false
	}
	return p.badField == name || strings.HasPrefix(p.badField, name+".") || strings.HasPrefix(p.badField, name+"[")
}

// setFlash keeps a message for the next page the user sees.
func setFlash(w http.ResponseWriter, msg string) {
	if msg == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)), Path: "/", MaxAge: 120, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// flashOf reads the message kept for this page ("" when none).
func flashOf(r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 500 {
		return ""
	}
	return string(b)
}

// clearFlash forgets the message once shown.
func clearFlash(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// doneMessage is what a successful form says on the next page: the
// handler's own (c.done), else a sentence for the route's kind of write.
func doneMessage(c *call, next string) string {
	if c.done != "" {
		return c.done
	}
	switch {
	case strings.HasPrefix(next, "/instructions/"):
		return translate(c.lang, "done.instruction")
	default:
		return translate(c.lang, "done.saved")
	}
}
