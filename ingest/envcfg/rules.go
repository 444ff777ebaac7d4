package envcfg

import (
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// rule is what a `check` tag asks of a variable: want says it in words (for a value of the
// wrong type too), and bad returns why a parsed value fails it, or "". Unset strings pass.
type rule struct {
	want string
	bad  func(v reflect.Value) string
}

// ruleFor returns the rule of field f's `check` tag; no tag is no rule.
func ruleFor(f reflect.StructField) rule {
	name, arg, _ := strings.Cut(f.Tag.Get("check"), "=")
	str := func(want string, bad func(string) string) rule {
		return rule{want, func(v reflect.Value) string {
			if s := v.String(); s != "" {
				return bad(s)
			}
			return ""
		}}
	}
	is := func(ok bool, want string) string { return map[bool]string{true: "", false: want}[ok] }
	switch name {
	case "url":
		schemes := strings.Split(arg, ",")
		return str("must use scheme "+strings.Join(schemes, " or "), func(s string) string { return badURL(s, schemes) })
	case "dburl":
		return str("must be a postgres:// URL", func(s string) string {
			if u, err := url.Parse(s); err != nil {
				return "is not a valid URL"
			} else if u.Scheme != "postgres" && u.Scheme != "postgresql" {
				return "must be a postgres:// URL"
			}
			return ""
		})
	case "addr":
		return str("must be host:port, e.g. 127.0.0.1:9090 or :8080", badListenAddr)
	case "tiles":
		return str("must be an http:// or https:// URL template with {z}, {x} and {y}", badTileURL)
	case "prefix":
		return str("must start with "+arg, func(s string) string { return is(strings.HasPrefix(s, arg), "must start with "+arg) })
	case "word":
		want := "must be a non-empty word without spaces or braces"
		return rule{want, func(v reflect.Value) string {
			return is(v.String() != "" && !strings.ContainsAny(v.String(), " {}"), want)
		}}
	case "zone":
		want := "is not a known time zone"
		return str(want, func(s string) string {
			_, err := time.LoadLocation(s)
			return is(err == nil, fmt.Sprintf("%s (%q)", want, s))
		})
	case "oneof":
		want := "must be one of " + strings.ReplaceAll(arg, ",", ", ")
		return rule{want, func(v reflect.Value) string { return is(strings.Contains(","+arg+",", ","+v.String()+","), want) }}
	case "level":
		return rule{"must be debug, info, warn or error", func(reflect.Value) string { return "" }}
	case "positive":
		want := "must be a positive duration such as 20m or 2h"
		return rule{want, func(v reflect.Value) string { return is(v.Int() > 0, want) }}
	case "nonnegative":
		want := "must be 0 or a duration such as 5m"
		return rule{want, func(v reflect.Value) string { return is(v.Int() >= 0, want) }}
	case "range":
		lo, hi, _ := strings.Cut(arg, ":")
		l, _ := strconv.ParseFloat(lo, 64)
		h, _ := strconv.ParseFloat(hi, 64)
		if f.Type.Kind() == reflect.Int {
			want := fmt.Sprintf("must be a whole number from %s to %s", lo, hi)
			return rule{want, func(v reflect.Value) string { return is(float64(v.Int()) >= l && float64(v.Int()) <= h, want) }}
		}
		want := fmt.Sprintf("must be a number from %s to %s", lo, hi)
		return rule{want, func(v reflect.Value) string { return is(v.Float() >= l && v.Float() <= h, want) }}
	}
	return rule{"is malformed", func(reflect.Value) string { return "" }}
}

// badURL returns why s is not a URL with one of schemes, or "".
func badURL(s string, schemes []string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" && u.Scheme != "unix" {
		return "is not a valid URL"
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return ""
		}
	}
	return "must use scheme " + strings.Join(schemes, " or ")
}

// badTileURL checks MAP_TILE_URL: an http(s) URL template with {z}, {x} and {y}.
func badTileURL(s string) string {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return "must be an http:// or https:// URL template"
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(s, p) {
			return "must contain {z}, {x} and {y}"
		}
	}
	return ""
}

// badListenAddr returns why s is not a host:port to listen on (the host may be empty for every
// interface), or "".
func badListenAddr(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "must be host:port, e.g. 127.0.0.1:9090 or :8080"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "must end in a port number from 0 to 65535"
	}
	if host != "" && net.ParseIP(host) == nil && strings.Trim(host, ".-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "has a host that is neither an IP address nor a host name"
	}
	return ""
}

// SameAddr reports whether two listen addresses would collide: the same non-zero port on the
// same host, or on a host and on every interface.
func SameAddr(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb || pa == "0" {
		return false
	}
	every := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || every(ha) || every(hb)
}

// RedactURL hides the password of a URL ("postgres://u:xxxxx@h/db"); an unparsable URL is
// redacted whole because it may still hold a secret.
func RedactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "[redacted]"
	}
	return u.Redacted()
}
