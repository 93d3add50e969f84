package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/web"
)

// apiComment comments through the JSON API with the person's token.
func (s *site) apiComment(t *testing.T, p person, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", s.url+"/api/v1/action-plans/"+s.planID+"/comments",
		strings.NewReader(fmt.Sprintf(`{"body":%q,"section":"general","stance":"support"}`, body)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res
}

// TestCommentLimitShared: the API and the pages spend one allowance per
// person (issue 15): two comments through the API use up a burst of two,
// so the page refuses the third, and the other way round.
func TestCommentLimitShared(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.CommentBurst, c.CommentRate = 2, 0.001 })
	plan := "/ui/action-plans/" + s.planID
	for i := range 2 {
		require.Equal(t, http.StatusCreated, s.apiComment(t, s.reader, fmt.Sprintf("api %d", i)).StatusCode)
	}
	reader := s.browser(t)
	reader.signIn(s.reader)
	reader.get(plan)
	res := reader.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {"page"}})
	require.Equal(t, http.StatusTooManyRequests, res.status, "the API's comments spent the page's allowance")

	owner := s.browser(t)
	owner.signIn(s.owner)
	owner.get(plan)
	for i := range 2 {
		res := owner.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {fmt.Sprintf("page %d", i)}})
		require.Equal(t, http.StatusSeeOther, res.status, res.body)
	}
	require.Equal(t, http.StatusTooManyRequests, s.apiComment(t, s.owner, "api").StatusCode, "the page's comments spent the API's allowance")
}
