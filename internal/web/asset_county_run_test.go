package web_test

// The authorization rules of the assets' county-wide distribution run and
// the households kept with an asset (issue 14). The matrix's fixture has
// no asset and no county run: the record routes answer 404 to everyone
// who may use them; entering a run answers the refusal of a county with
// nothing to run.
func init() {
	for k, v := range map[string]rule{
		"POST /api/v1/assets/{county}/distribution-runs": {roles: "village township rural", list: true},
		"GET /api/v1/asset-runs/{county}/{id}":           {roles: staff, always: 404},
		"GET /api/v1/assets/{county}/{id}/households":    {roles: staff, always: 404},
		"POST /api/v1/assets/{county}/{id}/households":   {roles: "village township rural", always: 404},
	} {
		matrix[k] = v
	}
}
