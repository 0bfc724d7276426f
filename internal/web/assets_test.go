package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

func init() {
	w := "village township rural"
	for k, v := range map[string]rule{
		"GET /assets":                                        {roles: staff, list: true},
		"GET /area/assets":                                   {roles: staff},
		"GET /assets.xlsx":                                   {roles: staff, list: true},
		"POST /assets":                                       {roles: w},
		"POST /assets/import":                                {roles: w},
		"GET /assets/import/template.xlsx":                   {roles: staff},
		"GET /assets/{id}":                                   {roles: staff, record: true},
		"GET /assets/{id}/card":                              {roles: staff, record: true},
		"GET /assets/{id}/qr.svg":                            {roles: staff, record: true},
		"POST /assets/{id}/confirm":                          {roles: w, record: true},
		"POST /assets/{id}/handover":                         {roles: w, record: true},
		"POST /assets/{id}/keeper":                           {roles: w, record: true},
		"POST /assets/{id}/plan":                             {roles: w, record: true},
		"POST /assets/{id}/upkeep":                           {roles: w, record: true},
		"POST /assets/{id}/disposals":                        {roles: w, record: true},
		"POST /assets/disposals/{id}/decide":                 {roles: w, record: true},
		"POST /assets/disposals/{id}/notice":                 {roles: "township rural", record: true},
		"GET /public/{county}/assets/{code}":                 {roles: public},
		"GET /api/v1/assets/{county}":                        {roles: staff, record: true, list: true},
		"POST /api/v1/assets/{county}":                       {roles: w, record: true, list: true},
		"POST /api/v1/assets/{county}/import":                {roles: w, record: true, list: true},
		"GET /api/v1/assets/{county}/{id}":                   {roles: staff, record: true},
		"POST /api/v1/assets/{county}/{id}/confirm":          {roles: w, record: true},
		"POST /api/v1/assets/{county}/{id}/handover":         {roles: w, record: true},
		"POST /api/v1/assets/{county}/{id}/upkeep":           {roles: w, record: true},
		"POST /api/v1/assets/{county}/{id}/disposals":        {roles: w, record: true},
		"POST /api/v1/assets/{county}/disposals/{id}/decide": {roles: w, record: true},
	} {
		matrix[k] = v
	}
}

// fixtureAssetID: the matrix's asset (numbered like the code) and its
// disposal under review: acct-a's at A's village, acct-b's at B's.
var fixtureAssetID = map[string]string{"acct-a": "1", "acct-b": "2"}

// fixtureAssets registers the matrix's assets (imported, public-welfare)
// and a disposal of each waiting for the township.
func fixtureAssets(t *testing.T, db *store.DB, l *ledger.Ledger, pc *policy.Counties) {
	t.Helper()
	ctx := context.Background()
	s := assets.New(db, l, nil, nil)
	s.UseServices(workflow.New(db, nil), pc, funds.New(db, l, pc, nil), volume.New(db, nil), nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: root, County: countyA}
	for _, a := range []struct{ code, vil string }{{"acct-a", vilA}, {"acct-b", vilB}} {
		var id int64
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var err error
			id, err = s.RegisterImportTx(ctx, tx, rural, assets.NewAsset{Code: a.code, Name: "道路 " + a.code, Type: assets.PublicWelfare, Category: "road", Place: place.Code(a.vil), Value: 100_00}, nil, "", "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		vil := auth.Principal{Username: "t-vil", Role: auth.RoleVillage, Place: place.Code(a.vil), County: countyA}
		if _, err := s.RequestDisposal(ctx, vil, id, assets.DisposalRequest{Kind: "scrap", Reason: "损毁", Resolution: "决议",
			Minutes: &assets.Upload{Name: "纪要.txt", Body: strings.NewReader("村民代表大会纪要")}}); err != nil {
			t.Fatal(err)
		}
	}
}

var assetsIDPath = regexp.MustCompile(`^(/assets/(?:disposals/)?|/api/v1/assets/[0-9]+/(?:disposals/)?)[0-9]+`)

// assetPath puts the asset (or disposal) of code where a matrix path
// names an id, and its number where a public path names a code.
func assetPath(p, code string) string {
	id, ok := fixtureAssetID[code]
	if !ok {
		id = "1099511627776"
	}
	if strings.HasPrefix(p, "/assets/import") {
		return p
	}
	return assetsIDPath.ReplaceAllString(p, "${1}"+id)
}
