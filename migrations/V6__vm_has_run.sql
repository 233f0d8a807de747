-- Whether a member was ever seen RUNNING: under self_healing a member that ran and then fails is
-- replaced even while its role deploys, but a new VM that never came up still fails the deploy
-- (a broken template must not be replaced forever).
ALTER TABLE vms ADD COLUMN has_run boolean NOT NULL DEFAULT false;
UPDATE vms SET has_run = true WHERE state = 3 AND lcm_state = 3;
