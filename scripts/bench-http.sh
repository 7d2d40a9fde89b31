#!/usr/bin/env bash
# HTTP load figures for docs/PERFORMANCE.md, with wrk against the release binary
# on a scale-1 dataset (made once with `zhengyan gen --scale 1`, ~10 minutes).
#   scripts/bench-http.sh [DATA_DIR] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-bench-data}
DUR=${2:-30s}
BIN=target/release/zhengyan
PORT=18080
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --release
if [ ! -f "$DATA/zhengyan.db" ]; then
  ZHENGYAN_DATA_DIR="$DATA" "$BIN" gen --scale 1 --seed 1
fi
ZHENGYAN_DATA_DIR="$DATA" ZHENGYAN_LISTEN=127.0.0.1:$PORT ZHENGYAN_LOG=warn "$BIN" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

jar=$(mktemp)
curl -s -c "$jar" -o /dev/null "http://127.0.0.1:$PORT/login"
pre=$(awk '$6=="zy_pre"{print $7}' "$jar")
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$pre" --data "username=zys01&password=Demo%402026" "http://127.0.0.1:$PORT/login"
session=$(awk '$6=="zy_session"{print $7}' "$jar")
[ -n "$session" ] || { echo "sign-in failed" >&2; exit 1; }

echo "== GET /login, 16 connections, $DUR"
wrk -t2 -c16 -d"$DUR" --latency "http://127.0.0.1:$PORT/login"
echo "== GET /home (signed in as zys01), 16 connections, $DUR"
wrk -t2 -c16 -d"$DUR" --latency -H "Cookie: zy_session=$session" "http://127.0.0.1:$PORT/home"
echo "== GET /org/units (first page, scoped), 16 connections, $DUR"
wrk -t2 -c16 -d"$DUR" --latency -H "Cookie: zy_session=$session" "http://127.0.0.1:$PORT/org/units"
lua=$(mktemp --suffix .lua)
cat > "$lua" <<LUA
wrk.method = "POST"
wrk.body = "csrf_token=$pre&username=zys01&password=Demo%402026"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "zy_pre=$pre"
LUA
echo "== POST /login (argon2id each time), 16 connections, $DUR"
wrk -t2 -c16 -d"$DUR" --latency -s "$lua" "http://127.0.0.1:$PORT/login"
