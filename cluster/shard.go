package cluster

import "hash/fnv"

// Owner returns the member that probes checkID: the one with the highest
// score for the pair (rendezvous hashing). Every instance computes the
// same answer from the same list of members, in any order. When a member
// leaves, only its checks move, spread over the others; when one joins,
// it takes about 1/n of every other member's checks and nothing else
// moves. It returns "" when there is no member.
func Owner(checkID string, members []string) string {
	best, bestScore := "", uint64(0)
	for _, m := range members {
		s := score(m, checkID)
		if best == "" || s > bestScore || (s == bestScore && m < best) {
			best, bestScore = m, s
		}
	}
	return best
}

// Owned returns the checks of ids that me owns among members, in the
// order of ids.
func Owned(me string, members, ids []string) []string {
	var out []string
	for _, id := range ids {
		if Owner(id, members) == me {
			out = append(out, id)
		}
	}
	return out
}

// score hashes a member and a check together. FNV-1a alone mixes the
// last bytes poorly, so its result goes through a 64-bit finaliser; the
// hash must not depend on the process (no seeded maphash): every instance
// has to agree.
func score(member, check string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(member))
	h.Write([]byte{0})
	h.Write([]byte(check))
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
