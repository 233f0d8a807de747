-- The simulator's VMs belong to the service's owner and group, as OpenNebula's do (a service chown
-- gives them to the new owner).
ALTER TABLE sim_vms ADD COLUMN owner_name text NOT NULL DEFAULT 'oneadmin';
ALTER TABLE sim_vms ADD COLUMN owner_gid integer NOT NULL DEFAULT 0;

-- Deleting a user ends its browser sessions.
ALTER TABLE sessions ADD CONSTRAINT sessions_uid_fkey FOREIGN KEY (uid) REFERENCES users (id) ON DELETE CASCADE;
