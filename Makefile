# Watch Tower. `make demo` runs the product locally; `make test` runs every test.
# Both start PostgreSQL and Redis on loopback first when they are not running.

SHELL := /bin/bash
GO ?= go
BIN := bin/watchtower
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

export CGO_ENABLED := 1
export DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/watchtower?sslmode=disable
export WATCHTOWER_TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable
export WATCHTOWER_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: all build test bench demo run migrate seed lint check-deps services docker-check leaflet clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) .

services:
	@./scripts/services.sh

## test: every test, integration included, with the race detector. Set
## WATCHTOWER_REQUIRE_INTEGRATION=1 to make a missing database a failure instead of a skip.
test: services
	$(GO) test -race -count=1 -timeout 20m ./...

## bench: the hot-path benchmarks; figures go in docs/benchmarks.md. First the webhook against
## the bare floor (read the body, one XADD) with one load generator, printing the ratios and
## whether each target is met, and the consumers' drain rate into Postgres; then /site and the
## site status route over 90 days of visits (p99 under 50 ms); then a webhook's site entry to
## its alert in the fake Slack, 50 times (one demo truck each); then every other benchmark once
## over. The fleet-size growth runs are separate (see docs/benchmarks.md).
bench: services
	@echo "load average: $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
	set -o pipefail; $(GO) test -run '^$$' -bench 'VsFloor' -benchtime 1x -count=1 -timeout 10m -v ./ingest/ | grep -E 'floor_bench|^Benchmark|^ok|FAIL'
	set -o pipefail; $(GO) test -run '^$$' -bench 'Consumer$$' -benchtime 60000x -count=1 -timeout 10m -v ./ingest/ | grep -E 'bench_test|^Benchmark|^ok|FAIL'
	$(GO) test -run '^$$' -bench 'SiteCommand|SiteStatusRoute' -benchtime 2000x -count=1 -timeout 10m ./bot/ ./bot/api/
	$(GO) test -run '^$$' -bench 'WebhookGeofenceToSlack' -benchtime 50x -count=1 -timeout 10m .
	$(GO) test -run '^$$' -bench . -skip 'VsFloor|Consumer$$|Growth|SiteCommand|SiteStatusRoute|WebhookGeofenceToSlack' -benchmem -count=1 -timeout 30m ./...

demo: services build
	$(BIN) migrate
	$(BIN) seed
	$(BIN) demo

## run: the real service, configured from .env (see .env.example and README). It never falls
## back to the demo database: without .env (or DATABASE_URL in the environment) it stops.
run: services build
	@if [ ! -f .env ] && [ "$(origin DATABASE_URL)" != environment ]; then \
		echo "make run: no .env here and DATABASE_URL is not set. Copy .env.example to .env and fill it in;" >&2; \
		echo "          'make demo' is the local try-out." >&2; exit 2; fi
	@$(if $(filter file,$(origin DATABASE_URL)),unset DATABASE_URL;) set -a; [ -f .env ] && . ./.env; set +a; $(BIN) serve

migrate: services build
	$(BIN) migrate

seed: services build
	$(BIN) seed

## lint: gofmt, go vet, staticcheck (pinned, run through the module proxy) and a tidy go.mod.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) mod tidy -diff # prints the diff and fails when go.mod or go.sum is not tidy

check-deps:
	@./scripts/check-deps.sh

## docker-check: build the image and run compose.yaml end to end (/healthz, /readyz); skips
## with a message where Docker or the base images are not available.
docker-check:
	@./scripts/docker-check.sh

## leaflet: refresh the embedded map library from npm at the version pinned in scripts/leaflet.sh.
leaflet:
	@./scripts/leaflet.sh

clean:
	rm -rf bin
