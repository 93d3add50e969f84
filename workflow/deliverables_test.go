package workflow

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func datePtr(s string) *Date { d := MustDate(s); return &d }

// problemFields returns the fields of an invalid *Error, in order.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid {
		t.Fatalf("got %v, want an invalid *Error", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func names(fs []FieldError) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Field)
	}
	return out
}

func completePlan() ActionPlan {
	return ActionPlan{
		ID:                 NewID(),
		ProjectID:          NewID(),
		PolicyInstrumentID: NewID(),
		PartnerID:          NewID(),
		Title:              "Kézműves vállalkozások versenyképessége",
		Language:           "hu",
		SummaryEN:          "How VEKOP will support craft SMEs.",
		OtherOrganisations: "Budapesti Kereskedelmi és Iparkamara",
		ContactName:        "Kovács Anna",
		ContactEmail:       "anna.kovacs@example.hu",
		PolicyContext:      "VEKOP priority 1",
		Actions: []PlanAction{{
			Number:         1,
			Title:          "Design vouchers",
			Background:     Background{Text: "Peer review in Florence", PeerReviewID: NewID(), RecommendationID: NewID()},
			Description:    "Vouchers for craft SMEs to buy design services.",
			Players:        "BVK, chamber of commerce",
			TimeframeStart: datePtr("2026-01-01"),
			TimeframeEnd:   datePtr("2026-12-31"),
			Costs:          "€ 200 000",
			FundingSources: "ERDF",
		}},
		State:   StateDraft,
		Version: 1,
	}
}

func TestActionPlanValid(t *testing.T) {
	t.Parallel()
	p := completePlan()
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got := p.Incomplete(); len(got) != 0 {
		t.Fatalf("Incomplete: %v", got)
	}
	// A bare draft is valid too: completeness is only for submit.
	bare := ActionPlan{ProjectID: NewID(), PartnerID: NewID(), Title: "Draft", Language: "en"}
	if err := bare.Validate(); err != nil {
		t.Fatalf("bare draft: %v", err)
	}
}

func TestActionPlanValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	p := ActionPlan{
		ID:                 "not-an-id",
		PolicyInstrumentID: "also-not",
		Language:           "HUN",
		ContactName:        strings.Repeat("x", maxName+1),
		ContactEmail:       "Anna <anna@example.hu>",
		PolicyContext:      "bell\a",
		Actions: []PlanAction{
			{Number: 1, TimeframeStart: datePtr("2026-05-01"), TimeframeEnd: datePtr("2026-04-30")},
			{Number: 7, Background: Background{RecommendationID: NewID()}},
		},
	}
	want := []string{
		"id", "project_id", "partner_id", "policy_instrument_id", "title", "language",
		"contact_name", "contact_email", "policy_context",
		"actions[0].timeframe_end",
		"actions[1].number", "actions[1].background.recommendation_id",
	}
	if got := problemFields(t, p.Validate()); !slices.Equal(got, want) {
		t.Fatalf("fields\n got %v\nwant %v", got, want)
	}
}

func TestActionPlanNormalize(t *testing.T) {
	t.Parallel()
	p := ActionPlan{
		Title:    "  Plan \n",
		Language: " HU ",
		Actions:  []PlanAction{{Number: 9, Title: " a "}, {Number: 0, Players: "\tb"}},
	}
	p.Normalize()
	if p.Title != "Plan" || p.Language != "hu" {
		t.Errorf("title %q language %q", p.Title, p.Language)
	}
	if p.Actions[0].Number != 1 || p.Actions[1].Number != 2 || p.Actions[0].Title != "a" || p.Actions[1].Players != "b" {
		t.Errorf("actions %+v", p.Actions)
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang string
		ok   bool
	}{
		{"en", true}, {"hu", true}, {"bg", true}, {"fi", true},
		{"", false}, {"EN", false}, {"eng", false}, {"e", false}, {"h1", false}, {"é", false}, {"en-GB", false},
	} {
		p := completePlan()
		p.Language = tc.lang
		err := p.Validate()
		if got := err == nil; got != tc.ok {
			t.Errorf("language %q: valid %v, want %v (%v)", tc.lang, got, tc.ok, err)
		}
	}
}

func TestActionPlanIncomplete(t *testing.T) {
	t.Parallel()
	empty := ActionPlan{}
	want := []string{"policy_instrument_id", "language", "summary_en", "actions"}
	if got := names(empty.Incomplete()); !slices.Equal(got, want) {
		t.Errorf("empty plan: %v, want %v", got, want)
	}

	p := completePlan()
	p.SummaryEN = "  "
	p.Actions = append(p.Actions,
		PlanAction{Number: 2, Description: "d"},
		PlanAction{Number: 3, Players: "p", TimeframeStart: datePtr("2026-01-01")},
	)
	want = []string{
		"summary_en",
		"actions[1].players", "actions[1].timeframe_start", "actions[1].timeframe_end",
		"actions[2].description", "actions[2].timeframe_end",
	}
	if got := names(p.Incomplete()); !slices.Equal(got, want) {
		t.Errorf("gaps: %v, want %v", got, want)
	}
	// The field keeps the JSON index (from 0); the message counts from 1.
	if got := p.Incomplete()[1]; got.Field != "actions[1].players" || got.Message != "is required for action 2" {
		t.Errorf("action 2's players: %+v", got)
	}

	en := completePlan()
	en.Language, en.SummaryEN = "en", ""
	if got := en.Incomplete(); len(got) != 0 {
		t.Errorf("an English plan needs no summary: %v", got)
	}
}

func completeReview() (PeerReview, func(string) string) {
	host, it, bg, ie := NewID(), NewID(), NewID(), NewID()
	countries := map[string]string{host: "HU", it: "IT", bg: "BG", ie: "IE"}
	r := PeerReview{
		ID:                 NewID(),
		ProjectID:          NewID(),
		HostPartnerID:      host,
		PeerPartnerIDs:     []string{it, bg, ie},
		PolicyInstrumentID: NewID(),
		Title:              "Peer review in Budapest",
		VisitStart:         datePtr("2025-10-14"),
		VisitEnd:           datePtr("2025-10-15"),
		Findings:           "Strong chamber network; weak design support.",
		Recommendations:    []Recommendation{{ID: NewID(), Number: 1, Title: "Design vouchers", Body: "…"}},
		State:              StateDraft,
		Version:            1,
	}
	return r, func(id string) string { return countries[id] }
}

func TestPeerReviewValid(t *testing.T) {
	t.Parallel()
	r, countryOf := completeReview()
	if err := r.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got := r.Incomplete(countryOf); len(got) != 0 {
		t.Fatalf("Incomplete: %v", got)
	}
}

func TestPeerReviewValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	host, peer := NewID(), NewID()
	r := PeerReview{
		ProjectID:      "x",
		HostPartnerID:  host,
		PeerPartnerIDs: []string{peer, host, "bad", peer},
		Title:          "",
		VisitStart:     datePtr("2025-10-15"),
		VisitEnd:       datePtr("2025-10-14"),
		Recommendations: []Recommendation{
			{ID: "nope", Number: 1, Title: "ok"},
			{Number: 3},
		},
	}
	want := []string{
		"project_id", "peer_partner_ids[1]", "peer_partner_ids[2]", "peer_partner_ids[3]",
		"title", "visit_end",
		"recommendations[0].id", "recommendations[1].number", "recommendations[1].title",
	}
	if got := problemFields(t, r.Validate()); !slices.Equal(got, want) {
		t.Fatalf("fields\n got %v\nwant %v", got, want)
	}
}

func TestPeerReviewNormalize(t *testing.T) {
	t.Parallel()
	a, b := NewID(), NewID()
	r := PeerReview{Title: " T ", PeerPartnerIDs: []string{a, b, a}, Recommendations: []Recommendation{{Number: 5, Title: " x "}}}
	r.Normalize()
	if r.Title != "T" || !slices.Equal(r.PeerPartnerIDs, []string{a, b}) || r.Recommendations[0].Number != 1 || r.Recommendations[0].Title != "x" {
		t.Fatalf("%+v", r)
	}
}

func TestPeerReviewIncomplete(t *testing.T) {
	t.Parallel()
	empty := PeerReview{}
	want := []string{"host_partner_id", "peer_partner_ids", "visit_start", "visit_end", "findings", "recommendations"}
	if got := names(empty.Incomplete(nil)); !slices.Equal(got, want) {
		t.Errorf("empty review: %v, want %v", got, want)
	}

	host, it1, it2, hu, bg, unknown := NewID(), NewID(), NewID(), NewID(), NewID(), NewID()
	countries := map[string]string{host: "HU", it1: "IT", it2: "IT", hu: "HU", bg: "BG"}
	countryOf := func(id string) string { return countries[id] }
	for _, tc := range []struct {
		name  string
		peers []string
		ok    bool
	}{
		{"two countries", []string{it1, bg}, true},
		{"one country twice", []string{it1, it2}, false},
		{"the host's own country does not count", []string{it1, hu}, false},
		{"an unknown partner does not count", []string{it1, unknown}, false},
		{"no peers", nil, false},
		{"three peers, two countries", []string{it1, it2, bg}, true},
	} {
		r, _ := completeReview()
		r.HostPartnerID, r.PeerPartnerIDs = host, tc.peers
		got := r.Incomplete(countryOf)
		if (len(got) == 0) != tc.ok {
			t.Errorf("%s: %v", tc.name, got)
		}
		if !tc.ok && !slices.Equal(names(got), []string{"peer_partner_ids"}) {
			t.Errorf("%s: %v, want only peer_partner_ids", tc.name, got)
		}
	}
}

// The API returns these types as they are: their JSON names are snake_case.
func TestDeliverableJSONNames(t *testing.T) {
	t.Parallel()
	keys := func(v any) []string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return slices.Sorted(maps.Keys(m))
	}
	p := completePlan()
	if got, want := keys(p), []string{
		"actions", "contact_email", "contact_name", "created_at", "id", "language", "other_organisations",
		"partner_id", "policy_context", "policy_instrument_id", "project_id", "revision", "state",
		"summary_en", "title", "updated_at", "version",
	}; !slices.Equal(got, want) {
		t.Errorf("action plan keys %v", got)
	}
	if got, want := keys(p.Actions[0]), []string{
		"background", "costs", "description", "funding_sources", "number", "players",
		"timeframe_end", "timeframe_start", "title",
	}; !slices.Equal(got, want) {
		t.Errorf("action keys %v", got)
	}
	if got, want := keys(Background{Text: "t"}), []string{"text"}; !slices.Equal(got, want) {
		t.Errorf("bare background keys %v", got)
	}
	if got, want := keys(p.Actions[0].Background), []string{"peer_review_id", "recommendation_id", "text"}; !slices.Equal(got, want) {
		t.Errorf("background keys %v", got)
	}
	r, _ := completeReview()
	if got, want := keys(r), []string{
		"created_at", "findings", "host_partner_id", "id", "peer_partner_ids", "policy_instrument_id",
		"project_id", "recommendations", "revision", "state", "title", "updated_at", "version",
		"visit_end", "visit_start",
	}; !slices.Equal(got, want) {
		t.Errorf("peer review keys %v", got)
	}
	if got, want := keys(r.Recommendations[0]), []string{"body", "id", "number", "title"}; !slices.Equal(got, want) {
		t.Errorf("recommendation keys %v", got)
	}

	// Dates travel as YYYY-MM-DD and come back equal.
	b, _ := json.Marshal(p)
	var back ActionPlan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Actions[0].TimeframeEnd == nil || back.Actions[0].TimeframeEnd.String() != "2026-12-31" {
		t.Errorf("timeframe_end came back as %v", back.Actions[0].TimeframeEnd)
	}
}
