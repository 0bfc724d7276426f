package web

// routes registers every route of the server, in one place.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)

	// The ledger API (see docs/API.md).
	m.HandleFunc("GET /api/v1/ledger/{county}/channels", s.api(s.apiListChannels))
	m.HandleFunc("POST /api/v1/ledger/{county}/channels", s.api(s.apiCreateChannels))
	m.HandleFunc("GET /api/v1/ledger/{county}/accounts", s.api(s.apiListAccounts))
	m.HandleFunc("POST /api/v1/ledger/{county}/accounts", s.api(s.apiOpenAccounts))
	m.HandleFunc("GET /api/v1/ledger/{county}/accounts/{code}", s.api(s.apiAccount))
	m.HandleFunc("GET /api/v1/ledger/{county}/accounts/{code}/balances", s.api(s.apiBalances))
	m.HandleFunc("GET /api/v1/ledger/{county}/accounts/{code}/statement", s.api(s.apiStatement))
	m.HandleFunc("GET /api/v1/ledger/{county}/transfers", s.api(s.apiListTransfers))
	m.HandleFunc("POST /api/v1/ledger/{county}/transfers", s.api(s.apiPostTransfers))
	m.HandleFunc("GET /api/v1/ledger/{county}/transfers/{id}", s.api(s.apiTransfer))
	m.HandleFunc("POST /api/v1/ledger/{county}/transfers/{id}/reverse", s.api(s.apiReverse))
	m.HandleFunc("GET /api/v1/ledger/{county}/trace", s.api(s.apiTrace))
	m.HandleFunc("/api/", s.api(s.apiNotFound))
}
