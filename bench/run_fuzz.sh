#!/usr/bin/env bash
# Fuzzes the scenario parser and the CSV readers with libFuzzer (clang, with ASan + UBSan) for a bounded time each.
# Usage: bash bench/run_fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# Builds into build-fuzz/ (CXX=clang++, -DACCESSPLAN_FUZZ=ON), runs each target from a copy of its corpus
# (tests/fuzz/corpus/<target>), and copies any crashing input into tests/fuzz/corpus/<target>/ as crash-<sha1>, where
# every test run replays it: commit it with the fix. Prints one line per target for bench/RESULTS.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
build="${ACCESSPLAN_FUZZ_BUILD_DIR:-$root/build-fuzz}"
bash "$root/tools/setup-debian.sh" --fuzz
CXX=clang++ CC=clang cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACCESSPLAN_FUZZ=ON \
  -DACCESSPLAN_BUILD_PYTHON=OFF -DACCESSPLAN_BUILD_BENCHMARKS=OFF >/dev/null
targets=(scenario csv_table facility_csv)
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
status=0
for t in "${targets[@]}"; do
  work="$build/fuzz-work/$t"
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
  cp "$root/tests/fuzz/corpus/$t/"* "$work/corpus/"
  log="$work/fuzz.log"
  set +e
  ASAN_OPTIONS=detect_leaks=0 "$build/tests/fuzz_$t" "$work/corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  crashes=0
  for a in "$work/artifacts/"*; do
    [[ -f "$a" ]] || continue
    crashes=$((crashes + 1))
    cp "$a" "$root/tests/fuzz/corpus/$t/$(basename "$a")"
  done
  echo "fuzz_$t: ${seconds} s, ${execs} inputs, coverage ${cov} edges, ${crashes} crash input(s) kept (exit $rc); log: $log"
  if ((crashes > 0 || rc != 0)); then status=1; fi
done
exit $status
