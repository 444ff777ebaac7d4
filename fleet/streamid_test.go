package fleet

import "testing"

func TestStreamIDLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"999-0", "1000-0", true}, // numeric, not lexical
		{"1000-0", "999-0", false},
		{"1000-2", "1000-10", true},
		{"1000-1", "1000-1", false},
		{"0-0", "1-0", true},
	}
	for _, tt := range tests {
		if got := StreamIDLess(tt.a, tt.b); got != tt.want {
			t.Errorf("StreamIDLess(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
