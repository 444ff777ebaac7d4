#!/usr/bin/env bash
# Makes sure headless Chromium is installed for the tracking-page browser test
# (bot/api/browser_test.go). Installs Debian's chromium package when missing and we are root.
set -euo pipefail
for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null; then exit 0; fi
done
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "browser: chromium is missing; install it (Debian: apt-get install chromium)" >&2
	exit 1
fi
echo "browser: installing chromium from Debian packages" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || {
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
