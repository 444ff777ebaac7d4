package main

import (
	"io"
	"net/http"
	"testing"
)

// adminMetrics returns the Prometheus text on the admin listener at addr, failing the test
// unless it answers 200.
func adminMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/metrics = %d; want 200", addr, resp.StatusCode)
	}
	return string(body)
}
