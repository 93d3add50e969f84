-- +goose Up
-- Consultation that holds up (issue 18).
--
-- A comment may carry suggested wording: suggestion replaces the text
-- suggestion_of in its section ('' for the whole section's text).
--
-- The record after an answer: answered_body and answered_suggestion are
-- the text the formal response answered. An edit after the response
-- changes body (a new version) and leaves these, so the response stays
-- on what it answered; a new response answers the text of its day.
--
-- carried_from is the revision a thread was first written on, when the
-- owner carried it over to a later revision at resubmission.
ALTER TABLE comments ADD COLUMN suggestion text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN suggestion_of text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN answered_body text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN answered_suggestion text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN carried_from integer;
UPDATE comments SET answered_body = body WHERE response_status <> '';

-- A comment's history also records its thread being carried over and its
-- suggestion being applied to a draft.
ALTER TABLE comment_events DROP CONSTRAINT comment_events_event_check;
ALTER TABLE comment_events ADD CONSTRAINT comment_events_event_check
    CHECK (event IN ('created', 'edited', 'deleted', 'hidden', 'responded', 'carried', 'applied'));

-- Each accepted suggestion applied to a draft, once (the primary key):
-- who applied it, to which version of the deliverable, and the section's
-- text before and after. Append-only, like the transitions.
CREATE TABLE suggestion_applications (
    comment_id     text PRIMARY KEY REFERENCES comments (id),
    deliverable_id text NOT NULL REFERENCES deliverables (id),
    revision       integer NOT NULL, -- the revision the suggestion was made on
    section        text NOT NULL,
    before_text    text NOT NULL,
    after_text     text NOT NULL,
    version        integer NOT NULL, -- the deliverable's version the edit made
    applied_by     text NOT NULL REFERENCES users (id),
    applied_at     timestamptz NOT NULL
);
CREATE INDEX suggestion_applications_deliverable ON suggestion_applications (deliverable_id, applied_at);
CREATE TRIGGER suggestion_applications_append_only BEFORE UPDATE OR DELETE ON suggestion_applications
    FOR EACH ROW EXECUTE FUNCTION transitions_append_only();

-- +goose Down
DROP TABLE suggestion_applications;
ALTER TABLE comment_events DROP CONSTRAINT comment_events_event_check;
ALTER TABLE comment_events ADD CONSTRAINT comment_events_event_check
    CHECK (event IN ('created', 'edited', 'deleted', 'hidden', 'responded')) NOT VALID;
ALTER TABLE comments DROP COLUMN carried_from;
ALTER TABLE comments DROP COLUMN answered_suggestion;
ALTER TABLE comments DROP COLUMN answered_body;
ALTER TABLE comments DROP COLUMN suggestion_of;
ALTER TABLE comments DROP COLUMN suggestion;
