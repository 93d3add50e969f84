-- +goose Up
-- An approve transition records the approver's role and organisation as
-- they were then: the approval record that documents state must not change
-- when memberships or partner names change later (documents are
-- deterministic). Empty on other transitions and on those made before.
ALTER TABLE transitions ADD COLUMN approver_role text NOT NULL DEFAULT '';
ALTER TABLE transitions ADD COLUMN approver_organisation text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE transitions DROP COLUMN approver_organisation;
ALTER TABLE transitions DROP COLUMN approver_role;
