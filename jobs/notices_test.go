package jobs_test

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/notify/smtptest"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// smtpMailer sends through the in-process relay.
func smtpMailer(t *testing.T, r *smtptest.Relay) *notify.SMTPMailer {
	t.Helper()
	host, port, err := net.SplitHostPort(r.Addr)
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	m, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: host, Port: p, Security: "none",
		From: "CRAFTS CODE <noreply@crafts.example>", Timeout: 5 * time.Second})
	require.NoError(t, err)
	return m
}

// recipients counts the mails each address got.
func recipients(r *smtptest.Relay) map[string]int {
	out := map[string]int{}
	for _, m := range r.Messages() {
		for _, to := range m.To {
			out[to]++
		}
	}
	return out
}

// people makes a user with a membership, signed in.
func person(t *testing.T, s *sqlstore.Store, email string, m workflow.Membership) workflow.Principal {
	t.Helper()
	ctx := context.Background()
	tok, hash := workflow.NewToken()
	u := workflow.User{Email: email, Name: strings.Split(email, "@")[0]}
	require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
	m.UserID = u.ID
	require.NoError(t, s.CreateMembership(ctx, &m))
	p, err := s.Authenticate(ctx, workflow.HashToken(tok))
	require.NoError(t, err)
	return p
}

var unsubscribeLink = regexp.MustCompile(`https://crafts\.example/ui/unsubscribe/([A-Za-z0-9._%-]+)`)

// TestNotificationMail: over SMTP, with the relay down at first. A
// consultation opening mails each of its group of three once, and the
// owner (who submitted) nothing; a stakeholder deactivated before the
// mail goes out gets none. A reply and a response each reach the
// comment's author once; the digest holds the owner's comment
// notifications and is not sent again. The mail's unsubscribe link turns
// its kind off.
func TestNotificationMail(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			relay := smtptest.Start(t)
			relay.Down()
			var clock atomic.Int64 // the digest sweep's clock, moved by the test
			clock.Store(time.Now().UnixNano())
			s, q, _ := storeWithQueue(t, d, func(s *sqlstore.Store, w *jobs.Workers) {
				w.Notices, w.Mailer, w.DigestSweep = s, smtpMailer(t, relay), 200*time.Millisecond
				w.Now = func() time.Time { return time.Unix(0, clock.Load()) }
			})
			s.SetPublicURL("https://crafts.example")
			plan := planIn(t, s)
			pid := plan.Plan.ProjectID
			g := workflow.StakeholderGroup{ProjectID: pid, Name: "Grupo", PolicyInstrumentID: plan.Plan.PolicyInstrumentID}
			require.NoError(t, s.CreateStakeholderGroup(ctx, &g))
			owner := person(t, s, "owner@crafts.example", workflow.Membership{ProjectID: pid, Role: workflow.RolePartner, PartnerID: plan.Plan.PartnerID})
			var sh []workflow.Principal
			for _, name := range []string{"ana", "bea", "cruz"} {
				sh = append(sh, person(t, s, name+"@crafts.example", workflow.Membership{ProjectID: pid, Role: workflow.RoleStakeholder, StakeholderGroupID: g.ID}))
			}
			gone := person(t, s, "gone@crafts.example", workflow.Membership{ProjectID: pid, Role: workflow.RoleStakeholder, StakeholderGroupID: g.ID})
			_, err := s.SetMailSettings(ctx, sh[0].User.ID, workflow.MailSettings{workflow.NoticeCommentReply: workflow.MailNow,
				workflow.NoticeCommentResponse: workflow.MailNow})
			require.NoError(t, err)

			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: owner})
			require.NoError(t, err)
			_, err = s.DeactivateUser(ctx, gone.User.ID)
			require.NoError(t, err)

			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()

			// The relay is down: the job fails, and is tried again.
			require.Eventually(t, func() bool {
				var errs int
				require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'notice_mail' AND attempt >= 1 AND state <> 'completed'`).Scan(&errs))
				return errs > 0
			}, 30*time.Second, 50*time.Millisecond)
			require.Empty(t, relay.Messages())
			relay.Up(t)
			require.Eventually(t, func() bool { return len(relay.Messages()) >= 3 }, 60*time.Second, 100*time.Millisecond)
			time.Sleep(500 * time.Millisecond) // nothing more comes
			require.Equal(t, map[string]int{"ana@crafts.example": 1, "bea@crafts.example": 1, "cruz@crafts.example": 1}, recipients(relay),
				"each of the group once; not the owner who submitted, not the deactivated")

			msg := relay.Messages()[0].Parsed(t)
			body := plainText(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
			require.Contains(t, msg.Header.Get("List-Unsubscribe"), "https://crafts.example/ui/unsubscribe/")
			require.Equal(t, "List-Unsubscribe=One-Click", msg.Header.Get("List-Unsubscribe-Post"))
			link := unsubscribeLink.FindStringSubmatch(body)
			require.NotNil(t, link, "%s", body)

			// A reply and a response reach the comment's author once each.
			top, err := s.AddComment(ctx, workflow.NewComment{Kind: plan.Kind, DeliverableID: plan.Plan.ID, Body: "Falta formación", Principal: sh[0]})
			require.NoError(t, err)
			_, err = s.AddComment(ctx, workflow.NewComment{Kind: plan.Kind, DeliverableID: plan.Plan.ID, Body: "La añadimos", ParentID: top.ID, Principal: owner})
			require.NoError(t, err)
			_, err = s.RespondToComment(ctx, top.ID, workflow.ResponseAccepted, "Añadida en la acción 2.", owner)
			require.NoError(t, err)
			require.Eventually(t, func() bool { return recipients(relay)["ana@crafts.example"] >= 3 }, 60*time.Second, 100*time.Millisecond)

			// The owner's notification of the comment waits for the digest,
			// at 08:00 (UTC: the owner and the project chose no zone).
			clock.Add(int64(48 * time.Hour))
			require.Eventually(t, func() bool { return recipients(relay)["owner@crafts.example"] >= 1 }, 60*time.Second, 100*time.Millisecond)
			time.Sleep(time.Second) // several sweeps
			got := recipients(relay)
			require.Equal(t, map[string]int{"ana@crafts.example": 3, "bea@crafts.example": 1, "cruz@crafts.example": 1, "owner@crafts.example": 1}, got,
				"a reply and a response once each; one digest")

			// The link in the first mail turns off that kind for that person.
			token := link[1]
			u, kind, err := s.Unsubscribe(ctx, token)
			require.NoError(t, err)
			require.Equal(t, workflow.NoticeConsultationOpened, kind)
			settings, err := s.MailSettings(ctx, u.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.MailOff, settings[workflow.NoticeConsultationOpened])
			require.True(t, slices.Contains([]string{sh[0].User.ID, sh[1].User.ID, sh[2].User.ID}, u.ID))
		})
	}
}

// plainText is a mail's text/plain part, decoded: the whole body, or the
// part of a multipart one.
func plainText(t *testing.T, contentType, encoding string, body io.Reader) string {
	t.Helper()
	media, params, err := mime.ParseMediaType(contentType)
	require.NoError(t, err)
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			require.NoError(t, err, "no text/plain part")
			if text := plainText(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); text != "" {
				return text
			}
		}
	}
	if media != "text/plain" {
		return ""
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	return string(b)
}

// TestGroupNoticeBeforeItsJob: a consultation's opening is in each
// member's inbox as soon as the submit commits, before the job writes
// their rows; reading it writes them, and the job then finds its work
// done. Each person has it once.
func TestGroupNoticeBeforeItsJob(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, _, _ := storeWithQueue(t, d, func(s *sqlstore.Store, w *jobs.Workers) { w.Notices = s })
			plan := planIn(t, s)
			pid := plan.Plan.ProjectID
			g := workflow.StakeholderGroup{ProjectID: pid, Name: "Grupo", PolicyInstrumentID: plan.Plan.PolicyInstrumentID}
			require.NoError(t, s.CreateStakeholderGroup(ctx, &g))
			owner := person(t, s, "owner@crafts.example", workflow.Membership{ProjectID: pid, Role: workflow.RolePartner, PartnerID: plan.Plan.PartnerID})
			ana := person(t, s, "ana@crafts.example", workflow.Membership{ProjectID: pid, Role: workflow.RoleStakeholder, StakeholderGroupID: g.ID})
			bea := person(t, s, "bea@crafts.example", workflow.Membership{ProjectID: pid, Role: workflow.RoleStakeholder, StakeholderGroupID: g.ID})
			_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: owner})
			require.NoError(t, err)
			rows := func() int {
				var n int
				require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM notifications`).Scan(&n))
				return n
			}
			require.Zero(t, rows(), "the job has not run")
			var jobsQueued int
			require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'notice_fanout'`).Scan(&jobsQueued))
			require.Equal(t, 1, jobsQueued)
			for _, p := range []workflow.Principal{ana, bea} {
				ns, _, err := s.Notifications(ctx, p.User.ID, workflow.Page{Limit: 10})
				require.NoError(t, err)
				require.Len(t, ns, 1)
				require.Equal(t, workflow.NoticeConsultationOpened, ns[0].Kind)
				require.Equal(t, "owner", ns[0].ActorName)
				n, err := s.UnreadNotifications(ctx, p.User.ID)
				require.NoError(t, err)
				require.Equal(t, 1, n)
			}
			ownerHas, err := s.UnreadNotifications(ctx, owner.User.ID)
			require.NoError(t, err)
			require.Zero(t, ownerHas, "not told of their own submit")

			ns, _, err := s.Notifications(ctx, ana.User.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.NoError(t, s.MarkNotificationRead(ctx, ana.User.ID, ns[0].ID))
			require.Equal(t, 2, rows(), "reading wrote the group's rows")
			require.NoError(t, s.FanOut(ctx, ns[0].ID), "the job, late")
			require.Equal(t, 2, rows(), "once")
			n, err := s.UnreadNotifications(ctx, ana.User.ID)
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = s.UnreadNotifications(ctx, bea.User.ID)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			mails, err := s.PendingNoticeMails(ctx, ns[0].ID)
			require.NoError(t, err)
			require.Len(t, mails, 2, "both are mailed; reading first does not lose the mail")
		})
	}
}
