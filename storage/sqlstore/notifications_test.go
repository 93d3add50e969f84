package sqlstore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// inbox is the kinds in a person's inbox, newest first.
func inbox(t *testing.T, s *sqlstore.Store, userID string) []workflow.NoticeKind {
	t.Helper()
	ns, next, err := s.Notifications(ctx, userID, workflow.Page{Limit: 100})
	require.NoError(t, err)
	require.Empty(t, next)
	var out []workflow.NoticeKind
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

func unread(t *testing.T, s *sqlstore.Store, userID string) int {
	t.Helper()
	n, err := s.UnreadNotifications(ctx, userID)
	require.NoError(t, err)
	return n
}

func init() {
	// Submit tells the plan's stakeholder group, each person once, and
	// nobody else; the inbox links to the plan.
	suite["NotifyConsultationOpened"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "NOTE-OPEN")
		for _, u := range c.shUsers {
			require.Equal(t, []workflow.NoticeKind{workflow.NoticeConsultationOpened}, inbox(t, s, u.ID), u.Email)
			require.Equal(t, 1, unread(t, s, u.ID))
		}
		for _, p := range []workflow.Principal{c.owner, c.coord, c.observer, c.sh2} {
			require.Empty(t, inbox(t, s, p.User.ID), p.User.Email)
		}
		ns, _, err := s.Notifications(ctx, c.sh.User.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		n := ns[0]
		require.Equal(t, c.project.Acronym, n.ProjectAcronym)
		require.Equal(t, "Terv", n.Title)
		require.Equal(t, "hu", n.TitleLang, "the plan's language, for pages and mail to mark the title")
		require.Equal(t, 1, n.Revision)
		require.Equal(t, c.owner.User.Name, n.ActorName)
		require.Equal(t, "/ui/action-plans/"+c.plan.Plan.ID, n.Path())
		mails, err := s.PendingNoticeMails(ctx, n.ID)
		require.NoError(t, err)
		require.Len(t, mails, 3, "at once, by default, to each of the group")

		// Read one by one, or all at once; another's id is not found.
		require.NoError(t, s.MarkNotificationRead(ctx, c.sh.User.ID, n.ID))
		require.Zero(t, unread(t, s, c.sh.User.ID))
		require.NoError(t, s.MarkNotificationRead(ctx, c.sh.User.ID, n.ID), "twice is fine")
		require.Equal(t, workflow.CodeNotFound, code(t, s.MarkNotificationRead(ctx, c.owner.User.ID, n.ID)))
		marked, err := s.MarkAllNotificationsRead(ctx, c.shUsers[1].ID)
		require.NoError(t, err)
		require.Equal(t, 1, marked)
		require.Zero(t, unread(t, s, c.shUsers[1].ID))
		require.Equal(t, 1, unread(t, s, c.shUsers[2].ID), "only the person's own")
	}

	// A reply reaches the replied-to author once (not also as a comment
	// on a deliverable they own), a response reaches the comment's author,
	// a comment reaches the owners and coordinators, and nobody is told of
	// their own action. A comment hidden later leaves every inbox.
	suite["NotifyComments"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "NOTE-COMM")
		top := c.comment(t, s, c.sh, "general", "")
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeCommentCreated}, inbox(t, s, c.owner.User.ID))
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeCommentCreated}, inbox(t, s, c.coord.User.ID))
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeConsultationOpened}, inbox(t, s, c.sh.User.ID), "not told of their own comment")

		ownerReply := c.comment(t, s, c.owner, "general", top.ID)
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeCommentReply, workflow.NoticeConsultationOpened}, inbox(t, s, c.sh.User.ID))
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeCommentCreated, workflow.NoticeCommentCreated}, inbox(t, s, c.coord.User.ID))
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeCommentCreated}, inbox(t, s, c.owner.User.ID), "not told of their own reply")

		// The owner replied to gets the reply, once.
		p2, _ := member(t, s, "sh9@NOTE-COMM", workflow.Membership{ProjectID: c.project.ID, Role: workflow.RoleStakeholder, StakeholderGroupID: c.group.ID})
		c.comment(t, s, p2, "general", ownerReply.ID)
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeCommentReply, workflow.NoticeCommentCreated}, inbox(t, s, c.owner.User.ID))

		_, err := s.RespondToComment(ctx, top.ID, workflow.ResponseAccepted, "Thank you.", c.owner)
		require.NoError(t, err)
		got, _, err := s.Notifications(ctx, c.sh.User.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, workflow.NoticeCommentResponse, got[0].Kind)
		require.Equal(t, top.ID, got[0].CommentID)
		require.Equal(t, "hu", got[0].TitleLang)
		require.Equal(t, "/ui/action-plans/"+c.plan.Plan.ID+"#c-"+top.ID, got[0].Path())
		require.Equal(t, 3, unread(t, s, c.sh.User.ID))

		// Hidden: the reply's notification leaves the author's inbox and
		// its unread count.
		_, err = s.HideComment(ctx, ownerReply.ID, "off topic", c.coord)
		require.NoError(t, err)
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeCommentResponse, workflow.NoticeConsultationOpened}, inbox(t, s, c.sh.User.ID))
		require.Equal(t, 2, unread(t, s, c.sh.User.ID))
		require.Equal(t, workflow.CodeNotFound, code(t, s.MarkNotificationRead(ctx, c.sh.User.ID, got[1].ID)), "a hidden one cannot be read")

		// Hiding the thread's first comment hides its replies: the reply
		// to the owner, in that thread, leaves their inbox too.
		_, err = s.HideComment(ctx, top.ID, "off topic", c.coord)
		require.NoError(t, err)
		require.Empty(t, inbox(t, s, c.owner.User.ID))
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeConsultationOpened}, inbox(t, s, c.sh.User.ID))
	}

	// The owners hear that their plan was returned (with the note) and
	// approved; the stakeholders, who no longer see a draft, lose the
	// opening from their inbox while the plan is back in draft. Who left
	// the project, or was deactivated, is told nothing and sees nothing.
	suite["NotifyTransitionsAndScope"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "NOTE-TRAN")
		_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: c.plan.Kind, ID: c.plan.Plan.ID, Version: c.version,
			Trigger: workflow.TriggerRequestChanges, Principal: c.coord, Note: "Please add indicators."})
		require.NoError(t, err)
		c.version++
		ns, _, err := s.Notifications(ctx, c.owner.User.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, ns, 1)
		require.Equal(t, workflow.NoticeReturned, ns[0].Kind)
		require.Equal(t, "Please add indicators.", ns[0].Detail)
		require.Equal(t, c.coord.User.Name, ns[0].ActorName)
		require.Empty(t, inbox(t, s, c.sh.User.ID), "a draft is out of a stakeholder's scope")

		// Leaving the project, being deactivated.
		var leaver workflow.Membership
		for _, m := range c.shUsers[1:2] {
			ms, _, err := s.ListMemberships(ctx, c.project.ID, workflow.Page{Limit: 100})
			require.NoError(t, err)
			for _, x := range ms {
				if x.UserID == m.ID {
					leaver = x
				}
			}
		}
		require.NoError(t, s.DeleteMembership(ctx, leaver.ID, leaver.Version))
		_, err = s.DeactivateUser(ctx, c.shUsers[2].ID)
		require.NoError(t, err)

		require.NoError(t, c.fire(s, c.owner, workflow.TriggerSubmit))
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeConsultationOpened, workflow.NoticeConsultationOpened}, inbox(t, s, c.sh.User.ID),
			"both openings, in scope again")
		require.Empty(t, inbox(t, s, c.shUsers[1].ID), "left the project")
		require.Empty(t, inbox(t, s, c.shUsers[2].ID), "deactivated")
		var rows int
		require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM notifications WHERE user_id IN ($1, $2) AND kind = 'consultation_opened'`,
			c.shUsers[1].ID, c.shUsers[2].ID).Scan(&rows))
		require.Equal(t, 2, rows, "the first opening only: nothing was written for them after")

		_, err = s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.coord)
		require.NoError(t, err)
		require.NoError(t, c.fire(s, c.coord, workflow.TriggerApprove))
		require.Equal(t, []workflow.NoticeKind{workflow.NoticeApproved, workflow.NoticeReturned}, inbox(t, s, c.owner.User.ID))
		require.Empty(t, inbox(t, s, c.coord.User.ID), "the coordinator did it")
	}

	// Settings: the defaults, a change, and the signed unsubscribe link
	// that turns off one kind for one person; a tampered one is invalid.
	suite["MailSettingsAndUnsubscribe"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "NOTE-SET")
		got, err := s.MailSettings(ctx, c.sh.User.ID)
		require.NoError(t, err)
		require.Len(t, got, len(workflow.NoticeKinds))
		require.Equal(t, workflow.MailNow, got[workflow.NoticeConsultationOpened])
		require.Equal(t, workflow.MailDigest, got[workflow.NoticeCommentReply])
		require.Equal(t, workflow.MailNow, got[workflow.NoticeReturned])

		got, err = s.SetMailSettings(ctx, c.sh.User.ID, workflow.MailSettings{workflow.NoticeCommentReply: workflow.MailNow})
		require.NoError(t, err)
		require.Equal(t, workflow.MailNow, got[workflow.NoticeCommentReply])
		_, err = s.SetMailSettings(ctx, c.sh.User.ID, workflow.MailSettings{"nonsense": workflow.MailNow})
		require.Equal(t, workflow.CodeInvalid, code(t, err))
		_, err = s.SetMailSettings(ctx, c.sh.User.ID, workflow.MailSettings{workflow.NoticeCommentReply: "sometimes"})
		require.Equal(t, workflow.CodeInvalid, code(t, err))

		tok, err := s.UnsubscribeToken(c.sh.User.ID, workflow.NoticeConsultationOpened)
		require.NoError(t, err)
		other, err := s.UnsubscribeToken(c.shUsers[1].ID, workflow.NoticeConsultationOpened)
		require.NoError(t, err)
		parts := strings.Split(tok, ".")
		sig := parts[2]
		flipped := sig[:len(sig)-1] + map[bool]string{true: "A", false: "B"}[sig[len(sig)-1] != 'A']
		for _, bad := range []string{"", "x", tok + ".x", parts[0] + "." + parts[1] + "." + flipped,
			c.shUsers[1].ID + "." + parts[1] + "." + sig,                                  // another person
			parts[0] + "." + string(workflow.NoticeCommentReply) + "." + sig,              // another kind
			parts[0] + "." + parts[1] + "." + strings.Split(other, ".")[2], "a.b.c\x00"} { // another's signature
			_, _, err := s.Unsubscribe(ctx, bad)
			require.Equal(t, workflow.CodeInvalid, code(t, err), "%q", bad)
		}
		u, kind, err := s.Unsubscribe(ctx, tok)
		require.NoError(t, err)
		require.Equal(t, c.sh.User.ID, u.ID)
		require.Equal(t, workflow.NoticeConsultationOpened, kind)
		got, err = s.MailSettings(ctx, c.sh.User.ID)
		require.NoError(t, err)
		require.Equal(t, workflow.MailOff, got[workflow.NoticeConsultationOpened], "that kind")
		require.Equal(t, workflow.MailNow, got[workflow.NoticeCommentReply], "only that kind")
		theirs, err := s.MailSettings(ctx, c.shUsers[1].ID)
		require.NoError(t, err)
		require.Equal(t, workflow.MailNow, theirs[workflow.NoticeConsultationOpened], "only that person")

		// A kind turned off after the notification was written is not
		// mailed any more.
		ns, _, err := s.Notifications(ctx, c.sh.User.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		mails, err := s.PendingNoticeMails(ctx, ns[0].ID)
		require.NoError(t, err)
		require.Len(t, mails, 2, "the other two of the group")
		require.NoError(t, s.MarkNoticeMailed(ctx, ns[0].ID, mails[0].User.ID))
		mails, err = s.PendingNoticeMails(ctx, ns[0].ID)
		require.NoError(t, err)
		require.Len(t, mails, 1, "one sent, one left")

		// The digest's link turns off every kind that came in the digest.
		dtok, err := s.UnsubscribeToken(c.sh.User.ID, workflow.NoticeDigest)
		require.NoError(t, err)
		_, _, err = s.Unsubscribe(ctx, dtok)
		require.NoError(t, err)
		got, err = s.MailSettings(ctx, c.sh.User.ID)
		require.NoError(t, err)
		for k, choice := range got {
			if workflow.DefaultMailChoice(k) == workflow.MailDigest && k != workflow.NoticeCommentReply {
				require.Equal(t, workflow.MailOff, choice, k)
			}
		}
		require.Equal(t, workflow.MailNow, got[workflow.NoticeCommentReply], "chosen at once: not in the digest")
	}

	// Digests: at 08:00 in the person's zone, across a DST change, each
	// digest holding exactly the notifications since the one before.
	suite["Digests"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "NOTE-DIG")
		_, err := s.SetSettings(ctx, c.owner.User.ID, workflow.Settings{TimeZone: "Europe/Rome"})
		require.NoError(t, err)
		_, err = s.SetMailSettings(ctx, c.coord.User.ID, workflow.MailSettings{workflow.NoticeCommentCreated: workflow.MailNow})
		require.NoError(t, err, "the coordinator's digest would be due at any hour: its notifications are from today")
		for range 3 {
			c.comment(t, s, c.sh, "general", "")
		}
		rome, err := time.LoadLocation("Europe/Rome")
		require.NoError(t, err)
		// Summer time starts on 28 March 2027 at 02:00: 08:00 is 07:00 UTC
		// the day before and 06:00 UTC that day.
		written := []time.Time{
			time.Date(2027, 3, 26, 9, 0, 0, 0, rome), // in the digest of the 27th
			time.Date(2027, 3, 27, 9, 0, 0, 0, rome), // of the 28th, after the change
			time.Date(2027, 3, 28, 8, 0, 0, 0, rome), // of the 29th: 08:00 itself is the next window's
		}
		var ids []string
		rows, err := s.DB().Query(`SELECT id FROM notifications WHERE user_id = $1 AND mail = 'digest' ORDER BY created_at, id`, c.owner.User.ID)
		require.NoError(t, err)
		for rows.Next() {
			var id string
			require.NoError(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		require.NoError(t, rows.Err())
		require.Len(t, ids, 3, "comments on their plan come in the digest by default")
		for i, id := range ids {
			_, err := s.DB().Exec(`UPDATE notifications SET created_at = $1 WHERE user_id = $2 AND id = $3`, written[i].UTC(), c.owner.User.ID, id)
			require.NoError(t, err)
		}
		digestOf := func(id string) string {
			var d *string
			require.NoError(t, s.DB().QueryRow(`SELECT digest_id FROM notifications WHERE user_id = $1 AND id = $2`, c.owner.User.ID, id).Scan(&d))
			if d == nil {
				return ""
			}
			return *d
		}
		queue := func(at time.Time) int {
			n, err := s.QueueDigests(ctx, at)
			require.NoError(t, err)
			return n
		}
		require.Zero(t, queue(time.Date(2027, 3, 27, 7, 59, 0, 0, rome)))
		require.Equal(t, 1, queue(time.Date(2027, 3, 27, 8, 0, 0, 0, rome)))
		first := digestOf(ids[0])
		require.NotEmpty(t, first)
		require.Empty(t, digestOf(ids[1]))
		require.Zero(t, queue(time.Date(2027, 3, 27, 20, 0, 0, 0, rome)), "nothing new is due the same day")

		require.Equal(t, 7, time.Date(2027, 3, 27, 8, 0, 0, 0, rome).UTC().Hour())
		require.Equal(t, 6, time.Date(2027, 3, 28, 8, 0, 0, 0, rome).UTC().Hour(), "the clocks went forward")
		require.Zero(t, queue(time.Date(2027, 3, 28, 5, 59, 0, 0, time.UTC)), "07:59 summer time")
		require.Equal(t, 1, queue(time.Date(2027, 3, 28, 6, 0, 0, 0, time.UTC)), "08:00 summer time, an hour earlier in UTC than the day before")
		second := digestOf(ids[1])
		require.NotEmpty(t, second)
		require.NotEqual(t, first, second)
		require.Empty(t, digestOf(ids[2]), "written at 08:00: the next window")

		held, err := s.Digest(ctx, c.owner.User.ID, first)
		require.NoError(t, err)
		require.Len(t, held, 1)
		require.Equal(t, ids[0], held[0].Notification.ID)
		require.NoError(t, s.MarkDigestMailed(ctx, c.owner.User.ID, first))
		held, err = s.Digest(ctx, c.owner.User.ID, first)
		require.NoError(t, err)
		require.Empty(t, held, "sent: a retried job sends nothing")
	}
}

// only is the notifications of the given kinds in a person's inbox.
func only(t *testing.T, s *sqlstore.Store, userID string, kinds ...workflow.NoticeKind) []workflow.Notification {
	t.Helper()
	ns, _, err := s.Notifications(ctx, userID, workflow.Page{Limit: 100})
	require.NoError(t, err)
	var out []workflow.Notification
	for _, n := range ns {
		if slices.Contains(kinds, n.Kind) {
			out = append(out, n)
		}
	}
	return out
}

func init() {
	// The plan's owners hear of its reports: due in 14 days, overdue
	// (once), returned with the note, accepted. Nobody else does.
	suite["NotifyReports"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "NOTE-REP")
		m.startMonitoring(t, s)
		require.Len(t, only(t, s, m.owner.User.ID, workflow.NoticeApproved, workflow.NoticeMonitored), 2, "approved, then monitored")
		reportKinds := []workflow.NoticeKind{workflow.NoticeReportDue, workflow.NoticeReportOverdue, workflow.NoticeReportReturned, workflow.NoticeReportAccepted}
		at := func(d string) time.Time { return workflow.MustDate(d).Time().Add(9 * time.Hour) }
		_, err := s.RemindDueReports(ctx, at("2020-01-16"))
		require.NoError(t, err)
		due := only(t, s, m.owner.User.ID, reportKinds...)
		require.Len(t, due, 1)
		require.Equal(t, workflow.NoticeReportDue, due[0].Kind)
		require.Equal(t, "2019-S2", due[0].Period)
		require.Equal(t, "2020-01-30", due[0].Detail, "the due date")
		require.Equal(t, "hu", due[0].TitleLang)
		require.Equal(t, "/ui/action-plans/"+m.plan.Plan.ID+"/reports/2019-S2", due[0].Path())
		for _, day := range []string{"2020-01-31", "2020-02-01"} {
			_, err = s.RemindDueReports(ctx, at(day))
			require.NoError(t, err)
		}
		got := only(t, s, m.owner.User.ID, reportKinds...)
		require.Len(t, got, 2, "overdue, once")
		require.Equal(t, workflow.NoticeReportOverdue, got[0].Kind)
		require.True(t, workflow.ValidID(got[0].ID), "an id the API takes")
		for _, p := range []workflow.Principal{m.coord, m.other, m.sh, m.obs} {
			require.Empty(t, only(t, s, p.User.ID, reportKinds...), p.User.Email)
		}

		s.SetApprovalDocuments(map[workflow.Kind]sqlstore.TemplateRef{
			sqlstore.ReportTemplate: {Name: sqlstore.ReportTemplate, Version: strings.Repeat("a", 64)}})
		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S1", m.owner)
		require.NoError(t, err)
		r, err = s.UpdateProgressReport(ctx, r.ID, 1, completeContent(m), m.owner)
		require.NoError(t, err)
		fire := func(p workflow.Principal, tr workflow.ReportTrigger, note string) {
			t.Helper()
			r, _, err = s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r.ID, Version: r.Version, Trigger: tr, Principal: p, Note: note})
			require.NoError(t, err)
		}
		fire(m.owner, workflow.ReportSubmit, "")
		fire(m.coord, workflow.ReportReturn, "The indicators need their sources.")
		got = only(t, s, m.owner.User.ID, workflow.NoticeReportReturned)
		require.Len(t, got, 1)
		require.Equal(t, "The indicators need their sources.", got[0].Detail)
		require.Equal(t, "2020-S1", got[0].Period)
		require.Equal(t, "hu", got[0].TitleLang)
		fire(m.owner, workflow.ReportSubmit, "")
		fire(m.coord, workflow.ReportAccept, "")
		require.Len(t, only(t, s, m.owner.User.ID, workflow.NoticeReportAccepted), 1)
		require.Empty(t, only(t, s, m.coord.User.ID, reportKinds...), "the coordinator did it")
	}

	// A document tells the person who asked for it that it is ready or
	// failed; the approval's own documents tell nobody. An invitation is
	// in the inbox but not mailed from here; a role change is told.
	suite["NotifyDocumentsAndMembers"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "NOTE-DOC")
		docKinds := []workflow.NoticeKind{workflow.NoticeDocumentReady, workflow.NoticeDocumentFailed}
		ask := func(p workflow.Principal, format string) workflow.Document {
			t.Helper()
			doc, _, err := s.RequestDocument(ctx, workflow.DocumentRequest{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Format: format,
				Template: "action_plan", TemplateVersion: "v", Principal: p})
			require.NoError(t, err)
			return doc
		}
		ready := ask(c.owner, "md")
		require.NoError(t, s.SetDocumentObject(ctx, ready.ID, "k", "abc", 3, "text/markdown"))
		require.NoError(t, s.FinishDocument(ctx, ready.ID, nil))
		require.NoError(t, s.FinishDocument(ctx, ready.ID, nil), "a repeat tells nobody again")
		failed := ask(c.coord, "pdf")
		require.NoError(t, s.FinishDocument(ctx, failed.ID, errors.New("no font")))
		got := only(t, s, c.owner.User.ID, docKinds...)
		require.Len(t, got, 1)
		require.Equal(t, workflow.NoticeDocumentReady, got[0].Kind)
		require.Equal(t, "/ui/documents/"+ready.ID, got[0].Path())
		got = only(t, s, c.coord.User.ID, docKinds...)
		require.Len(t, got, 1)
		require.Equal(t, workflow.NoticeDocumentFailed, got[0].Kind)
		require.Equal(t, "/ui/action-plans/"+c.plan.Plan.ID, got[0].Path())

		u := workflow.User{Email: "new@NOTE-DOC", Name: "Új Tag"}
		m := workflow.Membership{ProjectID: c.project.ID, Role: workflow.RoleObserver}
		_, err := s.Invite(ctx, &u, &m)
		require.NoError(t, err)
		got = only(t, s, u.ID, workflow.NoticeInvited)
		require.Len(t, got, 1)
		require.Equal(t, c.project.Title, got[0].Title)
		require.Equal(t, "/ui/projects/"+c.project.ID, got[0].Path())
		var mail string
		require.NoError(t, s.DB().QueryRow(`SELECT mail FROM notifications WHERE user_id = $1`, u.ID).Scan(&mail))
		require.Equal(t, "off", mail, "the invitation mail itself is sent by who invites")
		_, err = s.UpdateMembership(ctx, m.ID, m.Version, func(x *workflow.Membership) error {
			x.Role, x.PartnerID = workflow.RolePartner, c.partner.ID
			return nil
		})
		require.NoError(t, err)
		got = only(t, s, u.ID, workflow.NoticeRoleChanged)
		require.Len(t, got, 1)
		require.Equal(t, "partner", got[0].Detail)
	}
}
