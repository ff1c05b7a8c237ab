package config

import "strings"

// validateStorage checks the choice of store and the cluster section that
// depends on it. No message quotes storage.postgres: it holds a password
// whether or not it came from the environment.
func (p *parser) validateStorage(c *Config) {
	pg := string(c.Storage.Postgres)
	if pg != "" && c.Storage.Path != "" {
		p.fail("storage.postgres", "storage.path and storage.postgres exclude each other: state is kept in one SQLite file or in one PostgreSQL database; remove one of them")
	}
	if p.isSet("storage.postgres") && !p.bad["storage.postgres"] {
		switch {
		case pg == "":
			p.fail("storage.postgres", "is empty; give a database URL (postgres://user:password@host:5432/up) or leave the key out to use storage.path")
		case !postgresURL(pg):
			p.fail("storage.postgres", "is not a PostgreSQL URL (postgres://user:password@host:5432/up) or key=value connection string (host=... dbname=...)")
		}
	}
	if c.Cluster == nil {
		return
	}
	if pg == "" {
		p.failKey("cluster", "requires storage.postgres: the instances of a cluster share one PostgreSQL database")
	}
	p.validateID("cluster.region", c.Cluster.Region)
	if c.Cluster.Instance != "" {
		p.validateID("cluster.instance", c.Cluster.Instance)
	}
}

// postgresURL tells a connection string pgx can read from anything else:
// a postgres:// or postgresql:// URL, or key=value pairs.
func postgresURL(s string) bool {
	if scheme, _, ok := strings.Cut(s, "://"); ok {
		return scheme == "postgres" || scheme == "postgresql"
	}
	return strings.Contains(s, "=")
}
