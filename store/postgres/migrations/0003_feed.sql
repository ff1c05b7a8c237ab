-- 0003: what the instances of a cluster share besides the lease: the
-- leader's feed of committed changes, the probe results every instance
-- hands to the leader, and the API writes followers forward to it.

-- event_head numbers the feed. Every leader transaction that appends to
-- event_log raises it by one under its row lock, so sequence numbers are
-- given in commit order and without gaps (a rolled-back transaction gives
-- its number back): a reader that has seen seq n and finds n+2 knows it
-- missed n+1. A PostgreSQL sequence would not do: its numbers commit out
-- of order, and a reader of "seq > last" could skip one for good.
CREATE TABLE event_head (
    id  integer PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL
);
INSERT INTO event_head (id, seq) VALUES (1, 0);

-- event_log is the feed: kind 'events' holds the engine's committed
-- events (written in the same transaction as the objects they change),
-- kind 'checks' the latest state of the checks that got results. body is
-- JSON. The leader prunes entries older than a few minutes; a reader that
-- fell further behind loads the state again.
CREATE TABLE event_log (
    seq   bigint PRIMARY KEY,
    epoch bigint      NOT NULL,
    at    timestamptz NOT NULL DEFAULT now(),
    kind  text        NOT NULL,
    body  bytea       NOT NULL
);

-- probe_queue carries probe results from the instance that probed to the
-- leader's engine, which deletes what it takes. (check_id, region, slot)
-- names one scheduled run: two instances that both probed it while the
-- membership changed insert one row.
CREATE TABLE probe_queue (
    id        bigserial PRIMARY KEY,
    check_id  text COLLATE "C" NOT NULL,
    region    text COLLATE "C" NOT NULL,
    slot      bigint      NOT NULL,
    instance  text        NOT NULL,
    body      bytea       NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (check_id, region, slot)
);

-- cluster_command is an API write received by a follower, run by the
-- leader through its own API and answered in response. Instances need no
-- network path to each other, only to the database.
CREATE TABLE cluster_command (
    id         text PRIMARY KEY,
    instance   text        NOT NULL,
    request    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    claimed_by text,
    epoch      bigint,
    response   bytea,
    done_at    timestamptz
);
CREATE INDEX cluster_command_pending ON cluster_command (created_at) WHERE claimed_by IS NULL;
