// The queue (我的待办): what the user can act on now, and what waits for others.

package web

import (
	"net/http"
	"net/url"

	"onepool/internal/instruct"
	"onepool/internal/projects"
	"onepool/internal/relief"
	"onepool/internal/workflow"
)

type queueRow struct {
	workflow.Item
	PlaceName string
	StepName  string
	Overdue   bool
	Link      string
	// WhoRole and WhoPlace say who must act (the current step's role and
	// place), for the items waiting for others.
	WhoRole, WhoPlace string
}

type queueView struct {
	Page
	Rows    []queueRow // what the user can act on now
	Waiting []queueRow // the user's own items (and the queue's others), waiting for someone else
	// Objections are the open objections the user's office answers.
	Objections []objectionRow
}

// queueRows is what the user can act on now: the items at a step of their
// role and place that they may take (not their own, not frozen, not
// already signed by them).
func (s *Server) queueRows(c *call) ([]queueRow, error) {
	rows, _, err := s.queueAndWaiting(c, false)
	return rows, err
}

// queueAndWaiting splits the queue into what the user can act on now and
// what waits for someone else; with waiting it adds the user's own pending
// submissions, each saying who must act.
func (s *Server) queueAndWaiting(c *call, waiting bool) (now, others []queueRow, err error) {
	items, err := s.d.Workflow.Queue(c.r.Context(), c.p, "", 200)
	if err != nil {
		return nil, nil, err
	}
	seen := map[int64]bool{}
	for _, it := range items {
		seen[it.ID] = true
		if it.CanTake(c.p) {
			now = append(now, s.queueRow(c, it))
		} else if waiting {
			others = append(others, s.queueRow(c, it))
		}
	}
	if !waiting {
		return now, nil, nil
	}
	mine, err := s.d.Workflow.Waiting(c.r.Context(), c.p, 100)
	if err != nil {
		return nil, nil, err
	}
	for _, it := range mine {
		if !seen[it.ID] {
			others = append(others, s.queueRow(c, it))
		}
	}
	return now, others, nil
}

func (s *Server) queueRow(c *call, it workflow.Item) queueRow {
	ctx := c.r.Context()
	r := queueRow{Item: it, PlaceName: s.d.Auth.PlaceName(ctx, it.Place), Overdue: it.Overdue(s.d.Clock())}
	if cur, ok := it.Current(); ok {
		r.StepName = cur.Name
		r.WhoRole = translate(c.lang, "role."+cur.Role)
		at := it.Place.County()
		switch cur.Level {
		case "village":
			at = it.Place
		case "township":
			at = it.Place.Township()
		}
		r.WhoPlace = s.d.Auth.PlaceName(ctx, at)
	}
	switch it.Kind {
	case projects.Kind:
		r.Link = "/projects/" + url.PathEscape(it.Subject)
	case instruct.WorkflowKind:
		r.Link = "/instructions/" + url.PathEscape(it.Subject)
	case relief.Kind:
		r.Link = "/relief/applications/" + url.PathEscape(it.Subject)
	}
	return r
}

func (s *Server) queuePage(w http.ResponseWriter, c *call) error {
	rows, waiting, err := s.queueAndWaiting(c, true)
	if err != nil {
		return err
	}
	objections, err := s.objectionRows(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "queue", queueView{Page: c.page(translate(c.lang, "queue.title"), "projects"), Rows: rows, Waiting: waiting, Objections: objections})
}
