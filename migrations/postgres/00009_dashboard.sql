-- +goose Up
-- The dashboard counts the actions of every monitored plan on each read;
-- parsing each plan's JSON content for that cost more than all its other
-- queries together at 200 plans. The store keeps the count beside the
-- content on every write.
ALTER TABLE deliverables ADD COLUMN action_count integer NOT NULL DEFAULT 0 CHECK (action_count >= 0);
UPDATE deliverables SET action_count = CASE WHEN json_typeof(content::json -> 'actions') = 'array'
    THEN json_array_length(content::json -> 'actions') ELSE 0 END
WHERE kind = 'action_plan';
-- The latest report of each plan, found by state and period.
CREATE INDEX progress_reports_latest ON progress_reports (project_id, plan_id, period_index) WHERE state IN ('submitted', 'accepted');

-- +goose Down
DROP INDEX progress_reports_latest;
ALTER TABLE deliverables DROP COLUMN action_count;
