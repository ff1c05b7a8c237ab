-- Indexes for Prune: history is let go by time across all rows, which
-- without them would scan every point, hour and webhook ever kept.
CREATE INDEX metric_points_ts ON metric_points (ts);
CREATE INDEX uptime_hourly_hour ON uptime_hourly (hour);
CREATE INDEX outbox_created ON outbox (state, created_at);
