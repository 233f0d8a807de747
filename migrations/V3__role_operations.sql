-- Role operations: remove_role intent, persisted role-action batches, simulator VM action state.

-- remove_role: the role is being undeployed on its own and leaves the service when DONE.
ALTER TABLE roles ADD COLUMN removing boolean NOT NULL DEFAULT false;

-- A role action in batches: `number` VMs every `period` seconds, over the VMs the role had when
-- the action was asked for. Progress is claimed before each batch runs, so a restart continues at
-- the right VM and time and never runs a batch twice.
CREATE TABLE role_action_batches (
    id         bigserial PRIMARY KEY,
    service_id integer     NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    role_name  text        NOT NULL,
    action     text        NOT NULL,
    args       text,
    number     integer     NOT NULL CHECK (number >= 0),
    period     integer     NOT NULL CHECK (period >= 0),
    vm_ids     integer[]   NOT NULL,
    next_index integer     NOT NULL DEFAULT 0,
    next_at    timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX role_action_batches_due_idx ON role_action_batches (next_at)
    WHERE next_index < cardinality(vm_ids);

ALTER TABLE sim_vms ADD COLUMN reboots integer NOT NULL DEFAULT 0;
ALTER TABLE sim_vms ADD COLUMN snapshots jsonb NOT NULL DEFAULT '[]';
ALTER TABLE sim_vms ADD COLUMN disk_snapshots jsonb NOT NULL DEFAULT '[]';
