-- Many users (decision 8): with the simulator, Flotilla keeps the cloud's users and groups. A user
-- belongs to its primary group (users.gid) and to any other groups listed here; the primary one is
-- listed too, so "the groups of a user" is one lookup.
INSERT INTO groups (id, name) VALUES (1, 'users') ON CONFLICT DO NOTHING;

CREATE TABLE user_groups (
    uid integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    gid integer NOT NULL REFERENCES groups (id),
    PRIMARY KEY (uid, gid)
);
INSERT INTO user_groups (uid, gid) SELECT id, gid FROM users;

-- New users and groups get ids as oned gives them: groups from 100, users after oneadmin.
CREATE SEQUENCE sim_user_id_seq START 1;
SELECT setval('sim_user_id_seq', GREATEST((SELECT max(id) FROM users), 0) + 1, false);
CREATE SEQUENCE sim_group_id_seq START 100;
SELECT setval('sim_group_id_seq', GREATEST((SELECT max(id) FROM groups), 99) + 1, false);

-- Failed sign-ins are counted in memory per API verticle; browser sessions live here so a restart
-- does not sign everyone out. Only a hash of the token is kept.
CREATE TABLE sessions (
    token_hash text        PRIMARY KEY,
    uid        integer     NOT NULL,
    csrf_token text        NOT NULL,
    identity   jsonb       NOT NULL,  -- uid, name, gid, gname, groups as signed in
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);
