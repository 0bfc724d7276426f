package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"onepool/internal/adopt"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/tabular"
)

// The opening import (期初导入) of a county adopting onepool mid-year:
// the page under 资金, its template, and the API. The rules are adopt's.

type openingView struct {
	Page
	Sets   []adopt.Set
	Enter  bool // the user may enter a set (funds.write at the county)
	Today  string
	Error  string
	Detail string
}

func (s *Server) openingView(c *call) (openingView, error) {
	v := openingView{Page: c.page(translate(c.lang, "opening.title"), "funds"), Today: clock.Day(s.d.Clock())}
	v.Enter = v.Can("funds.write") && string(c.p.Place) == c.p.County+"000000"
	var err error
	v.Sets, err = s.d.Adopt.Sets(c.r.Context(), c.p.County)
	return v, err
}

// openingPage: GET /funds/opening.
func (s *Server) openingPage(w http.ResponseWriter, c *call) error {
	v, err := s.openingView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "opening", v)
}

// formDay reads a form's or a body's document date (凭证日期); empty is zero.
func formDay(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := tabular.ParseDate(v)
	if err != nil {
		return time.Time{}, errs.F(errs.Invalid, "invalid_date", "day", "day must be a date YYYY-MM-DD, got %q", v)
	}
	return d, nil
}

// openingForm: POST /funds/opening (multipart: file, doc_no, day, key).
// The set is entered for approval; the next page is its instruction.
func (s *Server) openingForm(w http.ResponseWriter, c *call) error {
	r := c.r
	var in instruct.Instruction
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err == nil {
		defer f.Close()
		var rows []adopt.Row
		if rows, err = adopt.ReadRows(f); err == nil {
			var day time.Time
			if day, err = formDay(r.PostFormValue("day")); err == nil {
				in, err = s.d.Adopt.Propose(r.Context(), c.p, adopt.Opening{Key: r.PostFormValue("key"), DocNo: r.PostFormValue("doc_no"), Day: day, Rows: rows})
			}
		}
	}
	next := "/funds/opening"
	if err == nil {
		next = instructionPath(in)
		c.done = fmt.Sprintf(translate(c.lang, "opening.entered"), in.ID)
	}
	return afterForm(w, c, tabular.Wrap(err), next, func(msg string, status int) error {
		v, err := s.openingView(c)
		if err != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "opening", v)
	})
}

// openingTemplate: GET /funds/opening/template.xlsx.
func (s *Server) openingTemplate(w http.ResponseWriter, c *call) error {
	channel := "ZX"
	if chans, err := s.d.Funds.Channels(c.r.Context(), c.p.County); err == nil && len(chans) > 0 {
		channel = chans[0].Code
	}
	return sendTemplate(w, c, "template-opening.xlsx", "期初余额", []tabular.TemplateColumn{
		tcol("账户代码", true, "ch:"+channel, "opening.note.account"),
		tcol("渠道代码", true, channel, "opening.note.channel"),
		tcol("金额（元）", true, "50万元", "opening.note.amount"),
		tcol("账户名称", false, translate(c.lang, "opening.example_name"), "opening.note.name"),
	}, "opening.note.set", "opening.note.approval")
}

// openingRowJSON is one row of an opening set sent as JSON.
type openingRowJSON struct {
	Account string `json:"account"`
	Channel string `json:"channel"`
	Amount  string `json:"amount"` // yuan as written: "1,200.00", "12万元"
}

type openingJSON struct {
	Key   string           `json:"key"`
	DocNo string           `json:"doc_no"`
	Day   string           `json:"day"`
	Rows  []openingRowJSON `json:"rows"`
}

// apiOpening: POST /api/v1/adopt/{county}/opening — a JSON body
// ({key, doc_no, day, rows: [{account, channel, amount}]}) or a
// multipart form (file, key, doc_no, day). 202 with the instruction;
// a replay 200 with Idempotent-Replayed: true; bad rows 400 invalid_rows
// with every row's every error.
func (s *Server) apiOpening(w http.ResponseWriter, c *call) error {
	cty, err := county(c.r)
	if err != nil {
		return err
	}
	if cty != c.p.County {
		return instruct.NotFound()
	}
	var o adopt.Opening
	mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		c.r.Body = http.MaxBytesReader(w, c.r.Body, uploadLimit)
		f, ferr := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "send the opening file as the form's file"))
		if ferr != nil {
			return ferr
		}
		defer f.Close()
		rows, rerr := adopt.ReadRows(f)
		io.Copy(io.Discard, c.r.Body)
		if rerr != nil {
			return s.openingAPIError(w, c, rerr)
		}
		o = adopt.Opening{Key: c.r.PostFormValue("key"), DocNo: c.r.PostFormValue("doc_no"), Rows: rows}
		if o.Day, err = formDay(c.r.PostFormValue("day")); err != nil {
			return err
		}
	} else {
		var b openingJSON
		if err := decodeJSON(c.r, &b); err != nil {
			return err
		}
		o = adopt.Opening{Key: b.Key, DocNo: b.DocNo}
		if o.Day, err = formDay(b.Day); err != nil {
			return err
		}
		for i, r := range b.Rows {
			o.Rows = append(o.Rows, adopt.Row{Line: i + 1, Account: r.Account, Channel: r.Channel, Amount: r.Amount})
		}
	}
	in, err := s.d.Adopt.Propose(c.r.Context(), c.p, o)
	if err != nil {
		return s.openingAPIError(w, c, err)
	}
	return writeInstruction(w, in)
}

// openingAPIError answers row errors with every row listed, in the
// language asked for; other errors as every API error.
func (s *Server) openingAPIError(w http.ResponseWriter, c *call, err error) error {
	if writeRows(w, c, err) {
		return nil
	}
	return err
}
