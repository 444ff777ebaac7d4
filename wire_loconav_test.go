package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/ingest/envcfg"
)

func TestWireLoconavOffWithoutToken(t *testing.T) {
	var logs bytes.Buffer
	a := &app{cfg: envcfg.Config{LoconavAPIURL: "https://api.a.loconav.com/integration/api/v1"}, log: slog.New(slog.NewTextHandler(&logs, nil))}
	comps, err := wireLoconav(context.Background(), a, &parts{})
	if err != nil || len(comps) != 0 {
		t.Fatalf("wireLoconav without a token = %d components, %v; want none, nil", len(comps), err)
	}
	if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), "LOCONAV_API_TOKEN") {
		t.Errorf("logs = %q; want one line naming LOCONAV_API_TOKEN", logs.String())
	}
}

func TestNewLoconavClient(t *testing.T) {
	if _, err := newLoconavClient(envcfg.Config{LoconavAPIURL: "https://api.a.loconav.com/integration/api/v1", LoconavAPIToken: "s3cret-token"}); err != nil {
		t.Fatalf("newLoconavClient(default URL) = %v; want a client", err)
	}
	_, err := newLoconavClient(envcfg.Config{LoconavAPIURL: "/relative", LoconavAPIToken: "s3cret-token"})
	ce, ok := err.(*envcfg.Error)
	if !ok || ce.Var != "LOCONAV_API_URL" {
		t.Fatalf("newLoconavClient(relative URL) = %v; want a config error naming LOCONAV_API_URL", err)
	}
	if strings.Contains(err.Error(), "s3cret-token") {
		t.Errorf("error %q shows the token", err)
	}
}
