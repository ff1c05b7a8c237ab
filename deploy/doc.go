// Package deploy holds what runs up in production besides its binary: the
// Prometheus scrape config and alert rules (prometheus/), the Grafana
// dashboard and its provisioning (grafana/), a systemd unit (systemd/), a
// Dockerfile with the config its image starts with (docker/), and a
// Compose file running up, Prometheus and Grafana together (compose/).
//
// It has no code. Its tests prove those files with the real tools:
// promtool checks and unit-tests the rules, systemd-analyze verifies the
// unit, and an integration test runs up against real peers, scrapes it
// with a real Prometheus and evaluates every query of the dashboard and
// every alert there.
package deploy
