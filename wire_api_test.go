package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/store/storetest"
)

// TestServeAPI runs the binary's serve with a token made by `watchtower token create`, and
// walks the API and the tracking page on the side listener.
func TestServeAPI(t *testing.T) {
	pool := storetest.NewDB(t)
	_, prefix := storetest.NewRedis(t)
	addr, admin := freeAddr(t), freeAddr(t)
	env := map[string]string{
		"DATABASE_URL": storetest.URL(pool), "REDIS_URL": testRedisURL(), "REDIS_PREFIX": prefix, "HTTP_ADDR": addr, "ADMIN_ADDR": admin,
		"LOG_LEVEL": "error", "TRACKING_SECRET": strings.Repeat("k", 40), "PUBLIC_BASE_URL": "http://" + addr,
	}
	if code, _, stderr := runCmd(t, env, "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	code, out, stderr := runCmd(t, env, "token", "create", "--name", "erp", "--scope", "write")
	if code != 0 {
		t.Fatalf("token create: %s", stderr)
	}
	token := strings.TrimSpace(out)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		e := &environment{getenv: mapEnv(env), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
		done <- run(ctx, e, []string{"serve"})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop within 20 s")
		}
	}()
	base := "http://" + addr
	waitFor(t, base+"/healthz")

	call := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, path := range []string{"/api/v1/openapi.json", "/api/v1/trucks?limit=5", "/api/v1/sites", "/api/v1/trucks/near?near=APAPA"} {
		if status, body := call("GET", path, ""); status != http.StatusOK {
			t.Errorf("GET %s = %d %s; want 200", path, status, body)
		}
	}
	dep := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	var plates struct {
		Data []struct {
			Plate       string `json:"plate"`
			TruckStatus string `json:"truck_status"`
		} `json:"data"`
	}
	_, body := call("GET", "/api/v1/trucks?limit=500", "")
	if err := json.Unmarshal(body, &plates); err != nil {
		t.Fatal(err)
	}
	var truck string
	for _, p := range plates.Data {
		if p.TruckStatus == "operational" {
			truck = p.Plate
			break
		}
	}
	status, body := call("POST", "/api/v1/trips", `{"truck":"`+truck+`","origin":"APAPA","destination":"TINCAN","departure_time":"`+dep+`"}`)
	var created struct {
		TripID      string `json:"trip_id"`
		TrackingURL string `json:"tracking_url"`
	}
	json.Unmarshal(body, &created)
	if status != http.StatusCreated || !strings.HasPrefix(created.TrackingURL, base+"/track/") {
		t.Fatalf("POST /api/v1/trips = %d %s; want 201 with a tracking link on this listener", status, body)
	}
	resp, err := http.Get(created.TrackingURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Trip "+created.TripID) {
		t.Errorf("tracking page = %d; want 200 showing %s\n%s", resp.StatusCode, created.TripID, page)
	}
	// the agent and the audit log are wired: the offline parser answers (no model configured)
	status, body = call("POST", "/api/v1/ask", `{"question":"where is `+truck+`?"}`)
	if status != http.StatusOK || !strings.Contains(string(body), `"engine":"offline"`) || !strings.Contains(string(body), truck) {
		t.Errorf("POST /api/v1/ask = %d %s; want the offline parser's answer about %s", status, body, truck)
	}
	if status, body = call("POST", "/api/v1/trips/"+created.TripID+"/cancel", ""); status != http.StatusOK {
		t.Errorf("cancel = %d %s; want 200", status, body)
	}
	if status, _ = call("GET", "/api/v1/audit", ""); status != http.StatusForbidden {
		t.Errorf("GET /api/v1/audit with a write token = %d; want 403", status)
	}
	if code, out, stderr := runCmd(t, env, "token", "create", "--name", "auditor", "--scope", "admin"); code != 0 {
		t.Fatalf("token create --scope admin: %s", stderr)
	} else {
		token = strings.TrimSpace(out)
	}
	if status, body = call("GET", "/api/v1/audit?actor=erp&action=trip.*", ""); status != http.StatusOK ||
		!strings.Contains(string(body), `"action":"trip.cancel"`) || !strings.Contains(string(body), `"action":"trip.create"`) {
		t.Errorf("GET /api/v1/audit = %d %s; want erp's trip.create and trip.cancel", status, body)
	}
	if !strings.Contains(adminMetrics(t, admin), `watchtower_api_requests_total{route="POST /api/v1/trips",status="201"} 1`) {
		t.Errorf("metrics lack the API request counter of the POST")
	}
}
