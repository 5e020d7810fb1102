#!/bin/sh
# The whole suite: every cmocka unit test program, then every bats file, counted together.
# Ends with the line "N passed, N failed"; exits non-zero when anything failed.
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	CMOCKA_MESSAGE_OUTPUT=STDOUT "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or exited badly without saying which test
	fi
	echo "unit $(basename "$t"): $p passed, $f failed"
	[ "$f" -gt 0 ] && cat "$log"
	passed=$((passed + p))
	failed=$((failed + f))
done

if ls "$top"/tests/*.bats >/dev/null 2>&1; then
	SG_BUILD=$BUILD bats --tap "$top"/tests/*.bats >"$log" 2>&1
	cat "$log"
	# A skipped test is neither: counted apart and named in the closing line.
	skipped=$(grep -c '^ok .* # skip' "$log")
	p=$(($(grep -c '^ok ' "$log") - skipped))
	f=$(grep -c '^not ok ' "$log")
	if ! grep -q '^1\.\.' "$log"; then
		f=$((f + 1))	# bats itself failed to run
	fi
	passed=$((passed + p))
	failed=$((failed + f))
fi

if [ "${skipped:-0}" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
