-- Failures, recovery and crash safety.

-- A VM row that no longer counts toward its role (replaced by recover or self-healing) but is
-- still tracked until the cloud confirms it is gone, so nothing leaks across a crash.
ALTER TABLE vms ADD COLUMN retired boolean NOT NULL DEFAULT false;
ALTER TABLE vms ADD COLUMN release_requested boolean NOT NULL DEFAULT false;
ALTER TABLE vms ADD COLUMN release_sent boolean NOT NULL DEFAULT false;
ALTER TABLE vms ADD COLUMN resume_requested boolean NOT NULL DEFAULT false;

-- recover --delete: the undeploy never fails; what cannot be removed is logged and skipped.
ALTER TABLE services ADD COLUMN force_delete boolean NOT NULL DEFAULT false;
-- release was asked for: roles on hold go on as soon as their parents run.
ALTER TABLE services ADD COLUMN hold_released boolean NOT NULL DEFAULT false;

-- Idempotency-Key journal: the first answer to a mutating request, replayed for the same key.
CREATE TABLE idempotency_keys (
    key          text PRIMARY KEY,
    uid          integer     NOT NULL,
    request_hash text        NOT NULL,
    status       integer,              -- NULL while the first request is still being answered
    content_type text,
    body         text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Simulator: forced states ('rest') and injected failures.
ALTER TABLE sim_vms DROP CONSTRAINT sim_vms_phase_check;
ALTER TABLE sim_vms ADD CONSTRAINT sim_vms_phase_check CHECK (phase IN ('hold', 'deploy', 'terminate', 'rest'));
ALTER TABLE sim_vms ADD COLUMN fail_step text CHECK (fail_step IN ('deploy', 'terminate'));
