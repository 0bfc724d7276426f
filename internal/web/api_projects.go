package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/projects"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// The projects API under /api/v1/projects/{county}: the library, a
// project with its review, notice and lifecycle, and every action the
// pages offer.

type goalJSON struct {
	Indicator string `json:"indicator"`
	Target    string `json:"target"`
}

type libProjectJSON struct {
	Code           string     `json:"code"`
	Name           string     `json:"name"`
	Place          string     `json:"place"`
	Purpose        string     `json:"purpose"`
	Department     string     `json:"department"`
	Collective     bool       `json:"collective"`
	Status         string     `json:"status"`
	PlanYear       int        `json:"plan_year"`
	Unit           string     `json:"unit"`
	Leader         string     `json:"leader"`
	Team           string     `json:"team"`
	Budget         Amount     `json:"budget"`
	Goals          []goalJSON `json:"goals"`
	LinkMode       string     `json:"link_mode"`
	LinkHouseholds int        `json:"link_households"`
	LinkDetail     string     `json:"link_detail"`
	AssetState     string     `json:"asset_state,omitempty"`
	Score          *int       `json:"score,omitempty"`
}

func toLibJSON(p projects.Project) libProjectJSON {
	out := libProjectJSON{Code: p.Code, Name: p.Name, Place: string(p.Place), Purpose: p.Purpose, Department: p.Department, Collective: p.Collective, Status: p.Status,
		PlanYear: p.PlanYear, Unit: p.Unit, Leader: p.Leader, Team: p.Team, Budget: Amount(p.Budget), Goals: []goalJSON{}, LinkMode: p.LinkMode,
		LinkHouseholds: p.LinkHouseholds, LinkDetail: p.LinkDetail, AssetState: p.AssetState}
	for _, g := range p.Goals {
		out.Goals = append(out.Goals, goalJSON(g))
	}
	if p.Score >= 0 {
		sc := p.Score
		out.Score = &sc
	}
	return out
}

func (b libProjectJSON) project() projects.Project {
	var p projects.Project
	p.Code, p.Name, p.Place, p.Purpose, p.Department, p.Collective = b.Code, b.Name, place.Code(b.Place), b.Purpose, b.Department, b.Collective
	p.PlanYear, p.Unit, p.Leader, p.Team, p.Budget = b.PlanYear, b.Unit, b.Leader, b.Team, b.Budget.Fen()
	p.LinkMode, p.LinkHouseholds, p.LinkDetail = b.LinkMode, b.LinkHouseholds, b.LinkDetail
	for _, g := range b.Goals {
		p.Goals = append(p.Goals, projects.Goal(g))
	}
	return p
}

func (s *Server) apiLibrary(w http.ResponseWriter, c *call) error {
	f, _, err := c.libraryFilter()
	if err != nil {
		return err
	}
	if l := c.r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return errs.F(errs.Invalid, "invalid_limit", "limit", "limit must be 1 … 1000")
		}
		f.Limit = n
	}
	ps, total, err := s.d.Projects.Library(c.r.Context(), c.p.County, f)
	if err != nil {
		return err
	}
	out := make([]libProjectJSON, len(ps))
	for i, p := range ps {
		out[i] = toLibJSON(p)
	}
	writeJSON(w, http.StatusOK, libraryAnswer{Projects: out, Total: total})
	return nil
}

func (s *Server) apiCreateProject(w http.ResponseWriter, c *call) error {
	var b libProjectJSON
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	in := b.project()
	if err := auth.CheckNewCode(c.p, strings.TrimSpace(in.Code), in.Place); err != nil {
		return err
	}
	p, err := s.d.Projects.Create(c.r.Context(), c.p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, projectCreated{Project: toLibJSON(p)})
	return nil
}

type recordJSON struct {
	Step        int       `json:"step"`
	StepName    string    `json:"step_name"`
	Role        string    `json:"role"`
	Actor       string    `json:"actor"`
	Decision    string    `json:"decision"`
	ToStep      int       `json:"to_step"`
	Opinion     string    `json:"opinion"`
	Attachments []int64   `json:"attachments"`
	At          time.Time `json:"at"`
}

type itemJSON struct {
	ID       int64           `json:"id"`
	State    string          `json:"state"`
	Step     int             `json:"step"`
	Chain    []workflow.Step `json:"chain"`
	Frozen   bool            `json:"frozen"`
	Maker    string          `json:"maker"`
	DueAt    *time.Time      `json:"due_at,omitempty"`
	Overdue  bool            `json:"overdue"`
	NoticeID int64           `json:"notice_id,omitempty"`
	History  []recordJSON    `json:"history,omitempty"`
}

func toItemJSON(it workflow.Item, now time.Time, hist []workflow.Record) itemJSON {
	out := itemJSON{ID: it.ID, State: it.State, Step: it.Step, Chain: it.Chain, Frozen: it.Frozen, Maker: it.Maker, Overdue: it.Overdue(now), NoticeID: it.NoticeID}
	if !it.DueAt.IsZero() {
		d := it.DueAt
		out.DueAt = &d
	}
	for _, h := range hist {
		out.History = append(out.History, recordJSON{h.Step, h.StepName, h.Role, h.Actor, h.Decision, h.ToStep, h.Opinion, h.Attachments, h.At})
	}
	return out
}

type objectionJSON struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Body    string `json:"body"`
	Status  string `json:"status"`
	Reply   string `json:"reply,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// The answers of the projects API, one struct each.
type (
	libraryAnswer struct {
		Projects []libProjectJSON `json:"projects"`
		Total    int              `json:"total"`
	}
	projectCreated struct {
		Project libProjectJSON `json:"project"`
	}
	projectNoticeJSON struct {
		ID         int64           `json:"id"`
		Title      string          `json:"title"`
		Starts     string          `json:"starts"`
		Ends       string          `json:"ends"`
		Running    bool            `json:"running"`
		Objections []objectionJSON `json:"objections"`
	}
	fileOut struct {
		ID          int64     `json:"id"`
		Kind        string    `json:"kind"`
		Name        string    `json:"name"`
		Version     int       `json:"version"`
		SHA256      string    `json:"sha256"`
		Size        int64     `json:"size"`
		ContentType string    `json:"content_type"`
		UploadedBy  string    `json:"uploaded_by"`
		UploadedAt  time.Time `json:"uploaded_at"`
	}
	fileAnswer struct {
		File fileOut `json:"file"`
	}
	eventJSON struct {
		From  string    `json:"from"`
		To    string    `json:"to"`
		Day   string    `json:"day"`
		Note  string    `json:"note"`
		Actor string    `json:"actor"`
		At    time.Time `json:"at"`
	}
	inspectionJSON struct {
		Phase     string  `json:"phase"`
		Day       string  `json:"day"`
		Inspector string  `json:"inspector"`
		Findings  string  `json:"findings"`
		Actor     string  `json:"actor"`
		Files     []int64 `json:"files"`
	}
	trackingJSON struct {
		Day       string `json:"day"`
		Indicator string `json:"indicator"`
		Value     string `json:"value"`
		Note      string `json:"note"`
		Actor     string `json:"actor"`
	}
	violationJSON struct {
		Kind      string    `json:"kind"` // reclaim, switch
		Amount    Amount    `json:"amount"`
		AmountFen int64     `json:"amount_fen"`
		ToProject string    `json:"to_project"`
		Transfers []int64   `json:"transfers"`
		Reason    string    `json:"reason"`
		Actor     string    `json:"actor"`
		At        time.Time `json:"at"`
	}
	// projectDetail is a project with its review, notice, volume,
	// lifecycle and money.
	projectDetail struct {
		Project     libProjectJSON     `json:"project"`
		Allocated   Amount             `json:"allocated"`
		Paid        Amount             `json:"paid"`
		Held        Amount             `json:"held"`
		Review      *itemJSON          `json:"review,omitempty"`
		Notice      *projectNoticeJSON `json:"notice,omitempty"`
		Files       []fileOut          `json:"files"`
		Events      []eventJSON        `json:"events"`
		Inspections []inspectionJSON   `json:"inspections"`
		Tracking    []trackingJSON     `json:"tracking"`
		Violations  []violationJSON    `json:"violations"`
	}
	objectionAnswer struct {
		Objection objectionJSON `json:"objection"`
	}
	queueRowJSON struct {
		ID        int64     `json:"id"`
		Kind      string    `json:"kind"`
		Subject   string    `json:"subject"`
		Title     string    `json:"title"`
		Place     string    `json:"place"`
		Step      string    `json:"step"`
		State     string    `json:"state"`
		Overdue   bool      `json:"overdue"`
		Frozen    bool      `json:"frozen"`
		EnteredAt time.Time `json:"entered_at"`
		StepRole  string    `json:"step_role,omitempty"`
		StepLevel string    `json:"step_level,omitempty"`
	}
	queueAnswer struct {
		Queue   []queueRowJSON `json:"queue"`
		Waiting []queueRowJSON `json:"waiting"`
	}
	townshipJSON struct {
		Township string         `json:"township"`
		Name     string         `json:"name"`
		Counts   map[string]int `json:"counts"` // by status
		Total    int            `json:"total"`
	}
	townshipsAnswer struct {
		Townships []townshipJSON `json:"townships"`
	}
	publicNoticeJSON struct {
		ID      int64    `json:"id"`
		Title   string   `json:"title"`
		Body    string   `json:"body"`
		Starts  string   `json:"starts"`
		Ends    string   `json:"ends"`
		Running bool     `json:"running"`
		Places  []string `json:"places"`
	}
	publicNoticesAnswer struct {
		Notices []publicNoticeJSON `json:"notices"`
	}
	filedJSON struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	filedAnswer struct {
		Objection filedJSON `json:"objection"`
	}
)

func (s *Server) apiProject(w http.ResponseWriter, c *call) error {
	v, err := s.projectView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	out := projectDetail{Project: toLibJSON(v.P), Allocated: Amount(v.Money.Total.Allocated), Paid: Amount(v.Money.Total.Paid), Held: Amount(v.Money.Total.Held),
		Files: []fileOut{}, Events: []eventJSON{}, Inspections: []inspectionJSON{}, Tracking: []trackingJSON{}, Violations: []violationJSON{}}
	if v.Item != nil {
		it := toItemJSON(*v.Item, s.d.Clock(), v.History)
		out.Review = &it
	}
	if v.Notice != nil {
		n := projectNoticeJSON{ID: v.Notice.ID, Title: v.Notice.Title, Starts: v.Notice.Starts, Ends: v.Notice.Ends, Running: v.NoticeRunning, Objections: []objectionJSON{}}
		for _, o := range v.Objections {
			n.Objections = append(n.Objections, objectionJSON{o.ID, o.Kind, o.Body, o.Status, o.Reply, o.Contact})
		}
		out.Notice = &n
	}
	for _, f := range v.Files {
		out.Files = append(out.Files, fileJSON(f))
	}
	for _, e := range v.Events {
		out.Events = append(out.Events, eventJSON{From: e.From, To: e.To, Day: e.Day, Note: e.Note, Actor: e.Actor, At: e.At})
	}
	for _, in := range v.Inspections {
		out.Inspections = append(out.Inspections, inspectionJSON{Phase: in.Phase, Day: in.Day, Inspector: in.Inspector, Findings: in.Findings, Actor: in.Actor, Files: in.Files})
	}
	for _, t := range v.Tracking {
		out.Tracking = append(out.Tracking, trackingJSON{Day: t.Day, Indicator: t.Indicator, Value: t.Value, Note: t.Note, Actor: t.Actor})
	}
	for _, vi := range v.Violations {
		out.Violations = append(out.Violations, violationJSON{Kind: vi.Kind, Amount: Amount(vi.Amount), AmountFen: vi.Amount, ToProject: vi.ToProject, Transfers: vi.Transfers,
			Reason: vi.Reason, Actor: vi.Actor, At: vi.At})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func fileJSON(f volume.File) fileOut {
	return fileOut{ID: f.ID, Kind: f.Kind, Name: f.Name, Version: f.Version, SHA256: f.SHA256, Size: f.Size, ContentType: f.ContentType,
		UploadedBy: f.UploadedBy, UploadedAt: f.UploadedAt}
}

// apiProjectAction runs an action on a visible project and answers with
// the project as it is afterwards.
func (s *Server) apiProjectAction(w http.ResponseWriter, c *call, body any, do func(p projects.Project) error) error {
	p, err := c.libProject(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	if body != nil {
		if err := decodeJSON(c.r, body); err != nil {
			return err
		}
	}
	if err := do(p); err != nil {
		return err
	}
	return s.apiProject(w, c)
}

func (s *Server) apiUpdateProject(w http.ResponseWriter, c *call) error {
	var b libProjectJSON
	return s.apiProjectAction(w, c, &b, func(cur projects.Project) error {
		p := b.project()
		p.Code, p.Place, p.Name, p.Purpose, p.Department, p.Collective = cur.Code, cur.Place, cur.Name, cur.Purpose, cur.Department, cur.Collective
		_, err := s.d.Projects.Update(c.r.Context(), c.p, p)
		return err
	})
}

func (s *Server) apiSubmitProject(w http.ResponseWriter, c *call) error {
	var b struct {
		Opinion string `json:"opinion"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		_, err := s.d.Projects.Submit(c.r.Context(), c.p, p.Code, b.Opinion)
		return err
	})
}

func (s *Server) apiDecideProject(w http.ResponseWriter, c *call) error {
	var b struct {
		Action  string `json:"action"`
		ToStep  int    `json:"to_step"`
		Opinion string `json:"opinion"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		d, err := decision(b.Action, strconv.Itoa(b.ToStep), b.Opinion)
		if err != nil {
			return err
		}
		_, err = s.d.Projects.Decide(c.r.Context(), c.p, p.Code, d)
		return err
	})
}

func (s *Server) apiOpenNotice(w http.ResponseWriter, c *call) error {
	var b struct {
		Title  string   `json:"title"`
		Body   string   `json:"body"`
		Starts string   `json:"starts"`
		Ends   string   `json:"ends"`
		Places []string `json:"places"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		in, err := noticeInput(b.Title, b.Body, b.Starts, b.Ends, "")
		if err != nil {
			return err
		}
		for _, pl := range b.Places {
			in.Places = append(in.Places, place.Code(pl))
		}
		_, err = s.d.Projects.OpenNotice(c.r.Context(), c.p, p.Code, in)
		return err
	})
}

func (s *Server) apiFreezeProject(w http.ResponseWriter, c *call) error {
	var b struct {
		Frozen *bool  `json:"frozen"`
		Reason string `json:"reason"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		if b.Frozen == nil {
			return errs.F(errs.Invalid, "invalid_decision", "frozen", "frozen must be true or false")
		}
		_, err := s.d.Projects.Freeze(c.r.Context(), c.p, p.Code, *b.Frozen, b.Reason)
		return err
	})
}

func (s *Server) apiAdvanceProject(w http.ResponseWriter, c *call) error {
	var b struct {
		To   string `json:"to"`
		Note string `json:"note"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		_, err := s.d.Projects.Advance(c.r.Context(), c.p, p.Code, b.To, b.Note)
		return err
	})
}

func (s *Server) apiTrackProject(w http.ResponseWriter, c *call) error {
	var b struct {
		Indicator string `json:"indicator"`
		Value     string `json:"value"`
		Note      string `json:"note"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		return s.d.Projects.Track(c.r.Context(), c.p, p.Code, projects.Tracking{Indicator: b.Indicator, Value: b.Value, Note: b.Note})
	})
}

func (s *Server) apiInspectProject(w http.ResponseWriter, c *call) error {
	var b struct {
		Phase     string `json:"phase"`
		Inspector string `json:"inspector"`
		Findings  string `json:"findings"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		_, err := s.d.Projects.Inspect(c.r.Context(), c.p, p.Code, projects.Inspection{Phase: b.Phase, Inspector: b.Inspector, Findings: b.Findings}, nil)
		return err
	})
}

func (s *Server) apiEvaluateProject(w http.ResponseWriter, c *call) error {
	var b struct {
		Score *int   `json:"score"`
		Note  string `json:"note"`
	}
	return s.apiProjectAction(w, c, &b, func(p projects.Project) error {
		if b.Score == nil {
			return errs.F(errs.Invalid, "invalid_score", "score", "the score is a whole number 0 to 100")
		}
		return s.d.Projects.Evaluate(c.r.Context(), c.p, p.Code, *b.Score, b.Note)
	})
}

func (s *Server) apiReclaimProject(w http.ResponseWriter, c *call) error {
	var b struct {
		To     string `json:"to"`
		Reason string `json:"reason"`
	}
	p, err := c.libProject(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	in, err := s.d.Projects.Reclaim(c.r.Context(), c.p, p.Code, b.To, b.Reason)
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

// apiAttachFile stores the request body as one document (?kind=&name=).
func (s *Server) apiAttachFile(w http.ResponseWriter, c *call) error {
	p, err := c.libProject(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	fs, err := s.d.Projects.Attach(c.r.Context(), c.p, p.Code, []projects.Upload{{Kind: q.Get("kind"), Name: q.Get("name"), R: http.MaxBytesReader(w, c.r.Body, volume.MaxFileBytes+1)}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, fileAnswer{File: fileJSON(fs[0])})
	return nil
}

func (s *Server) apiAnswerObjection(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "not_found", "objection", "no such objection")
	}
	if _, _, _, err := s.objectionFor(c, id); err != nil {
		return err
	}
	var b struct {
		Upheld *bool  `json:"upheld"`
		Reply  string `json:"reply"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if b.Upheld == nil {
		return errs.F(errs.Invalid, "invalid_decision", "upheld", "upheld must be true or false")
	}
	o, err := s.d.Projects.Answer(c.r.Context(), c.p, id, *b.Upheld, b.Reply)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, objectionAnswer{Objection: objectionJSON{o.ID, o.Kind, o.Body, o.Status, o.Reply, o.Contact}})
	return nil
}

func (s *Server) apiQueue(w http.ResponseWriter, c *call) error {
	rows, waiting, err := s.queueAndWaiting(c, true)
	if err != nil {
		return err
	}
	toJSON := func(rows []queueRow) []queueRowJSON {
		out := []queueRowJSON{}
		for _, r := range rows {
			q := queueRowJSON{ID: r.ID, Kind: r.Kind, Subject: r.Subject, Title: r.Title, Place: string(r.Place), Step: r.StepName, State: r.State,
				Overdue: r.Overdue, Frozen: r.Frozen, EnteredAt: r.EnteredAt}
			if cur, ok := r.Current(); ok {
				q.StepRole, q.StepLevel = cur.Role, cur.Level
			}
			out = append(out, q)
		}
		return out
	}
	writeJSON(w, http.StatusOK, queueAnswer{Queue: toJSON(rows), Waiting: toJSON(waiting)})
	return nil
}

func (s *Server) apiTownships(w http.ResponseWriter, c *call) error {
	f, _, err := c.libraryFilter()
	if err != nil {
		return err
	}
	counts, err := s.d.Projects.ByTownship(c.r.Context(), c.p.County, c.p.Prefix(), f.PlanYear)
	if err != nil {
		return err
	}
	out := []townshipJSON{}
	for _, t := range counts {
		out = append(out, townshipJSON{Township: string(t.Township), Name: s.d.Auth.PlaceName(c.r.Context(), t.Township), Counts: t.Counts, Total: t.Total})
	}
	writeJSON(w, http.StatusOK, townshipsAnswer{Townships: out})
	return nil
}

// apiPublicNotices lists the county's notices that have not ended (public).
func (s *Server) apiPublicNotices(w http.ResponseWriter, c *call) error {
	county := c.r.PathValue("county")
	today := clock.Day(s.d.Clock())
	ns, err := s.d.Workflow.Notices(c.r.Context(), county, county, today, 200)
	if err != nil {
		return err
	}
	out := []publicNoticeJSON{}
	for _, n := range ns {
		n = scrubNotice(n)
		pn := publicNoticeJSON{ID: n.ID, Title: n.Title, Body: n.Body, Starts: n.Starts, Ends: n.Ends, Running: n.Running(today), Places: []string{}}
		for _, pl := range n.Places {
			pn.Places = append(pn.Places, string(pl))
		}
		out = append(out, pn)
	}
	writeJSON(w, http.StatusOK, publicNoticesAnswer{Notices: out})
	return nil
}

// apiFileObjection takes an objection from anyone (no token needed).
func (s *Server) apiFileObjection(w http.ResponseWriter, c *call) error {
	county := c.r.PathValue("county")
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "not_found", "notice", "no such notice")
	}
	n, err := s.d.Workflow.Notice(c.r.Context(), county, id)
	if err != nil || n.State != "posted" {
		return errs.F(errs.NotFound, "not_found", "notice", "no such notice")
	}
	var b workflow.ObjectionInput
	var raw struct {
		Kind    string `json:"kind"`
		Name    string `json:"name"`
		Contact string `json:"contact"`
		Body    string `json:"body"`
	}
	if err := decodeJSON(c.r, &raw); err != nil {
		return err
	}
	days, _ := s.reviewRules(c, county)
	b = workflow.ObjectionInput{Kind: raw.Kind, Name: raw.Name, Contact: raw.Contact, Body: raw.Body, ReplyDays: days}
	if !s.objections.allow(s.clientIP(c.r), s.d.Clock(), objectionLimit, time.Hour) {
		return errTooManyObjections
	}
	actor := "public"
	if !c.p.IsPublic() {
		actor = c.p.Username
	}
	o, err := s.d.Workflow.FileObjection(c.r.Context(), actor, county, id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, filedObjectionResponse{Objection: filedObjectionJSON{ID: o.ID, Receipt: o.Receipt, Status: o.Status, DueAt: timeOrNil(o.DueAt)}})
	return nil
}
