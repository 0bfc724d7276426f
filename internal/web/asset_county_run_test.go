package web_test

// The authorization rules of the assets' county-wide distribution run and
// the households kept with an asset (issue 14): an asset's routes are
// checked own / parent / sibling on the matrix's assets; the fixture has
// no county run (404), and entering one answers the refusal of a county
// with nothing to run.
func init() {
	for k, v := range map[string]rule{
		"POST /api/v1/assets/{county}/distribution-runs": {roles: "village township rural", list: true},
		"GET /api/v1/asset-runs/{county}/{id}":           {roles: staff, always: 404},
		"GET /api/v1/assets/{county}/{id}/households":    {roles: staff, record: true},
		"POST /api/v1/assets/{county}/{id}/households":   {roles: "village township rural", record: true},
	} {
		matrix[k] = v
	}
}
