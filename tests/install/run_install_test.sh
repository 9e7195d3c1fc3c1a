#!/usr/bin/env bash
# Installs a built accessplan into a temporary prefix and builds tests/install (a downstream project using
# find_package(accessplan)) against it; runs that program and checks the installed tree.
# Usage: run_install_test.sh BUILD_DIR [cmake arguments for the downstream project...]
# ctest runs it (tests/CMakeLists.txt) with the build's generator, compiler and, in sanitized builds, their flags;
# CMAKE_COMMAND and ACCESSPLAN_PYTHON (the Python the module was built for) come from the environment.
set -euo pipefail
build="$(cd "$1" && pwd)"
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cmake="${CMAKE_COMMAND:-cmake}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/accessplan-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

fail() { echo "install test: $*" >&2; exit 1; }

echo "== cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }

# The installed tree: binary, libraries, CMake package, headers (every one of the source tree's, and version.hpp).
[[ -x "$prefix/bin/accessplan" ]] || fail "no executable $prefix/bin/accessplan"
"$prefix/bin/accessplan" --version >/dev/null || fail "$prefix/bin/accessplan --version failed"
cmakedir="$(find "$prefix" -path '*/cmake/accessplan/accessplanConfig.cmake' -printf '%h\n' | head -n 1)"
[[ -n "$cmakedir" ]] || fail "no accessplanConfig.cmake under $prefix/*/cmake/accessplan/"
libdir="$(dirname "$(dirname "$cmakedir")")"
for f in accessplanConfig.cmake accessplanConfigVersion.cmake accessplanTargets.cmake FindGLPK.cmake; do
  [[ -f "$cmakedir/$f" ]] || fail "no $cmakedir/$f"
done
for module in engine geodata scenarios viz; do
  [[ -f "$libdir/libaccessplan_$module.a" || -f "$libdir/libaccessplan_$module.so" ]] || fail "no library accessplan_$module in $libdir"
  grep -q "accessplan::$module" "$cmakedir/accessplanTargets.cmake" || fail "accessplanTargets.cmake does not define accessplan::$module"
  for header in "$root/$module/include/accessplan/$module"/*.hpp; do
    [[ -f "$prefix/include/accessplan/$module/$(basename "$header")" ]] || fail "header $module/$(basename "$header") is not installed"
  done
done
[[ -f "$prefix/include/accessplan/engine/version.hpp" ]] || fail "the generated version.hpp is not installed"
if grep -rqF -e "$build" -e "$root" "$cmakedir"; then
  fail "the installed CMake package refers to the build or source tree: $(grep -rlF -e "$build" -e "$root" "$cmakedir" | tr '\n' ' ')"
fi
# The Python package, when the build made one: installed whole (the extension and the Python files beside it), and it
# imports from there, accessplan.dask included.
if [[ -f "$build/python/accessplan/__init__.py" ]]; then
  package="$(find "$prefix" -path '*-packages/accessplan/__init__.py' -printf '%h\n' | head -n 1)"
  [[ -n "$package" ]] || fail "the build has the Python package but it is not installed under $prefix/.../*-packages/accessplan/"
  for f in "$build"/python/accessplan/*.py "$build"/python/accessplan/_core*.so; do
    [[ -f "$package/$(basename "$f")" ]] || fail "the Python package's $(basename "$f") is not installed in $package"
  done
  PYTHONPATH="$(dirname "$package")" "${ACCESSPLAN_PYTHON:-python3}" -c \
    "import accessplan, accessplan.dask, sys; sys.exit(0 if accessplan.__file__.startswith('$prefix/') and accessplan._core.__file__.startswith('$prefix/') and callable(accessplan.dask.main) else 'imported ' + accessplan.__file__)" \
    || fail "the installed Python package does not import from $(dirname "$package")"
fi
echo "installed: $(find "$prefix" -type f | wc -l) files; package in ${cmakedir#"$prefix"/}"

# One source file including every installed header: they compile from the install tree alone.
find "$prefix/include/accessplan" -name '*.hpp' | sort | sed "s|^$prefix/include/|#include <|; s|\$|>|" >"$tmp/all_headers.cpp"

echo "== downstream project: configure, build, run"
"$cmake" -S "$here" -B "$tmp/downstream" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DDOWNSTREAM_ALL_HEADERS="$tmp/all_headers.cpp" "$@" >"$tmp/configure.log" 2>&1 \
  || { cat "$tmp/configure.log" >&2; fail "the downstream project did not configure against $prefix"; }
"$cmake" --build "$tmp/downstream" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "the downstream project did not build"; }
"$tmp/downstream/downstream" || fail "the downstream program failed"
echo "install test: ok"
