#!/usr/bin/env bash
# Runs every test of Zhengyan: unit tests, the integration tests on SQLite and
# on PostgreSQL, and the real-browser journeys in headless Chromium.
# It installs what the tests need when missing, and fails (never skips) when
# PostgreSQL is expected but unreachable.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

# 1. What the browser journeys need (Debian packages), installed if missing.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked

# 2. PostgreSQL is part of every run. Unreachable means failure, not a skip.
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! psql "$TEST_DATABASE_URL" -qAtc 'select 1' >/dev/null 2>&1; then
  echo "PostgreSQL is expected at $TEST_DATABASE_URL but is unreachable." >&2
  echo "Start it, or point TEST_DATABASE_URL at one (trust or password in the URL)." >&2
  exit 1
fi
# Test databases left by an interrupted earlier run.
psql "$TEST_DATABASE_URL" -qAtc "select 'drop database if exists ' || datname || ' with (force);' from pg_database where datname like 'zy_t_%'" \
  | psql "$TEST_DATABASE_URL" -q >/dev/null 2>&1 || true

# 3. House rules, then everything.
say "format"
cargo fmt --all -- --check
say "clippy"
cargo clippy --all-targets --quiet -- -D warnings
say "tests (SQLite and PostgreSQL, browser journeys)"
cargo nextest run --all-targets --profile ci
say "screenshots of the browser journeys: e2e/artifacts/"
ls e2e/artifacts
