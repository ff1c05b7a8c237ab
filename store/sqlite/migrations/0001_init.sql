-- 0001: the first schema.
--
-- Conventions: times are INTEGER Unix milliseconds UTC, NULL when unset
-- (the zero time.Time); lists of ids are JSON arrays of strings, NULL when
-- empty; booleans are INTEGER 0/1; durations are INTEGER nanoseconds except
-- in uptime_hourly, whose sums are REAL seconds. Tables are STRICT so a
-- wrongly typed value fails loudly instead of being stored as something
-- else.

CREATE TABLE groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    components  TEXT,
    from_config INTEGER NOT NULL DEFAULT 0
) STRICT;

-- group_id is deliberately not a foreign key: config loading and the API
-- may store a component before its group, and deleting a group must not
-- delete its components.
CREATE TABLE components (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    group_id       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT '',
    checks         TEXT,
    override       TEXT NOT NULL DEFAULT '',
    override_until INTEGER,
    created_at     INTEGER,
    updated_at     INTEGER,
    from_config    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    impact      TEXT NOT NULL DEFAULT '',
    components  TEXT,
    auto        INTEGER NOT NULL DEFAULT 0,
    by_hand     INTEGER NOT NULL DEFAULT 0,
    backfilled  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER,
    updated_at  INTEGER,
    resolved_at INTEGER
) STRICT;

CREATE INDEX incidents_created ON incidents (created_at DESC, id DESC);

-- Update ids are only unique within their incident. ord is the update's
-- place in the list it came in (0 = oldest); it breaks ties between
-- updates created in the same millisecond.
CREATE TABLE incident_updates (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER,
    updated_at  INTEGER,
    ord         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE maintenance (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    impact      TEXT NOT NULL DEFAULT '',
    components  TEXT,
    start_at    INTEGER,
    duration_ns INTEGER NOT NULL DEFAULT 0,
    backfilled  INTEGER NOT NULL DEFAULT 0,
    cancelled   INTEGER NOT NULL DEFAULT 0,
    from_config INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER,
    updated_at  INTEGER,
    resolved_at INTEGER
) STRICT;

CREATE INDEX maintenance_start ON maintenance (start_at DESC, id DESC);

CREATE TABLE maintenance_updates (
    maintenance_id TEXT NOT NULL REFERENCES maintenance (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    body           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT '',
    created_at     INTEGER,
    updated_at     INTEGER,
    ord            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (maintenance_id, id)
) STRICT, WITHOUT ROWID;

-- Only the SHA-256 of a token is kept. UNIQUE allows many NULLs (users
-- without a token) but never two users answering to one token.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL,
    token_hash  BLOB UNIQUE,
    created_at  INTEGER,
    updated_at  INTEGER,
    from_config INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE subscribers (
    id             TEXT PRIMARY KEY,
    url            TEXT NOT NULL,
    secret         TEXT NOT NULL DEFAULT '',
    events         TEXT,
    components     TEXT,
    token          TEXT UNIQUE,
    quarantined_at INTEGER,
    failing_since  INTEGER,
    disabled       INTEGER NOT NULL DEFAULT 0,
    from_config    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER
) STRICT;

-- The webhook outbox. seq is AUTOINCREMENT so that it never goes back,
-- even after old rows are pruned: it is what orders one subscriber's
-- queue. subscriber is not a foreign key: deliveries outlive their
-- subscriber as "dropped" rows, kept for inspection.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    subscriber   TEXT NOT NULL,
    event        TEXT NOT NULL,
    payload      BLOB NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER,
    next_attempt INTEGER,
    last_attempt INTEGER,
    last_error   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX outbox_queue ON outbox (subscriber, state, seq);
CREATE INDEX outbox_state ON outbox (state, seq);

CREATE TABLE metrics (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL DEFAULT '',
    unit   TEXT NOT NULL DEFAULT '',
    custom INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One value per metric and millisecond: a point sent again replaces the
-- earlier value instead of doubling it.
CREATE TABLE metric_points (
    metric_id TEXT NOT NULL REFERENCES metrics (id) ON DELETE CASCADE,
    ts        INTEGER NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (metric_id, ts)
) STRICT, WITHOUT ROWID;

CREATE TABLE uptime_hourly (
    check_id TEXT NOT NULL,
    hour     INTEGER NOT NULL,
    up_s     REAL NOT NULL DEFAULT 0,
    down_s   REAL NOT NULL DEFAULT 0,
    maint_s  REAL NOT NULL DEFAULT 0,
    nodata_s REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (check_id, hour)
) STRICT, WITHOUT ROWID;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
