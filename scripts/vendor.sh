#!/usr/bin/env bash
# Refreshes the vendored front-end files from the npm registry (the only place
# they come from) and records their versions and SHA-256 sums. The files are
# committed: building and running never touch the network.
set -euo pipefail
HTMX=2.0.11
ECHARTS=6.1.0
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$HTMX" "echarts@$ECHARTS" >/dev/null
mkdir htmx echarts
tar -xzf "htmx.org-$HTMX.tgz" -C htmx
tar -xzf "echarts-$ECHARTS.tgz" -C echarts
dest="$root/assets/vendor"
rm -f "$dest"/htmx-*.min.js "$dest"/echarts-*.min.js
cp htmx/package/dist/htmx.min.js "$dest/htmx-$HTMX.min.js"
cp echarts/package/dist/echarts.min.js "$dest/echarts-$ECHARTS.min.js"
{
  echo "# Vendored from the npm registry by scripts/vendor.sh"
  echo "# htmx.org@$HTMX integrity $(npm view "htmx.org@$HTMX" dist.integrity 2>/dev/null)"
  echo "# echarts@$ECHARTS integrity $(npm view "echarts@$ECHARTS" dist.integrity 2>/dev/null)"
  cd "$dest" && sha256sum "htmx-$HTMX.min.js" "echarts-$ECHARTS.min.js"
} > "$dest/SHA256SUMS"
cat "$dest/SHA256SUMS"
