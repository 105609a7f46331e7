#!/usr/bin/env bash
# Fetch the map's front-end assets from the npm registry into static/vendor/ (not committed).
# Streamlit serves static/ at /app/static/ (enableStaticServing), so the map works offline and on
# networks that block public CDNs.
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET_VERSION="${LEAFLET_VERSION:-1.9.4}"
dest=static/vendor/leaflet
if [ -f "$dest/leaflet.js" ] && [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$LEAFLET_VERSION" ]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "leaflet@${LEAFLET_VERSION}" >/dev/null )
tar -xzf "$tmp"/leaflet-*.tgz -C "$tmp"
mkdir -p "$dest"
cp "$tmp"/package/dist/leaflet.js "$tmp"/package/dist/leaflet.css "$dest"/
cp -r "$tmp"/package/dist/images "$dest"/
echo "$LEAFLET_VERSION" > "$dest/.version"
echo "map assets: leaflet $LEAFLET_VERSION in $dest"
