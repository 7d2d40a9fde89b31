#!/usr/bin/env bash
# Grassroots-loop figures for docs/PERFORMANCE.md (issue 5), against the release
# binary on the scale-1 SQLite dataset in bench-data/ (`gen --scale 1`: 1,000,000
# submissions over ten years; made here when missing):
#   - the figures page of this year and the API figures, as the research office sees them;
#   - the monthly report (docx with charts);
#   - ingest through the JSON API with the full analysis, new texts written by a
#     Lua generator (a tenth of them re-sent with an edit), each submission its
#     own transaction with the near-duplicate check against all history.
# The ingest adds submissions to bench-data/ (run the figures first, as here).
#   scripts/bench-liaison.sh [DURATION] [CONNECTIONS] [ingest]
# With ZHENGYAN_LOG=warn,zhengyan::liaison=debug the output holds the intake's group
# log; scripts/liaison-windows.py sums it by 20 s window.
# With a third argument `ingest` only the ingest is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
DUR=${1:-20s}
CONN=${2:-8}
ONLY=${3:-}
BIN=$PWD/target/release/zhengyan
PORT=18083
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "install sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --release
export ZHENGYAN_LOG=${ZHENGYAN_LOG:-warn} ZHENGYAN_DATA_DIR=$PWD/bench-data
unset ZHENGYAN_DATABASE_URL
[ -f "$ZHENGYAN_DATA_DIR/zhengyan.db" ] || "$BIN" gen --scale 1 --seed 1 --audit 100000
# The day's run (colours, lapses, retraining) first, so the served node does not start it mid-measurement.
"$BIN" daily >/dev/null
DB=$ZHENGYAN_DATA_DIR/zhengyan.db
echo "submissions before: $(sqlite3 "$DB" 'select count(*) from liaison_cases')"

serve_node

sign_in zys01
csrf_of_home

if [ "$ONLY" != ingest ]; then
curl -s -H "$H" -o /dev/null -w "figures page: %{http_code}, %{time_total} s\n" "http://127.0.0.1:$PORT/liaison/figures"
wrk -t1 -c1 -d3s -H "$H" "http://127.0.0.1:$PORT/liaison/figures" >/dev/null
echo "== GET /liaison/figures (this year, the office's scope), 1 connection, $DUR"
wrk -t1 -c1 -d"$DUR" --latency -H "$H" "http://127.0.0.1:$PORT/liaison/figures"
echo "== GET /liaison/figures, 8 connections, $DUR"
wrk -t2 -c8 -d"$DUR" --latency -H "$H" "http://127.0.0.1:$PORT/liaison/figures"
echo "== GET /api/v1/liaison/figures?year=2021 (a whole past year), 1 connection, $DUR"
wrk -t1 -c1 -d"$DUR" --latency -H "$H" "http://127.0.0.1:$PORT/api/v1/liaison/figures?year=2021"
MONTH=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)
curl -s -H "$H" -o /tmp/liaison-report.docx -w "monthly report $MONTH: %{http_code}, %{size_download} bytes, %{time_total} s\n" \
  "http://127.0.0.1:$PORT/liaison/report?month=$MONTH"
fi

POINTS=$(sqlite3 "$DB" "select group_concat(unit_id, ',') from (select unit_id from liaison_points where status = 'active' order by unit_id limit 100)")
LUA=$(mktemp --suffix .lua)
cat > "$LUA" <<LUA
local points = { $POINTS }
local csrf = "$csrf"
local cookie = "zy_session=$session"
LUA
cat >> "$LUA" <<'LUA'
local places = { "东门社区", "李家村", "创业园", "实验学校", "人民医院", "河西镇", "老街", "安置小区" }
local spots = { "号楼附近", "村民小组", "路口", "农贸市场旁", "公交站台", "单元门口", "河堤步道" }
local problems = {
  { "路灯长期不亮", "一带的路灯坏了很久，晚上出行只能摸黑。" },
  { "排水管网堵塞", "排水管网堵塞，下雨路面积水，商户进出困难。" },
  { "工地夜间施工噪音", "工地连续夜间施工，噪音影响居民休息。" },
  { "老人看病报销不便", "不少老人反映医保报销手续复杂，来回跑了几趟。" },
  { "村道硬化未完成", "村道硬化工程停工半年，雨天泥泞难行。" },
  { "电动车违规充电", "楼道里电动车飞线充电，存在消防隐患。" },
  { "办事材料反复提交", "办理登记时同样的材料要交好几次。" },
  { "小微企业融资难", "小微企业反映贷款门槛高、审批慢。" },
}
local details = { "已经持续了%d天。", "涉及周边%d户居民。", "有%d名群众联名反映。", "上次整改后不到%d个月又出现反复。", "附近%d家商户受到影响。" }
local asks = { "希望尽快研究解决。", "请到现场查看处理。", "盼望给群众一个答复。", "建议建立长效机制。" }
local recent = {}
local n = 0
local function pick(t) return t[math.random(#t)] end
request = function()
  n = n + 1
  local title, text
  if #recent > 20 and math.random(10) == 1 then
    local r = recent[math.random(#recent)]
    title, text = r[1], "再次反映：" .. r[2]
  else
    local p = pick(problems)
    local place = pick(places) .. math.random(99) .. pick(spots)
    title = place .. p[1]
    text = place .. p[2] .. string.format(pick(details), math.random(2, 300)) .. string.format(pick(details), math.random(2, 300)) .. pick(asks)
    if #recent < 500 then recent[#recent + 1] = { title, text } else recent[math.random(500)] = { title, text } end
  end
  local body = string.format([[{"title":"%s","description":"%s","point_id":%d}]], title, text, pick(points))
  return wrk.format("POST", "/api/v1/liaison/requests", { ["Content-Type"] = "application/json", ["X-CSRF-Token"] = csrf, ["Cookie"] = cookie }, body)
end
local bad = 0
response = function(status, headers, body)
  if status ~= 201 then
    bad = bad + 1
    if bad <= 3 then print(status, body) end
  end
end
LUA
echo "== POST /api/v1/liaison/requests (full analysis and near-duplicate check), $CONN connections, $DUR"
# (wrk.format with its own headers drops the -H ones: the session cookie is in the script.)
wrk -t2 -c"$CONN" -d"$DUR" --latency -s "$LUA" "http://127.0.0.1:$PORT/"
echo "submissions after: $(sqlite3 "$DB" 'select count(*) from liaison_cases')"
