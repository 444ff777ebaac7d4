package main

import (
	"net"
	"strconv"
)

// addr reads a listen address (host:port, the host may be empty for every interface) and
// names the variable when it is not one.
func (r *envReader) addr(name, def string) string {
	v := r.str(name, def)
	if reason := validListenAddr(v); reason != "" {
		r.fail(name, reason)
	}
	return v
}

// validListenAddr returns why s is not a host:port to listen on, or "".
func validListenAddr(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "must be host:port, e.g. 127.0.0.1:9090 or :8080"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return "must end in a port number from 0 to 65535"
	}
	if host != "" && net.ParseIP(host) == nil && !validHostName(host) {
		return "has a host that is neither an IP address nor a host name"
	}
	return ""
}

// validHostName reports whether h is made of letters, digits, dots and dashes.
func validHostName(h string) bool {
	for _, c := range h {
		ok := c == '.' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

// sameAddr reports whether two listen addresses would collide: the same non-zero port on the
// same host, or on a host and on every interface.
func sameAddr(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb || pa == "0" {
		return false
	}
	return ha == hb || ha == "" || hb == "" || ha == "0.0.0.0" || hb == "0.0.0.0" || ha == "::" || hb == "::"
}
