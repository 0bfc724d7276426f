// Package auth keeps users, their roles and places, sessions and API tokens,
// and the one policy function every capability asks before it acts:
// Authorize. A user acts with one role within one place subtree (a county,
// a township or a village); a record outside that subtree does not exist
// for them.
package auth

import (
	"onepool/internal/errs"
	"onepool/internal/place"
)

// Role is what a user does. The UI names come from the message catalogue
// (role.<name>).
type Role string

// The roles. Public is the anonymous visitor of /public; no user has it.
const (
	RoleAdmin    Role = "admin"    // county administrator (县级管理员): users, places, settings
	RoleRural    Role = "rural"    // rural-revitalization bureau (乡村振兴局)
	RoleFinance  Role = "finance"  // finance bureau (财政局)
	RoleSector   Role = "sector"   // sector department (行业部门)
	RoleTownship Role = "township" // township officer (乡镇干部)
	RoleVillage  Role = "village"  // village cadre (村干部)
	RoleAuditor  Role = "auditor"  // auditor (审计): read-only everywhere in the place, plus the audit log
	RolePublic   Role = "public"   // anonymous public (公众)
)

// Roles lists the roles a user can have, in display order.
var Roles = []Role{RoleAdmin, RoleRural, RoleFinance, RoleSector, RoleTownship, RoleVillage, RoleAuditor}

// Valid reports whether r is a role a user can have.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Action is something a principal may be allowed to do.
type Action string

// The actions. Capabilities add theirs here, with their rule in grants.
const (
	ViewPublic   Action = "public.view"   // the public portal
	ViewDesk     Action = "desk.view"     // the signed-in shell: dashboard, area pages
	ViewLedger   Action = "ledger.view"   // accounts, balances, transfers, traces
	WriteLedger  Action = "ledger.write"  // post transfers, open accounts, register channels
	ViewAudit    Action = "audit.view"    // the audit log
	ViewPlaces   Action = "places.view"   // the place tree
	ManagePlaces Action = "places.manage" // import the place tree
	ViewUsers    Action = "users.view"    // the user list
	ManageUsers  Action = "users.manage"  // create, disable, reset users
	ManageTokens Action = "tokens.manage" // one's own API tokens
	ViewFunds    Action = "funds.view"    // channel registry, plans, arrival and integration reports
	WriteFunds   Action = "funds.write"   // register channels, set plans, record arrivals, integrate
	ViewPolicy   Action = "policy.view"   // the county's policy profile
	ManagePolicy Action = "policy.manage" // choose the profile, override keys

	ViewProjects      Action = "projects.view"      // the project library, a project, review queues
	ProposeProjects   Action = "projects.propose"   // enter projects in the library, change and propose them
	ReviewProjects    Action = "projects.review"    // take review steps (the chain names the role of each)
	ManageNotices     Action = "projects.notice"    // post public notices, answer objections
	FreezeProjects    Action = "projects.freeze"    // freeze a review while it is audited
	AdvanceProjects   Action = "projects.advance"   // construction, completion, acceptance, handover, after-care
	SuperviseProjects Action = "projects.supervise" // performance tracking and inspections
	EvaluateProjects  Action = "projects.evaluate"  // post-evaluation score
	ReclaimFunds      Action = "projects.reclaim"   // reclaim a project's money or switch the project
	AttachFiles       Action = "projects.attach"    // add documents to a project's volume

	ViewRegistry   Action = "registry.view"   // households (masked), leads
	WriteRegistry  Action = "registry.write"  // save households and their years, import
	RevealPersonal Action = "registry.reveal" // see one ID number, card or cause in clear (audited)
	ManageLeads    Action = "registry.leads"  // override a duplicate lead with a reason
	ViewRelief     Action = "relief.view"     // the relief fund, applications, batches
	ApplyRelief    Action = "relief.apply"    // raise an application for a household
	ReviewRelief   Action = "relief.review"   // take review steps (the chain names the role of each)
	ReceiveRelief  Action = "relief.receive"  // record donations and treasury top-ups
	PayRelief      Action = "relief.pay"      // payout batches, the bank's files

	ViewInstructions Action = "money.view"    // money instructions: entered, waiting, posted
	ApproveMoney     Action = "money.approve" // approve or reject a money instruction (the chain names the role)
)

// staff are all roles a user can have.
var staff = Roles

// grants is the one table of who may do what (within their place subtree).
var grants = map[Action][]Role{
	ViewPublic:   append([]Role{RolePublic}, staff...),
	ViewDesk:     staff,
	ViewLedger:   staff,
	WriteLedger:  {RoleFinance, RoleRural},
	ViewAudit:    {RoleAdmin, RoleAuditor},
	ViewPlaces:   staff,
	ManagePlaces: {RoleAdmin},
	ViewUsers:    {RoleAdmin, RoleAuditor},
	ManageUsers:  {RoleAdmin},
	ManageTokens: staff, // every role has API actions (projects: village cadres too)
	ViewFunds:    staff,
	WriteFunds:   {RoleFinance, RoleRural},
	ViewPolicy:   staff,
	ManagePolicy: {RoleAdmin},

	ViewProjects:      staff,
	ProposeProjects:   {RoleVillage, RoleTownship, RoleRural},
	ReviewProjects:    {RoleVillage, RoleTownship, RoleRural, RoleFinance, RoleSector},
	ManageNotices:     {RoleTownship, RoleRural},
	FreezeProjects:    {RoleAuditor},
	AdvanceProjects:   {RoleVillage, RoleTownship, RoleRural, RoleSector},
	SuperviseProjects: {RoleTownship, RoleRural, RoleSector, RoleFinance, RoleAuditor},
	EvaluateProjects:  {RoleRural, RoleFinance, RoleAuditor},
	ReclaimFunds:      {RoleTownship, RoleRural, RoleFinance},
	AttachFiles:       {RoleVillage, RoleTownship, RoleRural, RoleFinance, RoleSector},

	ViewRegistry:   staff,
	WriteRegistry:  {RoleVillage, RoleTownship, RoleRural},
	RevealPersonal: {RoleVillage, RoleTownship, RoleRural},
	ManageLeads:    {RoleTownship, RoleRural},
	ViewRelief:     staff,
	ApplyRelief:    {RoleVillage},
	ReviewRelief:   {RoleVillage, RoleTownship, RoleRural},
	ReceiveRelief:  {RoleFinance, RoleRural},
	PayRelief:      {RoleFinance, RoleRural},

	ViewInstructions: {RoleFinance, RoleRural, RoleTownship, RoleAuditor},
	ApproveMoney:     {RoleFinance, RoleRural, RoleTownship},
}

// Actions lists every action, for the authorization matrix.
func Actions() []Action {
	out := make([]Action, 0, len(grants))
	for a := range grants {
		out = append(out, a)
	}
	return out
}

// Allowed reports whether role may take action at all (ignoring place).
func Allowed(role Role, act Action) bool {
	for _, r := range grants[act] {
		if r == role {
			return true
		}
	}
	return false
}

// Principal is who is acting: a signed-in user, an API token's user, or
// the anonymous public (Public() — Role RolePublic, no place).
type Principal struct {
	Username    string
	DisplayName string
	Role        Role
	Place       place.Code // the root of the subtree the user acts in
	County      string     // the 6-digit county code of Place
}

// Public is the anonymous visitor.
func Public() Principal { return Principal{Username: "public", Role: RolePublic} }

// IsPublic reports whether p is the anonymous visitor.
func (p Principal) IsPublic() bool { return p.Role == RolePublic }

// Prefix is the division-code prefix of p's subtree, for filtering lists
// ("" for the public, who see only disclosed aggregates).
func (p Principal) Prefix() string {
	if p.IsPublic() || !p.Place.Valid() {
		return place.None // matches nothing
	}
	return p.Place.Prefix()
}

// Sees reports whether the record at pl lies in p's subtree.
func (p Principal) Sees(pl place.Code) bool {
	return !p.IsPublic() && p.Place.Contains(pl)
}

// Errors Authorize returns. NotFound is the same error a missing record
// gives, so a user cannot learn that another place's record exists.
var (
	errNotFound = errs.E(errs.NotFound, "not_found", "not found")
	errSignIn   = errs.E(errs.Unauthenticated, "unauthenticated", "please sign in")
)

// NotFound is the error for a record that does not exist or that the
// principal may not see (they are indistinguishable by design).
func NotFound() error { return errNotFound }

// Authorize is the policy: may p take act on a record at pl? Pass pl ""
// for actions not tied to a record (a list, a form); lists are then
// filtered with p.Prefix(). It returns nil, or:
//   - Unauthenticated when the public asks for a staff action;
//   - NotFound when the record lies outside p's subtree (or in another
//     county), exactly as for a record that does not exist;
//   - Forbidden when p's role may not take act.
func Authorize(p Principal, act Action, pl place.Code) error {
	if p.IsPublic() {
		if Allowed(RolePublic, act) {
			return nil
		}
		return errSignIn
	}
	if pl != "" && !p.Sees(pl) {
		return errNotFound
	}
	if !Allowed(p.Role, act) {
		return errs.F(errs.Forbidden, "forbidden", "", "your role (%s) may not do this (%s)", p.Role, act)
	}
	return nil
}

// AuthorizeCounty checks act for a request addressed to a county (a
// 6-digit code, as in the ledger API): a county other than p's is NotFound.
func AuthorizeCounty(p Principal, act Action, county string) error {
	if !p.IsPublic() && county != p.County {
		return errNotFound
	}
	return Authorize(p, act, "")
}

// CheckMakerChecker refuses when the principal who would approve a thing
// is the one who created or last changed it (maker–checker, 审批分离).
// Errors: RuleBroken (maker_checker).
func CheckMakerChecker(p Principal, maker string) error {
	if maker != "" && p.Username == maker {
		return errs.E(errs.RuleBroken, "maker_checker", "you created or last changed this item, so someone else must approve it")
	}
	return nil
}
