#!/usr/bin/env bash
# Reform figures for docs/PERFORMANCE.md (issue 3), against the release binary
# on a scale-1 dataset: 50,000 tasks over ten years and 500,000 reports.
#   scripts/bench-reform.sh [DATABASE_URL] [DURATION]
# With no URL it uses SQLite in bench-data/ (made by `gen --scale 1` when missing);
# with a postgres:// URL it generates into that (empty) database first, with a
# small audit trail (the reform figures do not read it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
URL=${1:-}
DUR=${2:-30s}
BIN=$PWD/target/release/zhengyan
PORT=18081
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --release
export ZHENGYAN_LOG=warn
if [ -z "$URL" ]; then
  export ZHENGYAN_DATA_DIR=$PWD/bench-data
  unset ZHENGYAN_DATABASE_URL
  [ -f "$ZHENGYAN_DATA_DIR/zhengyan.db" ] || "$BIN" gen --scale 1 --seed 1
else
  export ZHENGYAN_DATA_DIR=$(mktemp -d)
  export ZHENGYAN_DATABASE_URL=$URL
  n=$(psql "$URL" -qAtc "select count(*) from information_schema.tables where table_name = 'reform_tasks'")
  if [ "$n" = 0 ] || [ "$(psql "$URL" -qAtc 'select count(*) from reform_tasks')" = 0 ]; then
    "$BIN" migrate
    "$BIN" gen --scale 1 --seed 1 --audit 100000
  fi
fi
YEAR=$(date +%Y)

# The day's run (colours, reminders, retraining) first, so the served node does not start it mid-measurement.
"$BIN" daily >/dev/null
serve_node

sign_in ggb01

if [ -z "$URL" ]; then
  q() { sqlite3 "$ZHENGYAN_DATA_DIR/zhengyan.db" "$1"; }
else
  q() { psql "$URL" -qAtc "$1"; }
fi
# The county with the most tasks this year, with its towns (the list's unit
# filter takes the units below), for the filtered list.
UNIT=$(q "select c.id from units c join units u on u.path >= c.path and u.path < substr(c.path, 1, length(c.path) - 1) || '0' \
  join reform_tasks t on t.lead_unit_id = u.id where c.kind = 'county' and t.year = $YEAR group by c.id order by count(*) desc limit 1")
echo "year $YEAR: $(q "select count(*) from reform_tasks where year = $YEAR") tasks; all years: $(q 'select count(*) from reform_tasks') tasks, $(q 'select count(*) from reform_reports') reports"

LIST="http://127.0.0.1:$PORT/reform?year=$YEAR&colour=green&unit=$UNIT&per=25"
curl -s -H "$H" "$LIST" | grep -o 'href="/reform/tasks/[0-9]*"' | wc -l | sed 's/^/task rows on the page: /'
curl -s -H "$H" "$LIST" | grep -o 'badge badge-green[^>]*>[^<]*' | head -1 | sed 's/.*>/green in the filter: /'
# A few seconds of warm-up first: each pooled connection fills its own page cache.
wrk -t2 -c16 -d3s -H "$H" "$LIST" >/dev/null
echo "== GET /reform?year=$YEAR&colour=green&unit=$UNIT&per=25 (the same filter again and again: the node's answer), 16 connections, $DUR"
wrk -t2 -c16 -d"$DUR" --latency -H "$H" "$LIST"
echo "== GET /reform?year=$YEAR (the default page, the node's answer), 16 connections, $DUR"
wrk -t2 -c16 -d"$DUR" --latency -H "$H" "http://127.0.0.1:$PORT/reform?year=$YEAR"

# Every request a filter not asked for recently (county × colour × sort ×
# direction × page, 1,440 of them, more than the node keeps): each answer is
# worked out in the database.
COUNTIES=$(q "select id from units where kind = 'county' order by id" | paste -sd, -)
MISS=$(mktemp --suffix .lua)
cat > "$MISS" <<LUA
local units = {$COUNTIES}
local colours = {"green", "yellow", "red", "blue"}
local sorts = {"code", "deadline", "colour", "progress", "updated"}
local dirs = {"asc", "desc"}
local threads, n = 0, 0
function setup(thread) thread:set("first", threads * 100000); threads = threads + 1 end
function init() n = first end
request = function()
  n = n + 1
  local i = n
  local u = units[i % #units + 1]; i = math.floor(i / #units)
  local c = colours[i % #colours + 1]; i = math.floor(i / #colours)
  local s = sorts[i % #sorts + 1]; i = math.floor(i / #sorts)
  local d = dirs[i % #dirs + 1]; i = math.floor(i / #dirs)
  return wrk.format("GET", "/reform?year=$YEAR&colour=" .. c .. "&unit=" .. u .. "&sort=" .. s .. "&dir=" .. d .. "&page=" .. (i % 3 + 1) .. "&per=25")
end
LUA
echo "== GET /reform?year=$YEAR&colour=…&unit=…&sort=…&page=… (a different filter each time: worked out in the database), 16 connections, $DUR"
wrk -t2 -c16 -d"$DUR" --latency -s "$MISS" -H "$H" "http://127.0.0.1:$PORT/"
rm -f "$MISS"

time_page() { # name url [n]
  local n=${3:-20} all=()
  for _ in $(seq 1 "$n"); do
    all+=("$(curl -s -o /dev/null -w '%{time_total}' -H "$H" "$2")")
  done
  printf '%s\n' "${all[@]}" | sort -n | awk -v name="$1" '{a[NR]=$1} END {printf "%-28s median %.1f ms, max %.1f ms (n=%d)\n", name, a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'
}
echo "== single requests, one at a time"
time_page "双过半 page ($YEAR)" "http://127.0.0.1:$PORT/reform/halfway?year=$YEAR"
time_page "双过半 API ($YEAR)" "http://127.0.0.1:$PORT/api/v1/reform/halfway?date=$YEAR-06-30"
time_page "assessment ranking ($YEAR)" "http://127.0.0.1:$PORT/reform/assessment?year=$YEAR"
time_page "ledger export, all years" "http://127.0.0.1:$PORT/reform/export?year=all" 3
curl -s -H "$H" -o /tmp/zy-ledger-all.xlsx "http://127.0.0.1:$PORT/reform/export?year=all"
echo "exported rows: $(python3 -c "import zipfile,re;print(len(re.findall(rb'<row ', zipfile.ZipFile('/tmp/zy-ledger-all.xlsx').read('xl/worksheets/sheet1.xml'))))") (with header)"
kill $SERVER; wait $SERVER 2>/dev/null || true
trap - EXIT

echo "== import of $YEAR's ledger (5,000 rows)"
"$BIN" reform export --year "$YEAR" --out /tmp/zy-ledger-year.xlsx --as ggb01 >/dev/null
/usr/bin/time -f "import, every row unchanged: %e s, %M KB" "$BIN" reform import /tmp/zy-ledger-year.xlsx --as ggb01 | tail -1 || true
# The same rows as new tasks: remove this year's tasks, import, and put the dataset back as it was.
if [ -z "$URL" ]; then
  sqlite3 "$ZHENGYAN_DATA_DIR/zhengyan.db" "pragma wal_checkpoint(truncate)" >/dev/null
  cp "$ZHENGYAN_DATA_DIR/zhengyan.db" /tmp/zy-bench-keep.db
fi
q "delete from reform_tasks where year = $YEAR" >/dev/null
/usr/bin/time -f "import, every row a new task: %e s, %M KB" "$BIN" reform import /tmp/zy-ledger-year.xlsx --as ggb01 | tail -1 || true
echo "tasks of $YEAR after import: $(q "select count(*) from reform_tasks where year = $YEAR")"
if [ -z "$URL" ]; then
  rm -f "$ZHENGYAN_DATA_DIR/zhengyan.db-wal" "$ZHENGYAN_DATA_DIR/zhengyan.db-shm"
  mv /tmp/zy-bench-keep.db "$ZHENGYAN_DATA_DIR/zhengyan.db"
fi
