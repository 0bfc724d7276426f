package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Loopback is what a bare --trust-proxy trusts: a reverse proxy on the
// same machine.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// ParseProxies reads a comma-separated list of IP addresses and CIDR
// prefixes ("127.0.0.1,10.0.0.0/24,::1").
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trusted reports whether a is one of the proxies whose forwarded headers
// the server believes.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the address of the connection's other end.
func peer(r *http.Request) (netip.Addr, string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, host
	}
	return a.Unmap(), a.Unmap().String()
}

// fromTrustedProxy reports whether the request came through a trusted
// proxy (so that X-Forwarded-* may be believed).
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	a, _ := peer(r)
	return a.IsValid() && s.trusted(a)
}

// clientIP is the address that rate limits and sign-in throttling count:
// the connection's peer, or — when the peer is a trusted proxy — the
// rightmost address of X-Forwarded-For that is not a trusted proxy.
// Everything left of it was written by the client and is not believed,
// so rotating X-Forwarded-For changes nothing.
func (s *Server) clientIP(r *http.Request) string {
	a, raw := peer(r)
	if !a.IsValid() || !s.trusted(a) {
		return raw
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h, ok := parseHop(hops[i])
		if !ok {
			// A trusted proxy writes addresses; a hop that is not one
			// ends the chain at the last proxy we know.
			break
		}
		a = h
		if !s.trusted(h) {
			break
		}
	}
	return a.String()
}

// parseHop reads one X-Forwarded-For element: an address, possibly with
// a port or in brackets.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}
