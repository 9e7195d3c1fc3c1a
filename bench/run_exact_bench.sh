#!/usr/bin/env bash
# The exact solver, GLPK against CBC (issue 18: "use CBC or GLPK, whichever is faster on the benchmark — measure
# both"). bench/ranking_bench --exact-lp solves 100, 200 and 400 candidates of the ranking benchmark's landscape
# with GLPK (the engine's solver: branch and cut, presolve, cells with the same candidates merged into one row) and
# writes each program; CBC (Debian's coinor-cbc) solves the same files. Rewrites the exact section of
# bench/RESULTS.md.
# Usage: bash bench/run_exact_bench.sh [SIZE]   (default 1000: a 100 km square of 100 m cells)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-1000}"
bash "$root/tools/setup-debian.sh" --bench
bash "$root/tools/build.sh" >/dev/null
bin="${ACCESSPLAN_BUILD_DIR:-$root/build}/bench/ranking_bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$("$bin" --size "$size" --candidates 400 --threshold 30 --exact-lp "$work")"
echo "$out" >&2
rows=""
while read -r line; do
  get() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$line" | head -1; }
  lp="$(get lp)"
  start=$(date +%s.%N)
  cbc_out="$(timeout 330 cbc "$lp" -sec 300 -solve 2>&1 || true)"
  cbc_s=$(echo "$(date +%s.%N) - $start" | bc)
  status="$(grep -m1 '^Result - ' <<<"$cbc_out" | sed 's/^Result - //')"
  objective="$(sed -n 's/^Objective value: *\([-0-9.e+]*\).*/\1/p' <<<"$cbc_out" | head -1)"
  [ -n "$objective" ] && objective="$(awk -v v="$objective" 'BEGIN{printf "%.1f", (v < 0 ? -v : v)}')"
  rows+="| $(get n) | $(get capacity) | $(get budget) | $(get glpk_s) | $(get glpk_proven) | $(get glpk_objective) | $(printf '%.2f' "$cbc_s") | ${status:-?} | ${objective:-–} | $(get greedy_gain) |
"
done < <(grep '^exact ' <<<"$out")
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
cbc_version="$(cbc -quit 2>/dev/null | sed -n 's/^Version: *//p' | head -1)"
section="<!-- exact:begin -->
## The exact solver: GLPK and CBC

Command: \`bash bench/run_exact_bench.sh $size\` — $(date -u +%Y-%m-%d), accessplan $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown),
machine: ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; GLPK $(dpkg-query -W -f='${Version}' libglpk40 2>/dev/null || echo '?'), CBC ${cbc_version:-?}.
The ranking benchmark's landscape at ${size}×${size} cells of 100 m, one service with a 30-minute walking threshold;
the first n candidates (costs 1–4), a budget of a tenth of their costs; without a capacity the program is budgeted
maximum coverage with cells reached by the same candidates merged into one row; with a capacity of 500 children it is
an assignment program (a column per reached cell and site). Both solvers get the same program (GLPK writes it;
CBC reads the LP file), a 300 s limit, and their defaults otherwise.

| n | capacity | budget | GLPK s | GLPK proven | GLPK objective | CBC s | CBC result | CBC objective | greedy |
|---|---|---|---|---|---|---|---|---|---|
${rows}
<!-- exact:end -->"
python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" exact <<<"$section"
echo "wrote $root/bench/RESULTS.md" >&2
