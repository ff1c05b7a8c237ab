package config

import (
	"maps"
	"slices"
	"strings"
)

// checkKinds are the keys that set a check's protocol; a check has
// exactly one.
var checkKinds = []string{"http", "tcp", "icmp", "dns", "tls", "grpc", "websocket", "push"}

// kindsText lists checkKinds for messages: "http, tcp, ... or grpc".
var kindsText = strings.Join(checkKinds[:len(checkKinds)-1], ", ") + " or " + checkKinds[len(checkKinds)-1]

func (p *parser) validateGRPC(path string, g *GRPCCheck) {
	if g.Address == "" {
		p.fail(path+".address", "is required")
	} else if strings.Contains(g.Address, "://") {
		p.fail(path+".address", "%s is a URL; grpc.address takes host:port", p.quote(path+".address", g.Address))
	} else {
		p.hostPort(path+".address", g.Address, true, 1)
	}
	if !g.TLS {
		for _, key := range []string{"server_name", "tls_skip_verify"} {
			if p.isSet(path + "." + key) {
				p.failKey(path+"."+key, "only applies with tls: true")
			}
		}
	}
	seen := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(g.Metadata)) {
		mp := path + ".metadata." + name
		lower := strings.ToLower(name)
		switch {
		case !grpcMetadataKey(lower):
			p.failKey(mp, "%q is not a gRPC metadata key (letters, digits, -, _ and .)", name)
			continue
		case strings.HasPrefix(lower, "grpc-"):
			p.failKey(mp, "keys starting with grpc- are reserved for gRPC itself")
			continue
		case strings.HasSuffix(lower, "-bin"):
			p.failKey(mp, "binary (-bin) metadata is not supported; send text")
			continue
		}
		if first, dup := seen[lower]; dup {
			p.failKey(mp, "key %q is also set as %q; metadata keys ignore case", name, first)
			continue
		}
		seen[lower] = name
		if strings.ContainsAny(string(g.Metadata[name]), "\r\n") {
			p.fail(mp, "a metadata value must not contain a line break")
		}
	}
}

// grpcMetadataKey reports whether s (lower case) is a valid header key
// in gRPC's wire format.
func grpcMetadataKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
