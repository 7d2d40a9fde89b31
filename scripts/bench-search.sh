#!/usr/bin/env bash
# Search and Word-export figures for docs/PERFORMANCE.md (issue 4), against the
# release binary on a scale-1 dataset (`gen --scale 1`: 50,000 reform tasks,
# 100,000 short drafts and 20,000 research reports of about 10 KB, some 280 MB
# of text in the index; 240 issues of 《决策参考》 of three reports each).
#   scripts/bench-search.sh [DATABASE_URL] [DURATION]
# With no URL it uses SQLite in bench-data/ (made by `gen --scale 1` when missing);
# with a postgres:// URL it generates into that (empty) database first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
URL=${1:-}
DUR=${2:-20s}
BIN=$PWD/target/release/zhengyan
PORT=18082
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --release
export ZHENGYAN_LOG=warn
if [ -z "$URL" ]; then
  export ZHENGYAN_DATA_DIR=$PWD/bench-data
  unset ZHENGYAN_DATABASE_URL
  [ -f "$ZHENGYAN_DATA_DIR/zhengyan.db" ] || "$BIN" gen --scale 1 --seed 1 --audit 100000
else
  export ZHENGYAN_DATA_DIR=$(mktemp -d)
  export ZHENGYAN_DATABASE_URL=$URL
  n=$(psql "$URL" -qAtc "select count(*) from information_schema.tables where table_name = 'drafting_tasks'")
  if [ "$n" = 0 ] || [ "$(psql "$URL" -qAtc 'select count(*) from drafting_tasks')" = 0 ]; then
    "$BIN" migrate
    "$BIN" gen --scale 1 --seed 1 --audit 100000
  fi
fi

# The day's run (colours, reminders, retraining) first, so the served node does not start it mid-measurement.
"$BIN" daily >/dev/null
serve_node

sign_in zys01

# Two-word queries, a topic and a word of the work; each matches thousands of texts.
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
QUERIES=()
for q in "营商环境 督办" "乡村振兴 调研" "数字政府 数据共享" "基层治理 群众" "养老服务 资金" "生态环境 问题清单" \
  "科技创新 典型案例" "招商引资 考核" "老旧小区 满意度" "集体经济 经验做法" "文化旅游 短板" "安全生产 回头看"; do
  QUERIES+=("$(enc "$q")")
done
for q in "${QUERIES[@]:0:3}"; do
  curl -s -H "$H" "http://127.0.0.1:$PORT/api/v1/search?q=$q" | grep -o '"total":[0-9]*' | sed "s/^/$q /"
done
LUA=$(mktemp --suffix .lua)
{
  echo "local qs = {"
  for q in "${QUERIES[@]}"; do echo "\"$q\","; done
  echo "}"
  cat <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/search?q=" .. qs[(n % #qs) + 1])
end
LUA
} > "$LUA"
wrk -t2 -c8 -d3s -s "$LUA" -H "$H" "http://127.0.0.1:$PORT/" >/dev/null
echo "== GET /api/v1/search (12 two-word queries in turn, hits, counts and snippets), 8 connections, $DUR"
wrk -t2 -c8 -d"$DUR" --latency -s "$LUA" -H "$H" "http://127.0.0.1:$PORT/"
echo "== GET /api/v1/search, the same queries, 1 connection (latency without queueing), $DUR"
wrk -t1 -c1 -d"$DUR" --latency -s "$LUA" -H "$H" "http://127.0.0.1:$PORT/"
echo "== GET /search (the page), 8 connections, $DUR"
PAGE=$(mktemp --suffix .lua)
sed 's#/api/v1/search#/search#' "$LUA" > "$PAGE"
wrk -t2 -c8 -d"$DUR" --latency -s "$PAGE" -H "$H" "http://127.0.0.1:$PORT/"

if [ -z "$URL" ]; then
  ISSUE=$(sqlite3 "$ZHENGYAN_DATA_DIR/zhengyan.db" "select max(id) from research_issues")
else
  ISSUE=$(psql "$URL" -qAtc "select max(id) from research_issues")
fi
curl -s -H "$H" -o /tmp/issue.docx -w "one issue as docx: %{http_code}, %{size_download} bytes, %{time_total} s\n" \
  "http://127.0.0.1:$PORT/research/journal/$ISSUE/docx"
echo "== GET /research/journal/$ISSUE/docx (《决策参考》 issue in official layout), 1 connection, $DUR"
wrk -t1 -c1 -d"$DUR" --latency -H "$H" "http://127.0.0.1:$PORT/research/journal/$ISSUE/docx"
