// Package revdifftest writes what the revision diff's benchmarks compare:
// a 30-action plan in deterministic Hungarian text, as a partner writes
// it, and the changes of its next revision.
package revdifftest

import (
	"fmt"
	"strings"

	"github.com/craftscode/craftscode/workflow"
)

var words = strings.Fields(`a kézműves vállalkozások mentorálása képzés műhely Győr Budapest kamara
	szövetség fiatal mesterek tanoncok export tervezés pályázat forrás 2027-ben 2028-ig € 40 000 és vagy
	valamint közös eszközök bérlése, egyesület; önkormányzat: megyei fejlesztési ügynökség kőfaragó
	fazekas szövő üvegműves ötvös hálózat látogatás tanulmányút szeminárium értékesítés piac`)

// Text is n words of deterministic text, seed picking where it starts,
// with a paragraph break every 23 words.
func Text(seed, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteByte(' ')
			if i%23 == 0 {
				sb.WriteString("\n\n")
			}
		}
		sb.WriteString(words[(seed*7+i*i*3+i)%len(words)])
	}
	sb.WriteByte('.')
	return sb.String()
}

// Actions are 30 actions with about 150 words in each text part.
func Actions() []workflow.PlanAction {
	start, end := workflow.MustDate("2027-01-01"), workflow.MustDate("2028-12-31")
	out := make([]workflow.PlanAction, 0, 30)
	for i := 1; i <= 30; i++ {
		out = append(out, workflow.PlanAction{Number: i, Title: fmt.Sprintf("Intézkedés %d: %s", i, Text(i, 4)),
			Background: workflow.Background{Text: Text(i*10+1, 150)}, Description: Text(i*10+2, 200), Players: Text(i*10+3, 60),
			TimeframeStart: &start, TimeframeEnd: &end, Costs: "€ 40 000", FundingSources: Text(i*10+4, 30)})
	}
	return out
}

// Revise changes what the next revision changes in Actions: a few words
// in the descriptions of five actions, and the players of another
// rewritten. Six sections change.
func Revise(actions []workflow.PlanAction) {
	for _, i := range []int{2, 9, 17, 23, 29} {
		a := &actions[i]
		a.Description = strings.Replace(a.Description, " ", " közös műhely Győrben ", 1) + " Bővítve 2029-ig."
	}
	actions[12].Players = Text(999, 70)
}
