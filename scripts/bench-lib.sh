# Sourced by the bench scripts: serve the release binary and sign in.
#   serve_node          starts "$BIN" serve on 127.0.0.1:$PORT (stopped on exit) and waits for it
#   sign_in USER        sets $session and $H (the Cookie header) for a demo account
#   csrf_of_home        sets $csrf, the page token the JSON API wants on writes

serve_node() {
  ZHENGYAN_LISTEN=127.0.0.1:$PORT "$BIN" serve &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
}

sign_in() {
  local jar pre
  jar=$(mktemp)
  curl -s -c "$jar" -o /dev/null "http://127.0.0.1:$PORT/login"
  pre=$(awk '$6=="zy_pre"{print $7}' "$jar")
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$pre" \
    --data "username=$1&password=Demo%402026" "http://127.0.0.1:$PORT/login"
  session=$(awk '$6=="zy_session"{print $7}' "$jar")
  rm -f "$jar"
  [ -n "$session" ] || { echo "sign-in failed" >&2; exit 1; }
  H="Cookie: zy_session=$session"
}

csrf_of_home() {
  csrf=$(curl -s -H "$H" "http://127.0.0.1:$PORT/home" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//; s/"$//')
  [ -n "$csrf" ] || { echo "no CSRF token" >&2; exit 1; }
}
