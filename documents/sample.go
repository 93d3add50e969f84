package documents

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sample data: revision snapshots of the CRAFTS CODE demo consortium, in the
// shape storage/sqlstore's freeze writes them (kind, revision, project,
// partner, policy_instrument, content) and decoded the way the render job
// decodes them (numbers as json.Number). Templates are test-rendered on
// them before an upload is accepted, and the golden files are made from
// them.

// hostileText looks like Markdown, HTML and template syntax; it must come
// out of every format as these literal characters.
const hostileText = "<script>alert(1)</script> **bold** {{.X}} [x](javascript:alert(1))"

// sampleCreated is the fixed revision time of the samples.
var sampleCreated = time.Date(2019, time.March, 1, 12, 0, 0, 0, time.UTC)

// Fixed ids of the demo consortium in the samples.
const (
	sampleProjectID    = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d01"
	samplePartnerHU    = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d17"
	samplePartnerBG    = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d16"
	samplePartnerIE    = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d12"
	samplePartnerES    = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d15"
	sampleInstrumentHU = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d27"
	sampleInstrumentBG = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d26"
	samplePlanID       = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d37"
	sampleReviewID     = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d46"
)

// Sample returns a realistic snapshot of the kind ("action_plan" or
// "peer_review"), or nil for another kind. Each call returns a fresh copy.
func Sample(kind string) map[string]any {
	switch kind {
	case KindActionPlan:
		return SampleActionPlan(len(sampleActions))
	case KindPeerReview:
		return samplePeerReview()
	case KindGoodPractice:
		return sampleGoodPractice()
	case KindProgressReport:
		return sampleProgressReport()
	case KindEventMinutes:
		return sampleEventMinutes()
	}
	return nil
}

// sampleEventMinutes is the data of the minutes of the project's third
// thematic seminar, held in Gabrovo.
func sampleEventMinutes() map[string]any {
	return map[string]any{
		"kind":    KindEventMinutes,
		"project": sampleProject(),
		"partner": map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d81", "name": "РАМ Стара планина", "country": "BG", "region": "BG32"},
		"content": map[string]any{
			"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d71", "project_id": sampleProjectID, "type": "thematic_seminar",
			"seminar_number": json.Number("3"), "title": "Crafts, skills and the next generation of makers",
			"host_partner_id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d81", "status": "held",
			"start_date": "2017-10-11", "end_date": "2017-10-12",
			"place":  map[string]any{"country": "BG", "nuts2": "BG32", "city": "Габрово"},
			"agenda": "Day 1: the Етър open-air museum's workshops; the Crafts Academy.\nDay 2: site visits and a workshop on transfer.",
			"minutes": "Nine partners from seven countries took part. The Budapest partner asked how masters are chosen " +
				"and paid; РАМ Стара планина answered that the chamber of crafts nominates them.\n\n" +
				"Agreed: Budapest and Tørshavn study the academy's mentoring model for their action plans. " + hostileText,
		},
		"participants": map[string]any{
			"partners": []any{
				map[string]any{"name": "Budapesti Vállalkozásfejlesztési Közalapítvány", "country": "HU"},
				map[string]any{"name": "Design and Crafts Council Ireland", "country": "IE"},
			},
			"groups": []any{map[string]any{"name": "Budapesti kézműves kkv-k érintettjei"}},
		},
		"good_practices": []any{
			map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d61", "title": "Занаятчийска академия – Crafts Academy of Gabrovo"},
		},
	}
}

// sampleTime is a fixed time of the sample consultations, in UTC.
func sampleTime(day, hour, minute int) time.Time {
	return time.Date(2019, time.March, day, hour, minute, 0, 0, time.UTC)
}

// samplePlanConsultation is the closed consultation of the Budapest plan:
// every comment answered, one of each status, one reply, and a comment
// whose text is hostile.
func samplePlanConsultation() Consultation {
	closed := sampleTime(12, 16, 0)
	chamber := ConsultationPerson{Name: "Nagy Péter (Budapesti Kereskedelmi és Iparkamara)", Role: "stakeholder"}
	owner := ConsultationPerson{Name: "Kovács Erzsébet", Role: "partner"}
	return Consultation{
		Revision: 3, OpenedAt: sampleTime(1, 12, 0), Deadline: sampleTime(15, 12, 0), ClosedAt: &closed, ClosedReason: "early",
		Counts: ConsultationCounts{Comments: 4, Replies: 1, Answered: 4, Accepted: 1, PartiallyAccepted: 1, Rejected: 1, Noted: 1},
		Sections: []ConsultationSection{
			{Anchor: "general", Title: "The document as a whole", Comments: []ConsultationComment{{
				Number: 1, ID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d61", Section: "general",
				Author: ConsultationPerson{Name: "Jóanna Ærøe (Tørshavn Handverkarafelag)", Role: "stakeholder"}, Stance: "suggestion",
				Body:      "Please add a fourth action on apprenticeships, as in Tørshavn and Ærø.",
				CreatedAt: sampleTime(2, 9, 30), Replies: []ConsultationReply{},
				Response: &ConsultationResponse{Status: "rejected", Author: owner, At: sampleTime(11, 10, 0),
					Body:         "VEKOP does not fund vocational training; the mentoring scheme of action 1 covers young masters.",
					AnsweredBody: "Please add a fourth action on apprenticeships, as in Tørshavn and Ærø."},
			}}},
			{Anchor: "part2.policy_context", Title: "Part II – Policy context", Comments: []ConsultationComment{{
				Number: 2, ID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d62", Section: "part2.policy_context", Author: chamber, Stance: "concern",
				Body:      "A VEKOP-1.2.1 felhívás önrésze (€5 000) túl magas a kézműves mikrovállalkozásoknak.\nKérjük, ezt is említsék meg.",
				Edited:    true,
				CreatedAt: sampleTime(3, 14, 5),
				Response: &ConsultationResponse{Status: "partially_accepted", Author: owner, At: sampleTime(11, 10, 5),
					Body:         "The own contribution is named in Part II; lowering it is for the managing authority.",
					AnsweredBody: "A VEKOP-1.2.1 felhívás önrésze (€5 000) túl magas a kézműves mikrovállalkozásoknak."},
				EditedAfterResponse: true, CarriedFrom: 2,
				Replies: []ConsultationReply{{ID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d65", Author: owner, Stance: "question",
					Body: "Would €2 500 be within reach?", CreatedAt: sampleTime(4, 8, 0)}},
			}}},
			{Anchor: "part3.action.1.players", Title: "Action 1 – Kézműves vállalkozói mentorprogram: players involved", Name: "Kézműves vállalkozói mentorprogram", Comments: []ConsultationComment{{
				Number: 3, ID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d63", Section: "part3.action.1.players",
				Author: ConsultationPerson{Name: "РАМ Стара планина", Role: "partner"}, Stance: "support",
				Body:      "Our masters in Габрово will gladly mentor the first Budapest group.",
				CreatedAt: sampleTime(5, 11, 0), Replies: []ConsultationReply{},
				Response: &ConsultationResponse{Status: "noted", Author: owner, At: sampleTime(11, 10, 10), Body: "Thank you.",
					AnsweredBody: "Our masters in Габрово will gladly mentor the first Budapest group."},
			}}},
			{Anchor: "part3.action.3.costs", Title: "Action 3 – Közös online értékesítési platform: costs", Name: "Közös online értékesítési platform", Comments: []ConsultationComment{{
				Number: 4, ID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d64", Section: "part3.action.3.costs", Author: chamber, Stance: "question",
				Body:      "Is the platform's hosting in the costs? " + hostileText,
				CreatedAt: sampleTime(6, 15, 45), Replies: []ConsultationReply{},
				Response: &ConsultationResponse{Status: "accepted", Author: owner, At: sampleTime(11, 10, 15),
					Body: "Yes: hosting is €1 200 a year, now listed. | " + hostileText, AnsweredBody: "Is the platform's hosting in the costs? " + hostileText},
			}}},
		},
	}
}

// sampleReviewConsultation is the peer review's consultation, still open,
// with one comment answered and one not.
func sampleReviewConsultation() Consultation {
	return Consultation{
		Revision: 2, OpenedAt: sampleTime(1, 12, 0), Deadline: sampleTime(15, 12, 0), ClosedReason: "",
		Counts: ConsultationCounts{Comments: 2, Answered: 1, Unanswered: 1, Accepted: 1},
		Sections: []ConsultationSection{
			{Anchor: "findings", Title: "Findings", Comments: []ConsultationComment{{
				Number: 1, ID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d71", Section: "findings",
				Author: ConsultationPerson{Name: "Регионална занаятчийска камара – Габрово", Role: "stakeholder"}, Stance: "concern",
				Body:      "The turnover threshold is €25 000, not €50 000.",
				CreatedAt: sampleTime(2, 10, 0), Replies: []ConsultationReply{},
				Response: &ConsultationResponse{Status: "accepted", Author: ConsultationPerson{Name: "FUNDESARTE", Role: "partner"},
					At: sampleTime(3, 9, 0), Body: "Corrected in the next revision.", AnsweredBody: "The turnover threshold is €25 000, not €50 000."},
			}}},
			{Anchor: "recommendation.2", Title: "Recommendation 2 – Link the master–apprentice tradition to business mentoring", Name: "Link the master–apprentice tradition to business mentoring",
				Comments: []ConsultationComment{{
					Number: 2, ID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d72", Section: "recommendation.2",
					Author: ConsultationPerson{Name: "Design and Crafts Council Ireland", Role: "partner"}, Stance: "suggestion",
					Body:      "Name the Етър workshops that have agreed to take part.",
					CreatedAt: sampleTime(4, 16, 20), Replies: []ConsultationReply{},
				}}},
		},
	}
}

// sampleConsultation is the consultation of a kind's sample, as template
// data.
func sampleConsultation(kind string) any {
	if kind == KindPeerReview {
		return decodeData(sampleReviewConsultation())
	}
	return decodeData(samplePlanConsultation())
}

// SampleMeta is the Meta of a sample document: fixed creation time and id.
func SampleMeta(kind string, draft bool) Meta {
	s := Sample(kind)
	if s == nil {
		return Meta{Created: sampleCreated, Draft: draft}
	}
	return MetaFor(s, !draft, sampleCreated, "sample")
}

// SampleActionPlan is the Budapest action plan with n actions: the sample's
// actions repeated in turn (for benchmarks; the benchmark uses 30).
func SampleActionPlan(n int) map[string]any {
	actions := make([]any, n)
	citations := []any{}
	for i := range actions {
		a := sampleActions[i%len(sampleActions)]
		for _, c := range a.cites {
			citations = append(citations, map[string]any{"action_number": json.Number(fmt.Sprint(i + 1)),
				"kind": c[0], "id": c[1], "title": c[2]})
		}
		title := a.title
		if i >= len(sampleActions) {
			title = fmt.Sprintf("%s (%d. ütem)", a.title, i/len(sampleActions)+1)
		}
		bg := map[string]any{"text": a.background}
		if a.fromReview {
			bg["peer_review_id"] = sampleReviewID
			bg["recommendation_id"] = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d52"
		}
		actions[i] = map[string]any{
			"number":          json.Number(fmt.Sprint(i + 1)),
			"title":           title,
			"background":      bg,
			"description":     a.description,
			"players":         a.players,
			"timeframe_start": a.start,
			"timeframe_end":   a.end,
			"costs":           a.costs,
			"funding_sources": a.funding,
		}
	}
	return map[string]any{
		"kind":     KindActionPlan,
		"revision": json.Number("3"),
		"project":  sampleProject(),
		"partner": map[string]any{
			"id": samplePartnerHU, "name": "Budapesti Vállalkozásfejlesztési Közalapítvány", "short_name": "BVK",
			"country": "HU", "region": "HU11", "role": "partner",
		},
		"policy_instrument": map[string]any{
			"id": sampleInstrumentHU, "name": "VEKOP – Versenyképes Közép-Magyarország Operatív Program", "type": "growth_and_jobs",
		},
		"content": map[string]any{
			"id":                   samplePlanID,
			"project_id":           sampleProjectID,
			"policy_instrument_id": sampleInstrumentHU,
			"partner_id":           samplePartnerHU,
			"title":                "Cselekvési terv a budapesti kézműves kkv-k versenyképességének javítására",
			"language":             "hu",
			"summary_en": "The Budapest Enterprise Agency's action plan improves how VEKOP supports craft SMEs in Central Hungary. " +
				"It introduces a mentoring scheme modelled on the practice of РАМ Стара планина (Gabrovo), design-led product " +
				"development vouchers inspired by the study visit to Tørshavn and the work of Università di Firenze, and a joint " +
				"sales platform for Budapest's craft enterprises. The three actions cost €195 000 in total.",
			"other_organisations": "Budapesti Kereskedelmi és Iparkamara (BKIK)\nMoholy-Nagy Művészeti Egyetem\nNépi Iparművészeti Egyesület",
			"contact_name":        "Kovács Erzsébet",
			"contact_email":       "kovacs.erzsebet@bvk.example",
			"policy_context": "A Versenyképes Közép-Magyarország Operatív Program (VEKOP) 1. prioritási tengelye a kis- és " +
				"középvállalkozások versenyképességét támogatja a Közép-magyarországi régióban. A kézműves vállalkozások " +
				"eddig ritkán pályáztak: a felhívások a gyártó kkv-kra szabott feltételeket szabtak, és a tanácsadás nem " +
				"ismerte az ágazat sajátosságait.\n\n" +
				"A cselekvési terv három lépésben javítja az eszközt: új mentorálási komponenst, design-alapú " +
				"termékfejlesztési utalványokat és közös értékesítési csatornát vezet be, és ezekkel módosítja a " +
				"VEKOP-1.2.1 felhívás értékelési szempontjait.",
			"actions": actions,
		},
		"consultation": sampleConsultation(KindActionPlan),
		"citations":    citations,
	}
}

type sampleAction struct {
	title, background, description, players, start, end, costs, funding string
	fromReview                                                          bool
	cites                                                               [][3]string // kind, id, title, as the store resolves them
}

var sampleActions = []sampleAction{
	{
		title: "Kézműves vállalkozói mentorprogram",
		background: "Az РАМ Стара планина „Занаятчийска академия” (Kézműves akadémia) jó gyakorlata, amelyet a 2017. októberi " +
			"gabrovói szakértői értékelésen (peer review) ismertünk meg: tapasztalt mesterek egy évig kísérik a fiatal " +
			"kézműves vállalkozókat.",
		description: "A VEKOP-1.2.1 felhívásba új, kézműves kkv-knak szóló mentorálási komponens kerül. Évente 20 fiatal " +
			"vállalkozó kap 12 hónapos mentorálást; a mentorokat a Budapesti Kereskedelmi és Iparkamara választja ki.\n" +
			"A mentorok havonta találkoznak a mentorált vállalkozásokkal, és negyedévente közös műhelyt tartanak.",
		players: "Budapesti Vállalkozásfejlesztési Közalapítvány (koordináció); Budapesti Kereskedelmi és Iparkamara; " +
			"Pest Megyei Kormányhivatal (irányító hatóság)",
		start: "2019-09-01", end: "2020-06-30",
		costs:      "€45 000 (mentorok díja €30 000, műhelyek €15 000)",
		funding:    "VEKOP-1.2.1 (ERFA 50 %, hazai társfinanszírozás 50 %)",
		fromReview: true,
		cites: [][3]string{
			{"peer_review", sampleReviewID, "Peer review in Gabrovo: support for craft SMEs in the North Central region"},
			{"recommendation", "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d52", "Recommendation 2: Link the master–apprentice tradition to business mentoring"},
			{"good_practice", "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d61", "Занаятчийска академия – Crafts Academy of Gabrovo"},
		},
	},
	{
		title: "Design-alapú termékfejlesztési utalványok",
		background: "Tanulmányút Tørshavnban (Feröer) és az ærøi kézműves műhelyekben 2018 májusában, valamint a Design " +
			"and Crafts Council Ireland „Design Skills” programja.",
		description: "Kézműves kkv-k legfeljebb €3 000 értékű utalványt kapnak, amelyet egyetemi designerekkel közös " +
			"termékfejlesztésre fordíthatnak. Az első körben 40 utalványt osztunk ki.\n\n" +
			"A pályázati űrlap szabad szöveges mezőit a rendszer szó szerint jeleníti meg, például:\n" +
			hostileText,
		players: "Moholy-Nagy Művészeti Egyetem; Università di Firenze (módszertani partner); 40 budapesti kézműves kkv",
		start:   "2019-10-01", end: "2020-12-31",
		costs:   "€120 000 (40 × €3 000)",
		funding: "VEKOP-1.2.1; a vállalkozások önrésze 10 %",
		cites:   [][3]string{{"event", "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d71", "Study visit to Tórshavn and Ærø, May 2018"}},
	},
	{
		title: "Közös online értékesítési platform",
		background: "A firenzei „Firenze Artigiana” védjegy és a FUNDESARTE spanyol kézműves piactere, amelyeket a " +
			"2018. évi antwerpeni tematikus szemináriumon mutattak be.",
		description: "A budapesti kézműves vállalkozások közös online piactere egységes minőségi jelöléssel, " +
			"fizetési és szállítási szolgáltatással. Az őszi vásárszezonra indul.",
		players: "Népi Iparművészeti Egyesület; Budapest Főváros Önkormányzata; Budapesti Vállalkozásfejlesztési Közalapítvány",
		start:   "2020-01-15", end: "2020-11-30",
		costs:   "€30 000 (fejlesztés €22 000, marketing €8 000)",
		funding: "Budapest Főváros Önkormányzata, Budapesti Vállalkozásfejlesztési Közalapítvány saját forrás",
	},
}

func sampleProject() map[string]any {
	return map[string]any{
		"id": sampleProjectID, "acronym": "CRAFTS CODE", "programme": "Interreg Europe",
		"title": "Improving the competitiveness of craft SMEs through interregional policy learning",
	}
}

// samplePeerReview is the review hosted by РАМ Стара планина with peers from
// Ireland and Spain. The snapshot carries peer_partner_ids; the peers list
// (names and countries of the peers) is what templates use when the
// snapshot has it.
func samplePeerReview() map[string]any {
	return map[string]any{
		"kind":     KindPeerReview,
		"revision": json.Number("2"),
		"project":  sampleProject(),
		"partner": map[string]any{
			"id": samplePartnerBG, "name": "РАМ Стара планина", "short_name": "RAM Stara Planina",
			"country": "BG", "region": "BG32", "role": "partner",
		},
		"policy_instrument": map[string]any{
			"id": sampleInstrumentBG, "name": "Оперативна програма „Иновации и конкурентоспособност“ 2014–2020", "type": "growth_and_jobs",
		},
		"peers": []any{
			map[string]any{"id": samplePartnerIE, "name": "Design and Crafts Council Ireland", "short_name": "DCCI", "country": "IE", "region": "IE05"},
			map[string]any{"id": samplePartnerES, "name": "FUNDESARTE", "short_name": "FUNDESARTE", "country": "ES", "region": "ES30"},
		},
		"content": map[string]any{
			"id":                   sampleReviewID,
			"project_id":           sampleProjectID,
			"host_partner_id":      samplePartnerBG,
			"peer_partner_ids":     []any{samplePartnerIE, samplePartnerES},
			"policy_instrument_id": sampleInstrumentBG,
			"title":                "Peer review in Gabrovo: support for craft SMEs in the North Central region",
			"visit_start":          "2017-10-11",
			"visit_end":            "2017-10-12",
			"findings": "The peers met the managing authority of the Operational Programme „Иновации и конкурентоспособност“, " +
				"the Regional Chamber of Crafts (Регионална занаятчийска камара – Габрово) and twelve craft enterprises of the " +
				"Etar open-air museum (АЕК „Етър“).\n\n" +
				"Craft SMEs rarely apply to the programme: calls require turnover thresholds that most workshops do not reach, " +
				"and applications must be written with consultants whom the workshops cannot pay. The apprenticeship tradition " +
				"of the region is strong, but it is not linked to business support.\n" +
				"Good practices the peers pointed to: Ireland's Design Skills programme and Spain's national craft awards (€10 000 per prize).",
			"recommendations": []any{
				map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d51", "number": json.Number("1"),
					"title": "Open a craft strand in the SME calls",
					"body":  "Lower the turnover threshold for craft micro-enterprises and accept applications in Bulgarian without external consultants."},
				map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d52", "number": json.Number("2"),
					"title": "Link the master–apprentice tradition to business mentoring",
					"body":  "Pair experienced masters of the Етър workshops with young craft entrepreneurs for a year, as a business mentoring scheme."},
				map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d53", "number": json.Number("3"),
					"title": "Fund design-led product development",
					"body":  "Offer small vouchers (up to €3 000) for work with designers, following the Irish and Finnish examples."},
			},
		},
		"consultation": sampleConsultation(KindPeerReview),
	}
}

// sampleGoodPractice is a Bulgarian good practice, written in English with
// its names in Bulgarian, as the programme form is filled in.
func sampleGoodPractice() map[string]any {
	return map[string]any{
		"kind":     KindGoodPractice,
		"revision": json.Number("1"),
		"project":  sampleProject(),
		"partner": map[string]any{
			"id": samplePartnerBG, "name": "РАМ Стара планина", "short_name": "RAM Stara Planina",
			"country": "BG", "region": "BG32", "role": "partner",
		},
		"content": map[string]any{
			"id":         "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d71",
			"project_id": sampleProjectID,
			"partner_id": samplePartnerBG,
			"title":      "Master–apprentice workshops of the Етър open-air museum",
			"location":   map[string]any{"country": "BG", "nuts2": "BG32", "city": "Габрово"},
			"summary": "Masters of the Etar open-air museum (АЕК „Етър“) take young people as apprentices for a year, " +
				"in workshops open to visitors.",
			"description": "Twelve workshops – potters, smiths, weavers, a goldsmith – each take one or two apprentices. " +
				"The Regional Chamber of Crafts (Регионална занаятчийска камара – Габрово) certifies them at the end.\n\n" +
				"Visitors buy the apprentices' work in the museum's shops.",
			"resources_needed":       "€45 000 a year for stipends, and one coordinator at the museum.",
			"timescale":              "Since 2012; one cohort a year",
			"evidence_of_success":    "64 apprentices certified, 19 of whom opened their own workshop; sales up by a third.",
			"potential_for_learning": "Any region with a living-heritage site can pair masters and apprentices; Hungarian partners asked about it for the Szentendre skanzen.",
			"main_institution":       "Регионален етнографски музей на открито „Етър“",
			"images": []any{map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d72", "practice_id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d71",
				"content_type": "image/jpeg", "size": json.Number("48213"), "sha256": strings.Repeat("ab", 32),
				"caption": "Грънчарска работилница", "created_by": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d01", "created_at": "2018-05-04T10:00:00Z"}},
		},
	}
}

// sparseSample is a snapshot with every optional field missing, null or
// empty, as in an early draft: templates must render it without printing
// "<no value>".
func sparseSample(kind string) map[string]any {
	s := Sample(kind)
	if s == nil {
		return nil
	}
	if kind == KindProgressReport {
		return sparseProgressReport(s)
	}
	delete(s, "policy_instrument")
	delete(s, "peers")
	c := s["content"].(map[string]any)
	for k, v := range c {
		switch v.(type) {
		case string:
			if k != "id" && k != "project_id" && k != "title" && k != "partner_id" && k != "host_partner_id" {
				c[k] = ""
			}
		case []any:
			c[k] = []any{}
		}
	}
	for _, k := range []string{"visit_start", "visit_end", "policy_instrument_id"} {
		if _, ok := c[k]; ok {
			c[k] = nil
		}
	}
	if kind == KindActionPlan {
		c["actions"] = []any{map[string]any{
			"number": json.Number("1"), "title": "", "background": map[string]any{"text": ""},
			"description": "", "players": "", "timeframe_start": nil, "timeframe_end": nil, "costs": "", "funding_sources": "",
		}}
	}
	if kind == KindPeerReview {
		c["recommendations"] = []any{map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d51", "number": json.Number("1"), "title": "", "body": ""}}
	}
	// A consultation just opened: no comments yet.
	s["consultation"] = decodeData(Consultation{Revision: 1, OpenedAt: sampleTime(1, 12, 0), Deadline: sampleTime(15, 12, 0),
		Sections: []ConsultationSection{}})
	p := s["partner"].(map[string]any)
	p["region"] = ""
	p["short_name"] = ""
	return s
}

// sampleProgressReport is the Budapest plan's accepted report on the first
// semester of 2020: one action done, one delayed, one under way; three
// indicators, one without a value yet; two policy improvements.
func sampleProgressReport() map[string]any {
	plan := SampleActionPlan(len(sampleActions))
	said := []struct{ status, explanation, narrative string }{
		{"completed", "", "Az első 20 fiatal vállalkozó befejezte a mentorprogramot; a mentorok fele az РАМ Стара планина " +
			"módszertanát használta.\nA záró műhelyt 2020 júniusában tartottuk."},
		{"delayed", "A járványhelyzet miatt az egyetemi műhelyek márciustól zárva voltak; az első utalványkör őszre csúszik.",
			"Az utalványok felhívása elkészült, a Moholy-Nagy Művészeti Egyetem designerei kijelölve."},
		{"in_progress", "", "A platform fejlesztője kiválasztva; a tesztüzem 42 vállalkozással indul."},
	}
	actions := make([]any, len(sampleActions))
	for i, a := range sampleActions {
		evidence := []any{}
		if i == 0 {
			evidence = []any{"0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d61", "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d62"}
		}
		actions[i] = map[string]any{"number": json.Number(fmt.Sprint(i + 1)), "title": a.title, "status": said[i].status,
			"explanation": said[i].explanation, "narrative": said[i].narrative, "evidence_ids": evidence}
	}
	content := plan["content"].(map[string]any)
	return map[string]any{
		"kind":              KindProgressReport,
		"project":           plan["project"],
		"partner":           plan["partner"],
		"policy_instrument": plan["policy_instrument"],
		"plan": map[string]any{"id": samplePlanID, "title": content["title"], "language": content["language"],
			"revision": json.Number("3")},
		"report": map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d71", "period": "2020-S1",
			"period_start": "2020-01-01", "period_end": "2020-06-30", "due_date": "2020-07-30", "state": "accepted",
			"submitted_at": "2020-07-20T09:30:00Z", "accepted_at": "2020-07-28T14:05:00Z"},
		"actions": actions,
		"indicators": []any{
			map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d81", "name": "Mentorált kézműves vállalkozások",
				"unit": "vállalkozás", "baseline": "0", "target": "60", "achieved": "20", "progress_percent": "33"},
			map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d82", "name": "VEKOP-forrás kézműves kkv-knak",
				"unit": "€", "baseline": "12500.5", "target": "195000", "achieved": "48250.75", "progress_percent": "20"},
			map[string]any{"id": "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d83", "name": "Online értékesítő műhelyek",
				"unit": "műhely", "baseline": "0", "target": "100", "achieved": nil, "progress_percent": nil},
		},
		"improvements": []any{
			map[string]any{"type": "governance", "description": "A Budapesti Kereskedelmi és Iparkamara kézműves " +
				"tagozata bekerült a VEKOP monitoring bizottságába.", "date": "2020-02-14",
				"evidence_ids": []any{"0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d63"}},
			map[string]any{"type": "new_projects", "description": "Two mentoring projects funded under VEKOP-1.2.1, " +
				"modelled on the Занаятчийска академия of Gabrovo.", "date": "2020-05-04", "evidence_ids": []any{}},
		},
	}
}

// sparseProgressReport empties what an unfinished report leaves empty.
func sparseProgressReport(s map[string]any) map[string]any {
	delete(s, "policy_instrument")
	for _, a := range s["actions"].([]any) {
		m := a.(map[string]any)
		m["title"], m["status"], m["explanation"], m["narrative"], m["evidence_ids"] = "", "", "", "", []any{}
	}
	for _, in := range s["indicators"].([]any) {
		m := in.(map[string]any)
		m["achieved"], m["progress_percent"] = nil, nil
	}
	s["improvements"] = []any{}
	r := s["report"].(map[string]any)
	r["submitted_at"], r["accepted_at"], r["state"] = nil, nil, "draft"
	s["plan"].(map[string]any)["title"] = ""
	p := s["partner"].(map[string]any)
	p["region"] = ""
	p["short_name"] = ""
	return s
}

// SampleApproved is the sample of an approved revision of the kind: Sample
// with the approval record that approved documents print (action plans,
// peer reviews and good practices have one; other kinds are Sample).
func SampleApproved(kind string) map[string]any {
	s := Sample(kind)
	switch kind {
	case KindActionPlan, KindPeerReview, KindGoodPractice:
		rev, _ := strconv.Atoi(snapString(s["revision"]))
		s["approval"] = decodeData(Approval{ApprovedAt: sampleTime(12, 9, 30), Role: "coordinator",
			Organisation: "Design and Crafts Council Ireland", Revision: rev,
			RevisionSHA256: "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a19",
			VerifyURL:      "https://craftscode.example.org/verify"})
	}
	return s
}
