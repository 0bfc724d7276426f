// The interest-linkage report, links that end, the principal returns and
// the subsidy batches in the JSON API (see docs/API.md).

package web

import (
	"net/http"
	"strconv"
	"time"

	"onepool/internal/entities"
	"onepool/internal/payout"
)

type tallyJSON struct {
	Entities   int    `json:"entities"`
	Households int    `json:"households"`
	Reached    int    `json:"reached"`
	Total      Amount `json:"total_effect"`
	Average    Amount `json:"average_effect"`
}

func toTallyJSON(t entities.Tally) tallyJSON {
	return tallyJSON{Entities: t.Entities, Households: t.Households, Reached: t.Reached, Total: Amount(t.Total), Average: Amount(t.Average)}
}

type linkageEntityJSON struct {
	USCC  string `json:"uscc"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Place string `json:"place"`
	tallyJSON
}

type linkageTownshipJSON struct {
	Township string `json:"township"`
	tallyJSON
}

type linkageHouseholdJSON struct {
	Household string  `json:"household"`
	Head      string  `json:"head"`
	Village   string  `json:"village"`
	Income    *Amount `json:"income"` // null: no effect recorded for the year
	Reached   bool    `json:"reached"`
}

type linkageAnswer struct {
	Year       int                    `json:"year"`
	Threshold  Amount                 `json:"threshold"`
	Township   string                 `json:"township"`
	Entity     string                 `json:"entity"`
	County     tallyJSON              `json:"county"`
	Townships  []linkageTownshipJSON  `json:"townships"`
	Entities   []linkageEntityJSON    `json:"entities"`
	Households []linkageHouseholdJSON `json:"households"` // with ?entity= only
}

// apiLinkage is the linkage report of a year (?year=, default this year;
// ?township=, ?entity=) within the caller's area.
func (s *Server) apiLinkage(w http.ResponseWriter, c *call) error {
	f, err := s.linkageFilter(c)
	if err != nil {
		return err
	}
	r, err := s.d.Entities.Report(c.r.Context(), c.p, f)
	if err != nil {
		return err
	}
	a := linkageAnswer{Year: r.Year, Threshold: Amount(r.Threshold), Township: string(r.Township), Entity: r.Entity, County: toTallyJSON(r.County),
		Townships: []linkageTownshipJSON{}, Entities: []linkageEntityJSON{}, Households: []linkageHouseholdJSON{}}
	for _, t := range r.Townships {
		a.Townships = append(a.Townships, linkageTownshipJSON{Township: string(t.Township), tallyJSON: toTallyJSON(t.Tally)})
	}
	for _, e := range r.Entities {
		a.Entities = append(a.Entities, linkageEntityJSON{USCC: e.USCC, Name: e.Name, Kind: e.Kind, Place: string(e.Place), tallyJSON: toTallyJSON(e.Tally)})
	}
	for _, h := range r.Households {
		j := linkageHouseholdJSON{Household: h.Household, Head: h.Head, Village: string(h.Village), Reached: h.Reached}
		if h.Recorded {
			inc := Amount(h.Income)
			j.Income = &inc
		}
		a.Households = append(a.Households, j)
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// linkEndIn is the body of a link's end.
type linkEndIn struct {
	Household string `json:"household"`
	LinkType  string `json:"link_type"`
	Ended     string `json:"ended"`
	Reason    string `json:"reason"`
}

// apiEndEntityLink: 200 with the entity's links after it; the same end
// again is a replay (Idempotent-Replayed: true).
func (s *Server) apiEndEntityLink(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	e, err := s.d.Entities.Get(ctx, c.p, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	var b linkEndIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	replayed, err := s.d.Entities.EndLink(ctx, c.p, e.USCC, b.Household, b.LinkType, b.Ended, b.Reason)
	if err != nil {
		return err
	}
	ls, n, err := s.d.Entities.Links(ctx, c.p, e.USCC)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusOK, entityLinksAnswer{Links: toLinksJSON(ls), Households: n})
	return nil
}

type subsidyBatchJSON struct {
	ID        int64     `json:"id"`
	Lines     int       `json:"lines"`
	Total     Amount    `json:"total"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

type subsidyBatchesAnswer struct {
	Batches []subsidyBatchJSON `json:"batches"`
}

// apiSubsidyBatches lists the direct subsidies' payout batches, newest first.
func (s *Server) apiSubsidyBatches(w http.ResponseWriter, c *call) error {
	bs, err := s.d.Relief.Payout().Batches(c.r.Context(), c.p.County, subsidyPayer.Kind)
	if err != nil {
		return err
	}
	out := subsidyBatchesAnswer{Batches: []subsidyBatchJSON{}}
	for _, b := range append([]payout.Batch(nil), bs...) {
		out.Batches = append(out.Batches, subsidyBatchJSON{ID: b.ID, Lines: b.Lines, Total: Amount(b.Total), CreatedAt: b.CreatedAt, CreatedBy: b.CreatedBy})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiPrincipalReturn enters a terminated equity agreement's principal
// return (body {"key": …}; default key principal:ID): 202 with the
// instruction; the same key again 200 with Idempotent-Replayed: true.
func (s *Server) apiPrincipalReturn(w http.ResponseWriter, c *call) error {
	id, err := agreementID(c)
	if err != nil {
		return err
	}
	a, err := s.d.Agreements.Get(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	var b struct {
		Key string `json:"key"`
	}
	if c.r.ContentLength != 0 {
		if err := decodeJSON(c.r, &b); err != nil {
			return err
		}
	}
	if b.Key == "" {
		b.Key = "principal:" + strconv.FormatInt(a.ID, 10)
	}
	in, err := s.d.Agreements.ProposePrincipalReturn(c.r.Context(), c.p, a.ID, b.Key)
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}
