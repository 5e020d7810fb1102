#!/usr/bin/env bats
# valgrind on the hooks during a real push: no leaks, no invalid reads, in the hook and in
# every check it starts. Skipped where valgrind is missing or the build is sanitized (ASan and
# valgrind do not mix; `make sanitize` covers that build).

load helpers

setup() {
	sg_setup
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	if nm "$SG_LIBEXEC/hooks/pre-receive" 2>/dev/null | grep -q __asan_init; then
		skip "sanitizer build"
	fi
	sg_server origin
	sg_clone origin work
	sg_seed work
	# Run the real hooks under valgrind, children included.
	for h in pre-receive update; do
		cat >"$SG_TMP/origin.git/hooks/$h" <<HOOK
#!/bin/sh
exec valgrind -q --trace-children=yes --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	--log-file=$SG_TMP/vg.%p.log '$SG_LIBEXEC/hooks/$h' "\$@"
HOOK
	done
}

vg_clean() {
	local f bad=0
	for f in "$SG_TMP"/vg.*.log; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		cat "$f" >&2
		bad=1
	done
	[ "$bad" = 0 ]
}

@test "valgrind: an accepted promotion leaks nothing" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work a.yaml "a: 1" "staging change"
	git -C work push -q origin staging
	run git -C work push origin staging:prod
	assert_success
	vg_clean
}

@test "valgrind: a refused direct commit leaks nothing" {
	git -C work checkout -q -B prod origin/prod
	sg_commit work b.yaml "b: 1" "direct"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "[promotion-direct-commit]"
	vg_clean
}

@test "valgrind: refused garbage input and a broken config leak nothing" {
	run sh -c "echo garbage | GIT_DIR='$SG_TMP/origin.git' valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 '$SG_LIBEXEC/hooks/pre-receive'"
	[ "$status" -eq 1 ]
	printf 'deployments: [{name: x}]\n' >"$SG_TMP/origin.git/stagegate.yml"
	run sh -c "echo | GIT_DIR='$SG_TMP/origin.git' valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 '$SG_LIBEXEC/stagegate-promotion' --stage pre-receive"
	[ "$status" -eq 2 ]
	assert_output_contains "deployment 'x' needs 'chain'"
}
