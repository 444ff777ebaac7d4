#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on loopback, for `make test`, `make demo` and CI.
#
# - Already reachable: nothing to do.
# - Installed but stopped: started (pg_ctlcluster / redis-server --daemonize).
# - Missing and we are root on Debian: installed from Debian's packages, then started.
# Then the application database (watchtower) is created if it does not exist.
#
# Environment: PGHOST/PGPORT (127.0.0.1:5432), REDIS_PORT (6379), WATCHTOWER_DB (watchtower).
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
# The database to create and the credentials to create it with come from DATABASE_URL when
# it is set (the Makefile sets it), so a PostgreSQL of your own with other credentials works.
DB_FROM_URL=""
ADMIN_URL=""
if [ -n "${DATABASE_URL:-}" ]; then
	DB_FROM_URL=$(printf '%s' "$DATABASE_URL" | sed -nE 's#^postgres(ql)?://[^/]*/([^?]+).*#\2#p')
	ADMIN_URL=$(printf '%s' "$DATABASE_URL" | sed -E 's#^(postgres(ql)?://[^/]*)/[^?]*#\1/postgres#')
fi
DB=${WATCHTOWER_DB:-${DB_FROM_URL:-watchtower}}

say() { printf 'services: %s\n' "$*" >&2; }

apt_install() {
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		say "$* is missing; install it (Debian: apt-get install $*) or run as root so this script can"
		exit 1
	fi
	say "installing $* from Debian packages"
	if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock || true)" ]; then
		apt-get update -qq
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || {
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
	}
}

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

psql_admin() {
	# DATABASE_URL's credentials on the postgres database when given; else trust auth (this
	# machine kind) or the password set below on a fresh install.
	if [ -n "$ADMIN_URL" ]; then
		psql "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 "$@"
	else
		PGPASSWORD=postgres psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres "$@"
	fi
}

start_postgres() {
	if ! command -v pg_ctlcluster >/dev/null; then
		apt_install postgresql postgresql-client
		fresh=1
	fi
	local ver
	ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
	if [ -z "$ver" ]; then
		say "no PostgreSQL cluster found under /etc/postgresql"
		exit 1
	fi
	say "starting PostgreSQL $ver"
	pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start
	for _ in $(seq 1 30); do pg_up && break; sleep 1; done
	pg_up || { say "PostgreSQL did not come up on $PGHOST:$PGPORT"; exit 1; }
	if [ "${fresh:-0}" = 1 ]; then
		# A fresh Debian install authenticates TCP logins by password: give postgres a known one
		# for this local development database.
		su postgres -c "psql -X -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
	fi
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
	command -v redis-server >/dev/null || apt_install redis-server
	say "starting Redis on 127.0.0.1:$REDIS_PORT"
	mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
		--dir /tmp --logfile /tmp/watchtower-redis.log
	for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
	redis_up || { say "Redis did not come up on 127.0.0.1:$REDIS_PORT"; exit 1; }
}

command -v pg_isready >/dev/null || apt_install postgresql-client
pg_up || start_postgres
command -v redis-cli >/dev/null || apt_install redis-tools
redis_up || start_redis

if ! psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
	psql_admin -c "CREATE DATABASE \"$DB\"" || psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1
	say "created database $DB"
fi
say "PostgreSQL on $PGHOST:$PGPORT and Redis on 127.0.0.1:$REDIS_PORT are up"
