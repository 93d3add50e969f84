-- +goose Up
-- What each person is told about (the inbox). The id is the event's: one
-- event told to many people is one row per person, and never two for one
-- person. mail is the person's choice for the kind when it was written;
-- mailed_at is when it went out (at once, or in the digest digest_id).
-- Names are not copied here: the actor's is read from users, so erasure
-- reaches it. No foreign keys: their checks would cost each of many rows
-- written at once, and users are never deleted (erasure deletes a
-- person's notifications itself).
CREATE TABLE notifications (
    id             text NOT NULL,
    user_id        text NOT NULL,
    project_id     text NOT NULL,
    kind           text NOT NULL,
    deliverable_id text,
    comment_id     text,
    document_id    text,
    period         text NOT NULL DEFAULT '',
    title          text NOT NULL DEFAULT '',
    title_lang     text NOT NULL DEFAULT '', -- the language the title is written in
    detail         text NOT NULL DEFAULT '',
    revision       integer NOT NULL DEFAULT 0,
    actor_id       text,
    mail           text NOT NULL CHECK (mail IN ('now', 'digest', 'off')),
    mailed_at      timestamptz,
    digest_id      text,
    created_at     timestamptz NOT NULL,
    read_at        timestamptz,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_digest_pending ON notifications (user_id, created_at) WHERE mail = 'digest' AND digest_id IS NULL;
CREATE INDEX notifications_digest ON notifications (digest_id) WHERE digest_id IS NOT NULL;

-- A notification to a whole stakeholder group (a consultation opening),
-- written in the event's transaction as one row: the inbox reads it as
-- each member's until a job writes each member's own row (done_at), so
-- the event does not wait for hundreds of inserts.
CREATE TABLE notification_fanouts (
    id             text PRIMARY KEY,
    project_id     text NOT NULL,
    group_id       text NOT NULL,
    kind           text NOT NULL,
    deliverable_id text,
    title          text NOT NULL DEFAULT '',
    title_lang     text NOT NULL DEFAULT '',
    revision       integer NOT NULL DEFAULT 0,
    actor_id       text,
    created_at     timestamptz NOT NULL,
    done_at        timestamptz
);
CREATE INDEX notification_fanouts_pending ON notification_fanouts (group_id) WHERE done_at IS NULL;

-- A person's mail choice per kind; a kind without a row has its default.
CREATE TABLE mail_settings (
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    text NOT NULL,
    choice  text NOT NULL CHECK (choice IN ('now', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
);

-- +goose Down
DROP TABLE mail_settings;
DROP TABLE notification_fanouts;
DROP TABLE notifications;
