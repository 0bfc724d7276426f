// The decision form shared by every review chain: a decision, a notice, the files attached.

package web

import (
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/projects"
	"onepool/internal/workflow"
)

// decision reads a review decision from a form or JSON.
func decision(action, to, opinion string) (workflow.Decision, error) {
	d := workflow.Decision{Action: action, Opinion: opinion}
	switch action {
	case workflow.Approve, workflow.Reject:
	case workflow.Return:
		n, err := strconv.Atoi(to)
		if err != nil {
			return d, errs.F(errs.Invalid, "invalid_return", "to_step", "choose the step to return to")
		}
		d.ToStep = n
	default:
		return d, errs.F(errs.Invalid, "invalid_decision", "action", "decision must be approve, return or reject")
	}
	return d, nil
}

func noticeInput(title, body, starts, ends, places string) (workflow.NoticeInput, error) {
	in := workflow.NoticeInput{Title: title, Body: body, Starts: strings.TrimSpace(starts), Ends: strings.TrimSpace(ends)}
	if in.Starts == "" || in.Ends == "" {
		return in, errs.F(errs.Invalid, "invalid_date", "ends", "give the notice's first and last day")
	}
	for _, pl := range strings.FieldsFunc(places, func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		in.Places = append(in.Places, place.Code(pl))
	}
	return in, nil
}

// uploads reads the files of a multipart form field.
func uploads(r *http.Request, field, kind string) ([]projects.Upload, func(), error) {
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(8 << 20); err != nil && err != http.ErrNotMultipart {
			return nil, func() {}, errs.F(errs.Invalid, "invalid_form", "file", "the upload could not be read: %v", err)
		}
	}
	var out []projects.Upload
	var open []multipart.File
	done := func() {
		for _, f := range open {
			f.Close()
		}
	}
	if r.MultipartForm == nil {
		return nil, done, nil
	}
	for _, fh := range r.MultipartForm.File[field] {
		f, err := fh.Open()
		if err != nil {
			done()
			return nil, func() {}, errs.F(errs.Invalid, "invalid_form", "file", "the upload could not be read")
		}
		open = append(open, f)
		out = append(out, projects.Upload{Kind: kind, Name: fh.Filename, R: io.Reader(f)})
	}
	return out, done, nil
}
