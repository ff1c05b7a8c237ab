// Package cluster holds what several up instances sharing one database
// need to agree on without talking to each other: which instance probes
// which check (rendezvous hashing over the live members), and, with the
// store, who leads.
package cluster
