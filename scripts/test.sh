#!/usr/bin/env bash
# Build ferry and run every test: unit (cmocka, under ASan/UBSan), fuzz
# drivers, and system tests (namespaces, real OVN central, ferryd).
# The last line is always "N passed, N failed".
#
#   scripts/test.sh [MESON TEST ARGS...]   e.g. scripts/test.sh --suite unit
#
# Needs root for the system tests (namespaces, af_packet). Under CI=true a
# skipped test counts as failed: CI must run everything.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

fail() {
	echo "test.sh: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

bash scripts/install-deps.sh || fail "dependencies could not be installed"
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Dwerror=true >/dev/null || fail "meson setup failed"
fi
ninja -C "$BUILD" >"$BUILD/ninja.log" 2>&1 || { cat "$BUILD/ninja.log" >&2; fail "build failed"; }

# The same tree with clang, warnings as errors (the fuzz targets use it).
CLANG_BUILD=${CLANG_BUILD:-build-clang}
CLANG_OK=skipped
if [ "${FERRY_SKIP_CLANG:-0}" != 1 ]; then
	CLANG_OK=1
	if [ ! -f "$CLANG_BUILD/build.ninja" ]; then
		CC=clang meson setup "$CLANG_BUILD" -Dwerror=true -Dtests=false >/dev/null || CLANG_OK=0
	fi
	if [ $CLANG_OK = 1 ] && ! ninja -C "$CLANG_BUILD" >"$BUILD/ninja-clang.log" 2>&1; then
		grep -E "error|warning" "$BUILD/ninja-clang.log" | head -20 >&2
		CLANG_OK=0
	fi
fi
export CLANG_OK

meson test -C "$BUILD" --no-rebuild --print-errorlogs --num-processes 2 "$@"

python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, os, sys
ci = os.environ.get("CI") == "true"
passed = failed = skipped = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    t = json.loads(line)
    r = t.get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
        print(f"skipped: {t['name']}" + (" (counted as failed under CI)" if ci else ""))
        if ci:
            failed += 1
    else:
        failed += 1
        print(f"failed: {t['name']} ({r})")
if not lines:
    failed += 1
if os.environ.get("CLANG_OK") == "0":
    print("failed: clang build (warnings are errors)")
    failed += 1
elif os.environ.get("CLANG_OK") == "1":
    passed += 1
if skipped and not ci:
    print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
