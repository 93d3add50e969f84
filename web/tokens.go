package web

// Personal tokens and accounts: "My tokens" (make one, shown once; list;
// revoke after a confirmation), and for admins the users, a user's tokens
// and deactivation. The store's and the API's rules, the API's checks.

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

func (h *Handler) tokenRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/me/tokens", h.page(true, h.myTokens))
	m.Handle("POST /ui/me/tokens", h.page(true, h.createToken))
	m.Handle("GET /ui/me/tokens/{tid}/revoke", h.page(true, h.confirmRevoke(false)))
	m.Handle("POST /ui/me/tokens/{tid}/revoke", h.page(true, h.revokeToken(false)))
	m.Handle("GET /ui/admin/users", h.page(true, h.adminUsers))
	m.Handle("GET /ui/admin/users/{uid}/tokens", h.page(true, h.userTokens))
	m.Handle("GET /ui/admin/users/{uid}/tokens/{tid}/revoke", h.page(true, h.confirmRevoke(true)))
	m.Handle("POST /ui/admin/users/{uid}/tokens/{tid}/revoke", h.page(true, h.revokeToken(true)))
	m.Handle("GET /ui/admin/users/{uid}/deactivate", h.page(true, h.confirmDeactivate))
	m.Handle("POST /ui/admin/users/{uid}/deactivate", h.page(true, h.deactivate))
}

// tokenRow is one token as the pages list it.
type tokenRow struct {
	workflow.Token
	Created, LastUsed, Expires when
	Expired                    bool
}

// expiryChoice is one option of the new token's expiry.
type expiryChoice struct {
	Value, Label string
	Selected     bool
}

type tokensView struct {
	Mine   bool          // the person's own tokens, else an admin's view of User's
	User   workflow.User // whose tokens
	Tokens []tokenRow
	Form   *form
	// Choices are the expiries offered; Admin may choose none.
	Choices []expiryChoice
	// Secret is the token just made, shown this once.
	Secret string
	Made   *tokenRow
}

// expiryDays are the lifetimes offered besides the default.
var expiryDays = []int{7, 30, 365}

func (h *Handler) expiryChoices(c *call, picked string, now time.Time) []expiryChoice {
	d := c.dates(now)
	out := []expiryChoice{{Value: "default", Label: c.T("tokens.expiry.default", "Date", d.at(now.Add(h.cfg.TokenTTL)).Text)}}
	for _, n := range expiryDays {
		out = append(out, expiryChoice{Value: strconv.Itoa(n), Label: c.T("tokens.expiry.days", "Count", n)})
	}
	if c.principal.User.Admin {
		out = append(out, expiryChoice{Value: "never", Label: c.T("tokens.expiry.never")})
	}
	for i := range out {
		out[i].Selected = out[i].Value == picked || picked == "" && i == 0
	}
	return out
}

func (h *Handler) tokenRows(c *call, ts []workflow.Token, now time.Time) []tokenRow {
	d := c.dates(now)
	rows := make([]tokenRow, len(ts))
	for i, t := range ts {
		r := tokenRow{Token: t, Created: d.at(t.CreatedAt), Expired: t.Expired(now)}
		if t.LastUsedAt != nil {
			r.LastUsed = d.atRel(*t.LastUsedAt)
		}
		if t.ExpiresAt != nil {
			r.Expires = d.atRel(*t.ExpiresAt)
		}
		rows[i] = r
	}
	return rows
}

// allTokens reads every token of a user: people have a handful.
func (h *Handler) allTokens(c *call, userID string) ([]workflow.Token, error) {
	var all []workflow.Token
	pg := workflow.Page{Limit: 200}
	for {
		ts, next, err := h.cfg.Store.ListTokens(c.r.Context(), userID, pg)
		if err != nil {
			return nil, err
		}
		all = append(all, ts...)
		if next == "" {
			return all, nil
		}
		pg.After = next
	}
}

func (h *Handler) myTokens(c *call) error {
	return h.showMyTokens(c, http.StatusOK, newForm(url.Values{}))
}

func (h *Handler) showMyTokens(c *call, status int, f *form) error {
	now := time.Now()
	ts, err := h.allTokens(c, c.principal.User.ID)
	if err != nil {
		return err
	}
	v := tokensView{Mine: true, User: c.principal.User, Tokens: h.tokenRows(c, ts, now), Form: f,
		Choices: h.expiryChoices(c, f.Get("expires"), now)}
	notice := ""
	if c.r.URL.Query().Get("revoked") != "" && status == http.StatusOK {
		notice = c.T("tokens.revoked")
	}
	h.render(c, status, "tokens/list", view{Title: c.T("tokens.title"), Data: v, Notice: notice})
	return nil
}

// createToken makes a token and shows it on the answer page, once: it is
// not kept, so there is nothing to redirect to.
func (h *Handler) createToken(c *call) error {
	f := newForm(c.r.PostForm)
	now := time.Now()
	req := workflow.NewTokenRequest{Name: f.Get("name")}
	switch choice := f.Get("expires"); choice {
	case "never":
	case "default", "":
		e := now.Add(h.cfg.TokenTTL)
		req.ExpiresAt = &e
	default:
		n, err := strconv.Atoi(choice)
		if err != nil || n < 1 || n > 366 {
			n = int(h.cfg.TokenTTL / (24 * time.Hour))
		}
		e := now.AddDate(0, 0, n)
		req.ExpiresAt = &e
	}
	err := req.Validate(*c.principal, now)
	secret, hash := workflow.NewToken()
	t := workflow.Token{UserID: c.principal.User.ID, Name: req.Name, ExpiresAt: req.ExpiresAt}
	if err == nil {
		err = h.cfg.Store.CreateToken(c.r.Context(), &t, hash)
	}
	if err != nil {
		if f.refuse(c, err) {
			return h.showMyTokens(c, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	made := h.tokenRows(c, []workflow.Token{t}, now)[0]
	c.w.Header().Set("Cache-Control", "no-store")
	h.render(c, http.StatusOK, "tokens/created", view{Title: c.T("tokens.created.title"),
		Data: tokensView{Mine: true, User: c.principal.User, Secret: secret, Made: &made}})
	return nil
}

// confirmView asks before revoking a token or deactivating a user.
type confirmView struct {
	Heading, Explain, Button string
	Action, Cancel           string
}

// tokenOwner is whose token the page is about: the person's own, or for
// an admin, the user in the path.
func (h *Handler) tokenOwner(c *call, admin bool) (workflow.User, error) {
	if !admin {
		return c.principal.User, nil
	}
	if err := c.principal.Authorize("", workflow.ActionTokenAdmin); err != nil {
		return workflow.User{}, err
	}
	return h.cfg.Store.User(c.r.Context(), c.r.PathValue("uid"))
}

func (h *Handler) findToken(c *call, userID string) (workflow.Token, error) {
	ts, err := h.allTokens(c, userID)
	if err != nil {
		return workflow.Token{}, err
	}
	for _, t := range ts {
		if t.ID == c.r.PathValue("tid") {
			return t, nil
		}
	}
	return workflow.Token{}, workflow.Errorf(workflow.CodeNotFound, "token not found")
}

func tokensPath(admin bool, u workflow.User) string {
	if admin {
		return "/ui/admin/users/" + u.ID + "/tokens"
	}
	return "/ui/me/tokens"
}

func (h *Handler) confirmRevoke(admin bool) func(*call) error {
	return func(c *call) error {
		u, err := h.tokenOwner(c, admin)
		if err != nil {
			return err
		}
		t, err := h.findToken(c, u.ID)
		if err != nil {
			return err
		}
		back := tokensPath(admin, u)
		explain := c.T("tokens.revoke.explain", "Name", t.Name)
		if admin {
			explain = c.T("tokens.revoke.explain_admin", "Name", t.Name, "User", u.Name)
		}
		h.render(c, http.StatusOK, "tokens/confirm", view{Title: c.T("tokens.revoke.heading"), Data: confirmView{
			Heading: c.T("tokens.revoke.heading"), Explain: explain, Button: c.T("tokens.revoke.confirm"),
			Action: back + "/" + t.ID + "/revoke", Cancel: back}})
		return nil
	}
}

func (h *Handler) revokeToken(admin bool) func(*call) error {
	return func(c *call) error {
		u, err := h.tokenOwner(c, admin)
		if err != nil {
			return err
		}
		if _, err := h.cfg.Store.RevokeToken(c.r.Context(), u.ID, c.r.PathValue("tid")); err != nil {
			return err
		}
		h.changedAccess()
		http.Redirect(c.w, c.r, tokensPath(admin, u)+"?revoked=1", http.StatusSeeOther)
		return nil
	}
}

// userTokens is an admin's view of one user's tokens.
func (h *Handler) userTokens(c *call) error {
	u, err := h.tokenOwner(c, true)
	if err != nil {
		return err
	}
	ts, err := h.allTokens(c, u.ID)
	if err != nil {
		return err
	}
	notice := ""
	if c.r.URL.Query().Get("revoked") != "" {
		notice = c.T("tokens.revoked")
	}
	h.render(c, http.StatusOK, "tokens/list", view{Title: c.T("tokens.user_title", "User", u.Name), Notice: notice,
		Data: tokensView{User: u, Tokens: h.tokenRows(c, ts, time.Now())}})
	return nil
}

// userRow is one user of the admin's list.
type userRow struct {
	workflow.User
	Self        bool
	Deactivated when
}

type usersView struct {
	Users []userRow
	Next  string // the cursor of the next page
}

const usersPerPage = 100

func (h *Handler) adminUsers(c *call) error {
	if err := c.principal.Authorize("", workflow.ActionUserList); err != nil {
		return err
	}
	after := c.r.URL.Query().Get("after")
	if after != "" && !workflow.ValidID(after) {
		after = ""
	}
	us, next, err := h.cfg.Store.ListUsers(c.r.Context(), workflow.Page{Limit: usersPerPage, After: after})
	if err != nil {
		return err
	}
	d := c.dates(time.Now())
	v := usersView{Next: next}
	for _, u := range us {
		r := userRow{User: u, Self: u.ID == c.principal.User.ID}
		if u.DeactivatedAt != nil {
			r.Deactivated = d.at(*u.DeactivatedAt)
		}
		v.Users = append(v.Users, r)
	}
	notice := ""
	if c.r.URL.Query().Get("deactivated") != "" {
		notice = c.T("users.deactivated")
	}
	h.render(c, http.StatusOK, "tokens/users", view{Title: c.T("users.title"), Data: v, Notice: notice})
	return nil
}

// deactivatable is the user in the path, when the caller may deactivate
// them: an admin, not themselves.
func (h *Handler) deactivatable(c *call) (workflow.User, error) {
	if err := c.principal.Authorize("", workflow.ActionUserDeactivate); err != nil {
		return workflow.User{}, err
	}
	u, err := h.cfg.Store.User(c.r.Context(), c.r.PathValue("uid"))
	if err != nil {
		return u, err
	}
	return u, workflow.CheckDeactivate(*c.principal, u.ID)
}

func (h *Handler) confirmDeactivate(c *call) error {
	u, err := h.deactivatable(c)
	if err != nil {
		return err
	}
	h.render(c, http.StatusOK, "tokens/confirm", view{Title: c.T("users.deactivate.heading"), Data: confirmView{
		Heading: c.T("users.deactivate.heading"), Explain: c.T("users.deactivate.explain", "User", u.Name, "Email", u.Email),
		Button: c.T("users.deactivate.confirm"), Action: "/ui/admin/users/" + u.ID + "/deactivate", Cancel: "/ui/admin/users"}})
	return nil
}

func (h *Handler) deactivate(c *call) error {
	u, err := h.deactivatable(c)
	if err != nil {
		return err
	}
	if _, err := h.cfg.Store.DeactivateUser(c.r.Context(), u.ID); err != nil {
		return err
	}
	h.changedAccess()
	http.Redirect(c.w, c.r, "/ui/admin/users?deactivated=1", http.StatusSeeOther)
	return nil
}
