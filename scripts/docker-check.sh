#!/usr/bin/env bash
# Builds the image and runs compose.yaml end to end: Postgres, Redis, migrations, the bot;
# then checks /healthz and /readyz through the published port and that /metrics is not on
# it, and tears everything down (volumes included). CI runs it where Docker is available.
#
# Where Docker, the compose plugin or the base images (Docker Hub, gcr.io) are not reachable
# it says so and exits 0, unless WATCHTOWER_REQUIRE_DOCKER=1, which makes that a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
	echo "docker-check: SKIPPED: $*" >&2
	if [ "${WATCHTOWER_REQUIRE_DOCKER:-}" = 1 ]; then exit 1; fi
	exit 0
}

command -v docker >/dev/null || skip "no docker command on this machine"
docker info >/dev/null 2>&1 || skip "the Docker daemon is not running or not reachable"
docker compose version >/dev/null 2>&1 || skip "the docker compose plugin is not installed"
for img in golang:1.26-bookworm gcr.io/distroless/static-debian12:nonroot postgres:17-bookworm redis:7-bookworm; do
	docker image inspect "$img" >/dev/null 2>&1 || docker pull -q "$img" >/dev/null 2>&1 ||
		skip "base image $img cannot be pulled (registry unreachable?)"
done

project=wtcheck$$
port=${DOCKER_CHECK_PORT:-18080}
compose=(docker compose -p "$project" -f compose.yaml -f compose.check.yaml)
created_env=0
if [ ! -f .env ]; then cp .env.example .env; created_env=1; fi
cleanup() {
	"${compose[@]}" down -v >/dev/null 2>&1 || true
	rm -f compose.check.yaml
	if [ "$created_env" = 1 ]; then rm -f .env; fi
}
trap cleanup EXIT
# Publish the bot on a loopback port of its own, so a running Watch Tower does not collide.
cat > compose.check.yaml <<YAML
services:
  watchtower:
    ports: !override
      - "127.0.0.1:${port}:8080"
YAML

echo "docker-check: building the image" >&2
docker build -q -t watchtower:local --build-arg VERSION="$(git describe --always --dirty 2>/dev/null || echo dev)" . >/dev/null
size=$(docker image inspect watchtower:local --format '{{.Size}}')
echo "docker-check: image watchtower:local is $((size / 1024 / 1024)) MB" >&2
user=$(docker image inspect watchtower:local --format '{{.Config.User}}')
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || { echo "docker-check: image runs as root" >&2; exit 1; }

echo "docker-check: docker compose up" >&2
"${compose[@]}" up -d
for _ in $(seq 90); do # migrations, then the bot: up to 3 minutes on a slow machine
	curl -fsS -o /dev/null "http://127.0.0.1:${port}/readyz" 2>/dev/null && break
	sleep 2
done
"${compose[@]}" ps
curl -fsS "http://127.0.0.1:${port}/healthz"
curl -fsS "http://127.0.0.1:${port}/readyz"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}/metrics")
[ "$code" = 404 ] || { echo "docker-check: /metrics answered $code on the public port; want 404" >&2; exit 1; }
"${compose[@]}" exec -T watchtower /usr/local/bin/watchtower healthcheck --ready
"${compose[@]}" exec -T redis redis-cli CONFIG GET appendonly | grep -qx yes ||
	{ echo "docker-check: Redis runs without AOF" >&2; exit 1; }
echo "docker-check: ok: image built, compose up, /healthz and /readyz 200, /metrics not public, AOF on" >&2
