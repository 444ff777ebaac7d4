#!/usr/bin/env bash
# Refreshes the Leaflet files the map pages embed (bot/api/web/vendor/leaflet) from npm, at the
# pinned version below: the minified script, its stylesheet, its marker images and its licence.
# Change LEAFLET_VERSION here (or in the environment) to upgrade, run `make leaflet`, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${LEAFLET_VERSION:-1.9.4}
dest=bot/api/web/vendor/leaflet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "leaflet@$version" >/dev/null)
tar -xzf "$tmp"/leaflet-"$version".tgz -C "$tmp"
rm -rf "$dest"
mkdir -p "$dest/images"
cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$dest/"
cp "$tmp"/package/dist/images/*.png "$dest/images/"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
echo "$version" >"$dest/VERSION"
echo "leaflet: $dest now holds leaflet@$version"
