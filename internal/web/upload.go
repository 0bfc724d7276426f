package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/tabular"
)

// uploadLimit bounds an import's request body: tabular's limit on the
// file, and room for the form around it.
const uploadLimit = tabular.MaxBytes + 1<<20

// parseUpload parses a multipart form keeping at most 1 MiB in memory:
// an uploaded file beyond it waits in a temporary file (removed when the
// request ends), not in the heap. A body beyond the limit is too_large.
func parseUpload(r *http.Request) error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil
	}
	err := r.ParseMultipartForm(1 << 20)
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return errs.F(errs.Invalid, "too_large", "file", "the file is larger than %d MiB", tabular.MaxBytes>>20)
	}
	return nil // other errors: the handler finds no file or field
}

// formFile is the form's uploaded "file". A body beyond the limit is
// too_large; no file is missing, the page's own missing_file refusal
// (errs.F with a literal format, so that the catalogue has its Chinese).
func formFile(c *call, missing error) (multipart.File, error) {
	f, _, err := c.r.FormFile("file")
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return nil, errs.F(errs.Invalid, "too_large", "file", "the file is larger than %d MiB", tabular.MaxBytes>>20)
		}
		return nil, missing
	}
	return f, nil
}

// importBody is an API import's body, bounded; call done when the import
// is over: it drains what the import left unread (up to the bound), so
// that a client still sending a refused file reads the answer rather than
// a reset connection. Memory stays flat: the rest is discarded as read.
func importBody(w http.ResponseWriter, c *call) (body io.Reader, done func()) {
	b := http.MaxBytesReader(w, c.r.Body, uploadLimit)
	return b, func() { io.Copy(io.Discard, b) }
}
