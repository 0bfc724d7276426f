package web

import (
	"net/http"

	"onepool/internal/auth"
)

// register registers every route of the server, in one place, each with
// the action it requires (auth.Authorize checks it before the handler
// runs; handlers check the record's place).
func (s *Server) register() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.Handle("GET /static/", s.static())
	s.routes = append(s.routes, Route{Pattern: "GET /healthz", Action: auth.ViewPublic}, Route{Pattern: "GET /static/", Action: auth.ViewPublic})

	// Signing in and out, language.
	s.page("GET /{$}", auth.ViewPublic, s.home)
	s.page("GET /login", auth.ViewPublic, s.loginForm)
	s.page("POST /login", auth.ViewPublic, s.login)
	s.page("POST /logout", auth.ViewPublic, s.logout)
	s.page("POST /lang", auth.ViewPublic, s.setLang)

	// The desk: dashboard and the areas of MISSION.md.
	s.page("GET /desk", auth.ViewDesk, s.dashboard)
	s.page("GET /area/{area}", auth.ViewDesk, s.area)

	// Funds: channels, plans, arrivals, integration (the funds capability).
	s.page("GET /funds", auth.ViewFunds, s.fundsPage)
	s.page("GET /funds/report.xlsx", auth.ViewFunds, s.fundsReportExport)
	s.page("POST /funds/channels", auth.WriteFunds, s.registerChannel)
	s.page("POST /funds/plans", auth.WriteFunds, s.setPlan)
	s.page("POST /funds/arrivals", auth.WriteFunds, s.recordArrival)
	s.page("POST /funds/integrations", auth.WriteFunds, s.recordIntegration)
	s.page("POST /funds/import", auth.WriteFunds, s.importFunds)
	s.page("GET /funds/projects", auth.ViewFunds, s.fundProjectsPage)
	s.page("GET /funds/projects/{code}", auth.ViewFunds, s.fundProjectPage)
	s.page("POST /funds/allocations", auth.WriteFunds, s.allocateForm)
	s.page("POST /funds/payments", auth.WriteFunds, s.payForm)
	s.page("GET /funds/villages", auth.ViewFunds, s.villageChecksPage)
	s.page("GET /funds/minutes", auth.ViewFunds, s.minutesPage)
	s.page("POST /funds/minutes", auth.WriteFunds, s.recordMinutes)
	s.page("POST /funds/teams", auth.WriteFunds, s.assignTeam)
	s.page("POST /funds/pairs", auth.WriteFunds, s.pairCadre)
	s.page("GET /funds/channels/{code}", auth.ViewFunds, s.channelReportPage)
	s.page("GET /funds/channels/{code}/report.xlsx", auth.ViewFunds, s.channelReportExport)
	s.page("GET /funds/villages.xlsx", auth.ViewFunds, s.villageChecksExport)
	s.page("GET /funds/projects/{code}/report.xlsx", auth.ViewFunds, s.projectReportExport)

	// Funds: ledger pages.
	s.page("GET /projects", auth.ViewProjects, s.libraryPage)
	s.page("GET /projects.xlsx", auth.ViewProjects, s.libraryExport)
	s.page("GET /projects/townships.xlsx", auth.ViewProjects, s.townshipsExport)
	s.page("POST /projects", auth.ProposeProjects, s.createProject)
	s.page("GET /projects/{code}", auth.ViewProjects, s.projectPage)
	s.page("POST /projects/{code}", auth.ProposeProjects, s.updateProject)
	s.page("POST /projects/{code}/submit", auth.ProposeProjects, s.submitProject)
	s.page("POST /projects/{code}/decide", auth.ReviewProjects, s.decideProject)
	s.page("POST /projects/{code}/notice", auth.ManageNotices, s.openNotice)
	s.page("POST /projects/{code}/freeze", auth.FreezeProjects, s.freezeProject)
	s.page("POST /projects/{code}/advance", auth.AdvanceProjects, s.advanceProject)
	s.page("POST /projects/{code}/track", auth.SuperviseProjects, s.trackProject)
	s.page("POST /projects/{code}/inspections", auth.SuperviseProjects, s.inspectProject)
	s.page("POST /projects/{code}/files", auth.AttachFiles, s.attachFiles)
	s.page("GET /projects/{code}/files/{id}", auth.ViewProjects, s.fileDownload)
	s.page("GET /projects/{code}/volume", auth.ViewProjects, s.volumeIndex)
	s.page("GET /projects/{code}/volume.zip", auth.ViewProjects, s.volumeZip)
	s.page("POST /projects/{code}/evaluate", auth.EvaluateProjects, s.evaluateProject)
	s.page("POST /projects/{code}/reclaim", auth.ReclaimFunds, s.reclaimProject)
	s.page("POST /projects/objections/{id}/answer", auth.ManageNotices, s.answerObjection)
	s.page("GET /review", auth.ViewProjects, s.queuePage)

	s.page("GET /ledger/accounts", auth.ViewLedger, s.accountsPage)
	s.page("GET /ledger/accounts.xlsx", auth.ViewLedger, s.accountsExport)
	s.page("GET /ledger/accounts/{code}", auth.ViewLedger, s.accountPage)
	s.page("GET /ledger/transfers", auth.ViewLedger, s.transfersPage)
	s.page("GET /ledger/transfers/{id}", auth.ViewLedger, s.transferPage)
	s.page("GET /ledger/trace", auth.ViewLedger, s.tracePage)

	// Oversight: the audit log.
	s.page("GET /audit", auth.ViewAudit, s.auditPage)

	// Settings: users, places, API tokens.
	s.page("GET /system/users", auth.ViewUsers, s.usersPage)
	s.page("POST /system/users", auth.ManageUsers, s.createUser)
	s.page("POST /system/users/{username}/disable", auth.ManageUsers, s.disableUser)
	s.page("POST /system/users/{username}/enable", auth.ManageUsers, s.enableUser)
	s.page("POST /system/users/{username}/password", auth.ManageUsers, s.resetPassword)
	s.page("GET /system/places", auth.ViewPlaces, s.placesPage)
	s.page("POST /system/places", auth.ManagePlaces, s.importPlaces)
	s.page("GET /system/tokens", auth.ManageTokens, s.tokensPage)
	s.page("POST /system/tokens", auth.ManageTokens, s.issueToken)
	s.page("GET /system/policy", auth.ViewPolicy, s.policyPage)
	s.page("POST /system/policy", auth.ManagePolicy, s.choosePolicy)
	s.page("GET /me", auth.ViewDesk, s.mePage)
	s.page("POST /me/password", auth.ViewDesk, s.changeOwnPassword)

	// The public portal (no login).
	s.page("GET /public", auth.ViewPublic, s.publicIndex)
	s.page("GET /public/{county}", auth.ViewPublic, s.publicCounty)
	s.page("GET /public/{county}/funds.csv", auth.ViewPublic, s.publicFundsCSV)
	s.page("GET /public/{county}/notices", auth.ViewPublic, s.publicNotices)
	s.page("GET /public/{county}/notices/{id}", auth.ViewPublic, s.publicNotice)
	s.page("POST /public/{county}/notices/{id}/objections", auth.ViewPublic, s.fileObjection)
	s.page("GET /public/{county}/notices/{id}/print", auth.ViewPublic, s.noticePrint)
	s.page("GET /public/{county}/notices/{id}/qr.svg", auth.ViewPublic, s.noticeQR)

	// The ledger API (see docs/API.md).
	s.api("GET /api/v1/ledger/{county}/channels", auth.ViewLedger, s.apiListChannels)
	s.api("POST /api/v1/ledger/{county}/channels", auth.WriteLedger, s.apiCreateChannels)
	s.api("GET /api/v1/ledger/{county}/accounts", auth.ViewLedger, s.apiListAccounts)
	s.api("POST /api/v1/ledger/{county}/accounts", auth.WriteLedger, s.apiOpenAccounts)
	s.api("GET /api/v1/ledger/{county}/accounts/{code}", auth.ViewLedger, s.apiAccount)
	s.api("GET /api/v1/ledger/{county}/accounts/{code}/balances", auth.ViewLedger, s.apiBalances)
	s.api("GET /api/v1/ledger/{county}/accounts/{code}/statement", auth.ViewLedger, s.apiStatement)
	s.api("GET /api/v1/ledger/{county}/transfers", auth.ViewLedger, s.apiListTransfers)
	s.api("POST /api/v1/ledger/{county}/transfers", auth.WriteLedger, s.apiPostTransfers)
	s.api("GET /api/v1/ledger/{county}/transfers/{id}", auth.ViewLedger, s.apiTransfer)
	s.api("POST /api/v1/ledger/{county}/transfers/{id}/reverse", auth.WriteLedger, s.apiReverse)
	s.api("GET /api/v1/ledger/{county}/trace", auth.ViewLedger, s.apiTrace)
	s.api("GET /api/v1/policy/{county}", auth.ViewPolicy, s.apiPolicy)
	s.api("GET /api/v1/funds/{county}/channels", auth.ViewFunds, s.apiFundChannels)
	s.api("POST /api/v1/funds/{county}/channels", auth.WriteFunds, s.apiRegisterChannels)
	s.api("POST /api/v1/funds/{county}/plans", auth.WriteFunds, s.apiSetPlan)
	s.api("POST /api/v1/funds/{county}/arrivals", auth.WriteFunds, s.apiArrivals)
	s.api("POST /api/v1/funds/{county}/integrations", auth.WriteFunds, s.apiIntegrations)
	s.api("GET /api/v1/funds/{county}/report", auth.ViewFunds, s.apiFundsReport)
	s.api("POST /api/v1/funds/{county}/import", auth.WriteFunds, s.apiImportFunds)
	s.api("GET /api/v1/funds/{county}/commitments", auth.ViewFunds, s.apiCommitments)
	s.api("POST /api/v1/funds/{county}/minutes", auth.WriteFunds, s.apiRecordMinutes)
	s.api("GET /api/v1/funds/{county}/teams", auth.ViewFunds, s.apiTeams)
	s.api("POST /api/v1/funds/{county}/teams", auth.WriteFunds, s.apiAssign)
	s.api("POST /api/v1/funds/{county}/pairs", auth.WriteFunds, s.apiPair)
	s.api("GET /api/v1/funds/{county}/projects", auth.ViewFunds, s.apiFundProjects)
	s.api("GET /api/v1/funds/{county}/projects/{code}/report", auth.ViewFunds, s.apiProjectReport)
	s.api("POST /api/v1/funds/{county}/allocations", auth.WriteFunds, s.apiAllocate)
	s.api("POST /api/v1/funds/{county}/payments", auth.WriteFunds, s.apiPay)
	s.api("GET /api/v1/funds/{county}/villages/{village}/checks", auth.ViewFunds, s.apiVillageChecks)
	s.api("GET /api/v1/funds/{county}/channels/{code}/report", auth.ViewFunds, s.apiChannelReport)
	s.api("GET /api/v1/projects/{county}", auth.ViewProjects, s.apiLibrary)
	s.api("POST /api/v1/projects/{county}", auth.ProposeProjects, s.apiCreateProject)
	s.api("GET /api/v1/projects/{county}/queue", auth.ViewProjects, s.apiQueue)
	s.api("GET /api/v1/projects/{county}/townships", auth.ViewProjects, s.apiTownships)
	s.api("GET /api/v1/projects/{county}/{code}", auth.ViewProjects, s.apiProject)
	s.api("POST /api/v1/projects/{county}/{code}", auth.ProposeProjects, s.apiUpdateProject)
	s.api("POST /api/v1/projects/{county}/{code}/submit", auth.ProposeProjects, s.apiSubmitProject)
	s.api("POST /api/v1/projects/{county}/{code}/decide", auth.ReviewProjects, s.apiDecideProject)
	s.api("POST /api/v1/projects/{county}/{code}/notice", auth.ManageNotices, s.apiOpenNotice)
	s.api("POST /api/v1/projects/{county}/{code}/freeze", auth.FreezeProjects, s.apiFreezeProject)
	s.api("POST /api/v1/projects/{county}/{code}/advance", auth.AdvanceProjects, s.apiAdvanceProject)
	s.api("POST /api/v1/projects/{county}/{code}/track", auth.SuperviseProjects, s.apiTrackProject)
	s.api("POST /api/v1/projects/{county}/{code}/inspections", auth.SuperviseProjects, s.apiInspectProject)
	s.api("POST /api/v1/projects/{county}/{code}/files", auth.AttachFiles, s.apiAttachFile)
	s.api("GET /api/v1/projects/{county}/{code}/volume.zip", auth.ViewProjects, s.volumeZip)
	s.api("POST /api/v1/projects/{county}/{code}/evaluate", auth.EvaluateProjects, s.apiEvaluateProject)
	s.api("POST /api/v1/projects/{county}/{code}/reclaim", auth.ReclaimFunds, s.apiReclaimProject)
	s.api("POST /api/v1/projects/{county}/objections/{id}/answer", auth.ManageNotices, s.apiAnswerObjection)
	s.api("GET /api/v1/public/{county}/notices", auth.ViewPublic, s.apiPublicNotices)
	s.api("POST /api/v1/public/{county}/notices/{id}/objections", auth.ViewPublic, s.apiFileObjection)
	s.api("/api/", auth.ViewLedger, s.apiNotFound)

	// Anything else is a page that does not exist.
	s.page("/", auth.ViewPublic, s.notFound)
}

var _ http.Handler = (*Server)(nil)
