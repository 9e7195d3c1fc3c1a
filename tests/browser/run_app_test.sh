#!/usr/bin/env bash
# The what-if app in a real browser: `accessplan serve` on the demo (loopback, a free port), check_app.mjs against it,
# `accessplan validate` of the scenario the app saved, then SIGTERM: the server must stop cleanly (exit 0).
# Usage: run_app_test.sh ACCESSPLAN_BINARY
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "$1"
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
"$bin" demo -q --out "$tmp/demo" > /dev/null
"$bin" serve "$tmp/demo/scenarios/baseline.yaml" --port 0 > "$tmp/serve.out" 2> "$tmp/serve.err" &
pid=$!
for _ in $(seq 1 600); do
  grep -q "ready at" "$tmp/serve.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.err"; echo "the server stopped before it was ready"; exit 1; }
  sleep 0.2
done
url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$tmp/serve.out")"
[ -n "$url" ] || { cat "$tmp/serve.out" "$tmp/serve.err"; echo "no address printed"; exit 1; }
node "$here/check_app.mjs" "$url" "$tmp/saved.yaml"
cp "$tmp/saved.yaml" "$tmp/demo/scenarios/saved.yaml"
"$bin" validate "$tmp/demo/scenarios/saved.yaml"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { cat "$tmp/serve.err"; echo "the server exited with $status on SIGTERM"; exit 1; }
grep -q "stopped" "$tmp/serve.err" || { cat "$tmp/serve.err"; echo "the server did not say it stopped"; exit 1; }
echo "app test passed; the server stopped cleanly"
