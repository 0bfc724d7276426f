package web

import (
	"net/http"
	"strconv"
	"time"

	"onepool/internal/errs"
	"onepool/internal/workflow"
)

// The JSON API of objections: the public receipt lookup, the answering
// office's queue and the answer (see pages_objections.go and docs/API.md).

// publicObjectionJSON is what anyone holding a receipt (or reading the
// notice) sees of an objection: never the objector's name or contact.
type publicObjectionJSON struct {
	Receipt   string     `json:"receipt,omitempty"`
	Notice    int64      `json:"notice"`
	Kind      string     `json:"kind"`
	Text      string     `json:"text"` // digits runs ≥ 6 masked; "" when the county hides texts
	Status    string     `json:"status"`
	FiledAt   time.Time  `json:"filed_at"`
	DueAt     *time.Time `json:"due_at"`
	Overdue   bool       `json:"overdue"`
	Office    string     `json:"office"`
	Reply     string     `json:"reply"`
	RepliedAt *time.Time `json:"replied_at"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func publicObjectionJSONOf(p publicObjection, receipt string, notice int64) publicObjectionJSON {
	return publicObjectionJSON{Receipt: receipt, Notice: notice, Kind: p.Kind, Text: p.Text, Status: p.Status, FiledAt: p.FiledAt,
		DueAt: timeOrNil(p.DueAt), Overdue: p.Overdue, Office: p.Office, Reply: p.Reply, RepliedAt: timeOrNil(p.RepliedAt)}
}

type objectionReceiptResponse struct {
	Objection publicObjectionJSON `json:"objection"`
}

// apiObjectionReceipt: GET /api/v1/public/{county}/objections/{receipt}.
func (s *Server) apiObjectionReceipt(w http.ResponseWriter, c *call) error {
	_, _, o, _, err := s.receiptObjection(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, objectionReceiptResponse{Objection: publicObjectionJSONOf(s.publicObjectionOf(c, o, "masked"), o.Receipt, o.Notice)})
	return nil
}

// staffObjectionJSON is an objection as the staff who answer see it.
type staffObjectionJSON struct {
	ID          int64      `json:"id"`
	Receipt     string     `json:"receipt"`
	Notice      int64      `json:"notice"`
	NoticeTitle string     `json:"notice_title,omitempty"`
	Kind        string     `json:"kind"`
	Body        string     `json:"body"`
	Name        string     `json:"name"`
	Contact     string     `json:"contact"`
	Place       string     `json:"place"`
	Status      string     `json:"status"`
	FiledAt     time.Time  `json:"filed_at"`
	DueAt       *time.Time `json:"due_at"`
	Overdue     bool       `json:"overdue"`
	AnswerRole  string     `json:"answer_role"`
	AnswerLevel string     `json:"answer_level"`
	Reply       string     `json:"reply"`
	RepliedBy   string     `json:"replied_by"`
	RepliedAt   *time.Time `json:"replied_at"`
}

func (s *Server) staffObjectionJSON(o workflow.Objection, noticeTitle string) staffObjectionJSON {
	return staffObjectionJSON{ID: o.ID, Receipt: o.Receipt, Notice: o.Notice, NoticeTitle: noticeTitle, Kind: o.Kind, Body: o.Body, Name: o.Name, Contact: o.Contact,
		Place: string(o.Place), Status: o.Status, FiledAt: o.FiledAt, DueAt: timeOrNil(o.DueAt), Overdue: o.Overdue(s.d.Clock()),
		AnswerRole: o.AnswerRole, AnswerLevel: o.AnswerLevel, Reply: o.Reply, RepliedBy: o.RepliedBy, RepliedAt: timeOrNil(o.RepliedAt)}
}

type objectionQueueResponse struct {
	Objections []staffObjectionJSON `json:"objections"`
}

// apiObjectionQueue: GET /api/v1/review/{county}/objections — the open
// objections the caller's office answers, earliest deadline first.
func (s *Server) apiObjectionQueue(w http.ResponseWriter, c *call) error {
	rows, err := s.objectionRows(c)
	if err != nil {
		return err
	}
	out := objectionQueueResponse{Objections: []staffObjectionJSON{}}
	for _, r := range rows {
		out.Objections = append(out.Objections, s.staffObjectionJSON(r.Objection, r.NoticeTitle))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type answerRequest struct {
	Upheld *bool  `json:"upheld"`
	Reply  string `json:"reply"`
}

type answerResponse struct {
	Objection staffObjectionJSON `json:"objection"`
	ItemState string             `json:"item_state"`
}

// apiAnswerFromQueue: POST /api/v1/review/{county}/objections/{id}/answer
// answers any kind's objection. The same answer again by the same user
// is a replay: 200 with Idempotent-Replayed: true, nothing written.
func (s *Server) apiAnswerFromQueue(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "not_found", "objection", "no such objection")
	}
	if _, _, _, err := s.objectionAny(c, id); err != nil {
		return err
	}
	var b answerRequest
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if b.Upheld == nil {
		return errs.F(errs.Invalid, "invalid_decision", "upheld", "upheld must be true or false")
	}
	o, _, replayed, err := s.answerAny(c, id, *b.Upheld, b.Reply)
	if err != nil {
		return err
	}
	// The item as the answer left it (an upheld objection returns it).
	o, _, it, err := s.objectionAny(c, id)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusOK, answerResponse{Objection: s.staffObjectionJSON(o, ""), ItemState: it.State})
	return nil
}

// filedObjectionJSON answers a filed objection: the receipt number the
// objector follows it with (GET /api/v1/public/{county}/objections/{receipt}).
type filedObjectionJSON struct {
	ID      int64      `json:"id"`
	Receipt string     `json:"receipt"`
	Status  string     `json:"status"`
	DueAt   *time.Time `json:"due_at"`
}

type filedObjectionResponse struct {
	Objection filedObjectionJSON `json:"objection"`
}
