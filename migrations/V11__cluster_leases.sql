-- Several nodes on one database. Each node holds one lease, renewed in one statement for all the
-- services it owns; its epoch is bumped at every (re)join and is the fencing token: a plan commits
-- only while its node owns the service under that epoch and the lease has not run out. A service
-- has one owner at a time by construction (one owner column pair per row); ownership of a dead
-- node's services passes to live nodes.
CREATE TABLE cluster_nodes (
    node_id    text        PRIMARY KEY,
    epoch      bigint      NOT NULL,
    expires_at timestamptz NOT NULL,
    joined_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE services ADD COLUMN owner_node text REFERENCES cluster_nodes (node_id),
                     ADD COLUMN owner_epoch bigint;
ALTER TABLE services ADD CONSTRAINT services_owner_whole CHECK ((owner_node IS NULL) = (owner_epoch IS NULL));
CREATE INDEX services_owner_idx ON services (owner_node);
