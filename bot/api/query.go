package api

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// query reads a request's query string strictly: every parameter must be one the route
// declares, given at most once; each reader returns a 400 naming the parameter for a
// malformed value. Readers record the first error; check err once at the end.
type query struct {
	v   url.Values
	err error
}

// parseQuery checks raw against the parameters allowed. It returns EINVALID naming the first
// unknown or repeated parameter, or a query string that does not parse.
func parseQuery(raw string, allowed []string) (*query, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, badParam("", "the query string is malformed; send name=value pairs joined by & with valid %%-escapes")
	}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			if len(allowed) == 0 {
				return nil, badParam(name, "unknown query parameter %q; this route takes none", name)
			}
			return nil, badParam(name, "unknown query parameter %q; allowed: %s", name, strings.Join(allowed, ", "))
		}
		if len(v[name]) > 1 {
			return nil, badParam(name, "query parameter %q is given more than once", name)
		}
	}
	return &query{v: v}, nil
}

func (q *query) fail(err error) {
	if q.err == nil {
		q.err = err
	}
}

// str returns the trimmed value of name, "" when absent.
func (q *query) str(name string) string { return strings.TrimSpace(q.v.Get(name)) }

// required returns the value of name, failing when it is absent or blank.
func (q *query) required(name, hint string) string {
	s := q.str(name)
	if s == "" {
		q.fail(badParam(name, "query parameter %q is required: %s", name, hint))
	}
	return s
}

// intIn returns name as a whole number in [lo, hi], def when absent.
func (q *query) intIn(name string, def, lo, hi int) int {
	s := q.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		q.fail(badParam(name, "%s must be a whole number from %d to %d, not %q", name, lo, hi, s))
		return def
	}
	return n
}

// floatIn returns name as a number in [lo, hi], def when absent.
func (q *query) floatIn(name string, def, lo, hi float64) float64 {
	s := q.str(name)
	if s == "" {
		return def
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < lo || f > hi {
		q.fail(badParam(name, "%s must be a number from %g to %g, not %q", name, lo, hi, s))
		return def
	}
	return f
}

// oneOf returns name lower-cased when it is one of values, "" when absent.
func (q *query) oneOf(name string, values ...string) string {
	s := strings.ToLower(q.str(name))
	if s != "" && !slices.Contains(values, s) {
		q.fail(badParam(name, "%s must be one of %s, not %q", name, strings.Join(values, ", "), s))
		return ""
	}
	return s
}

// listOf returns name as a comma-separated list whose items are all among values.
func (q *query) listOf(name string, values ...string) []string {
	var out []string
	for _, item := range strings.Split(q.str(name), ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		if item == "" {
			continue
		}
		if !slices.Contains(values, item) {
			q.fail(badParam(name, "%s must be a comma-separated list of %s; %q is not one", name, strings.Join(values, ", "), item))
			return nil
		}
		if !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}

// date returns name as a calendar day YYYY-MM-DD in loc (midnight), zero when absent.
func (q *query) date(name string, loc *time.Location) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		q.fail(badParam(name, "%s must be a date YYYY-MM-DD, not %q", name, s))
		return time.Time{}
	}
	return d
}

// instant returns name as an RFC 3339 time, or as a date YYYY-MM-DD meaning its midnight in
// loc (dayEnd: the midnight ending that day, for inclusive upper bounds). Zero when absent.
func (q *query) instant(name string, loc *time.Location, dayEnd bool) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		q.fail(badParam(name, "%s must be a date YYYY-MM-DD or an RFC 3339 time such as 2025-11-27T08:00:00+01:00, not %q", name, s))
		return time.Time{}
	}
	if dayEnd {
		return d.AddDate(0, 0, 1)
	}
	return d
}
