package web

import (
	"net/http"
	"net/url"
	"strconv"

	"onepool/internal/errs"
)

// Paging of the lists: pages take ?page= (1-based, listSize rows), the
// API takes ?offset= and ?limit=; both say the total.

const listSize = 50

// Pager is a list page's position and its links (the filters kept).
type Pager struct {
	Total, Page, Pages, Size int
	// More: there are more than Total rows (a count capped at Total, see
	// ledger.CountCap); the last page is then not linked.
	More                    bool
	First, Prev, Next, Last string // links, "" when there is none
}

// pagerCapped is pagerFor of a count capped at limit (a count of limit+1
// means "more than limit").
func pagerCapped(r *http.Request, total, page, size, limit int) Pager {
	if total <= limit {
		return pagerFor(r, total, page, size)
	}
	p := pagerFor(r, limit, page, size)
	p.Total, p.More, p.Last = limit, true, ""
	return p
}

// Offset is the first row of the page.
func (p Pager) Offset() int { return (p.Page - 1) * p.Size }

// pageNumber is the ?page= of a list page (1 when absent).
func pageNumber(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, errs.F(errs.Invalid, "invalid_query", "page", "page must be a positive whole number")
	}
	return n, nil
}

// pagerFor builds the pager of a list of total rows at page (the page is
// clamped to the last), its links keeping the request's other parameters.
func pagerFor(r *http.Request, total, page, size int) Pager {
	p := Pager{Total: total, Page: page, Size: size, Pages: max(1, (total+size-1)/size)}
	p.Page = min(max(p.Page, 1), p.Pages)
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("csrf")
		if n == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		return u.String()
	}
	if p.Page > 1 {
		p.First, p.Prev = link(1), link(p.Page-1)
	}
	if p.Page < p.Pages {
		p.Next, p.Last = link(p.Page+1), link(p.Pages)
	}
	return p
}

// offsetLimit reads an API list's ?offset= (default 0) and ?limit=
// (default def, at most most).
func offsetLimit(r *http.Request, def, most int) (offset, limit int, err error) {
	q := r.URL.Query()
	limit = def
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, errs.F(errs.Invalid, "invalid_query", "offset", "offset must be a non-negative whole number")
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > most {
			return 0, 0, errs.F(errs.Invalid, "invalid_query", "limit", "limit must be 1–%d", most)
		}
	}
	return offset, limit, nil
}

// listPage is the JSON envelope's paging part: every list route returns
// total, offset and limit beside its rows ([] when none).
type listPage struct {
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}
