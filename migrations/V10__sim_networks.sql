-- The simulator's virtual networks and network templates (issue 14), imitating oned's one.vn.* and
-- one.vntemplate.*. A network's state is a function of its phase, when the phase started, its
-- timings and its injected failure (cloud/sim/SimNetClock), as for the simulated VMs.

CREATE TABLE sim_net_templates (
    id         serial PRIMARY KEY,
    name       text        NOT NULL,
    attributes jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sim_net_templates (id, name, attributes) VALUES (0, 'sim-net-template', '{}');
SELECT setval('sim_net_templates_id_seq', 1, false);

CREATE TABLE sim_networks (
    id               serial PRIMARY KEY,
    request_key      text        UNIQUE,                      -- NULL for the seeded network
    name             text        NOT NULL,
    parent_id        integer,                                 -- the parent of a reservation
    template_id      integer     REFERENCES sim_net_templates (id),
    owner_name       text        NOT NULL DEFAULT 'oneadmin',
    owner_gid        integer     NOT NULL DEFAULT 0,
    attributes       jsonb       NOT NULL DEFAULT '{}',
    -- 'ready': READY for good (the seeded network); 'create' / 'delete': timed from phase_started_at.
    -- A deleted network keeps its row (DONE once its delete phase has run) so that its request key
    -- still answers for it.
    phase            text        NOT NULL CHECK (phase IN ('create', 'ready', 'delete')),
    phase_started_at timestamptz NOT NULL DEFAULT now(),
    create_seconds   double precision NOT NULL DEFAULT 1,
    delete_seconds   double precision NOT NULL DEFAULT 1,
    fail             text        CHECK (fail IN ('create', 'delete')),
    created_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sim_networks (id, name, phase) VALUES (0, 'sim-net', 'ready');
SELECT setval('sim_networks_id_seq', 1, false);
