package workflow

import (
	"strings"
	"testing"
)

const (
	gpProject = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d01"
	gpPartner = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d02"
	gpOther   = "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d03"
)

func validPractice() GoodPractice {
	return GoodPractice{ProjectID: gpProject, PartnerID: gpPartner, Title: "Mesterség és tanonc",
		Location: Location{Country: "HU", NUTS2: "HU11", City: "Budapest"},
		Summary:  "s", Description: "d", EvidenceOfSuccess: "e", PotentialForLearning: "p"}
}

func fieldsOf(err error) []string {
	var out []string
	if e, ok := err.(*Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}

func TestGoodPracticeValidate(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change func(*GoodPractice)
		field  string // "" when valid
	}{
		"valid":                {func(*GoodPractice) {}, ""},
		"title of 100 letters": {func(g *GoodPractice) { g.Title = strings.Repeat("ő", 100) }, ""},
		"title of 101 letters": {func(g *GoodPractice) { g.Title = strings.Repeat("ő", 101) }, "title"},
		"no title":             {func(g *GoodPractice) { g.Title = "" }, "title"},
		"unknown country":      {func(g *GoodPractice) { g.Location.Country = "XK"; g.Location.NUTS2 = "" }, "location.country"},
		"NUTS2 too short":      {func(g *GoodPractice) { g.Location.NUTS2 = "HU1" }, "location.nuts2"},
		"NUTS2 of another":     {func(g *GoodPractice) { g.Location.NUTS2 = "BG32" }, "location.nuts2"},
		"NUTS2 without country": {func(g *GoodPractice) {
			g.Location.Country = ""
		}, "location.nuts2"},
		"Bulgarian sheet":     {func(g *GoodPractice) { g.Language = "bg" }, ""},
		"language not a code": {func(g *GoodPractice) { g.Language = "Magyar" }, "language"},
		"Greece uses EL":      {func(g *GoodPractice) { g.Location = Location{Country: "GR", NUTS2: "EL30"} }, ""},
		"Greece not GR":       {func(g *GoodPractice) { g.Location = Location{Country: "GR", NUTS2: "GR30"} }, "location.nuts2"},
	} {
		t.Run(name, func(t *testing.T) {
			g := validPractice()
			tc.change(&g)
			err := g.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("want invalid, got %v", err)
			}
			if f := fieldsOf(err); len(f) != 1 || f[0] != tc.field {
				t.Fatalf("want one problem on %s, got %v", tc.field, f)
			}
		})
	}
}

func TestGoodPracticeNormalize(t *testing.T) {
	t.Parallel()
	g := GoodPractice{Title: "  Tanonc  ", Language: " HU ", Location: Location{Country: " hu", NUTS2: "hu11 ", City: " Budapest "}}
	g.Normalize()
	if g.Title != "Tanonc" || g.Language != "hu" || g.Location != (Location{"HU", "HU11", "Budapest"}) {
		t.Fatalf("got %+v", g)
	}
}

func TestGoodPracticeIncomplete(t *testing.T) {
	t.Parallel()
	g := validPractice()
	if p := g.Incomplete(); len(p) != 0 {
		t.Fatalf("complete practice: %v", p)
	}
	g = GoodPractice{Title: "x"}
	var got []string
	for _, f := range g.Incomplete() {
		got = append(got, f.Field)
	}
	want := "location.country location.nuts2 summary description evidence_of_success potential_for_learning"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestOwnRegion(t *testing.T) {
	t.Parallel()
	g := validPractice() // the partner's practice, in HU11
	for name, tc := range map[string]struct {
		partners []Partner
		own      bool
	}{
		"the practice's partner addresses the instrument": {[]Partner{{ID: gpPartner, Region: "HU21"}}, true},
		"another partner of the same region":              {[]Partner{{ID: gpOther, Region: "HU11"}}, true},
		"another partner, another region":                 {[]Partner{{ID: gpOther, Region: "BG32"}}, false},
		"a partner without a region":                      {[]Partner{{ID: gpOther}}, false},
		"no partners":                                     {nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			if got := OwnRegion(g, tc.partners); got != tc.own {
				t.Fatalf("got %v, want %v", got, tc.own)
			}
		})
	}
	// A practice without a region is own only through its partner.
	g.Location.NUTS2 = ""
	if OwnRegion(g, []Partner{{ID: gpOther, Region: ""}}) {
		t.Fatal("an empty region matched an empty region")
	}
}

func TestGoodPracticeScope(t *testing.T) {
	t.Parallel()
	g := validPractice()
	d := Deliverable{Kind: KindGoodPractice, Practice: &g, Owners: []string{gpPartner}}
	other := Scope{PartnerID: gpOther}
	stake := Scope{InstrumentID: "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d09"}
	g.State = StateDraft
	if other.Visible(d) || stake.Visible(d) || !(Scope{PartnerID: gpPartner}).Visible(d) {
		t.Fatal("a draft is its owner's only")
	}
	g.State = StateStakeholderReview
	if !other.Visible(d) || !stake.Visible(d) || (Scope{}).Visible(d) {
		t.Fatal("a submitted good practice is the whole project's")
	}
}
