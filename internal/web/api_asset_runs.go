package web

// The county-wide distribution run of the assets' income (issue 14):
// POST /api/v1/assets/{county}/distribution-runs enters it,
// GET /api/v1/asset-runs/{county}/{id} reads it (a path of its own: under
// /assets/{county}/ it would overlap /assets/{county}/{id}/…), and
// /api/v1/assets/{county}/{id}/households keeps the households an asset's
// households' share is paid to.

import (
	"net/http"
	"strconv"

	"onepool/internal/assets"
	"onepool/internal/errs"
)

type assetCountyItemJSON struct {
	Asset      int64  `json:"asset"`
	Code       string `json:"code"`
	Village    string `json:"village"`
	Amount     Amount `json:"amount"`
	Lines      int    `json:"lines"`
	Households int    `json:"households"`
	Digest     string `json:"digest"`
	Run        int64  `json:"run"` // 0 until approved
}

type assetLeftOutJSON struct {
	Asset  int64  `json:"asset"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Words  string `json:"words"`
}

type assetCountyRunAnswer struct {
	ID         int64                 `json:"id"` // the instruction
	State      string                `json:"state"`
	Year       int                   `json:"year"`
	Township   string                `json:"township"`
	Assets     []assetCountyItemJSON `json:"assets"`
	Lines      int                   `json:"lines"`
	Households int                   `json:"households"`
	Total      Amount                `json:"total"`
	LeftOut    []assetLeftOutJSON    `json:"left_out"`
	Maker      string                `json:"maker"`
	Approver   string                `json:"approver"`
}

func assetCountyItems(its []assets.CountyRunItem, runs map[int64]int64) []assetCountyItemJSON {
	out := []assetCountyItemJSON{}
	for _, it := range its {
		out = append(out, assetCountyItemJSON{Asset: it.Asset, Code: it.Code, Village: string(it.Village), Amount: Amount(it.Amount), Lines: it.Lines, Households: it.Households, Digest: it.Digest, Run: runs[it.Asset]})
	}
	return out
}

// apiAssetCountyRun enters a county run: 202 with the run as frozen and
// the assets left out (the same key again: 200, Idempotent-Replayed:
// true).
func (s *Server) apiAssetCountyRun(w http.ResponseWriter, c *call) error {
	if _, err := county(c.r); err != nil {
		return err
	}
	var b struct {
		Key      string            `json:"key"`
		Year     int               `json:"year"`
		Township string            `json:"township"`
		Uses     map[string]string `json:"uses"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	in, plan, err := s.d.AssetIncome.ProposeCountyRun(c.r.Context(), c.p, assets.CountyRunInput{Year: b.Year, Township: b.Township, Uses: b.Uses, Key: b.Key})
	if err != nil {
		return err
	}
	left := []assetLeftOutJSON{}
	for _, l := range plan.LeftOut {
		left = append(left, assetLeftOutJSON{Asset: l.Asset, Code: l.Code, Reason: l.Reason, Words: l.Words})
	}
	status := http.StatusAccepted
	if in.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	o := plan.CountyRunOrder
	writeJSON(w, status, assetCountyRunAnswer{ID: in.ID, State: in.State, Year: o.Year, Township: o.Township, Assets: assetCountyItems(o.Assets, nil), Lines: o.Lines,
		Households: o.Households, Total: Amount(o.Total), LeftOut: left, Maker: in.Maker, Approver: in.Approver})
	return nil
}

// apiAssetCountyRunGet reads a county run (its instruction id), with each
// asset's run once approved.
func (s *Server) apiAssetCountyRunGet(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	r, err := s.d.AssetIncome.CountyRun(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	o := r.Order
	writeJSON(w, http.StatusOK, assetCountyRunAnswer{ID: r.Instruction.ID, State: r.Instruction.State, Year: o.Year, Township: o.Township, Assets: assetCountyItems(o.Assets, r.Runs),
		Lines: o.Lines, Households: o.Households, Total: Amount(o.Total), LeftOut: []assetLeftOutJSON{}, Maker: r.Instruction.Maker, Approver: r.Instruction.Approver})
	return nil
}

type beneficiaryJSON struct {
	Household string `json:"household"`
	Head      string `json:"head"`
	Weight    int64  `json:"weight"`
}

func (s *Server) writeBeneficiaries(w http.ResponseWriter, c *call, id int64, status int) error {
	bs, err := s.d.AssetIncome.Beneficiaries(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	out := []beneficiaryJSON{}
	for _, b := range bs {
		out = append(out, beneficiaryJSON{b.Household, b.Head, b.Weight})
	}
	writeJSON(w, status, struct {
		Asset      int64             `json:"asset"`
		Households []beneficiaryJSON `json:"households"`
	}{id, out})
	return nil
}

// apiAssetBeneficiaries lists the households kept with an asset.
func (s *Server) apiAssetBeneficiaries(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	return s.writeBeneficiaries(w, c, id, http.StatusOK)
}

// apiSetAssetBeneficiaries replaces them ({"households": [{"code",
// "weight"}]}); the same list again answers Idempotent-Replayed: true.
func (s *Server) apiSetAssetBeneficiaries(w http.ResponseWriter, c *call) error {
	id, err := s.seenAsset(c)
	if err != nil {
		return err
	}
	var b struct {
		Households []struct {
			Code   string `json:"code"`
			Weight int64  `json:"weight"`
		} `json:"households"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	hh := make([]assets.RunHousehold, 0, len(b.Households))
	for _, h := range b.Households {
		hh = append(hh, assets.RunHousehold{Code: h.Code, Weight: h.Weight})
	}
	replayed, err := s.d.AssetIncome.SetBeneficiaries(c.r.Context(), c.p, id, hh)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return s.writeBeneficiaries(w, c, id, http.StatusOK)
}
