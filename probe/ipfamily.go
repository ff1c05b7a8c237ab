package probe

import (
	"fmt"
	"net/netip"
)

// ipFamily is which IP version a connector connects over: the version
// of ip_version's "4" or "6", or with prefer set ("prefer-4",
// "prefer-6") the version tried when the name has an address of it.
// The zero value takes the addresses in the resolver's order.
type ipFamily struct {
	version int // 4, 6 or 0
	prefer  bool
}

// parseIPFamily reads an ip_version value.
func parseIPFamily(s string) (ipFamily, error) {
	switch s {
	case "":
		return ipFamily{}, nil
	case "4":
		return ipFamily{version: 4}, nil
	case "6":
		return ipFamily{version: 6}, nil
	case "prefer-4":
		return ipFamily{version: 4, prefer: true}, nil
	case "prefer-6":
		return ipFamily{version: 6, prefer: true}, nil
	}
	return ipFamily{}, fmt.Errorf("ip_version %q: want 4, 6, prefer-4 or prefer-6", s)
}

// network is what to ask the resolver for: both versions unless the
// connector keeps to one, since a preference needs to know whether the
// other version is there to fall back to.
func (f ipFamily) network() string {
	switch {
	case f.version == 4 && !f.prefer:
		return "ip4"
	case f.version == 6 && !f.prefer:
		return "ip6"
	}
	return "ip"
}

// is reports whether ip is of the family's version.
func (f ipFamily) is(ip netip.Addr) bool {
	switch f.version {
	case 4:
		return ip.Unmap().Is4()
	case 6:
		return ip.Is6() && !ip.Is4In6()
	}
	return true
}

// allows reports whether a connection to the address literal ip may be
// made: a preference falls back to whatever the literal is.
func (f ipFamily) allows(ip netip.Addr) bool {
	return f.prefer || f.is(ip)
}

// choose keeps the addresses to try, in the resolver's order. With a
// preference, those of the preferred version when there are any, else
// the others: the fallback is for names without an address of that
// version, not for addresses that fail to connect, so that a broken
// IPv6 path fails the check instead of hiding behind IPv4.
func (f ipFamily) choose(ips []netip.Addr) []netip.Addr {
	if !f.prefer {
		return ips
	}
	n := 0
	for _, ip := range ips {
		if f.is(ip) {
			n++
		}
	}
	if n == 0 || n == len(ips) {
		return ips
	}
	out := make([]netip.Addr, 0, n)
	for _, ip := range ips {
		if f.is(ip) {
			out = append(out, ip)
		}
	}
	return out
}
