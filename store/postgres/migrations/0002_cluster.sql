-- 0002: the tables through which instances sharing this database agree
-- on who leads and who is alive. They are read and written by package
-- cluster; the store itself does not use them.

-- A lease is a row, not an advisory lock: advisory locks do not survive
-- PgBouncer's transaction pooling or a pool recycling its connection, and
-- a half-open socket frees one while its old holder still acts. The
-- database's clock alone decides expiry. epoch goes up with every new
-- holder and fences the leader's writes.
CREATE TABLE cluster_lease (
    name        text COLLATE "C" PRIMARY KEY,
    holder      text,
    epoch       bigint      NOT NULL DEFAULT 0,
    acquired_at timestamptz,
    expires_at  timestamptz NOT NULL DEFAULT '-infinity'
);

-- One row per running instance, upserted by its heartbeat; heartbeat_at
-- is the database's clock, so instances with skewed clocks still agree on
-- who is alive. draining marks an instance on its way out; it deletes its
-- row once it has stopped.
CREATE TABLE cluster_member (
    instance     text COLLATE "C" PRIMARY KEY,
    region       text COLLATE "C" NOT NULL,
    version      text NOT NULL DEFAULT '',
    config_hash  text NOT NULL DEFAULT '',
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    draining     boolean NOT NULL DEFAULT false
);
