-- +goose Up
-- Phase 2 monitoring: the self-defined indicators of an action plan, the
-- semester progress reports on a monitored plan, and the uptake of peer
-- review recommendations. project_id is repeated on every table so that
-- project-wide aggregates (the dashboard) need no join through deliverables.

-- An action plan's own performance indicators. baseline and target are
-- numbers in the indicator's unit.
CREATE TABLE plan_indicators (
    id         text PRIMARY KEY,
    plan_id    text NOT NULL REFERENCES deliverables (id),
    project_id text NOT NULL REFERENCES projects (id),
    name       text NOT NULL,
    unit       text NOT NULL,
    baseline   double precision NOT NULL,
    target     double precision NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (plan_id, name)
);
CREATE INDEX plan_indicators_project ON plan_indicators (project_id, plan_id);

-- One report per plan and period (a semester such as 2024-S1). The period's
-- dates and the due date are fixed when the report is made. snapshot is the
-- canonical JSON of the report as accepted, which its document is built from.
CREATE TABLE progress_reports (
    id           text PRIMARY KEY,
    plan_id      text NOT NULL REFERENCES deliverables (id),
    project_id   text NOT NULL REFERENCES projects (id),
    period       text NOT NULL CHECK (period ~ '^[0-9]{4}-S[12]$'),
    period_index integer NOT NULL CHECK (period_index >= 1), -- 1 for phase 2's first semester
    period_start date NOT NULL,
    period_end   date NOT NULL,
    due_date     date NOT NULL,
    state        text NOT NULL CHECK (state IN ('draft', 'submitted', 'accepted')),
    version      integer NOT NULL CHECK (version >= 1),
    snapshot     text NOT NULL DEFAULT '',
    sha256       text NOT NULL DEFAULT '',
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    submitted_at timestamptz,
    accepted_at  timestamptz,
    UNIQUE (plan_id, period)
);
CREATE INDEX progress_reports_project ON progress_reports (project_id, state, due_date);

-- Per action of the plan: its implementation status in the period.
-- evidence_ids is a JSON array of evidence ids.
CREATE TABLE progress_report_actions (
    report_id     text NOT NULL REFERENCES progress_reports (id) ON DELETE CASCADE,
    project_id    text NOT NULL REFERENCES projects (id),
    action_number integer NOT NULL CHECK (action_number >= 1),
    status        text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'delayed', 'abandoned')),
    explanation   text NOT NULL DEFAULT '',
    narrative     text NOT NULL DEFAULT '',
    evidence_ids  text NOT NULL DEFAULT '[]',
    PRIMARY KEY (report_id, action_number),
    CHECK (status NOT IN ('delayed', 'abandoned') OR explanation <> '')
);
CREATE INDEX progress_report_actions_project ON progress_report_actions (project_id, status);

-- The value of each plan indicator achieved in the period.
CREATE TABLE progress_report_indicators (
    report_id    text NOT NULL REFERENCES progress_reports (id) ON DELETE CASCADE,
    indicator_id text NOT NULL REFERENCES plan_indicators (id),
    project_id   text NOT NULL REFERENCES projects (id),
    achieved     double precision NOT NULL,
    PRIMARY KEY (report_id, indicator_id)
);
CREATE INDEX progress_report_indicators_project ON progress_report_indicators (project_id, indicator_id);

-- Improvements of the policy instrument reported in the period.
CREATE TABLE policy_improvements (
    id           text PRIMARY KEY,
    report_id    text NOT NULL REFERENCES progress_reports (id) ON DELETE CASCADE,
    project_id   text NOT NULL REFERENCES projects (id),
    position     integer NOT NULL,
    type         text NOT NULL CHECK (type IN ('new_projects', 'governance', 'strategic_focus')),
    description  text NOT NULL,
    date         date NOT NULL,
    evidence_ids text NOT NULL DEFAULT '[]',
    UNIQUE (report_id, position)
);
CREATE INDEX policy_improvements_project ON policy_improvements (project_id, type);

-- The append-only history of a report's transitions.
CREATE TABLE progress_report_transitions (
    id         text PRIMARY KEY,
    report_id  text NOT NULL REFERENCES progress_reports (id),
    version    integer NOT NULL,
    from_state text NOT NULL,
    to_state   text NOT NULL,
    trigger    text NOT NULL,
    actor_id   text NOT NULL,
    note       text NOT NULL DEFAULT '',
    request_id text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL,
    UNIQUE (report_id, version)
);
CREATE TRIGGER progress_report_transitions_no_update BEFORE UPDATE OR DELETE ON progress_report_transitions
    FOR EACH ROW EXECUTE FUNCTION transitions_append_only();

-- The due reminders sent, one per plan and period whether or not its
-- report exists yet, so that the periodic job sends each once.
CREATE TABLE progress_report_reminders (
    plan_id    text NOT NULL REFERENCES deliverables (id),
    period     text NOT NULL,
    project_id text NOT NULL REFERENCES projects (id),
    due_date   date NOT NULL,
    sent_at    timestamptz NOT NULL,
    PRIMARY KEY (plan_id, period)
);

-- The follow-up of a monitored peer review: each recommendation's uptake,
-- and optionally the plan action that took it up.
CREATE TABLE recommendation_uptake (
    peer_review_id    text NOT NULL REFERENCES deliverables (id),
    recommendation_id text NOT NULL,
    project_id        text NOT NULL REFERENCES projects (id),
    status            text NOT NULL CHECK (status IN ('adopted', 'partially', 'not_adopted')),
    plan_id           text REFERENCES deliverables (id),
    action_number     integer CHECK (action_number >= 1),
    updated_by        text NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (peer_review_id, recommendation_id),
    CHECK (action_number IS NULL OR plan_id IS NOT NULL)
);
CREATE INDEX recommendation_uptake_project ON recommendation_uptake (project_id, status);

-- An accepted report's documents sit with its plan's; the report they were
-- built from is named here (their revision is the report's period_index).
ALTER TABLE documents ADD COLUMN progress_report_id text REFERENCES progress_reports (id);

-- +goose Down
ALTER TABLE documents DROP COLUMN progress_report_id;
DROP TABLE recommendation_uptake;
DROP TABLE progress_report_reminders;
DROP TABLE progress_report_transitions;
DROP TABLE policy_improvements;
DROP TABLE progress_report_indicators;
DROP TABLE progress_report_actions;
DROP TABLE progress_reports;
DROP TABLE plan_indicators;
