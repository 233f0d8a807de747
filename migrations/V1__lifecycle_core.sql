-- Flotilla lifecycle core: identity, templates, services, roles, their VMs, the event log,
-- and the cloud simulator's own tables.

CREATE TABLE groups (
    id   integer PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE users (
    id            integer PRIMARY KEY,
    name          text    NOT NULL UNIQUE,
    gid           integer NOT NULL REFERENCES groups (id),
    password_hash text    -- NULL until a password is set; nobody can sign in as this user then
);

INSERT INTO groups (id, name) VALUES (0, 'oneadmin');
INSERT INTO users (id, name, gid) VALUES (0, 'oneadmin', 0);

-- Permission bits are stored as the 9-bit octal number OpenNebula uses (owner um- = 0600).
CREATE TABLE service_templates (
    id          serial PRIMARY KEY,
    uid         integer     NOT NULL REFERENCES users (id),
    gid         integer     NOT NULL REFERENCES groups (id),
    permissions integer     NOT NULL DEFAULT 384 CHECK (permissions BETWEEN 0 AND 511),
    name        text        NOT NULL CHECK (length(name) <= 128),
    body        jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A service: template-level fields as an opaque document; state in real columns.
CREATE TABLE services (
    id          serial PRIMARY KEY,
    uid         integer     NOT NULL REFERENCES users (id),
    gid         integer     NOT NULL REFERENCES groups (id),
    permissions integer     NOT NULL DEFAULT 384 CHECK (permissions BETWEEN 0 AND 511),
    name        text        NOT NULL CHECK (length(name) <= 128),
    state       smallint    NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 15),
    deployment  text        NOT NULL DEFAULT 'none' CHECK (deployment IN ('none', 'straight')),
    body        jsonb       NOT NULL,
    start_time  timestamptz NOT NULL DEFAULT now(),
    deadline_at timestamptz,
    version     integer     NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_state_idx ON services (state);
CREATE INDEX services_deadline_idx ON services (deadline_at) WHERE deadline_at IS NOT NULL;

CREATE TABLE roles (
    service_id  integer  NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    name        text     NOT NULL CHECK (name ~ '^[A-Za-z0-9_]+$'),
    position    smallint NOT NULL,
    state       smallint NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 11),
    cardinality integer  NOT NULL CHECK (cardinality >= 0),
    template_id integer  NOT NULL,
    parents     text[]   NOT NULL DEFAULT '{}',
    last_vmname integer  NOT NULL DEFAULT 0,
    body        jsonb    NOT NULL, -- the role's other template fields (template_contents, policies, ...)
    PRIMARY KEY (service_id, name)
);

-- One row per VM a role should have or had. The row (with its request key) is written before the
-- driver is asked to create the VM, so a crash between the two never creates a second VM.
CREATE TABLE vms (
    id                    bigserial PRIMARY KEY,
    service_id            integer     NOT NULL,
    role_name             text        NOT NULL,
    vm_number             integer     NOT NULL,
    name                  text        NOT NULL,
    request_key           text        NOT NULL UNIQUE,
    vm_id                 integer,
    hold                  boolean     NOT NULL DEFAULT false,
    state                 smallint, -- observed OpenNebula VM STATE, NULL until first seen
    lcm_state             smallint,
    ready                 boolean     NOT NULL DEFAULT false,
    create_error          text,
    terminate_requested   boolean     NOT NULL DEFAULT false,
    terminate_hard        boolean     NOT NULL DEFAULT false,
    terminate_sent        boolean     NOT NULL DEFAULT false,
    terminate_error       text,
    gone                  boolean     NOT NULL DEFAULT false, -- no longer a member of its role
    created_at            timestamptz NOT NULL DEFAULT now(),
    observed_at           timestamptz,
    FOREIGN KEY (service_id, role_name) REFERENCES roles (service_id, name) ON DELETE CASCADE
);
CREATE INDEX vms_service_idx ON vms (service_id);
CREATE INDEX vms_vm_id_idx ON vms (vm_id);

-- Append-only timeline of a service: its OneFlow `log`, the audit trail and the stream's replay source.
CREATE TABLE service_events (
    seq        bigserial PRIMARY KEY,
    service_id integer     NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    kind       text        NOT NULL,
    severity   char(1)     NOT NULL CHECK (severity IN ('I', 'W', 'E', 'D')),
    message    text        NOT NULL,
    data       jsonb
);
CREATE INDEX service_events_service_idx ON service_events (service_id, seq);

-- ---------------------------------------------------------------------------------------------
-- Cloud simulator: its own VM templates and VMs. A VM's state is a function of its timestamps,
-- materialized lazily; every materialized change takes a new change_seq so watchers can read
-- only what changed since their last look.

CREATE TABLE sim_templates (
    id         serial PRIMARY KEY,
    name       text        NOT NULL,
    attributes jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sim_templates (id, name, attributes) VALUES (0, 'default', '{}');
SELECT setval('sim_templates_id_seq', 1, false);

CREATE SEQUENCE sim_vm_change_seq;

CREATE TABLE sim_vms (
    id                serial PRIMARY KEY,
    request_key       text        UNIQUE,
    name              text        NOT NULL,
    template_id       integer     NOT NULL REFERENCES sim_templates (id),
    service_id        integer,
    role_name         text,
    state             smallint    NOT NULL CHECK (state BETWEEN 0 AND 11),
    lcm_state         smallint    NOT NULL CHECK (lcm_state BETWEEN 0 AND 71),
    ready             boolean     NOT NULL DEFAULT false,
    phase             text        NOT NULL CHECK (phase IN ('hold', 'deploy', 'terminate')),
    deploy_seconds    double precision NOT NULL,
    terminate_seconds double precision NOT NULL,
    ready_seconds     double precision NOT NULL,
    phase_started_at  timestamptz NOT NULL,          -- start of the current timed phase (deploy or terminate)
    next_change_at    timestamptz,                   -- when the timed state moves next; NULL when at rest
    terminate_hard    boolean     NOT NULL DEFAULT false,
    user_template     jsonb       NOT NULL DEFAULT '{}',
    change_seq        bigint      NOT NULL DEFAULT nextval('sim_vm_change_seq'),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sim_vms_change_idx ON sim_vms (change_seq);
CREATE INDEX sim_vms_next_change_idx ON sim_vms (next_change_at) WHERE next_change_at IS NOT NULL;
