-- +goose Up
-- Interregional learning events, the good practices presented at them, and
-- the citations of an action plan's actions (good practices, events, peer
-- reviews and recommendations), kept as rows so that "which actions cite
-- this" is an indexed query rather than a scan of every plan's JSON.
CREATE TABLE learning_events (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id),
    type            TEXT NOT NULL CHECK (type IN ('thematic_seminar', 'study_visit', 'peer_review_visit', 'stakeholder_meeting', 'staff_exchange')),
    title           TEXT NOT NULL,
    host_partner_id TEXT NOT NULL REFERENCES partners (id),
    -- Only a thematic seminar fills one of the project's 4 slots.
    seminar_number  INTEGER CHECK (seminar_number BETWEEN 1 AND 4),
    status          TEXT NOT NULL CHECK (status IN ('planned', 'held')),
    start_date      DATE NOT NULL,
    end_date        DATE NOT NULL CHECK (end_date >= start_date),
    content         TEXT NOT NULL, -- JSON: place, participants, agenda, minutes
    version         INTEGER NOT NULL CHECK (version >= 1),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK ((type = 'thematic_seminar') = (seminar_number IS NOT NULL)),
    UNIQUE (project_id, seminar_number)
);
CREATE INDEX learning_events_project ON learning_events (project_id, id);

CREATE TABLE learning_event_practices (
    event_id         TEXT NOT NULL REFERENCES learning_events (id) ON DELETE CASCADE,
    good_practice_id TEXT NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE, -- a deleted draft drops off the events
    PRIMARY KEY (event_id, good_practice_id)
);
CREATE INDEX learning_event_practices_practice ON learning_event_practices (good_practice_id);

CREATE TABLE action_citations (
    plan_id       TEXT NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    action_number INTEGER NOT NULL CHECK (action_number >= 1),
    kind          TEXT NOT NULL CHECK (kind IN ('good_practice', 'event', 'peer_review', 'recommendation')),
    target_id     TEXT NOT NULL,
    project_id    TEXT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (plan_id, action_number, kind, target_id)
);
CREATE INDEX action_citations_target ON action_citations (kind, target_id);

-- +goose Down
DROP TABLE action_citations;
DROP TABLE learning_event_practices;
DROP TABLE learning_events;
