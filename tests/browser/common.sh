# Sourced by the browser tests: `here` (this folder), `bin` (the accessplan binary, their first argument), and a skip
# (exit ACCESSPLAN_TEST_SKIP_CODE, 77) when npm has not installed playwright-core here.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$1"
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "skipped: tests/browser/node_modules has no playwright-core (tools/setup-debian.sh installs it with npm)"
  exit "${ACCESSPLAN_TEST_SKIP_CODE:-77}"
fi
