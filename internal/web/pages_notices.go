package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"rsc.io/qr"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/workflow"
)

// Public notices (公示, M-12): anyone reads a running notice and files an
// objection or a report without signing in; the village board gets an A4
// print with the notice's online address and a QR code to it. Notice
// texts were checked for personal data when posted; they are scrubbed
// again on the way out.

type noticeRow struct {
	workflow.Notice
	PlaceName string
	Running   bool
}

type publicNoticesView struct {
	Page
	County, Name string
	Rows         []noticeRow
}

func (s *Server) publicNotices(w http.ResponseWriter, c *call) error {
	county, name, err := s.publicCountyName(c)
	if err != nil {
		return err
	}
	today := clock.Day(s.d.Clock())
	ns, err := s.d.Workflow.Notices(c.r.Context(), county, county, today, 200)
	if err != nil {
		return err
	}
	v := publicNoticesView{Page: c.page(translate(c.lang, "notices.title"), "disclosure"), County: county, Name: name}
	v.Public = true
	for _, n := range ns {
		v.Rows = append(v.Rows, noticeRow{Notice: scrubNotice(n), PlaceName: s.d.Auth.PlaceName(c.r.Context(), n.Place), Running: n.Running(today)})
	}
	return c.render(w, http.StatusOK, "public_notices", v)
}

func scrubNotice(n workflow.Notice) workflow.Notice {
	n.Title, n.Body = ident.Scrub(n.Title), ident.Scrub(n.Body)
	return n
}

type publicNoticeView struct {
	Page
	County, Name string
	N            workflow.Notice
	PlaceNames   []string
	Running      bool
	Objections   int
	Answered     int
	URL          string
	Error        string
	Done         bool
	// Filed is the objections to the notice as the public sees them, with
	// the replies beneath (see pages_objections.go).
	Filed []publicObjection
	Print printFrame
}

// publicNotice finds a posted notice of the county (withdrawn ones and
// other counties' are not found).
func (s *Server) publicNoticeView(c *call) (publicNoticeView, error) {
	county, name, err := s.publicCountyName(c)
	if err != nil {
		return publicNoticeView{}, err
	}
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return publicNoticeView{}, errs.F(errs.NotFound, "not_found", "notice", "no such notice")
	}
	n, err := s.d.Workflow.Notice(c.r.Context(), county, id)
	if err != nil || n.State != "posted" {
		return publicNoticeView{}, errs.F(errs.NotFound, "not_found", "notice", "no such notice")
	}
	n = scrubNotice(n)
	v := publicNoticeView{Page: c.page(n.Title, "disclosure"), County: county, Name: name, N: n, Running: n.Running(clock.Day(s.d.Clock()))}
	v.Public = true
	for _, pl := range n.Places {
		v.PlaceNames = append(v.PlaceNames, s.d.Auth.PlaceName(c.r.Context(), pl))
	}
	os, err := s.d.Workflow.Objections(c.r.Context(), county, id)
	if err != nil {
		return v, err
	}
	for _, o := range os {
		v.Objections++
		if o.Status != "open" {
			v.Answered++
		}
	}
	v.Filed = s.publicObjections(c, county, os)
	v.URL = s.noticeURL(c, county, id)
	v.Print = s.printFrame(c, name, n.Title)
	return v, nil
}

// noticeURL is the notice's public address: under the county's public
// address (系统 → 设置) when set, else as the visitor reached this server.
func (s *Server) noticeURL(c *call, county string, id int64) string {
	return fmt.Sprintf("%s/public/%s/notices/%d", s.publicBase(c, county), county, id)
}

func (s *Server) publicNotice(w http.ResponseWriter, c *call) error {
	v, err := s.publicNoticeView(c)
	if err != nil {
		return err
	}
	v.Done = c.r.URL.Query().Get("filed") == "1"
	return c.render(w, http.StatusOK, "public_notice", v)
}

// objectionLimit bounds the objections one address files: anyone may
// object without signing in, so a flood must not bury the staff.
const objectionLimit = 10 // per address per hour

// limiter counts recent events per address.
type limiter struct {
	mu     sync.Mutex
	recent map[string][]time.Time
}

// allow records an event of ip at now unless it already had max in the
// last window.
func (l *limiter) allow(ip string, now time.Time, max int, window time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.recent == nil || len(l.recent) > 100000 {
		l.recent = map[string][]time.Time{}
	}
	var keep []time.Time
	for _, t := range l.recent[ip] {
		if now.Sub(t) < window {
			keep = append(keep, t)
		}
	}
	if len(keep) >= max {
		l.recent[ip] = keep
		return false
	}
	l.recent[ip] = append(keep, now)
	return true
}

var errTooManyObjections = errs.F(errs.TooMany, "too_many", "", "this address has filed %d objections in the last hour; please try again later or contact the village committee", objectionLimit)

// fileObjection takes an objection or report from anyone.
func (s *Server) fileObjection(w http.ResponseWriter, c *call) error {
	v, err := s.publicNoticeView(c)
	if err != nil {
		return err
	}
	r := c.r
	if !s.objections.allow(s.clientIP(r), s.d.Clock(), objectionLimit, time.Hour) {
		return afterForm(w, c, errTooManyObjections, "", func(msg string, status int) error {
			v.Error = msg
			return c.render(w, status, "public_notice", v)
		})
	}
	actor := "public"
	if !c.p.IsPublic() {
		actor = c.p.Username
	}
	days, _ := s.reviewRules(c, v.County)
	o, err := s.d.Workflow.FileObjection(r.Context(), actor, v.County, v.N.ID, workflow.ObjectionInput{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"),
		Contact: r.PostFormValue("contact"), Body: r.PostFormValue("body"), ReplyDays: days})
	next := ""
	if err == nil {
		// The receipt's own page, which the objector can come back to.
		next = fmt.Sprintf("/public/%s/objections/%s", v.County, url.PathEscape(o.Receipt))
		c.done = fmt.Sprintf(translate(c.lang, "obj.filed"), o.Receipt)
	}
	return afterForm(w, c, err, next, func(msg string, status int) error {
		v.Error = msg
		return c.render(w, status, "public_notice", v)
	})
}

// noticePrint is the A4 print for the village board.
func (s *Server) noticePrint(w http.ResponseWriter, c *call) error {
	v, err := s.publicNoticeView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "notice_print", v)
}

// noticeQR is the QR code (SVG) of the notice's online address.
func (s *Server) noticeQR(w http.ResponseWriter, c *call) error {
	v, err := s.publicNoticeView(c)
	if err != nil {
		return err
	}
	svg, err := qrSVG(v.URL)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(svg))
	return err
}

// qrSVG draws text as a QR code (medium error correction) in SVG, one
// path of unit squares with a four-module quiet zone.
func qrSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", errs.Wrap(err, "qr")
	}
	n := code.Size
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, n+8, n+8)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if code.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
