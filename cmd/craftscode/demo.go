package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// The CRAFTS CODE consortium as described in the project's seed. Regions
// are NUTS 2021 level-2 codes of each partner's seat.
type demoPartner struct {
	key        string // short handle for e-mail addresses
	partner    workflow.Partner
	instrument string
	group      string
	person     string // the partner's demo staff member
	reviewer   string // the stakeholder group's demo member
}

// demoProject is the project as the demo makes it at now: phase 1 (three
// years) running, begun on the first of the month a year ago, and phase 2
// (one year) after it. The dates are set once, when the project is made;
// later runs find it and leave them alone.
func demoProject(now time.Time) workflow.Project {
	y, m, _ := now.UTC().Date()
	start := time.Date(y-1, m, 1, 0, 0, 0, 0, time.UTC)
	p1End := start.AddDate(3, 0, -1)
	p2End := start.AddDate(4, 0, -1)
	day := func(t time.Time) *workflow.Date { return ptr(workflow.MustDate(t.Format("2006-01-02"))) }
	return workflow.Project{
		Acronym:     demoAcronym,
		Title:       "Improving the competitiveness of craft SMEs through interregional policy learning",
		Programme:   "Interreg Europe",
		Phase1Start: day(start),
		Phase1End:   day(p1End),
		Phase2End:   day(p2End),
		// The consortium works in English; the lead partner's clock.
		Language: "en",
		TimeZone: "Europe/Rome",
	}
}

const demoAcronym = "CRAFTS CODE"

var demoPartners = []demoPartner{
	{key: "it", partner: workflow.Partner{Name: "Municipality of Florence", ShortName: "Comune di Firenze", Country: "IT", Region: "ITI1", Role: workflow.PartnerLead},
		instrument: "POR FESR Toscana 2014–2020", group: "Tavolo degli stakeholder dell'artigianato fiorentino",
		person: "Giulia Nannucci", reviewer: "Niccolò Università"},
	{key: "ie", partner: workflow.Partner{Name: "Design and Crafts Council Ireland", ShortName: "DCCI", Country: "IE", Region: "IE05", Role: workflow.PartnerPartner},
		instrument: "Southern & Eastern Regional Operational Programme 2014–2020", group: "Irish craft stakeholder group",
		person: "Aoife Ní Bhriain", reviewer: "Seán Ó Ceallaigh"},
	{key: "fi", partner: workflow.Partner{Name: "Vaasa University of Applied Sciences – Aalto University School of Arts, Design and Architecture", ShortName: "VAMK–Aalto", Country: "FI", Region: "FI19", Role: workflow.PartnerPartner},
		instrument: "Kestävää kasvua ja työtä 2014–2020 – Suomen rakennerahasto-ohjelma", group: "Pohjanmaan käsityöalan sidosryhmä",
		person: "Sanna Mäkelä", reviewer: "Jörgen Åström"},
	{key: "be", partner: workflow.Partner{Name: "Artesis Plantijn Hogeschool Antwerpen", ShortName: "AP Hogeschool", Country: "BE", Region: "BE21", Role: workflow.PartnerPartner},
		instrument: "Operationeel Programma EFRO Vlaanderen 2014–2020", group: "Stakeholdergroep ambachten Antwerpen",
		person: "Els Peeters", reviewer: "Maarten Vervoort"},
	{key: "es", partner: workflow.Partner{Name: "FUNDESARTE", ShortName: "FUNDESARTE", Country: "ES", Region: "ES30", Role: workflow.PartnerPartner},
		instrument: "Programa Operativo FEDER de la Comunidad de Madrid 2014–2020", group: "Grupo de interés de la artesanía española",
		person: "Lucía Martínez Peña", reviewer: "Íñigo Gómez"},
	{key: "bg", partner: workflow.Partner{Name: "РАМ Стара планина", ShortName: "RAM Stara Planina", Country: "BG", Region: "BG32", Role: workflow.PartnerPartner},
		instrument: "Оперативна програма „Иновации и конкурентоспособност“ 2014–2020", group: "Група на заинтересованите страни – занаяти Габрово",
		person: "Мария Иванова", reviewer: "Георги Димитров"},
	{key: "hu", partner: workflow.Partner{Name: "Budapesti Vállalkozásfejlesztési Közalapítvány", ShortName: "BVK", Country: "HU", Region: "HU11", Role: workflow.PartnerPartner},
		instrument: "VEKOP – Versenyképes Közép-Magyarország Operatív Program", group: "Budapesti kézműipari érintettek csoportja",
		person: "Kovács Erzsébet", reviewer: "Szőke Ödön"},
}

// demoOutput is what `craftscode demo` prints.
type demoOutput struct {
	ProjectID string     `json:"project_id"`
	Acronym   string     `json:"acronym"`
	Users     []demoUser `json:"users"`
}

type demoUser struct {
	Role    string `json:"role"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Partner string `json:"partner,omitempty"`
	Group   string `json:"stakeholder_group,omitempty"`
	Token   string `json:"token"`
}

func ptr[T any](v T) *T { return &v }

// loadDemo creates what is missing of the demo consortium and gives every
// demo user a fresh token. Running it again changes no data: it finds each
// record by its natural key (acronym, name, instrument, e-mail) first.
// Earlier tokens stay valid.
// The project's phases are placed around now when it is made. With work,
// the consortium's deliverables and events are made too (demoWork); without
// it, the consortium alone, for tests that bring their own.
func loadDemo(ctx context.Context, store workflow.Store, now time.Time, work bool) (demoOutput, error) {
	project, err := store.ProjectByAcronym(ctx, demoAcronym)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		project = demoProject(now)
		err = store.CreateProject(ctx, &project)
	}
	if err != nil {
		return demoOutput{}, fmt.Errorf("project: %w", err)
	}
	out := demoOutput{ProjectID: project.ID, Acronym: project.Acronym}
	all := workflow.Page{Limit: 1000}
	partners, _, err := store.ListPartners(ctx, project.ID, all)
	if err != nil {
		return out, err
	}
	instruments, _, err := store.ListPolicyInstruments(ctx, project.ID, all)
	if err != nil {
		return out, err
	}
	groups, _, err := store.ListStakeholderGroups(ctx, project.ID, all)
	if err != nil {
		return out, err
	}
	members, _, err := store.ListMemberships(ctx, project.ID, all)
	if err != nil {
		return out, err
	}

	people := demoPeople{}
	// user ensures a demo user with a membership and returns a new token.
	user := func(role workflow.Role, email, name, partnerID, groupID string, admin bool) (string, error) {
		u, err := store.UserByEmail(ctx, email)
		token, hash := workflow.NewToken()
		switch {
		case workflow.ErrorCode(err) == workflow.CodeNotFound:
			u = workflow.User{Email: email, Name: name, Admin: admin}
			err = store.CreateUser(ctx, &u, hash, "demo")
		case err == nil:
			err = store.AddToken(ctx, u.ID, hash, "demo")
		}
		if err != nil || role == "" {
			return token, err
		}
		for _, m := range members {
			if m.UserID == u.ID {
				return token, nil
			}
		}
		m := workflow.Membership{ProjectID: project.ID, UserID: u.ID, Role: role, PartnerID: partnerID, StakeholderGroupID: groupID}
		return token, store.CreateMembership(ctx, &m)
	}
	add := func(role workflow.Role, label, email, name, partner, group, partnerID, groupID string, admin bool) error {
		token, err := user(role, email, name, partnerID, groupID, admin)
		if err == nil {
			people[email], err = store.Authenticate(ctx, workflow.HashToken(token))
		}
		if err != nil {
			return fmt.Errorf("user %s: %w", email, err)
		}
		out.Users = append(out.Users, demoUser{Role: label, Email: email, Name: name, Partner: partner, Group: group, Token: token})
		return nil
	}

	if err := add("", "admin", "admin@crafts-code.example", "Demo Administrator", "", "", "", "", true); err != nil {
		return out, err
	}
	for _, d := range demoPartners {
		p := findOr(partners, func(x workflow.Partner) bool { return x.Name == d.partner.Name })
		if p == nil {
			np := d.partner
			np.ProjectID = project.ID
			if err := store.CreatePartner(ctx, &np); err != nil {
				return out, fmt.Errorf("partner %s: %w", np.Name, err)
			}
			p = &np
		}
		pi := findOr(instruments, func(x workflow.PolicyInstrument) bool { return x.Name == d.instrument })
		if pi == nil {
			npi := workflow.PolicyInstrument{ProjectID: project.ID, Name: d.instrument, Type: workflow.InstrumentGrowthAndJobs, PartnerIDs: []string{p.ID}}
			if err := store.CreatePolicyInstrument(ctx, &npi); err != nil {
				return out, fmt.Errorf("instrument %s: %w", npi.Name, err)
			}
			pi = &npi
		}
		g := findOr(groups, func(x workflow.StakeholderGroup) bool { return x.PolicyInstrumentID == pi.ID })
		if g == nil {
			ng := workflow.StakeholderGroup{ProjectID: project.ID, Name: d.group, PolicyInstrumentID: pi.ID}
			if err := store.CreateStakeholderGroup(ctx, &ng); err != nil {
				return out, fmt.Errorf("stakeholder group %s: %w", ng.Name, err)
			}
			g = &ng
		}
		if d.partner.Role == workflow.PartnerLead {
			if err := add(workflow.RoleCoordinator, "coordinator", "coordinator@crafts-code.example", "Chiara Bellini", p.Name, "", "", "", false); err != nil {
				return out, err
			}
		}
		if err := add(workflow.RolePartner, "partner", "partner."+d.key+"@crafts-code.example", d.person, p.Name, "", p.ID, "", false); err != nil {
			return out, err
		}
		if err := add(workflow.RoleStakeholder, "stakeholder", "stakeholder."+d.key+"@crafts-code.example", d.reviewer, "", g.Name, "", g.ID, false); err != nil {
			return out, err
		}
	}
	if err := add(workflow.RoleSecretariat, "secretariat", "secretariat@crafts-code.example", "Joint Secretariat Officer", "", "", "", "", false); err != nil {
		return out, err
	}
	if err := add(workflow.RoleObserver, "observer", "observer@crafts-code.example", "Audit Observer", "", "", "", "", false); err != nil {
		return out, err
	}
	if !work {
		return out, nil
	}
	// The work, done as the demo users, with the consortium as it is now.
	if partners, _, err = store.ListPartners(ctx, project.ID, all); err != nil {
		return out, err
	}
	if instruments, _, err = store.ListPolicyInstruments(ctx, project.ID, all); err != nil {
		return out, err
	}
	if err := demoWork(ctx, store, project, partners, instruments, people, now); err != nil {
		return out, fmt.Errorf("demo work: %w", err)
	}
	return out, nil
}

// readyForDemo lets the demo's approvals queue their documents, as the
// service's do: the built-in approval templates, and a queue that only
// inserts (the running service renders them).
func readyForDemo(store *sqlstore.Store) error {
	q, err := jobs.New(store.DB(), jobs.Dialect(store.Dialect()), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return err
	}
	store.SetJobQueue(q)
	return store.UseBuiltinApprovalTemplates()
}

func findOr[T any](items []T, match func(T) bool) *T {
	for i := range items {
		if match(items[i]) {
			return &items[i]
		}
	}
	return nil
}
