package workflow

import (
	"net/url"
	"slices"
	"time"
)

// NoticeKind names a kind of thing a person is told about. Each kind is
// one line of a person's mail settings; a new kind is a constant here, a
// default in DefaultMailChoice, the code that writes it in the store, and
// its "notice.<kind>.*" messages in the catalogs.
type NoticeKind string

const (
	NoticeConsultationOpened  NoticeKind = "consultation_opened"  // a consultation opened for my group
	NoticeConsultationClosing NoticeKind = "consultation_closing" // it closes in 48 hours and I have not commented
	NoticeCommentReply        NoticeKind = "comment_reply"        // someone replied to my comment
	NoticeCommentResponse     NoticeKind = "comment_response"     // my comment got its formal response
	NoticeCommentCreated      NoticeKind = "comment_created"      // a comment on a deliverable I own or coordinate
	NoticeReturned            NoticeKind = "deliverable_returned" // my deliverable was returned, with a note
	NoticeApproved            NoticeKind = "deliverable_approved"
	NoticeMonitored           NoticeKind = "deliverable_monitored"
	NoticeClosed              NoticeKind = "deliverable_closed"
	NoticeReportDue           NoticeKind = "report_due" // a progress report is due in 14 days
	NoticeReportOverdue       NoticeKind = "report_overdue"
	NoticeReportReturned      NoticeKind = "report_returned"
	NoticeReportAccepted      NoticeKind = "report_accepted"
	NoticeDocumentReady       NoticeKind = "document_ready" // a document I asked for
	NoticeDocumentFailed      NoticeKind = "document_failed"
	NoticeInvited             NoticeKind = "invited" // I was made a member of a project
	NoticeRoleChanged         NoticeKind = "role_changed"
)

// NoticeKinds lists every kind, in the order of the settings page.
var NoticeKinds = []NoticeKind{
	NoticeConsultationOpened, NoticeConsultationClosing, NoticeCommentReply, NoticeCommentResponse, NoticeCommentCreated,
	NoticeReturned, NoticeApproved, NoticeMonitored, NoticeClosed,
	NoticeReportDue, NoticeReportOverdue, NoticeReportReturned, NoticeReportAccepted,
	NoticeDocumentReady, NoticeDocumentFailed, NoticeInvited, NoticeRoleChanged,
}

// NoticeDigest is not a kind of notification but the "kind" of the
// digest's unsubscribe link: it turns off every kind that came in the
// digest.
const NoticeDigest NoticeKind = "digest"

// ValidNoticeKind reports whether k is one of NoticeKinds.
func ValidNoticeKind(k NoticeKind) bool { return slices.Contains(NoticeKinds, k) }

// MailChoice is how a person wants mail of one kind: at once, in the
// daily digest, or not at all. The inbox has every notification whatever
// the choice.
type MailChoice string

const (
	MailNow    MailChoice = "now"
	MailDigest MailChoice = "digest"
	MailOff    MailChoice = "off"
)

// MailChoices lists the choices, in the order a form offers them.
var MailChoices = []MailChoice{MailNow, MailDigest, MailOff}

// ValidMailChoice reports whether c is one of MailChoices.
func ValidMailChoice(c MailChoice) bool { return c == MailNow || c == MailDigest || c == MailOff }

// DefaultMailChoice is the choice of a person who made none. What someone
// must act on soon comes at once: a consultation opening for a
// stakeholder (and the reminder that it closes, which was mailed at once
// before there were settings), an owner's return and approval, the
// document one asked for, the invitation. The rest comes in the digest.
func DefaultMailChoice(k NoticeKind) MailChoice {
	switch k {
	case NoticeConsultationOpened, NoticeConsultationClosing, NoticeReturned, NoticeApproved,
		NoticeReportReturned, NoticeReportAccepted, NoticeDocumentReady, NoticeDocumentFailed, NoticeInvited:
		return MailNow
	}
	return MailDigest
}

// MailSettings are a person's choices, one per kind (defaults filled in).
type MailSettings map[NoticeKind]MailChoice

// Notification is one thing one person is told about. Its ID is the
// event's: the same event told to several people has the same ID in each
// inbox, and one person is told of one event once.
type Notification struct {
	ID              string     `json:"id"`
	Kind            NoticeKind `json:"kind"`
	ProjectID       string     `json:"project_id"`
	ProjectAcronym  string     `json:"project_acronym"`
	DeliverableKind Kind       `json:"deliverable_kind,omitempty"`
	DeliverableID   string     `json:"deliverable_id,omitempty"`
	CommentID       string     `json:"comment_id,omitempty"`
	// Period names a progress report's period (its report is the plan's
	// for that period).
	Period     string `json:"period,omitempty"`
	DocumentID string `json:"document_id,omitempty"`
	// Title names the thing: the deliverable's title, or the project's for
	// an invitation.
	Title string `json:"title"`
	// TitleLang is the language the title is written in (the
	// deliverable's, or the project's), for pages and mail to mark it.
	TitleLang string `json:"title_lang,omitempty"`
	// Detail is what the kind adds: the return note, the new role, the
	// document's format.
	Detail   string `json:"detail,omitempty"`
	Revision int    `json:"revision,omitempty"`
	// ActorName is who caused it ("" for the service itself).
	ActorName string     `json:"actor_name,omitempty"`
	At        time.Time  `json:"at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// kindSegments are the page paths of each deliverable kind, as in the API.
var kindSegments = map[Kind]string{KindActionPlan: "action-plans", KindPeerReview: "peer-reviews", KindGoodPractice: "good-practices"}

// Path is where the web application shows the thing itself.
func (n Notification) Path() string {
	switch {
	case n.DocumentID != "" && n.Kind == NoticeDocumentReady:
		return "/ui/documents/" + url.PathEscape(n.DocumentID)
	case n.Period != "":
		return "/ui/action-plans/" + url.PathEscape(n.DeliverableID) + "/reports/" + url.PathEscape(n.Period)
	case n.DeliverableID != "":
		p := "/ui/" + kindSegments[n.DeliverableKind] + "/" + url.PathEscape(n.DeliverableID)
		if n.CommentID != "" {
			p += "#c-" + n.CommentID
		}
		return p
	}
	return "/ui/projects/" + url.PathEscape(n.ProjectID)
}
