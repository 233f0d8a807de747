-- Exactly once: every accepted command leaves one journal row, written in the same transaction as
-- its effect and its events. A retry with the same Idempotency-Key finds the row and gets the same
-- answer; when there is no row, nothing happened and the request simply runs.
DROP TABLE idempotency_keys;

CREATE TABLE operations (
    id              bigserial PRIMARY KEY,
    kind            text        NOT NULL,            -- the command: instantiate, scale, add_role, ...
    service_id      integer,                         -- the service it changed or made (kept after a purge)
    template_id     integer,                         -- the template it changed or made
    uid             integer     NOT NULL,            -- who asked
    params          jsonb       NOT NULL,            -- the command as it was given
    idempotency_key text UNIQUE,
    request_hash    text,                            -- method, path and body of the keyed request
    status          smallint    NOT NULL CHECK (status BETWEEN 200 AND 299),
    body            text,                            -- the answer as sent (the document made or changed)
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operations_created_idx ON operations (created_at);
CREATE INDEX operations_service_idx ON operations (service_id, id) WHERE service_id IS NOT NULL;

-- Intents read back after a restart: a resume asked for and not yet confirmed is sent again.
ALTER TABLE vms ADD COLUMN resume_sent boolean NOT NULL DEFAULT false;

-- The autoscaler's bookkeeping of each policy, apart from the role body a PUT replaces, with a
-- version so that neither write can silently undo the other.
CREATE TABLE policy_counters (
    service_id    integer  NOT NULL,
    role_name     text     NOT NULL,
    policy        text     NOT NULL CHECK (policy IN ('elasticity', 'scheduled')),
    position      smallint NOT NULL,
    fingerprint   text     NOT NULL,      -- the policy as counted; an edited policy starts counting afresh
    counters      jsonb    NOT NULL,      -- last_eval, true_evals, expression_evaluated, last occurrence
    version       integer  NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, role_name, policy, position),
    FOREIGN KEY (service_id, role_name) REFERENCES roles (service_id, name) ON DELETE CASCADE
);
