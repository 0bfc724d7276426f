package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/projects"
	"onepool/internal/relief"
	"onepool/internal/workflow"
)

// Public objections (异议、举报) with receipts and replies: the objector
// gets a receipt number (受理编号) and follows it on a public page; the
// office that answers finds it in 我的待办 and answers from there; the
// reply is shown beneath the notice. The objector's name and contact are
// never shown publicly; the text is shown as the profile says
// (review.objection_text: masked, the default, or hidden).

// reviewRules is the county's objection rules (the defaults when the
// county has chosen no profile yet).
func (s *Server) reviewRules(c *call, county string) (replyDays int, text string) {
	prof, _, err := s.d.Policy.Current(c.r.Context(), county)
	if err != nil || prof.Review.ObjectionReplyDays == 0 {
		return workflow.DefaultReplyDays, "masked"
	}
	return prof.Review.ObjectionReplyDays, prof.Review.ObjectionText
}

// publicObjection is what the public sees of an objection.
type publicObjection struct {
	Kind      string
	Text      string // masked; "" when the profile hides texts
	Hidden    bool
	FiledAt   time.Time
	DueAt     time.Time
	Status    string
	Overdue   bool
	Reply     string
	RepliedAt time.Time
	Office    string // the answering office, named (never the person)
}

// office names the office that answers o ("甲镇人民政府").
func (s *Server) office(c *call, o workflow.Objection) string {
	at := o.Place.County()
	if o.AnswerLevel == "township" {
		at = o.Place.Township()
	}
	return fmt.Sprintf(translate(c.lang, "obj.office."+o.AnswerRole), s.d.Auth.PlaceName(c.r.Context(), at))
}

func (s *Server) publicObjectionOf(c *call, o workflow.Objection, text string) publicObjection {
	p := publicObjection{Kind: o.Kind, FiledAt: o.FiledAt, DueAt: o.DueAt, Status: o.Status, Overdue: o.Overdue(s.d.Clock()),
		Office: s.office(c, o)}
	if text == "hidden" {
		p.Hidden = true
	} else {
		p.Text = workflow.MaskDigits(ident.Scrub(o.Body))
	}
	if o.Answered() {
		p.Reply, p.RepliedAt = ident.Scrub(o.Reply), o.RepliedAt
	}
	return p
}

// publicObjections is a notice's objections as the public sees them.
func (s *Server) publicObjections(c *call, county string, os []workflow.Objection) []publicObjection {
	_, text := s.reviewRules(c, county)
	out := []publicObjection{}
	for _, o := range os {
		out = append(out, s.publicObjectionOf(c, o, text))
	}
	return out
}

type receiptView struct {
	Page
	County, Name string
	Receipt      string
	Found        bool
	O            publicObjection
	NoticeTitle  string
	NoticeLink   string
	Error        string
}

// objectionLookup is the receipt lookup form (?receipt= goes to its page).
func (s *Server) objectionLookup(w http.ResponseWriter, c *call) error {
	county, name, err := s.publicCountyName(c)
	if err != nil {
		return err
	}
	if r := workflow.NormalizeReceipt(c.r.URL.Query().Get("receipt")); r != "" {
		http.Redirect(w, c.r, "/public/"+county+"/objections/"+url.PathEscape(r), http.StatusSeeOther)
		return nil
	}
	v := receiptView{Page: c.page(translate(c.lang, "obj.lookup"), "disclosure"), County: county, Name: name}
	v.Public = true
	return c.render(w, http.StatusOK, "public_objection", v)
}

// receiptObjection finds the objection of a receipt in the path's county.
func (s *Server) receiptObjection(c *call) (string, string, workflow.Objection, workflow.Notice, error) {
	county, name, err := s.publicCountyName(c)
	if err != nil {
		return "", "", workflow.Objection{}, workflow.Notice{}, err
	}
	notFound := errs.F(errs.NotFound, "not_found", "receipt", "no objection with this receipt number")
	o, err := s.d.Workflow.ObjectionByReceipt(c.r.Context(), c.r.PathValue("receipt"))
	if err != nil || o.County != county {
		return county, name, o, workflow.Notice{}, notFound
	}
	n, err := s.d.Workflow.Notice(c.r.Context(), county, o.Notice)
	if err != nil {
		return county, name, o, n, notFound
	}
	return county, name, o, scrubNotice(n), nil
}

// objectionReceipt is the public page of one receipt: status, deadline,
// the reply and who answered (the office).
func (s *Server) objectionReceipt(w http.ResponseWriter, c *call) error {
	county, name, o, n, err := s.receiptObjection(c)
	if county == "" {
		return err
	}
	v := receiptView{Page: c.page(translate(c.lang, "obj.lookup"), "disclosure"), County: county, Name: name, Receipt: workflow.NormalizeReceipt(c.r.PathValue("receipt"))}
	v.Public = true
	if err != nil {
		v.Error = formMessage(c.lang, oneNotFound(err))
		return c.render(w, http.StatusNotFound, "public_objection", v)
	}
	// The objector reads their own text back, masked like the public page.
	v.Found, v.O = true, s.publicObjectionOf(c, o, "masked")
	v.NoticeTitle = n.Title
	if n.State == "posted" {
		v.NoticeLink = fmt.Sprintf("/public/%s/notices/%d", county, n.ID)
	}
	return c.render(w, http.StatusOK, "public_objection", v)
}

// objectionAny finds an objection, its notice and item, visible to the
// caller (else not found), whatever the item's kind.
func (s *Server) objectionAny(c *call, id int64) (workflow.Objection, workflow.Notice, workflow.Item, error) {
	ctx := c.r.Context()
	notFound := errs.F(errs.NotFound, "not_found", "objection", "no objection %d", id)
	o, err := s.d.Workflow.Objection(ctx, c.p.County, id)
	if err != nil {
		return o, workflow.Notice{}, workflow.Item{}, notFound
	}
	n, err := s.d.Workflow.Notice(ctx, c.p.County, o.Notice)
	if err != nil {
		return o, n, workflow.Item{}, notFound
	}
	it, err := s.d.Workflow.Item(ctx, c.p.County, n.Item)
	if err != nil || !c.p.Sees(it.Place) {
		return o, n, it, notFound
	}
	return o, n, it, nil
}

// answerAny answers an objection through its item's capability (a
// project returns to its proposer when upheld). replayed: the same user
// already gave this very answer (a repeated submit), nothing is written.
func (s *Server) answerAny(c *call, id int64, upheld bool, reply string) (o workflow.Objection, it workflow.Item, replayed bool, err error) {
	o, _, it, err = s.objectionAny(c, id)
	if err != nil {
		return o, it, false, err
	}
	if o.Answered() && o.RepliedBy == c.p.Username && o.Reply == strings.TrimSpace(reply) && (o.Status == "upheld") == upheld {
		return o, it, true, nil
	}
	switch it.Kind {
	case projects.Kind:
		o, err = s.d.Projects.Answer(c.r.Context(), c.p, id, upheld, reply)
	case relief.Kind:
		o, err = s.d.Relief.Answer(c.r.Context(), c.p, id, upheld, reply)
	default:
		err = errs.F(errs.NotFound, "not_found", "objection", "no objection %d", id)
	}
	return o, it, false, err
}

// objectionRow is an objection in the answering office's queue.
type objectionRow struct {
	workflow.Objection
	NoticeTitle string
	PlaceName   string
	Overdue     bool
}

// objectionRows is the queue of objections the user's office answers
// (only township and rural-revitalization staff answer objections).
func (s *Server) objectionRows(c *call) ([]objectionRow, error) {
	out := []objectionRow{}
	if c.p.IsPublic() || !auth.Allowed(c.p.Role, auth.ManageNotices) {
		return out, nil
	}
	os, err := s.d.Workflow.ObjectionQueue(c.r.Context(), c.p, 200)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock()
	for _, o := range os {
		r := objectionRow{Objection: o, PlaceName: s.d.Auth.PlaceName(c.r.Context(), o.Place), Overdue: o.Overdue(now)}
		if n, err := s.d.Workflow.Notice(c.r.Context(), c.p.County, o.Notice); err == nil {
			r.NoticeTitle = n.Title
		}
		out = append(out, r)
	}
	return out, nil
}

type objectionView struct {
	Page
	O          workflow.Objection
	N          workflow.Notice
	ItemLink   string
	ItemTitle  string
	Office     string
	Overdue    bool
	CanAnswer  bool
	NoticeLink string
	Error      string
}

func (s *Server) objectionView(c *call) (objectionView, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return objectionView{}, errs.F(errs.NotFound, "not_found", "objection", "no such objection")
	}
	o, n, it, err := s.objectionAny(c, id)
	if err != nil {
		return objectionView{}, err
	}
	v := objectionView{Page: c.page(fmt.Sprintf("%s %s", translate(c.lang, "notice.kind."+o.Kind), o.Receipt), "projects"), O: o, N: n,
		ItemTitle: it.Title, Office: s.office(c, o), Overdue: o.Overdue(s.d.Clock()), CanAnswer: !o.Answered()}
	v.ItemLink = s.queueRow(c, it).Link
	if n.State == "posted" {
		v.NoticeLink = fmt.Sprintf("/public/%s/notices/%d", c.p.County, n.ID)
	}
	return v, nil
}

// objectionPage is the queue item of an objection: what was said, by
// whom (for the staff who answer), the deadline, and the answer form.
func (s *Server) objectionPage(w http.ResponseWriter, c *call) error {
	v, err := s.objectionView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "objection", v)
}

// answerFromQueue answers an objection from its queue item; back to the
// queue with the receipt named.
func (s *Server) answerFromQueue(w http.ResponseWriter, c *call) error {
	v, err := s.objectionView(c)
	if err != nil {
		return err
	}
	d := c.r.PostFormValue("decision")
	if d != "uphold" && d != "dismiss" {
		err = errs.F(errs.Invalid, "invalid_decision", "decision", "uphold or dismiss")
	} else {
		_, _, _, err = s.answerAny(c, v.O.ID, d == "uphold", c.r.PostFormValue("reply"))
	}
	if err == nil {
		c.done = fmt.Sprintf(translate(c.lang, "obj.answered"), v.O.Receipt)
	}
	return afterForm(w, c, err, "/review", func(msg string, status int) error {
		v.Error = msg
		return c.render(w, status, "objection", v)
	})
}
