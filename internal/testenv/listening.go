package testenv

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Listening lists the TCP addresses process pid listens on, read from
// /proc (Linux): how a test learns the ports of a process that bound
// port 0 without saying so, as up does when its log level hides the line
// that names them.
func Listening(pid int) ([]string, error) {
	proc := filepath.Join("/proc", strconv.Itoa(pid))
	fds, err := os.ReadDir(filepath.Join(proc, "fd"))
	if err != nil {
		return nil, err
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(proc, "fd", fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var out []string
	for _, table := range []string{"tcp", "tcp6"} {
		addrs, err := listeners(filepath.Join(proc, "net", table), inodes)
		if err != nil {
			return nil, err
		}
		out = append(out, addrs...)
	}
	slices.Sort(out)
	return out, nil
}

// tcpListen is the state LISTEN in /proc/net/tcp.
const tcpListen = "0A"

// listeners reads a /proc/net/tcp table and returns the local addresses
// of the sockets in LISTEN whose inode is one of inodes.
func listeners(table string, inodes map[string]bool) ([]string, error) {
	f, err := os.Open(table)
	if os.IsNotExist(err) {
		return nil, nil // no IPv6 here
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != tcpListen || !inodes[fields[9]] {
			continue
		}
		addr, err := procAddr(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		out = append(out, addr)
	}
	return out, sc.Err()
}

// procAddr decodes an address of /proc/net/tcp: the IP in hex as the
// kernel stores it, 32-bit words in host (little-endian) order, then
// ":" and the port in hex.
func procAddr(s string) (string, error) {
	ipHex, portHex, ok := strings.Cut(s, ":")
	if !ok {
		return "", fmt.Errorf("address %q", s)
	}
	raw, err := hex.DecodeString(ipHex)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", fmt.Errorf("address %q", s)
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", s, err)
	}
	ip := make(net.IP, len(raw))
	for w := 0; w < len(raw); w += 4 {
		ip[w], ip[w+1], ip[w+2], ip[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	return net.JoinHostPort(ip.String(), strconv.FormatUint(port, 10)), nil
}
