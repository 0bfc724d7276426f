// The asset register's JSON API (see docs/API.md): the list, one asset
// with its legs, shares, handovers, upkeep, history and disposals, and the
// writes — register, import, 确权, handover, upkeep, disposal request and
// decision. Writes are idempotent by their natural key: the same request
// again answers 200 with Idempotent-Replayed: true and writes nothing.

package web

import (
	"bytes"
	"encoding/base64"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"onepool/internal/assets"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
)

type assetLegJSON struct {
	Channel string `json:"channel"`
	Name    string `json:"channel_name,omitempty"` // on the register's legs
	Amount  Amount `json:"amount"`
}

type assetShareJSON struct {
	Village string `json:"village"`
	Share   int64  `json:"share_bp"` // basis points
}

type assetJSON struct {
	ID           int64            `json:"id"`
	Code         string           `json:"code"`
	Project      string           `json:"project"`
	Name         string           `json:"name"`
	Type         string           `json:"type"`
	Category     string           `json:"category"`
	Place        string           `json:"place"`
	Location     string           `json:"location"`
	Quantity     string           `json:"quantity"`
	Unit         string           `json:"unit"`
	Value        Amount           `json:"value"`
	BookValue    Amount           `json:"book_value"`
	BuiltOn      string           `json:"built_on"`
	Status       string           `json:"status"`
	UseState     string           `json:"use_state"`
	OwnerKind    string           `json:"owner_kind"`
	Owner        string           `json:"owner"`
	OwnerName    string           `json:"owner_name"`
	ConfirmDoc   string           `json:"confirm_doc"`
	KeeperUnit   string           `json:"keeper_unit"`
	KeeperPerson string           `json:"keeper_person"`
	Account      string           `json:"account"`
	Legs         []assetLegJSON   `json:"legs"`
	Shares       []assetShareJSON `json:"shares"`
}

// eventDetailJSON is one detail of an event (keys like leg:ZX name a
// channel, so they are values here, not JSON keys).
type eventDetailJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type assetEventJSON struct {
	Seq    int               `json:"seq"`
	Action string            `json:"action"`
	Detail []eventDetailJSON `json:"detail"`
	Actor  string            `json:"actor"`
	At     string            `json:"at"`
}

type handoverJSON struct {
	Seq               int     `json:"seq"`
	FromUnit          string  `json:"from_unit"`
	ToUnit            string  `json:"to_unit"`
	Day               string  `json:"day"`
	DocNo             string  `json:"doc_no"`
	Note              string  `json:"note"`
	Files             []int64 `json:"files"`
	ProjectHandedOver bool    `json:"project_handed_over"`
}

type upkeepJSON struct {
	Seq         int     `json:"seq"`
	Kind        string  `json:"kind"`
	Day         string  `json:"day"`
	Cost        Amount  `json:"cost"`
	Instruction int64   `json:"instruction"`
	Note        string  `json:"note"`
	Files       []int64 `json:"files"`
}

type upkeepPlanJSON struct {
	EveryMonths int    `json:"every_months"`
	NextDue     string `json:"next_due"`
}

type disposalJSON struct {
	ID         int64  `json:"id"`
	Asset      int64  `json:"asset"`
	Kind       string `json:"kind"`
	Reason     string `json:"reason"`
	Resolution string `json:"resolution"`
	Minutes    int64  `json:"minutes_file"`
	Proceeds   Amount `json:"proceeds"`
	Item       int64  `json:"review_item"`
	State      string `json:"state"`
	Transfer   int64  `json:"transfer"`
	CreatedBy  string `json:"created_by"`
	DecidedBy  string `json:"decided_by"`
}

type assetsAnswer struct {
	Assets []assetJSON `json:"assets"`
	pageOf
}

type assetAnswer struct {
	Asset     assetJSON        `json:"asset"`
	Handovers []handoverJSON   `json:"handovers"`
	Plan      *upkeepPlanJSON  `json:"upkeep_plan"`
	Upkeep    []upkeepJSON     `json:"upkeep"`
	Events    []assetEventJSON `json:"events"`
	Disposals []disposalJSON   `json:"disposals"`
}

func (s *Server) toAssetJSON(c *call, a assets.Asset, names map[string]string) assetJSON {
	j := assetJSON{ID: a.ID, Code: a.Code, Project: a.Project, Name: a.Name, Type: a.Type, Category: a.Category, Place: string(a.Place), Location: a.Location,
		Quantity: assets.QuantityText(a.Quantity), Unit: a.Unit, Value: Amount(a.Value), BookValue: Amount(a.BookValue), BuiltOn: a.BuiltOn, Status: a.Status,
		UseState: a.UseState, OwnerKind: a.OwnerKind, Owner: a.Owner, ConfirmDoc: a.ConfirmDoc, KeeperUnit: a.KeeperUnit, KeeperPerson: a.KeeperPerson,
		Account: a.Account, Legs: []assetLegJSON{}, Shares: []assetShareJSON{}}
	if names != nil {
		j.OwnerName = s.d.Assets.OwnerName(c.r.Context(), a)
	}
	for _, l := range a.Legs {
		j.Legs = append(j.Legs, assetLegJSON{Channel: l.Channel, Name: names[l.Channel], Amount: Amount(l.Amount)})
	}
	for _, sh := range a.Shares {
		j.Shares = append(j.Shares, assetShareJSON{Village: string(sh.Village), Share: sh.Share})
	}
	return j
}

func toDisposalJSON(d assets.Disposal) disposalJSON {
	return disposalJSON{ID: d.ID, Asset: d.Asset, Kind: d.Kind, Reason: d.Reason, Resolution: d.Resolution, Minutes: d.Minutes, Proceeds: Amount(d.Proceeds),
		Item: d.Item, State: d.State, Transfer: d.Transfer, CreatedBy: d.CreatedBy, DecidedBy: d.DecidedBy}
}

func (s *Server) apiAssets(w http.ResponseWriter, c *call) error {
	f, err := assetFilter(c)
	if err != nil {
		return err
	}
	if f.Offset, f.Limit, err = offsetLimit(c.r, 100, 1000); err != nil {
		return err
	}
	as, total, err := s.d.Assets.List(c.r.Context(), c.p, f)
	if err != nil {
		return err
	}
	out := []assetJSON{}
	for _, a := range as {
		out = append(out, s.toAssetJSON(c, a, nil))
	}
	writeJSON(w, http.StatusOK, assetsAnswer{Assets: out, pageOf: pageOf{Total: total, Offset: f.Offset, Limit: f.Limit}})
	return nil
}

func (s *Server) channelNames(c *call) map[string]string {
	names := map[string]string{}
	if chs, err := s.d.Ledger.Channels(c.r.Context(), c.p.County); err == nil {
		for _, ch := range chs {
			names[ch.Code] = ch.Name
		}
	}
	return names
}

func (s *Server) apiAssetID(c *call) (assets.Asset, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return assets.Asset{}, assets.NotFound()
	}
	return s.d.Assets.Get(c.r.Context(), c.p, id)
}

func (s *Server) assetAnswerOf(c *call, a assets.Asset) (assetAnswer, error) {
	ctx := c.r.Context()
	out := assetAnswer{Asset: s.toAssetJSON(c, a, s.channelNames(c)), Handovers: []handoverJSON{}, Upkeep: []upkeepJSON{}, Events: []assetEventJSON{}, Disposals: []disposalJSON{}}
	hs, err := s.d.Assets.Handovers(ctx, c.p, a.ID)
	if err != nil {
		return out, err
	}
	for _, h := range hs {
		out.Handovers = append(out.Handovers, handoverJSON{Seq: h.Seq, FromUnit: h.From, ToUnit: h.To, Day: h.Day, DocNo: h.DocNo, Note: h.Note, Files: h.Files})
	}
	if pl, ok, err := s.d.Assets.PlanOf(ctx, c.p, a.ID); err != nil {
		return out, err
	} else if ok {
		out.Plan = &upkeepPlanJSON{EveryMonths: pl.EveryMonths, NextDue: pl.NextDue}
	}
	us, err := s.d.Assets.Upkeeps(ctx, c.p, a.ID)
	if err != nil {
		return out, err
	}
	for _, u := range us {
		out.Upkeep = append(out.Upkeep, upkeepJSON{Seq: u.Seq, Kind: u.Kind, Day: u.Day, Cost: Amount(u.Cost), Instruction: u.Instruction, Note: u.Note, Files: u.Files})
	}
	evs, err := s.d.Assets.Events(ctx, c.p, a.ID)
	if err != nil {
		return out, err
	}
	for _, e := range evs {
		ev := assetEventJSON{Seq: e.Seq, Action: e.Action, Detail: []eventDetailJSON{}, Actor: e.Actor, At: e.At.UTC().Format("2006-01-02T15:04:05Z")}
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			ev.Detail = append(ev.Detail, eventDetailJSON{Key: k, Value: e.Detail[k]})
		}
		out.Events = append(out.Events, ev)
	}
	ds, err := s.d.Assets.Disposals(ctx, c.p, a.ID)
	if err != nil {
		return out, err
	}
	for _, d := range ds {
		out.Disposals = append(out.Disposals, toDisposalJSON(d))
	}
	return out, nil
}

func (s *Server) apiAsset(w http.ResponseWriter, c *call) error {
	a, err := s.apiAssetID(c)
	if err != nil {
		return err
	}
	out, err := s.assetAnswerOf(c, a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// replayed answers 200 with Idempotent-Replayed: true.
func (s *Server) writeAsset(w http.ResponseWriter, c *call, id int64, replayed bool) error {
	a, err := s.d.Assets.Get(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	out, err := s.assetAnswerOf(c, a)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, out)
	return nil
}

type assetIn struct {
	Code     string  `json:"code"`
	Project  string  `json:"project"`
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Category string  `json:"category"`
	Place    string  `json:"place"`
	Location string  `json:"location"`
	Quantity string  `json:"quantity"`
	Unit     string  `json:"unit"`
	Value    *Amount `json:"value"`
}

// apiRegisterAsset: 201 with the asset; the same code with the same
// project, name and value again is a replay (200); other content under
// the code is 409 asset_code_taken.
func (s *Server) apiRegisterAsset(w http.ResponseWriter, c *call) error {
	var b assetIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	n := assets.NewAsset{Code: b.Code, Project: b.Project, Name: b.Name, Type: b.Type, Category: b.Category, Place: place.Code(b.Place), Location: b.Location, Unit: b.Unit}
	if b.Value != nil {
		n.Value = money.Fen(*b.Value)
	}
	if strings.TrimSpace(b.Quantity) != "" {
		q, err := assets.ParseQuantity(b.Quantity)
		if err != nil {
			return err
		}
		n.Quantity = q
	}
	if code := strings.TrimSpace(b.Code); code != "" {
		if a, err := s.d.Assets.ByCode(c.r.Context(), c.p, code); err == nil && a.Project == strings.TrimSpace(b.Project) && a.Name == strings.TrimSpace(b.Name) && a.Value == n.Value {
			return s.writeAsset(w, c, a.ID, true)
		}
	}
	a, err := s.d.Assets.Register(c.r.Context(), c.p, n)
	if err != nil {
		return err
	}
	return s.writeAsset(w, c, a.ID, false)
}

func (s *Server) apiImportAssets(w http.ResponseWriter, c *call) error {
	body, done := importBody(w, c)
	defer done()
	n, err := s.d.Assets.Import(c.r.Context(), c.p, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, importedAnswer{Imported: n})
	return nil
}

type confirmIn struct {
	OwnerKind string           `json:"owner_kind"`
	Owner     string           `json:"owner"`
	Doc       string           `json:"confirm_doc"`
	Shares    []assetShareJSON `json:"shares"`
}

// apiConfirmAsset: 201; the same document again on an asset confirmed by
// it is a replay (200).
func (s *Server) apiConfirmAsset(w http.ResponseWriter, c *call) error {
	a, err := s.apiAssetID(c)
	if err != nil {
		return err
	}
	var b confirmIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if a.Status != assets.Registered && a.ConfirmDoc == strings.TrimSpace(b.Doc) && (b.Owner == "" || b.Owner == a.Owner) {
		return s.writeAsset(w, c, a.ID, true)
	}
	conf := assets.Confirmation{OwnerKind: b.OwnerKind, Owner: b.Owner, Doc: b.Doc}
	for _, sh := range b.Shares {
		conf.Shares = append(conf.Shares, assets.Share{Village: place.Code(sh.Village), Share: sh.Share})
	}
	if _, err := s.d.Assets.Confirm(c.r.Context(), c.p, a.ID, conf); err != nil {
		return err
	}
	return s.writeAsset(w, c, a.ID, false)
}

type fileIn struct {
	Name          string `json:"name"`
	ContentBase64 string `json:"content_base64"`
}

func (f fileIn) upload(field string) (assets.Upload, error) {
	b, err := base64.StdEncoding.DecodeString(f.ContentBase64)
	if err != nil || len(b) == 0 {
		return assets.Upload{}, errs.F(errs.Invalid, "invalid_file", field, "a file's content_base64 is its content in base64")
	}
	return assets.Upload{Name: f.Name, Body: bytes.NewReader(b)}, nil
}

type handoverIn struct {
	FromUnit string   `json:"from_unit"`
	ToUnit   string   `json:"to_unit"`
	Day      string   `json:"day"`
	DocNo    string   `json:"doc_no"`
	Note     string   `json:"note"`
	Files    []fileIn `json:"files"`
}

// apiAssetHandover: 201; the same handover (units, day, 文号) again is a
// replay (200).
func (s *Server) apiAssetHandover(w http.ResponseWriter, c *call) error {
	a, err := s.apiAssetID(c)
	if err != nil {
		return err
	}
	var b handoverIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	hs, err := s.d.Assets.Handovers(c.r.Context(), c.p, a.ID)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.From == strings.TrimSpace(b.FromUnit) && h.To == strings.TrimSpace(b.ToUnit) && h.Day == strings.TrimSpace(b.Day) && h.DocNo == strings.TrimSpace(b.DocNo) {
			return s.writeAsset(w, c, a.ID, true)
		}
	}
	var files []assets.Upload
	for _, f := range b.Files {
		u, err := f.upload("files")
		if err != nil {
			return err
		}
		files = append(files, u)
	}
	if _, err := s.d.Assets.RecordHandover(c.r.Context(), c.p, a.ID, assets.Handover{From: b.FromUnit, To: b.ToUnit, Day: b.Day, DocNo: b.DocNo, Note: b.Note}, files); err != nil {
		return err
	}
	return s.writeAsset(w, c, a.ID, false)
}

type upkeepIn struct {
	// Keeper and Plan set the responsibility and the plan; Kind … a record.
	KeeperUnit   string   `json:"keeper_unit"`
	KeeperPerson string   `json:"keeper_person"`
	EveryMonths  int      `json:"every_months"`
	NextDue      string   `json:"next_due"`
	Kind         string   `json:"kind"`
	Day          string   `json:"day"`
	Cost         *Amount  `json:"cost"`
	PayTo        string   `json:"pay_to"`
	Note         string   `json:"note"`
	Photos       []fileIn `json:"photos"`
}

// apiAssetUpkeep sets the keeper (keeper_unit, keeper_person), the plan
// (every_months, next_due) and/or adds a record (kind, day, note, cost,
// pay_to, photos), each in its own transaction, in that order. A record
// identical to one recorded (kind, day, note, cost) is a replay (200).
func (s *Server) apiAssetUpkeep(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	a, err := s.apiAssetID(c)
	if err != nil {
		return err
	}
	var b upkeepIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if b.KeeperUnit == "" && b.EveryMonths == 0 && b.Kind == "" {
		return errs.F(errs.Invalid, "invalid_upkeep", "kind", "send a keeper, a plan or a record")
	}
	var cost money.Fen
	if b.Cost != nil {
		cost = money.Fen(*b.Cost)
	}
	if b.Kind != "" {
		us, err := s.d.Assets.Upkeeps(ctx, c.p, a.ID)
		if err != nil {
			return err
		}
		for _, u := range us {
			if u.Kind == b.Kind && u.Day == strings.TrimSpace(b.Day) && u.Note == strings.TrimSpace(b.Note) && u.Cost == cost {
				return s.writeAsset(w, c, a.ID, true)
			}
		}
	}
	if b.KeeperUnit != "" || b.KeeperPerson != "" {
		if _, err := s.d.Assets.SetKeeper(ctx, c.p, a.ID, assets.Keeper{Unit: b.KeeperUnit, Person: b.KeeperPerson}); err != nil {
			return err
		}
	}
	if b.EveryMonths != 0 {
		if _, err := s.d.Assets.SetPlan(ctx, c.p, a.ID, b.EveryMonths, b.NextDue); err != nil {
			return err
		}
	}
	if b.Kind != "" {
		var photos []assets.Upload
		for _, f := range b.Photos {
			u, err := f.upload("photos")
			if err != nil {
				return err
			}
			photos = append(photos, u)
		}
		if _, err := s.d.Assets.AddUpkeep(ctx, c.p, a.ID, assets.Upkeep{Kind: b.Kind, Day: b.Day, Cost: cost, PayTo: b.PayTo, Note: b.Note}, photos); err != nil {
			return err
		}
	}
	return s.writeAsset(w, c, a.ID, false)
}

type disposalIn struct {
	Kind       string  `json:"kind"`
	Reason     string  `json:"reason"`
	Resolution string  `json:"resolution"`
	Minutes    *fileIn `json:"minutes"`
	Proceeds   *Amount `json:"proceeds"`
}

type disposalAnswer struct {
	Disposal disposalJSON `json:"disposal"`
	Asset    assetJSON    `json:"asset"`
}

// apiRequestDisposal: 201 with the disposal; the same kind and resolution
// again while it is pending is a replay (200).
func (s *Server) apiRequestDisposal(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	a, err := s.apiAssetID(c)
	if err != nil {
		return err
	}
	var b disposalIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	ds, err := s.d.Assets.Disposals(ctx, c.p, a.ID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.State == "pending" && d.Kind == b.Kind && d.Resolution == strings.TrimSpace(b.Resolution) {
			w.Header().Set("Idempotent-Replayed", "true")
			writeJSON(w, http.StatusOK, disposalAnswer{Disposal: toDisposalJSON(d), Asset: s.toAssetJSON(c, a, s.channelNames(c))})
			return nil
		}
	}
	req := assets.DisposalRequest{Kind: b.Kind, Reason: b.Reason, Resolution: b.Resolution}
	if b.Proceeds != nil {
		req.Proceeds = money.Fen(*b.Proceeds)
	}
	if b.Minutes != nil {
		u, err := b.Minutes.upload("minutes")
		if err != nil {
			return err
		}
		req.Minutes = &u
	}
	d, err := s.d.Assets.RequestDisposal(ctx, c.p, a.ID, req)
	if err != nil {
		return err
	}
	a, _ = s.d.Assets.Get(ctx, c.p, a.ID)
	writeJSON(w, http.StatusCreated, disposalAnswer{Disposal: toDisposalJSON(d), Asset: s.toAssetJSON(c, a, s.channelNames(c))})
	return nil
}

type disposalDecisionIn struct {
	Action  string `json:"action"` // approve, return, reject, submit, notice
	ToStep  int    `json:"to_step"`
	Opinion string `json:"opinion"`
	Starts  string `json:"starts"` // notice
	Ends    string `json:"ends"`
}

// apiDecideDisposal takes the disposal's current step (action approve,
// return, reject, submit) or posts its notice (action notice, starts,
// ends). Decisions are not replayed: a second approval by the same person
// is refused by the engine (already_signed, wrong step).
func (s *Server) apiDecideDisposal(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	did, _, err := s.disposalAsset(c)
	if err != nil {
		return err
	}
	var b disposalDecisionIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if b.Action == "notice" {
		if _, err := s.d.Assets.DisposalNotice(ctx, c.p, did, b.Starts, b.Ends); err != nil {
			return err
		}
	} else if _, err := s.d.Assets.DecideDisposal(ctx, c.p, did, assets.DisposalDecision{Action: b.Action, ToStep: b.ToStep, Opinion: b.Opinion}); err != nil {
		return err
	}
	d, a, err := s.d.Assets.DisposalTx(ctx, s.d.DB, c.p, did)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, disposalAnswer{Disposal: toDisposalJSON(d), Asset: s.toAssetJSON(c, a, s.channelNames(c))})
	return nil
}
