package web_test

func init() {
	for k, v := range map[string]rule{
		"POST /agreements/{id}/pay":                        {roles: "finance rural", record: true},
		"GET /subsidies/batches/{id}":                      {roles: "finance rural", always: 404},
		"GET /subsidies/batches/{id}/payout.xlsx":          {roles: "finance rural", always: 404},
		"POST /subsidies/batches/{id}/return":              {roles: "finance rural", always: 404},
		"POST /subsidies/batches/{id}/send":                {roles: "finance rural", always: 404},
		"GET /subsidies/batches/{id}/return-template.xlsx": {roles: "finance rural", always: 404},
	} {
		matrix[k] = v
	}
}
