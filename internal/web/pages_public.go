package web

import (
	"net/http"
	"strings"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/tabular"
)

// The public portal shows what is disclosed, with personal data masked:
// names as surname + *, never an ID or card number, no illness causes.

type publicIndexView struct {
	Page
	Counties []place.Node
}

func (s *Server) publicIndex(w http.ResponseWriter, c *call) error {
	cs, err := s.d.Auth.Counties(c.r.Context())
	if err != nil {
		return err
	}
	if len(cs) == 1 {
		http.Redirect(w, c.r, "/public/"+cs[0].Code.Prefix()[:6], http.StatusSeeOther)
		return nil
	}
	v := publicIndexView{Page: c.page(translate(c.lang, "public.title"), "disclosure"), Counties: cs}
	v.Public = true
	return c.render(w, http.StatusOK, "public_index", v)
}

type payoutRow struct {
	Date    string
	Name    string // masked
	Village string
	Channel string
	Amount  money.Fen
}

type publicCountyView struct {
	Page
	County   string
	Name     string
	Channels []channelRow
	Total    channelRow
	Payouts  []payoutRow
}

// publicCounty returns the county's name, or NotFound.
func (s *Server) publicCountyName(c *call) (string, string, error) {
	county := c.r.PathValue("county")
	if ledger.ValidCounty(county) != nil {
		return "", "", errs.F(errs.NotFound, "not_found", "", "no such county")
	}
	t, err := s.d.Auth.Places(c.r.Context(), county)
	if err != nil {
		return "", "", err
	}
	n, ok := t.Get(place.Code(county + "000000"))
	if !ok {
		return "", "", errs.F(errs.NotFound, "not_found", "", "no such county")
	}
	return county, n.Name, nil
}

func (s *Server) publicCounty(w http.ResponseWriter, c *call) error {
	county, name, err := s.publicCountyName(c)
	if err != nil {
		return err
	}
	v := publicCountyView{Page: c.page(name, "disclosure"), County: county, Name: name}
	v.Public = true
	if v.Channels, v.Total, err = c.channelSummary(county, county); err != nil {
		return err
	}
	for i := range v.Channels {
		v.Channels[i].Name = ident.Scrub(v.Channels[i].Name)
	}
	if v.Payouts, err = s.publicPayouts(c, county, 20); err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "public_county", v)
}

// publicPayouts lists the latest payments to households, masked.
func (s *Server) publicPayouts(c *call, county string, n int) ([]payoutRow, error) {
	ctx := c.r.Context()
	ps, err := s.d.Ledger.RecentPayouts(ctx, county, n)
	if err != nil {
		return nil, err
	}
	out := make([]payoutRow, 0, len(ps))
	for _, p := range ps {
		out = append(out, payoutRow{Date: clock.Day(p.PostedAt), Name: publicName(p.Account.Name),
			Village: s.d.Auth.PlaceName(ctx, p.Account.Place), Channel: p.Channel, Amount: p.Amount})
	}
	return out, nil
}

// publicFundsCSV exports the county's funds by channel (aggregates only).
func (s *Server) publicFundsCSV(w http.ResponseWriter, c *call) error {
	county, _, err := s.publicCountyName(c)
	if err != nil {
		return err
	}
	rows, total, err := c.channelSummary(county, county)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="funds-`+county+`.csv"`)
	w.Write([]byte("\xEF\xBB\xBF"))
	cw := tabular.NewCSVWriter(w) // a channel named =HYPERLINK(…) stays text
	t := func(k string) string { return translate(c.lang, k) }
	cw.Write([]string{t("col.channel_code"), t("col.channel"), t("col.arrived"), t("col.in_channel"), t("col.in_pool"), t("col.in_projects"), t("col.households"), t("col.entities"), t("col.other")})
	for _, r := range append(rows, total) {
		name := ident.Scrub(r.Name)
		if r.Code == "" {
			name = t("col.total")
		}
		cw.Write([]string{r.Code, name, r.Arrived.Plain(), r.InChannel.Plain(), r.InPool.Plain(), r.InProjects.Plain(), r.Households.Plain(), r.Entities.Plain(), r.Other.Plain()})
	}
	cw.Flush()
	return cw.Error()
}

// publicName shows a person's name as surname + * (only the first word of
// the account name: anything typed after it is dropped).
func publicName(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		s = f[0]
	}
	return ident.MaskName(ident.Scrub(s))
}
