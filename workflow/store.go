package workflow

import (
	"context"
	"time"
)

// Page asks for one page of a list ordered by id: at most Limit items with
// an id greater than After.
type Page struct {
	Limit int
	After string
}

// Store is what the service needs from its database. storage/sqlstore
// implements it for PostgreSQL and SQLite; every method is one transaction.
type Store interface {
	Ping(ctx context.Context) error

	// Users and tokens. Only token hashes are passed in or kept.
	CreateUser(ctx context.Context, u *User, tokenHash, tokenLabel string) error
	EnsureAdmin(ctx context.Context, u *User, tokenHash string) error
	AddToken(ctx context.Context, userID, tokenHash, label string) error
	UserByEmail(ctx context.Context, email string) (User, error)
	ListUsers(ctx context.Context, page Page) ([]User, string, error)
	// UserNames maps user ids to names in one read (for who did what);
	// unknown ids are left out.
	UserNames(ctx context.Context, ids []string) (map[string]string, error)
	// PersonalData gathers everything kept about one user (the export).
	PersonalData(ctx context.Context, userID string) (PersonalData, error)
	// EraseUser deactivates a user and replaces its name and e-mail by a
	// pseudonym everywhere; its comments and history stay. Erasing an
	// erased user changes nothing.
	EraseUser(ctx context.Context, userID string) (User, error)
	// Authenticate finds the caller by token hash; unknown gives not_found.
	Authenticate(ctx context.Context, tokenHash string) (Principal, error)

	// The consortium. List methods return the items and the next cursor
	// ("" on the last page).
	CreateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, id string) (Project, error)
	ProjectByAcronym(ctx context.Context, acronym string) (Project, error)
	// ListProjects lists all projects when userID is "", else the user's.
	ListProjects(ctx context.Context, userID string, page Page) ([]Project, string, error)
	// SetMatrixNames sets the project's MatrixNames (MatrixOrganisations
	// or MatrixPersonNames, checked by the caller).
	SetMatrixNames(ctx context.Context, projectID, value string) (Project, error)
	// SetProjectLocale sets the project's default language and time zone
	// (validated by the caller).
	SetProjectLocale(ctx context.Context, projectID string, l ProjectLocale) (Project, error)
	// SetSettings saves a person's own language and time zone (validated
	// by the caller).
	SetSettings(ctx context.Context, userID string, s Settings) (User, error)

	// Notifications (the inbox), newest first, of what the person may
	// still see: a project they are still a member of, a deliverable in
	// their scope, a comment not hidden or deleted.
	Notifications(ctx context.Context, userID string, page Page) ([]Notification, string, error)
	// UnreadNotifications counts the unread ones of Notifications.
	UnreadNotifications(ctx context.Context, userID string) (int, error)
	// MarkNotificationRead marks one read (not_found when the person has
	// no such notification); MarkAllNotificationsRead marks every one and
	// says how many were unread.
	MarkNotificationRead(ctx context.Context, userID, id string) error
	MarkAllNotificationsRead(ctx context.Context, userID string) (int, error)
	// MailSettings are the person's choices, with the defaults filled in;
	// SetMailSettings saves the given kinds' choices (validated by the
	// caller) and returns them all.
	MailSettings(ctx context.Context, userID string) (MailSettings, error)
	SetMailSettings(ctx context.Context, userID string, s MailSettings) (MailSettings, error)
	// UnsubscribeToken signs a link that turns one kind of mail off for
	// one person; Unsubscribe checks it (invalid for a tampered one) and
	// turns the kind off.
	UnsubscribeToken(userID string, kind NoticeKind) (string, error)
	Unsubscribe(ctx context.Context, token string) (User, NoticeKind, error)
	// CheckUnsubscribe checks a token as Unsubscribe does, changing
	// nothing (the link's page, before the click).
	CheckUnsubscribe(token string) (userID string, kind NoticeKind, err error)
	CreatePartner(ctx context.Context, p *Partner) error
	ListPartners(ctx context.Context, projectID string, page Page) ([]Partner, string, error)
	CreatePolicyInstrument(ctx context.Context, pi *PolicyInstrument) error
	ListPolicyInstruments(ctx context.Context, projectID string, page Page) ([]PolicyInstrument, string, error)
	CreateStakeholderGroup(ctx context.Context, g *StakeholderGroup) error
	ListStakeholderGroups(ctx context.Context, projectID string, page Page) ([]StakeholderGroup, string, error)
	CreateMembership(ctx context.Context, m *Membership) error
	ListMemberships(ctx context.Context, projectID string, page Page) ([]Membership, string, error)

	// Deliverables: action plans and peer reviews.
	CreateDeliverable(ctx context.Context, d *Deliverable) error
	Deliverable(ctx context.Context, kind Kind, id string) (Deliverable, error)
	ListDeliverables(ctx context.Context, kind Kind, projectID string, scope Scope, page Page) ([]Deliverable, string, error)
	// UpdateDeliverable applies edit to the content in one transaction,
	// only at the given version (else precondition_failed) and only in
	// draft (else conflict), and bumps the version.
	UpdateDeliverable(ctx context.Context, kind Kind, id string, version int, edit func(*Deliverable) error) (Deliverable, error)
	// DeleteDeliverable removes a draft that was never submitted, at the
	// given version; one with a history is kept (conflict).
	DeleteDeliverable(ctx context.Context, kind Kind, id string, version int) error
	// FireTransition runs one lifecycle transition in one transaction: the
	// version-checked state update, the frozen revision, the history row and
	// the follow-up jobs commit together or not at all.
	FireTransition(ctx context.Context, r TransitionRequest) (Deliverable, TransitionRecord, error)
	// PermittedTransitions lists what the caller may fire now.
	PermittedTransitions(ctx context.Context, kind Kind, id string, p Principal) ([]PermittedTrigger, Deliverable, error)
	// History pages a deliverable's transitions, oldest first.
	History(ctx context.Context, kind Kind, id string, page Page) ([]TransitionRecord, string, error)
	Revision(ctx context.Context, kind Kind, id string, number int) (RevisionRecord, error)

	// Documents.
	// RequestDocument makes (or finds) the document of the deliverable's
	// latest revision for a format and template version, and queues its
	// rendering in the same transaction. created is false for a repeat.
	RequestDocument(ctx context.Context, r DocumentRequest) (doc Document, created bool, err error)
	Document(ctx context.Context, id string) (Document, error)
	ListDocuments(ctx context.Context, deliverableID string, page Page) ([]Document, string, error)
	// VerifyDocument finds the ready document whose bytes have the
	// SHA-256 sum (ParseSHA256's form); not found when none has.
	VerifyDocument(ctx context.Context, sum string) (DocumentVerification, error)
	RecordDownload(ctx context.Context, documentID, userID, rangeSpec, requestID string) error
	CreateTemplate(ctx context.Context, t *TemplateRecord) error
	Template(ctx context.Context, name, version string) (TemplateRecord, error)
	ListTemplates(ctx context.Context) ([]TemplateRecord, error)

	// Consultation: comments on a revision under stakeholder review, their
	// formal responses, and the window in which comments are taken. Every
	// method checks the caller's right itself (Commenting, Answering,
	// Moderating) and answers not_found outside the caller's scope.
	//
	// AddComment pins a comment to the revision under consultation; it is
	// conflict unless the deliverable is in stakeholder_review with its
	// consultation open, and invalid for an unknown section or parent.
	AddComment(ctx context.Context, c NewComment) (Comment, error)
	// Comments lists the threads of a revision (0: the latest), top-level
	// comments oldest first with their replies nested, page.Limit threads
	// after the thread page.After (all of them when page.Limit is 0); next
	// is the last thread's id when more follow. Hidden comments are left out
	// unless the caller moderates or answers, who see them marked.
	Comments(ctx context.Context, kind Kind, id string, revision int, p Principal, page Page) (items []Comment, next string, err error)
	// CommentThreads is what a page of the revision (0: the latest) shows:
	// the threads q asks for, nested and ordered as Comments, and the
	// tallies of every section. Visibility is that of Comments.
	CommentThreads(ctx context.Context, kind Kind, id string, revision int, p Principal, q ThreadQuery) (ThreadSet, error)
	Comment(ctx context.Context, commentID string, p Principal) (Comment, error)
	// EditComment changes body, stance and suggested wording at the given
	// comment version; the author only, while the consultation is open. The
	// old text is kept in the comment's history.
	EditComment(ctx context.Context, commentID string, version int, e CommentEdit, p Principal) (Comment, error)
	// DeleteComment blanks the body (the thread and the history stay); the
	// author only, while the consultation is open.
	DeleteComment(ctx context.Context, commentID string, version int, p Principal) error
	// HideComment hides a comment from everyone but the owner and the
	// coordinator, and from every export; the coordinator only.
	HideComment(ctx context.Context, commentID, reason string, p Principal) (Comment, error)
	// RespondToComment gives (or replaces) the formal response to a
	// top-level comment; the owner or the coordinator, while the
	// deliverable is in stakeholder_review.
	RespondToComment(ctx context.Context, commentID string, status ResponseStatus, body string, p Principal) (Comment, error)
	// PendingSuggestions lists the deliverable's accepted suggestions not
	// yet applied, oldest first, each against the current content: what it
	// would make of its section, or why it conflicts. For whoever may see
	// the deliverable; hidden and deleted comments are left out.
	PendingSuggestions(ctx context.Context, kind Kind, id string, p Principal) ([]PendingSuggestion, error)
	// ApplySuggestions applies the chosen pending suggestions to the draft
	// in one content edit at the given version (else precondition_failed),
	// for whoever may edit it, and records each application once (conflict
	// for one applied already; invalid for an unknown one or a conflict).
	ApplySuggestions(ctx context.Context, kind Kind, id string, version int, commentIDs []string, p Principal) (Deliverable, error)
	// AppliedSuggestions lists the suggestions applied to the deliverable,
	// oldest first, for its history.
	AppliedSuggestions(ctx context.Context, kind Kind, id string, p Principal) ([]SuggestionApplication, error)
	// CommentHistory pages a comment's events, oldest first.
	CommentHistory(ctx context.Context, commentID string, p Principal, page Page) ([]CommentEvent, string, error)
	// Consultation returns the consultation of a revision (0: the latest).
	Consultation(ctx context.Context, kind Kind, id string, revision int, p Principal) (Consultation, error)
	// CloseConsultation closes the open consultation early; the owner or the
	// coordinator.
	CloseConsultation(ctx context.Context, kind Kind, id string, p Principal) (Consultation, error)
	// ExpireConsultation is the deadline job's work: it closes the
	// consultation of that revision if it is still open and its deadline has
	// passed. closed is false when there was nothing to do.
	ExpireConsultation(ctx context.Context, deliverableID string, revision int) (closed bool, err error)
	// MyConsultations lists the deliverables in stakeholder_review that the
	// caller may see, with their consultations, newest deadline last.
	MyConsultations(ctx context.Context, p Principal) ([]ConsultationItem, error)

	WebhookStore
	SessionStore
	PracticeStore
	MonitoringStore
	DashboardReader
	EvidenceStore
	LearningEventStore
	Searcher
	HomeReader
	TokenStore
	ConsortiumStore

	// Idempotency keys for POST requests.
	ClaimIdempotencyKey(ctx context.Context, k *IdempotencyRecord) (IdempotencyRecord, bool, error)
	CompleteIdempotencyKey(ctx context.Context, k IdempotencyRecord) error
	ReleaseIdempotencyKey(ctx context.Context, userID, key string) error
}

// IdempotencyTTL is how long an Idempotency-Key is kept: a repeat after it
// is a fresh request, and older records are deleted.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyRecord remembers the first answer to a POST with an
// Idempotency-Key, per user and key. Status 0 means the first request is
// still running. Its Body never holds a secret: a handler that shows one
// keeps a copy without it for replays.
type IdempotencyRecord struct {
	UserID      string
	Key         string
	RequestHash string // SHA-256 of method, path and body
	Status      int
	Headers     map[string]string // the headers to replay (Content-Type, ETag, Location)
	Body        []byte
	CreatedAt   time.Time
}

// MaxNote is the longest transition note, in characters.
const MaxNote = 4000

// CheckNote checks a transition's note: text, at most MaxNote characters.
func CheckNote(note string) error {
	var p Problems
	checkText(&p, "note", note, false, MaxNote)
	return p.Err("invalid note")
}

// TransitionRequest asks for one transition at a known version.
type TransitionRequest struct {
	Kind      Kind
	ID        string
	Version   int
	Trigger   Trigger
	Note      string
	RequestID string
	Principal Principal
	// ConsultationDeadline, on submit, overrides the project's default
	// consultation window.
	ConsultationDeadline *time.Time
	// CarryOver, on a submit after a return to draft, names open threads
	// of the previous revision (their top-level comments' ids) to move to
	// the new one, with their replies and history.
	CarryOver []string
}

// MaxCarryOver bounds the threads one submit carries over.
const MaxCarryOver = 2000

// ThreadQuery picks the threads of a revision that a page shows.
type ThreadQuery struct {
	Section    string // "" for every section
	PerSection int    // 0 for all threads; N for the N most recent threads of each section
	// TalliesOnly asks for the sections' tallies and no threads: what a
	// page of a later revision says of this one's threads.
	TalliesOnly bool
	// KeepCurrent leaves the threads of an older revision unmarked (not
	// Outdated): for a caller that compares revisions itself, which spares
	// the read of the two snapshots.
	KeepCurrent bool
}

// ThreadSet is the answer to a ThreadQuery.
type ThreadSet struct {
	// Threads are top-level comments oldest first, replies nested, as in
	// Comments; with PerSection, the most recent ones of each section.
	Threads []Comment
	// Sections tallies every section of the revision that has threads,
	// whatever the query's section, counting only what the caller sees.
	Sections map[string]SectionTally
}

// SectionTally counts a section's comments as the caller sees them.
type SectionTally struct {
	Threads    int // top-level comments
	Comments   int // top-level comments and replies
	Unanswered int // top-level comments, neither hidden nor deleted, without a response
}

// ConsultationItem is one line of "my consultations".
type ConsultationItem struct {
	Kind         Kind         `json:"kind"`
	Head         Head         `json:"-"`
	ID           string       `json:"id"`
	Title        string       `json:"title"`
	State        State        `json:"state"`
	Revision     int          `json:"revision"`
	Consultation Consultation `json:"consultation"`
	Comments     int          `json:"comments"`   // visible comments on the revision
	Unanswered   int          `json:"unanswered"` // top-level ones without a response
}

// Mailer sends a message to a person: magic links, consultation
// reminders. The default writes to the log.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Mail is one message: a plain-text body and, for notifications, an
// HTML alternative (no remote images) and extra headers such as
// List-Unsubscribe.
type Mail struct {
	To      string
	Subject string
	Body    string
	HTML    string
	Headers map[string]string
}

// TransitionRecord is one row of the append-only history.
type TransitionRecord struct {
	ID            string    `json:"id"`
	DeliverableID string    `json:"deliverable_id"`
	Version       int       `json:"version"`
	From          State     `json:"from"`
	To            State     `json:"to"`
	Trigger       Trigger   `json:"trigger"`
	ActorID       string    `json:"actor_id"`
	Note          string    `json:"note"`
	Revision      int       `json:"revision"`
	RequestID     string    `json:"request_id"`
	At            time.Time `json:"at"`
}

// RevisionRecord is a frozen revision: the canonical JSON snapshot of the
// content at submit, and its SHA-256.
type RevisionRecord struct {
	DeliverableID string    `json:"deliverable_id"`
	Number        int       `json:"number"`
	Snapshot      []byte    `json:"-"`
	SHA256        string    `json:"sha256"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}
