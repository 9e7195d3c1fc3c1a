#!/usr/bin/env bash
# The report in a real browser: runs the demo and a comparison, then check_report.mjs on each report.html.
# Usage: run_report_test.sh ACCESSPLAN_BINARY
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin" demo -q --out "$tmp/demo" > /dev/null
node "$here/check_report.mjs" "$tmp/demo/results/baseline" run
"$bin" run -q "$tmp/demo/scenarios/new_ferry.yaml" --out "$tmp/ferry" > /dev/null
"$bin" compare -q "$tmp/demo/results/baseline" "$tmp/ferry" --out "$tmp/compare" > /dev/null
node "$here/check_report.mjs" "$tmp/compare" compare
