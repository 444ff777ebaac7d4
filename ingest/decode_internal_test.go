package ingest

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestStrMatchesEncodingJSON checks fields.str's shortcut for strings without escapes against
// json.Unmarshal: the same text for plain, padded, non-ASCII, escaped and invalid UTF-8 values.
func TestStrMatchesEncodingJSON(t *testing.T) {
	for _, raw := range []string{`""`, `"T11985LA"`, `"  ab 12 "`, `"Lagos–Ibadan"`, `"1\"2"`, `"\u00e9t\u00e9"`,
		`"a\\b"`, "\"bad \xff utf8\"", "\"\u2003spaced\u2003\"", `"tab\tinside"`} {
		var f fields
		got := f.str("imei", json.RawMessage(raw))
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", raw, err)
		}
		if want = strings.TrimSpace(want); got != want || f.err != nil {
			t.Errorf("str(%s) = %q, %v; want %q", raw, got, f.err, want)
		}
	}
}
