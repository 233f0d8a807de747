-- Service networks (networks_values with template_id or reserve_from): one row per attempt at making
-- a network for a service, written with its request key before the cloud is asked, so a restart
-- finds a network made but not recorded by its key instead of making a second one. Networks the
-- service only uses (networks_values with id) have no row: they are never created nor deleted.
CREATE TABLE service_networks (
    id               bigserial PRIMARY KEY,
    service_id       integer  NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    name             text     NOT NULL,               -- the networks_values key, e.g. Private
    attempt          integer  NOT NULL CHECK (attempt > 0),
    source           text     NOT NULL CHECK (source IN ('template_id', 'reserve_from')),
    source_id        integer  NOT NULL,               -- the network template, or the parent network
    extra            text     NOT NULL DEFAULT '',
    net_name         text     NOT NULL,               -- <name>-<service id>
    request_key      text     NOT NULL UNIQUE,
    net_id           integer,                         -- NULL until the cloud answers the create
    state            smallint,                        -- observed virtual network STATE, NULL until seen
    create_error     text,
    delete_requested boolean  NOT NULL DEFAULT false,
    delete_sent      boolean  NOT NULL DEFAULT false,
    delete_error     text,
    retired          boolean  NOT NULL DEFAULT false, -- replaced by a later attempt (recover); deleted
    gone             boolean  NOT NULL DEFAULT false, -- no longer tracked: deleted, or never made
    observed_at      timestamptz,
    UNIQUE (service_id, name, attempt)
);
CREATE INDEX service_networks_service_idx ON service_networks (service_id) WHERE NOT gone;
CREATE INDEX service_networks_net_idx ON service_networks (net_id) WHERE net_id IS NOT NULL;
