-- Autoscaler: every evaluation kept and explained; simulator monitoring metrics.

CREATE TABLE autoscaler_evaluations (
    id          bigserial PRIMARY KEY,
    service_id  integer     NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    role_name   text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    policy      text        NOT NULL,          -- "elasticity #0", "scheduled #1", "min_vms", "cooldown"
    inputs      jsonb       NOT NULL,          -- per-VM values the evaluation used
    evaluated   text,                          -- the expression with its values, e.g. CPU[83.0] > 70
    true_evals  integer,
    period_number integer,
    cardinality integer     NOT NULL,
    new_cardinality integer NOT NULL,
    decision    text        NOT NULL CHECK (decision IN ('scale', 'no change', 'refused')),
    reason      text        NOT NULL
);
CREATE INDEX autoscaler_evaluations_role_idx ON autoscaler_evaluations (service_id, role_name, id DESC);

-- Metrics a VM reports (set through PUT /sim/vm/:id), and generators that make them move by themselves.
ALTER TABLE sim_vms ADD COLUMN monitoring jsonb NOT NULL DEFAULT '{}';
ALTER TABLE sim_vms ADD COLUMN generators jsonb NOT NULL DEFAULT '{}';
