package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/funds"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// The authorization matrix: every route × every role × a record in the
// user's own place, in the parent place and in a sibling place. The rules
// below are written independently of routes.go; a route without a rule
// here fails the test.

const (
	staff  = "admin rural finance sector township village auditor"
	public = "public " + staff
)

// rule is what the matrix expects of a route.
type rule struct {
	roles string // roles that may use it ("public" = anonymous too)
	// record: the path (or query) names a record with a place, so the
	// parent and sibling variants must be "not found".
	record bool
	// list: the path names only a county; the route lists records, which
	// must be filtered to the user's subtree (a township user asking the
	// own county gets a list without the sibling township's records).
	list bool
	// always is a status the route answers whoever asks (a catch-all).
	always int
	// anyStatus: the outcome depends on input only (the login form).
	anyStatus bool
}

var matrix = map[string]rule{
	"GET /healthz":                                   {roles: public},
	"GET /static/":                                   {roles: public},
	"GET /{$}":                                       {roles: public},
	"GET /login":                                     {roles: public},
	"POST /login":                                    {roles: public, anyStatus: true},
	"POST /logout":                                   {roles: public},
	"POST /lang":                                     {roles: public},
	"GET /desk":                                      {roles: staff, list: true},
	"GET /area/{area}":                               {roles: staff},
	"GET /funds":                                     {roles: staff},
	"GET /funds/report.xlsx":                         {roles: staff},
	"POST /funds/channels":                           {roles: "finance rural"},
	"POST /funds/plans":                              {roles: "finance rural"},
	"POST /funds/arrivals":                           {roles: "finance rural"},
	"POST /funds/integrations":                       {roles: "finance rural"},
	"POST /funds/import":                             {roles: "finance rural"},
	"GET /funds/import/template.xlsx":                {roles: staff},
	"GET /funds/opening":                             {roles: staff},
	"POST /funds/opening":                            {roles: "finance rural"},
	"GET /funds/opening/template.xlsx":               {roles: staff},
	"GET /funds/channels/{code}/report.xlsx":         {roles: staff, always: 404},
	"GET /funds/villages.xlsx":                       {roles: staff},
	"GET /funds/projects/{code}/report.xlsx":         {roles: staff, record: true},
	"GET /funds/minutes":                             {roles: staff, list: true},
	"POST /funds/minutes":                            {roles: "finance rural"},
	"POST /funds/teams":                              {roles: "finance rural"},
	"POST /funds/pairs":                              {roles: "finance rural"},
	"GET /funds/projects":                            {roles: staff, list: true},
	"GET /funds/projects/{code}":                     {roles: staff, record: true},
	"POST /funds/allocations":                        {roles: "finance rural"},
	"POST /funds/payments":                           {roles: "finance rural"},
	"GET /funds/villages":                            {roles: staff},
	"GET /funds/channels/{code}":                     {roles: staff, always: 404},
	"GET /projects":                                  {roles: staff, list: true},
	"GET /projects.xlsx":                             {roles: staff, list: true},
	"GET /projects/townships.xlsx":                   {roles: staff, list: true},
	"POST /projects":                                 {roles: "village township rural"},
	"GET /projects/{code}":                           {roles: staff, record: true},
	"POST /projects/{code}":                          {roles: "village township rural", record: true},
	"POST /projects/{code}/submit":                   {roles: "village township rural", record: true},
	"POST /projects/{code}/decide":                   {roles: "village township rural finance sector", record: true},
	"POST /projects/{code}/notice":                   {roles: "township rural", record: true},
	"POST /projects/{code}/freeze":                   {roles: "auditor", record: true},
	"POST /projects/{code}/advance":                  {roles: "village township rural sector", record: true},
	"POST /projects/{code}/track":                    {roles: "township rural sector finance auditor", record: true},
	"POST /projects/{code}/inspections":              {roles: "township rural sector finance auditor", record: true},
	"POST /projects/{code}/files":                    {roles: "village township rural finance sector", record: true},
	"GET /projects/{code}/files/{id}":                {roles: staff, always: 404},
	"GET /projects/{code}/volume":                    {roles: staff, record: true},
	"GET /projects/{code}/volume.zip":                {roles: staff, record: true},
	"POST /projects/{code}/evaluate":                 {roles: "rural finance auditor", record: true},
	"POST /projects/{code}/reclaim":                  {roles: "township rural finance", record: true},
	"POST /projects/objections/{id}/answer":          {roles: "township rural", always: 404},
	"POST /projects/{code}/paper-notice":             {roles: "township rural", record: true},
	"GET /adopt/plan":                                {roles: "rural"},
	"POST /adopt/plan":                               {roles: "rural"},
	"GET /adopt/plan/template.xlsx":                  {roles: "rural"},
	"POST /adopt/plan/{id}/decide":                   {roles: "rural", always: 404},
	"GET /review":                                    {roles: staff, list: true},
	"GET /public/{county}/notices":                   {roles: public},
	"GET /public/{county}/notices/{id}":              {roles: public, always: 404},
	"POST /public/{county}/notices/{id}/objections":  {roles: public, always: 404},
	"GET /public/{county}/notices/{id}/print":        {roles: public, always: 404},
	"GET /public/{county}/notices/{id}/qr.svg":       {roles: public, always: 404},
	"GET /public/{county}/objections":                {roles: public},
	"GET /public/{county}/objections/{receipt}":      {roles: public, always: 404},
	"GET /review/objections/{id}":                    {roles: "township rural", always: 404},
	"POST /review/objections/{id}/answer":            {roles: "township rural", always: 404},
	"GET /registry":                                  {roles: staff, list: true},
	"GET /registry.xlsx":                             {roles: staff, list: true},
	"POST /registry":                                 {roles: "village township rural"},
	"POST /registry/import":                          {roles: "village township rural"},
	"GET /registry/import/template.xlsx":             {roles: staff},
	"POST /registry/import/job":                      {roles: "village township rural"},
	"GET /jobs/{id}":                                 {roles: staff, always: 404},
	"GET /jobs/{id}/file":                            {roles: staff, always: 404},
	"POST /jobs/export":                              {roles: staff},
	"POST /api/v1/jobs/{county}/export":              {roles: staff, record: true, list: true},
	"GET /ledger/transfers.xlsx":                     {roles: staff, list: true},
	"GET /api/v1/jobs/{county}/{id}":                 {roles: staff, always: 404},
	"POST /api/v1/jobs/{county}/relief-screening":    {roles: "finance rural", record: true, list: true},
	"POST /api/v1/jobs/{county}/registry-import":     {roles: "village township rural", record: true, list: true},
	"POST /registry/leads/{id}/override":             {roles: "township rural", always: 404},
	"GET /registry/{code}":                           {roles: staff, record: true},
	"POST /registry/{code}/reveal":                   {roles: "village township rural", record: true},
	"POST /registry/{code}/years":                    {roles: "village township rural", record: true},
	"POST /registry/{code}/card":                     {roles: "village township rural", record: true},
	"POST /registry/{code}/alive":                    {roles: "village township rural", record: true},
	"GET /relief":                                    {roles: staff, list: true},
	"POST /relief/inflows":                           {roles: "finance rural"},
	"POST /relief/screen":                            {roles: "finance rural"},
	"POST /relief/applications":                      {roles: "village"},
	"GET /relief/applications/{id}":                  {roles: staff, always: 404},
	"POST /relief/applications/{id}/decide":          {roles: "village township rural", always: 404},
	"POST /relief/objections/{id}/answer":            {roles: "township rural", always: 404},
	"POST /relief/notices":                           {roles: "township rural"},
	"POST /relief/batches":                           {roles: "finance rural"},
	"GET /instructions":                              {roles: "finance rural township auditor", list: true},
	"GET /instructions/{id}":                         {roles: "finance rural township auditor", always: 404},
	"POST /instructions/{id}/decide":                 {roles: "finance rural township", always: 404},
	"GET /api/v1/instructions/{county}":              {roles: "finance rural township auditor", list: true},
	"GET /api/v1/instructions/{county}/{id}":         {roles: "finance rural township auditor", always: 404},
	"POST /api/v1/instructions/{county}/{id}/decide": {roles: "finance rural township", always: 404},
	"GET /relief/batches/{id}":                       {roles: "finance rural", always: 404},
	"GET /relief/batches/{id}/payout.xlsx":           {roles: "finance rural", always: 404},
	"POST /relief/batches/{id}/return":               {roles: "finance rural", always: 404},
	"POST /relief/batches/{id}/send":                 {roles: "finance rural", always: 404},
	"GET /relief/batches/{id}/return-template.xlsx":  {roles: "finance rural", always: 404},
	"GET /public/{county}/relief":                    {roles: public},
	"GET /ledger/accounts":                           {roles: staff, list: true},
	"GET /ledger/accounts.xlsx":                      {roles: staff, list: true},
	"GET /ledger/accounts/{code}":                    {roles: staff, record: true},
	"GET /ledger/transfers":                          {roles: staff, list: true},
	"POST /ledger/transfers/{id}/reverse":            {roles: "finance rural", record: true},
	"GET /ledger/transfers/{id}":                     {roles: staff, record: true},
	"GET /ledger/trace":                              {roles: staff, record: true},
	"GET /ledger/recipients":                         {roles: staff, list: true},
	"GET /ledger/recipients.xlsx":                    {roles: staff, list: true},
	"GET /audit":                                     {roles: "admin auditor", list: true},
	"GET /system/users":                              {roles: "admin auditor", list: true},
	"POST /system/users":                             {roles: "admin"},
	"POST /system/users/{username}/disable":          {roles: "admin", record: true},
	"POST /system/users/{username}/enable":           {roles: "admin", record: true},
	"POST /system/users/{username}/password":         {roles: "admin", record: true},
	"GET /system/places":                             {roles: staff},
	"POST /system/places":                            {roles: "admin"},
	"GET /system/places/template.xlsx":               {roles: staff},
	"GET /system/tokens":                             {roles: staff},
	"POST /system/tokens":                            {roles: staff},
	"POST /system/tokens/revoke":                     {roles: staff},
	"GET /system/settings":                           {roles: staff},
	"POST /system/settings":                          {roles: "admin"},
	"GET /system/policy":                             {roles: staff},
	"POST /system/policy":                            {roles: "admin"},
	"GET /me":                                        {roles: staff},
	"POST /me/password":                              {roles: staff},
	"GET /public":                                    {roles: public},
	"GET /public/{county}":                           {roles: public},
	"GET /public/{county}/funds.csv":                 {roles: public},

	"GET /api/v1/ledger/{county}/channels":                  {roles: staff, record: true, list: true},
	"POST /api/v1/ledger/{county}/channels":                 {roles: "finance rural", record: true, list: true},
	"GET /api/v1/ledger/{county}/accounts":                  {roles: staff, record: true, list: true},
	"POST /api/v1/ledger/{county}/accounts":                 {roles: "finance rural", record: true, list: true},
	"GET /api/v1/ledger/{county}/accounts/{code}":           {roles: staff, record: true},
	"GET /api/v1/ledger/{county}/accounts/{code}/balances":  {roles: staff, record: true},
	"GET /api/v1/ledger/{county}/accounts/{code}/statement": {roles: staff, record: true},
	"GET /api/v1/ledger/{county}/transfers":                 {roles: staff, record: true, list: true},
	"POST /api/v1/ledger/{county}/transfers":                {roles: "finance rural", record: true, list: true},
	"GET /api/v1/ledger/{county}/transfers/{id}":            {roles: staff, record: true},
	"POST /api/v1/ledger/{county}/transfers/{id}/reverse":   {roles: "finance rural", record: true},
	"GET /api/v1/ledger/{county}/trace":                     {roles: staff, record: true},
	"GET /api/v1/funds/{county}/channels":                   {roles: staff, record: true, list: true},
	"POST /api/v1/funds/{county}/channels":                  {roles: "finance rural", record: true, list: true},
	"POST /api/v1/funds/{county}/plans":                     {roles: "finance rural", record: true, list: true},
	"POST /api/v1/funds/{county}/arrivals":                  {roles: "finance rural", record: true, list: true},
	"POST /api/v1/funds/{county}/integrations":              {roles: "finance rural", record: true, list: true},
	"GET /api/v1/funds/{county}/report":                     {roles: staff, record: true, list: true},
	"GET /api/v1/funds/{county}/projects":                   {roles: staff, record: true, list: true},
	"GET /api/v1/funds/{county}/projects/{code}/report":     {roles: staff, record: true},
	"POST /api/v1/funds/{county}/allocations":               {roles: "finance rural", record: true, list: true},
	"POST /api/v1/funds/{county}/payments":                  {roles: "finance rural", record: true, list: true},
	"GET /api/v1/funds/{county}/villages/{village}/checks":  {roles: staff, record: true},
	"GET /api/v1/funds/{county}/channels/{code}/report":     {roles: staff, record: true, always: 404},
	"POST /api/v1/funds/{county}/import":                    {roles: "finance rural", record: true, list: true},
	"POST /api/v1/adopt/{county}/opening":                   {roles: "finance rural", record: true, list: true},
	"GET /api/v1/funds/{county}/commitments":                {roles: staff, record: true, list: true},
	"POST /api/v1/funds/{county}/minutes":                   {roles: "finance rural", record: true, list: true},
	"GET /api/v1/funds/{county}/teams":                      {roles: staff, record: true, list: true},
	"POST /api/v1/funds/{county}/teams":                     {roles: "finance rural", record: true, list: true},
	"POST /api/v1/funds/{county}/pairs":                     {roles: "finance rural", record: true, list: true},
	"GET /api/v1/policy/{county}":                           {roles: staff, record: true, list: true},
	"GET /api/v1/projects/{county}":                         {roles: staff, record: true, list: true},
	"POST /api/v1/projects/{county}":                        {roles: "village township rural", record: true, list: true},
	"GET /api/v1/projects/{county}/queue":                   {roles: staff, record: true, list: true},
	"GET /api/v1/projects/{county}/townships":               {roles: staff, record: true, list: true},
	"GET /api/v1/projects/{county}/{code}":                  {roles: staff, record: true},
	"POST /api/v1/projects/{county}/{code}":                 {roles: "village township rural", record: true},
	"POST /api/v1/projects/{county}/{code}/submit":          {roles: "village township rural", record: true},
	"POST /api/v1/projects/{county}/{code}/decide":          {roles: "village township rural finance sector", record: true},
	"POST /api/v1/projects/{county}/{code}/notice":          {roles: "township rural", record: true},
	"POST /api/v1/projects/{county}/{code}/freeze":          {roles: "auditor", record: true},
	"POST /api/v1/projects/{county}/{code}/advance":         {roles: "village township rural sector", record: true},
	"POST /api/v1/projects/{county}/{code}/track":           {roles: "township rural sector finance auditor", record: true},
	"POST /api/v1/projects/{county}/{code}/inspections":     {roles: "township rural sector finance auditor", record: true},
	"POST /api/v1/projects/{county}/{code}/files":           {roles: "village township rural finance sector", record: true},
	"GET /api/v1/projects/{county}/{code}/volume.zip":       {roles: staff, record: true},
	"POST /api/v1/projects/{county}/{code}/evaluate":        {roles: "rural finance auditor", record: true},
	"POST /api/v1/projects/{county}/{code}/reclaim":         {roles: "township rural finance", record: true},
	"POST /api/v1/projects/{county}/objections/{id}/answer": {roles: "township rural", always: 404},
	"POST /api/v1/notices/{county}/paper":                   {roles: "township rural"},
	"POST /api/v1/adopt/{county}/plan":                      {roles: "rural"},
	"GET /api/v1/adopt/{county}/plan/{id}":                  {roles: "rural", always: 404},
	"POST /api/v1/adopt/{county}/plan/{id}/decide":          {roles: "rural", always: 404},
	"GET /api/v1/public/{county}/notices":                   {roles: public},
	"GET /api/v1/relief/{county}":                           {roles: staff, record: true, list: true},
	"POST /api/v1/relief/{county}/inflows":                  {roles: "finance rural", record: true, list: true},
	"POST /api/v1/relief/{county}/applications":             {roles: "village", record: true, list: true},
	"GET /api/v1/relief/{county}/applications/{id}":         {roles: staff, always: 404},
	"POST /api/v1/relief/{county}/applications/{id}/decide": {roles: "village township rural", always: 404},
	"POST /api/v1/relief/{county}/notices":                  {roles: "township rural", record: true, list: true},
	"POST /api/v1/relief/{county}/batches":                  {roles: "finance rural", record: true, list: true},
	"GET /api/v1/relief/{county}/batches/{id}":              {roles: "finance rural", always: 404},
	"POST /api/v1/relief/{county}/returns":                  {roles: "finance rural", record: true, list: true},
	"GET /api/v1/registry/{county}/households":              {roles: staff, record: true, list: true},
	"GET /api/v1/registry/{county}/households/{code}":       {roles: staff, record: true},
	"POST /api/v1/registry/{county}/import":                 {roles: "village township rural", record: true, list: true},
	"GET /api/v1/registry/{county}/leads":                   {roles: staff, record: true, list: true},
	"GET /api/v1/public/{county}/relief":                    {roles: public},
	"GET /api/v1/pick/{county}/{kind}":                      {roles: staff, list: true},
	"POST /api/v1/public/{county}/notices/{id}/objections":  {roles: public, always: 404},
	"GET /api/v1/public/{county}/objections/{receipt}":      {roles: public, always: 404},
	"GET /api/v1/review/{county}/objections":                {roles: "township rural", record: true, list: true},
	"POST /api/v1/review/{county}/objections/{id}/answer":   {roles: "township rural", always: 404},
	"/api/": {roles: staff, always: 404},
	"/":     {roles: public, always: 404},
}

// The fixture's places: county 990101 with townships A and B (a village
// each), and a second county 990102.
const (
	countyA = "990101"
	root    = "990101000000"
	twpA    = "990101001000"
	vilA    = "990101001001"
	twpB    = "990101002000"
	vilB    = "990101002001"
	county2 = "990102"
	root2   = "990102000000"
)

// userPlace is where each role's test user acts: the bureaus and the
// auditor at the county, the township officer in A, the village cadre in A's village.
var userPlace = map[auth.Role]string{
	auth.RoleAdmin: root, auth.RoleRural: root, auth.RoleFinance: root, auth.RoleSector: root, auth.RoleAuditor: root,
	auth.RoleTownship: twpA, auth.RoleVillage: vilA,
}

// fixture holds the ids the matrix addresses.
type fixture struct {
	h        http.Handler
	a        *auth.Service
	sessions map[string][2]string // user → token, CSRF: one sign-in per user for the walk
	ids      map[string]int64     // transfer key → id
	otherTID int64                // a transfer of county 990102
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1, IPFailures: 1 << 20})
	l := ledger.New(db, nil)
	for _, c := range []struct {
		county string
		nodes  []place.Node
	}{
		{countyA, []place.Node{{Code: root, Name: "甲县"}, {Code: twpA, Name: "甲镇", Parent: root}, {Code: vilA, Name: "甲村", Parent: twpA}, {Code: twpB, Name: "乙镇", Parent: root}, {Code: vilB, Name: "乙村", Parent: twpB}}},
		{county2, []place.Node{{Code: root2, Name: "丙县"}}},
	} {
		if _, err := a.ImportPlaces(ctx, auth.System(c.county), c.nodes); err != nil {
			t.Fatal(err)
		}
	}
	for role, pl := range userPlace {
		mustUser(t, a, "u-"+string(role), role, pl)
	}
	// Targets of the user-management routes.
	mustUser(t, a, "target-a", auth.RoleVillage, vilA)
	mustUser(t, a, "target-county", auth.RoleFinance, root)
	mustUser(t, a, "target-b", auth.RoleVillage, vilB)
	mustUser(t, a, "target-other", auth.RoleFinance, root2)

	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", countyA, "zigui", ""); err != nil {
		t.Fatal(err)
	}
	// Fund projects named like the accounts, in the same places.
	fs := funds.New(db, l, pc, nil)
	for code, pl := range map[string]string{"acct-a": vilA, "acct-county": root, "acct-b": vilB} {
		if _, err := fs.CreateProject(ctx, "t", countyA, funds.Project{Status: funds.StatusApproved, Code: code, Name: code, Place: place.Code(pl), Purpose: "infrastructure"}); err != nil {
			t.Fatal(err)
		}
	}
	// Registry households named like the accounts, in the villages.
	keys, err := registry.NewKeys([]byte("fixture-key-0123456789abcdefghij"))
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db, keys, nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: root, County: countyA}
	for i, hh := range []struct{ code, pl string }{{"acct-a", vilA}, {"acct-b", vilB}} {
		if _, _, err := reg.Save(ctx, rural, registry.Household{County: countyA, Code: hh.code, Village: place.Code(hh.pl), Head: "张三",
			Members: []registry.Member{{Name: "张三", ResidentID: testResidentID("1970-01-01", i+1), Relation: "户主", Alive: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	fixtureEntities(t, db, l, reg, keys)
	fixtureAgreements(t, db, pc)
	fixtureAssets(t, db, l, pc)
	f := &fixture{h: app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: keys}), a: a, ids: map[string]int64{}}
	for _, county := range []string{countyA, county2} {
		if _, err := l.CreateChannels(ctx, "t", county, []ledger.NewChannel{{Code: "ZX", Name: "中央"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.OpenAccounts(ctx, "t", countyA, []ledger.NewAccount{
		{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root},
		{Code: "acct-county", Kind: ledger.Pool, Name: "资金池", Place: root},
		{Code: "acct-a", Kind: ledger.Household, Name: "甲户", Place: vilA},
		{Code: "acct-b", Kind: ledger.Household, Name: "乙户", Place: vilB},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.OpenAccounts(ctx, "t", county2, []ledger.NewAccount{{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root2}, {Code: "acct-x", Kind: ledger.Pool, Name: "丙池", Place: root2}}); err != nil {
		t.Fatal(err)
	}
	ts, err := l.Post(ctx, "t", countyA, []ledger.TransferRequest{
		{Key: "in", Kind: "arrival", From: "treasury", To: "acct-county", Legs: []ledger.Leg{{Channel: "ZX", Amount: money.Fen(1_000_000)}}},
		{Key: "to-a", Kind: "payment", From: "acct-county", To: "acct-a", Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}}},
		{Key: "to-b", Kind: "payment", From: "acct-county", To: "acct-b", Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}}},
		{Key: "a-to-county", Kind: "refund", From: "acct-a", To: "acct-county", Legs: []ledger.Leg{{Channel: "ZX", Amount: 1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		f.ids[tr.Key] = tr.ID
	}
	ts, err = l.Post(ctx, "t", county2, []ledger.TransferRequest{{Key: "x", Kind: "arrival", From: "treasury", To: "acct-x", Legs: []ledger.Leg{{Channel: "ZX", Amount: 5}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.otherTID = ts[0].ID
	return f
}

// testResidentID makes a valid (fake) resident ID with its GB 11643 check digit.
func testResidentID(birth string, seq int) string {
	body := fmt.Sprintf("110105%s%03d", strings.ReplaceAll(birth, "-", ""), seq%1000)
	return body + string(ident.ResidentIDCheckChar(body))
}

func mustUser(t *testing.T, a *auth.Service, name string, role auth.Role, pl string) {
	t.Helper()
	county := pl[:6]
	if _, err := a.CreateUser(context.Background(), auth.System(county), auth.NewUser{Username: name, DisplayName: name, Role: role, Place: place.Code(pl), Password: "password-" + name}); err != nil {
		t.Fatal(err)
	}
}

// session signs a user in and returns its cookie value and CSRF token.
func (f *fixture) session(t *testing.T, username string) (string, string) {
	t.Helper()
	tok, sess, err := f.a.Login(context.Background(), username, "password-"+username, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return tok, sess.CSRF
}

// walkSession is the user's session for the matrix walk: one sign-in per
// user, kept across routes, and a fresh one for the routes that may end
// or change the session (signing out, a password change), after which
// the kept one is dropped.
func (f *fixture) walkSession(t *testing.T, username, pattern string) (string, string) {
	t.Helper()
	if strings.Contains(pattern, "logout") || strings.Contains(pattern, "password") {
		delete(f.sessions, username)
		return f.session(t, username)
	}
	if s, ok := f.sessions[username]; ok {
		return s[0], s[1]
	}
	tok, csrf := f.session(t, username)
	if f.sessions == nil {
		f.sessions = map[string][2]string{}
	}
	f.sessions[username] = [2]string{tok, csrf}
	return tok, csrf
}

// relation is where the addressed record lies relative to the user.
type relation string

const (
	own     relation = "own"
	parent  relation = "parent"
	sibling relation = "sibling"
)

// path fills a route pattern's wildcards for a role and relation.
func (f *fixture) path(pattern string, role auth.Role, rel relation) string {
	_, p, _ := strings.Cut(pattern, " ")
	if !strings.Contains(pattern, " ") {
		p = pattern
	}
	countyLevel := userPlace[role] == root || role == auth.RolePublic
	county, code, id, user, village := countyA, "acct-a", f.ids["to-a"], "target-a", vilA
	switch {
	case rel == parent && !countyLevel:
		code, id, user, village = "acct-county", f.ids["in"], "target-county", root
	case rel == sibling && !countyLevel:
		code, id, user, village = "acct-b", f.ids["to-b"], "target-b", vilB
	case rel != own: // a county-level user: the other county's records
		county, code, id, user, village = county2, "acct-x", f.otherTID, "target-other", root2
	}
	if rel != own && countyLevel && !strings.HasPrefix(p, "/api/") {
		id = 1 << 40 // pages address the user's own county: another county's record is simply absent
	}
	if strings.Contains(p, "/jobs/") {
		id = 1 << 40 // the walk starts jobs of its own (the screening, the import): address none of them
	}
	r := strings.NewReplacer("{county}", county, "{code}", code, "{id}", fmt.Sprint(id), "{username}", user, "{village}", village, "{area}", "agreements", "{kind}", "payee", "{$}", "")
	p = assetPath(agreementPath(entityPath(r.Replace(p), code), code), code)
	switch {
	case p == "/static/":
		p = "/static/app.css"
	case pattern == "/api/":
		p = "/api/v1/nope"
	case pattern == "/":
		p = "/no-such-page"
	case p == "/ledger/trace", p == "/api/v1/ledger/"+county+"/trace":
		p += "?account=" + code
	case strings.HasPrefix(p, "/public/"):
		p = strings.Replace(p, "/public/"+county2, "/public/"+countyA, 1)
	}
	return p
}

func TestAuthorizationMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		routes := f.h.(*web.Server).Routes()
		seen := map[string]bool{}
		for _, rt := range routes {
			seen[rt.Pattern] = true
			if _, ok := matrix[rt.Pattern]; !ok {
				t.Errorf("route %q has no rule in the authorization matrix: add one", rt.Pattern)
			}
		}
		for p := range matrix {
			if !seen[p] {
				t.Errorf("the matrix names %q, which is not a route", p)
			}
		}
		roles := append([]auth.Role{auth.RolePublic}, auth.Roles...)
		for _, rt := range routes {
			want, ok := matrix[rt.Pattern]
			if !ok {
				continue
			}
			method, _, found := strings.Cut(rt.Pattern, " ")
			if !found {
				method = "GET"
			}
			for _, role := range roles {
				rels := []relation{own}
				if want.record {
					rels = []relation{own, parent, sibling}
				}
				for _, rel := range rels {
					f.check(t, rt, want, method, role, rel)
				}
			}
		}
	})
}

func (f *fixture) check(t *testing.T, rt web.Route, want rule, method string, role auth.Role, rel relation) {
	t.Helper()
	path := f.path(rt.Pattern, role, rel)
	r := httptest.NewRequest(method, path, strings.NewReader(""))
	if method == "POST" {
		if rt.API {
			r.Header.Set("Content-Type", "application/json")
		} else {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if role != auth.RolePublic {
		tok, csrf := f.walkSession(t, "u-"+string(role), rt.Pattern)
		r.AddCookie(&http.Cookie{Name: "op_session", Value: tok})
		if method == "POST" {
			r.Header.Set("X-CSRF-Token", csrf)
		}
	} else if method == "POST" {
		r.AddCookie(&http.Cookie{Name: "op_csrf", Value: strings.Repeat("c", 32)})
		r.Header.Set("X-CSRF-Token", strings.Repeat("c", 32))
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	got := w.Code
	name := fmt.Sprintf("%s as %s (%s): %s %s", rt.Pattern, role, rel, method, path)
	if got >= 500 {
		t.Errorf("%s: status %d: %s", name, got, w.Body)
		return
	}
	toLogin := got == http.StatusSeeOther && strings.HasPrefix(w.Header().Get("Location"), "/login?")
	allowed := strings.Contains(" "+want.roles+" ", " "+string(role)+" ")
	switch {
	case want.anyStatus:
	case !allowed && role == auth.RolePublic:
		if !(got == http.StatusUnauthorized || toLogin) {
			t.Errorf("%s: status %d, want sign-in (401 or redirect to /login)", name, got)
		}
	case !allowed:
		if got != http.StatusForbidden && got != http.StatusNotFound {
			t.Errorf("%s: status %d, want 403 or 404 for role %s", name, got, role)
		}
	case want.always != 0:
		if got != want.always {
			t.Errorf("%s: status %d, want %d", name, got, want.always)
		}
	case rel == own || (want.list && userPlace[role] != root):
		if got == http.StatusUnauthorized || got == http.StatusForbidden || got == http.StatusNotFound || toLogin {
			t.Errorf("%s: status %d, want access: %.300s", name, got, w.Body)
		}
		if want.list && userPlace[role] != root && got == http.StatusOK {
			for _, other := range []string{"acct-b", "乙户", "target-b"} {
				if strings.Contains(w.Body.String(), other) {
					t.Errorf("%s: the list shows %q of the sibling township", name, other)
				}
			}
		}
	default:
		if got != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404 (another place's record is not found): %.300s", name, got, w.Body)
		}
	}
}

// TestOtherPlaceLooksMissing: a township officer asking for a sibling
// township's account gets exactly the answer a missing account gets.
func TestOtherPlaceLooksMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tok, _ := f.session(t, "u-township")
		get := func(path string) (int, string) {
			r := httptest.NewRequest("GET", path, nil)
			r.AddCookie(&http.Cookie{Name: "op_session", Value: tok})
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			body := strings.ReplaceAll(w.Body.String(), "acct-b", "X")
			body = strings.ReplaceAll(body, "no-such", "X")
			body = strings.ReplaceAll(body, fmt.Sprint(f.ids["to-b"]), "N")
			body = strings.ReplaceAll(body, "999999", "N")
			return w.Code, body
		}
		for _, pair := range [][2]string{
			{"/api/v1/ledger/990101/accounts/acct-b", "/api/v1/ledger/990101/accounts/no-such"},
			{"/api/v1/ledger/990101/transfers/" + fmt.Sprint(f.ids["to-b"]), "/api/v1/ledger/990101/transfers/999999"},
		} {
			c1, b1 := get(pair[0])
			c2, b2 := get(pair[1])
			if c1 != http.StatusNotFound || c1 != c2 || b1 != b2 {
				t.Errorf("%s → %d %s\n%s → %d %s\nwant the same not-found answer", pair[0], c1, b1, pair[1], c2, b2)
			}
		}
		// A channel's trace names no account of another place; their money
		// is one "outside" node, so the totals stay whole.
		code, body := get("/api/v1/ledger/990101/trace?channel=ZX")
		if code != 200 || !strings.Contains(body, `"code":"acct-a"`) || strings.Contains(body, "乙户") || strings.Contains(body, "资金池") || !strings.Contains(body, `"name":"","kind":"","group":`) {
			t.Errorf("township trace: %d %s", code, body)
		}
		// Lists are filtered: the township's account list has no B account.
		code, body = get("/api/v1/ledger/990101/accounts?" + url.Values{"limit": {"500"}}.Encode())
		if code != 200 || !strings.Contains(body, `"acct-a"`) || strings.Contains(body, `"X"`) || strings.Contains(body, `"acct-county"`) {
			t.Errorf("township list: %d %s", code, body)
		}
	})
}
