-- 0001: the first schema, the same state as the SQLite store's.
--
-- Conventions: times are timestamptz holding UTC at millisecond precision
-- (the store truncates before writing), NULL when unset (the zero
-- time.Time); lists of ids are text[], NULL when empty; durations are
-- bigint nanoseconds. Ids are COLLATE "C" so that ORDER BY ... id sorts
-- bytewise, as SQLite does, whatever the database's locale. ord columns
-- keep the order rows were first stored in, which an upsert leaves alone.

CREATE TABLE groups (
    id          text COLLATE "C" PRIMARY KEY,
    ord         bigint GENERATED ALWAYS AS IDENTITY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT '',
    components  text[],
    from_config boolean NOT NULL DEFAULT false
);

-- group_id is deliberately not a foreign key: config loading and the API
-- may store a component before its group, and deleting a group must not
-- delete its components.
CREATE TABLE components (
    id             text COLLATE "C" PRIMARY KEY,
    ord            bigint GENERATED ALWAYS AS IDENTITY,
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    group_id       text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT '',
    checks         text[],
    override       text NOT NULL DEFAULT '',
    override_until timestamptz,
    created_at     timestamptz,
    updated_at     timestamptz,
    from_config    boolean NOT NULL DEFAULT false
);

CREATE TABLE incidents (
    id          text COLLATE "C" PRIMARY KEY,
    name        text NOT NULL,
    status      text NOT NULL,
    impact      text NOT NULL DEFAULT '',
    components  text[],
    auto        boolean NOT NULL DEFAULT false,
    by_hand     boolean NOT NULL DEFAULT false,
    backfilled  boolean NOT NULL DEFAULT false,
    created_at  timestamptz,
    updated_at  timestamptz,
    resolved_at timestamptz
);

CREATE INDEX incidents_created ON incidents (created_at DESC NULLS LAST, id DESC);
CREATE INDEX incidents_components ON incidents USING gin (components);

-- Update ids are only unique within their incident. ord is the update's
-- place in the list it came in (0 = oldest); it breaks ties between
-- updates created in the same millisecond.
CREATE TABLE incident_updates (
    incident_id text COLLATE "C" NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    id          text COLLATE "C" NOT NULL,
    body        text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT '',
    created_at  timestamptz,
    updated_at  timestamptz,
    ord         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, id)
);

CREATE TABLE maintenance (
    id          text COLLATE "C" PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    status      text NOT NULL,
    impact      text NOT NULL DEFAULT '',
    components  text[],
    start_at    timestamptz,
    duration_ns bigint NOT NULL DEFAULT 0,
    backfilled  boolean NOT NULL DEFAULT false,
    cancelled   boolean NOT NULL DEFAULT false,
    from_config boolean NOT NULL DEFAULT false,
    created_at  timestamptz,
    updated_at  timestamptz,
    resolved_at timestamptz
);

CREATE INDEX maintenance_start ON maintenance (start_at DESC NULLS LAST, id DESC);

CREATE TABLE maintenance_updates (
    maintenance_id text COLLATE "C" NOT NULL REFERENCES maintenance (id) ON DELETE CASCADE,
    id             text COLLATE "C" NOT NULL,
    body           text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT '',
    created_at     timestamptz,
    updated_at     timestamptz,
    ord            integer NOT NULL DEFAULT 0,
    PRIMARY KEY (maintenance_id, id)
);

-- Only the SHA-256 of a token is kept. UNIQUE allows many NULLs (users
-- without a token) but never two users answering to one token.
CREATE TABLE users (
    id          text COLLATE "C" PRIMARY KEY,
    ord         bigint GENERATED ALWAYS AS IDENTITY,
    name        text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    role        text NOT NULL,
    token_hash  bytea UNIQUE,
    created_at  timestamptz,
    updated_at  timestamptz,
    from_config boolean NOT NULL DEFAULT false
);

CREATE TABLE subscribers (
    id             text COLLATE "C" PRIMARY KEY,
    ord            bigint GENERATED ALWAYS AS IDENTITY,
    url            text NOT NULL,
    secret         text NOT NULL DEFAULT '',
    events         text[],
    components     text[],
    token          text UNIQUE,
    quarantined_at timestamptz,
    failing_since  timestamptz,
    disabled       boolean NOT NULL DEFAULT false,
    from_config    boolean NOT NULL DEFAULT false,
    created_at     timestamptz
);

-- The webhook outbox. seq orders one subscriber's queue. It is not a
-- sequence: sequence values are taken at insert but become visible at
-- commit, so a reader could see seq 11 before 10 commits and deliver out
-- of order. outbox_seq hands out seqs under a row lock held until commit,
-- which makes seq order the commit order, without gaps, and never going
-- back after old rows are pruned. subscriber is not a foreign key:
-- deliveries outlive their subscriber as "dropped" rows.
CREATE TABLE outbox_seq (
    one  boolean PRIMARY KEY DEFAULT true CHECK (one),
    last bigint NOT NULL
);
INSERT INTO outbox_seq (last) VALUES (0);

CREATE TABLE outbox (
    seq          bigint PRIMARY KEY,
    id           text COLLATE "C" NOT NULL UNIQUE,
    subscriber   text COLLATE "C" NOT NULL,
    event        text NOT NULL,
    payload      bytea NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'dropped')),
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz,
    next_attempt timestamptz,
    last_attempt timestamptz,
    last_error   text NOT NULL DEFAULT ''
);

CREATE INDEX outbox_queue ON outbox (subscriber, state, seq);
CREATE INDEX outbox_state ON outbox (state, seq);
CREATE INDEX outbox_created ON outbox (state, created_at);

CREATE TABLE metrics (
    id     text COLLATE "C" PRIMARY KEY,
    ord    bigint GENERATED ALWAYS AS IDENTITY,
    name   text NOT NULL DEFAULT '',
    unit   text NOT NULL DEFAULT '',
    custom boolean NOT NULL DEFAULT false
);

-- One value per metric and millisecond: a point sent again replaces the
-- earlier value instead of doubling it.
CREATE TABLE metric_points (
    metric_id text COLLATE "C" NOT NULL REFERENCES metrics (id) ON DELETE CASCADE,
    ts        timestamptz NOT NULL,
    value     double precision NOT NULL,
    PRIMARY KEY (metric_id, ts)
);

CREATE INDEX metric_points_ts ON metric_points (ts);

-- Sums in nanoseconds: exact, unlike SQLite's REAL seconds.
CREATE TABLE uptime_hourly (
    check_id  text COLLATE "C" NOT NULL,
    hour      timestamptz NOT NULL,
    up_ns     bigint NOT NULL DEFAULT 0,
    down_ns   bigint NOT NULL DEFAULT 0,
    maint_ns  bigint NOT NULL DEFAULT 0,
    nodata_ns bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (check_id, hour)
);

CREATE INDEX uptime_hourly_hour ON uptime_hourly (hour);

CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);
