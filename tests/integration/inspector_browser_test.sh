#!/usr/bin/env bash
# The customer inspector page in headless Chromium against a running hub:
# `custhub broker`, two canonical orders produced with kcat, `custhub run
# --http 127.0.0.1:0`, then Chromium loads /?q=EMAIL, runs the page's search
# and dumps the DOM, which must show the customer's email, order count and
# net revenue as displayed, with markup in the data shown as text.
#
#   bash tests/integration/inspector_browser_test.sh build/custhub
#
# Needs chromium, kcat and curl (deploy/setup.sh installs them). Fails, not
# skips, when one is missing.
set -euo pipefail

bin=${1:?usage: inspector_browser_test.sh path/to/custhub}
chromium=${CHROMIUM:-/usr/bin/chromium}
for tool in "$chromium" kcat curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool not installed (run deploy/setup.sh)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/*.err; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
  done
  exit 1
}

# Waits up to $2 seconds for the first line of file $1 to start with $3.
first_line() {
  local deadline=$((SECONDS + $2)) line
  while [ $SECONDS -lt $deadline ]; do
    line=$(head -n 1 "$1" 2>/dev/null || true)
    if [[ $line == "$3"* ]]; then
      echo "${line#"$3"}"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

"$bin" broker --brokers 1 --partitions 2 >"$work/broker.out" 2>"$work/broker.err" &
pids+=($!)
bootstrap=$(first_line "$work/broker.out" 20 "bootstrap=") || fail "broker did not start"

email=grace.hopper@example.com
produce() {  # event-id json
  printf '%s\n' "$2" |
    kcat -P -b "$bootstrap" -t orders -k "$email" -H "event-id=$1" ||
    fail "kcat could not produce"
}
produce b1 '{"occurredAt":"2026-03-01T10:00:00Z","firstName":"Grace","lastName":"Hopper","identifiers":{"emails":["Grace.Hopper@example.com"],"phones":["+15550000042"]},"order":{"orderId":"1001","total":{"minor":"12050","currency":"USD"},"itemCount":2}}'
produce b2 '{"occurredAt":"2026-03-05T09:00:00Z","identifiers":{"emails":["grace.hopper@example.com"]},"order":{"orderId":"<img src=x onerror=alert(1)>","total":{"minor":"8000","currency":"USD"},"itemCount":1}}'

"$bin" run --bootstrap "$bootstrap" --state-dir "$work/state" --sync false \
  --poll-timeout-ms 50 --http 127.0.0.1:0 >"$work/hub.out" 2>"$work/hub.err" &
pids+=($!)
port=$(first_line "$work/hub.out" 30 "http=") || fail "hub did not print http=PORT"
base="http://127.0.0.1:$port"

# Both orders folded (the profile answers with count 2), within 30 s.
deadline=$((SECONDS + 30))
until curl -fsS "$base/v1/profiles/$email" 2>/dev/null | grep -q '"count":2'; do
  [ $SECONDS -lt $deadline ] || fail "profile never showed 2 orders"
  sleep 0.1
done
curl -fsS "$base/readyz" >/dev/null || fail "/readyz not 200 after catch-up"

dom="$work/dom.html"
timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update \
  --disable-sync --user-data-dir="$work/chromium" --virtual-time-budget=5000 \
  --dump-dom "$base/?q=$email" >"$dom" 2>"$work/chromium.err" ||
  fail "chromium could not load the page (exit $?)"

expect() {
  grep -qF -- "$1" "$dom" || {
    echo "--- dumped DOM (profile part)" >&2
    grep -o 'id="notice".\{0,300\}\|data-field="[a-z-]*">[^<]*' "$dom" >&2 || true
    fail "page lacks: $1"
  }
}
expect "$email"
expect 'data-field="orders-count">2<'
expect 'data-field="net-revenue">$200.50<'
expect 'data-field="name">Grace Hopper<'
expect 'data-field="consent">'
# The order id's markup is shown as text, never parsed as an element.
expect '&lt;img src=x onerror=alert(1)&gt;'
if grep -qF '<img src=x' "$dom"; then fail "customer data was parsed as HTML"; fi

# An unknown customer gets the error message, not a profile.
timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update \
  --disable-sync --user-data-dir="$work/chromium" --virtual-time-budget=5000 \
  --dump-dom "$base/?q=nobody@example.com" >"$dom" 2>>"$work/chromium.err" ||
  fail "chromium could not load the page (exit $?)"
expect 'No customer matches'
echo "inspector browser test: ok"
