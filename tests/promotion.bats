#!/usr/bin/env bats
# The foundation end to end: server hooks installed by install.sh, real pushes through
# file:// and git daemon, and the promotion policy with every refusal path.

load helpers

setup() {
	sg_setup
	sg_server origin
	sg_clone origin work
	sg_seed work
}

teardown() { sg_teardown; }

# A change on staging, pushed there (feature work done right).
staging_change() {
	git -C work checkout -q -B staging origin/staging
	sg_commit work "${1:-values.yaml}" "${2:-replicas: 2}" "${3:-tune staging}"
	git -C work push -q origin staging
}

@test "a fast-forward promotion of staging into prod is accepted" {
	staging_change
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "stagegate: datahub · PROD (https://datahub.example.org) <- staging"
	assert_output_contains "ok    promotion"
	assert_output_contains "tip tree equals staging"
	assert_output_contains "push accepted"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse staging)"
}

@test "a merge commit of staging into prod is accepted" {
	staging_change
	git -C work checkout -q -B prod origin/prod
	sg_tick
	git -C work merge -q --no-ff -m "promote staging" staging
	run git -C work push origin prod
	assert_success
	assert_output_contains "push accepted"
}

@test "a squash merge of staging into prod is accepted" {
	staging_change values.yaml "a: 1"
	sg_commit work values.yaml "a: 2" "second staging change"
	git -C work push -q origin staging
	git -C work checkout -q -B prod origin/prod
	sg_tick
	git -C work merge -q --squash staging
	git -C work commit -q -m "squash staging"
	run git -C work push origin prod
	assert_success
	assert_output_contains "push accepted"
}

@test "a direct commit on prod is refused and named" {
	git -C work checkout -q -B prod origin/prod
	sg_commit work hotfix.yaml "x: 1" "quick fix on prod"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "FAIL  promotion"
	assert_output_contains "[promotion-untested]"
	assert_output_contains "commit $(git -C work rev-parse --short=7 HEAD) 'quick fix on prod' was made directly on prod, not on staging"
	assert_output_contains "[promotion-direct-commit]"
	assert_output_contains "push refused: 2 errors in 1 check"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "merging a feature branch into prod is refused" {
	git -C work checkout -q -b feature origin/staging
	sg_commit work feature.yaml "f: 1" "feature work"
	git -C work checkout -q -B prod origin/prod
	sg_tick
	git -C work merge -q --no-ff -m "merge feature into prod" feature
	run git -C work push origin prod
	assert_failure
	assert_output_contains "'feature work' was made directly on prod"
	assert_output_contains "'merge feature into prod' was made directly on prod"
}

@test "more than ten direct commits are named ten at a time" {
	git -C work checkout -q -B prod origin/prod
	for i in $(seq 1 12); do
		sg_commit work "d$i.yaml" "d: $i" "direct $i"
	done
	run git -C work push origin prod
	assert_failure
	assert_output_contains "'direct 12' was made directly on prod"
	refute_output_contains "'direct 2' was made directly on prod"
	assert_output_contains "error: and 2 more commits not from staging [promotion-direct-commit]"
}

@test "prod is refused while its upstream does not exist on the server" {
	git --git-dir="$SG_TMP/origin.git" update-ref -d refs/heads/staging
	git -C work checkout -q -B prod origin/prod
	sg_commit work x.yaml "x: 1" "x"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "cannot see 'staging', the upstream of 'prod': nothing can be promoted from it [promotion-no-upstream]"
	assert_output_contains "hint: push 'staging' first"
}

@test "deleting prod is refused" {
	run git -C work push origin :prod
	assert_failure
	assert_output_contains "deleting 'prod' is refused: it is a protected stage of datahub [promotion-delete]"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "a force-push to prod is refused" {
	staging_change
	git -C work push -q origin staging:prod
	run git -C work push -f origin "staging~1:prod"
	assert_failure
	assert_output_contains "non-fast-forward update of 'prod'"
	assert_output_contains "[promotion-non-ff]"
}

@test "pushing staging and prod together with a new commit is refused" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work sneaky.yaml "s: 1" "untested change"
	run git -C work push --atomic origin staging staging:prod
	assert_failure
	assert_output_contains "has content that 'staging' never had"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "the same refusal holds without --atomic: prod is judged against staging before the push" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work sneaky.yaml "s: 1" "untested change"
	run git -C work push origin staging staging:prod
	assert_failure
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "creating prod at a staging commit is accepted" {
	git -C work push -q origin :prod 2>/dev/null || true
	git --git-dir="$SG_TMP/origin.git" update-ref -d refs/heads/prod
	run git -C work push origin origin/staging:refs/heads/prod
	assert_success
	assert_output_contains "push accepted"
}

@test "creating prod at a commit staging never had is refused" {
	git --git-dir="$SG_TMP/origin.git" update-ref -d refs/heads/prod
	git -C work checkout -q -b other origin/staging
	sg_commit work other.yaml "o: 1" "never on staging"
	run git -C work push origin other:refs/heads/prod
	assert_failure
	assert_output_contains "[promotion-untested]"
}

@test "feature branches are untouched" {
	git -C work checkout -q -b feature origin/staging
	sg_commit work f.yaml "f: 1" "feature"
	run git -C work push -f origin feature
	assert_success
	assert_output_contains "refs/heads/feature (not in a promotion chain)"
	run git -C work push origin :feature
	assert_success
}

@test "many-hub pattern: physics-prod takes from physics-staging" {
	git -C work push -q origin origin/staging:refs/heads/physics-staging
	git -C work checkout -q -b physics-staging origin/staging
	sg_commit work physics.yaml "p: 1" "physics change"
	git -C work push -q origin physics-staging
	run git -C work push origin physics-staging:refs/heads/physics-prod
	assert_success
	assert_output_contains "stagegate: course hubs · PROD"
	assert_output_contains "<- physics-staging"
}

@test "many-hub pattern: physics-prod refuses what only chem-staging had" {
	git -C work checkout -q -b chem-staging origin/staging
	sg_commit work chem.yaml "c: 1" "chem change"
	git -C work push -q origin chem-staging
	git -C work push -q origin origin/staging:refs/heads/physics-staging
	run git -C work push origin chem-staging:refs/heads/physics-prod
	assert_failure
	assert_output_contains "has content that 'physics-staging' never had"
}

@test "a pushed .stagegate.yml that drops the policy has no effect on the server" {
	git -C work checkout -q -B prod origin/prod
	printf 'version: 1\ndeployments: []\n' >work/.stagegate.yml
	git -C work add .stagegate.yml
	sg_tick
	git -C work commit -q -m "drop the policy"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "[promotion-direct-commit]"
}

@test "a broken server config refuses the push with file:line:col" {
	staging_change
	printf 'version: 1\ndeployments:\n  - name: datahub\n    chian: [staging, prod]\n' \
		>"$SG_TMP/origin.git/stagegate.yml"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "$SG_TMP/origin.git/stagegate.yml:4:5: error: unknown key 'chian' in a deployment; did you mean 'chain'? [config]"
}

@test "a server config with a YAML syntax error refuses the push with its position" {
	staging_change
	printf 'version: 1\ndeployments: [\n' >"$SG_TMP/origin.git/stagegate.yml"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "origin.git/stagegate.yml:3:1: error:"
}

@test "a server without its config refuses every push" {
	rm "$SG_TMP/origin.git/stagegate.yml"
	git -C work checkout -q -b feature origin/staging
	sg_commit work x.yaml "x: 1" "x"
	run git -C work push origin feature
	assert_failure
	assert_output_contains "no server config at"
}

@test "a check that crashes refuses the push and is named" {
	mkdir -p "$SG_TMP/bin"
	printf '#!/bin/sh\ncat >/dev/null\nkill -SEGV $$\n' >"$SG_TMP/bin/stagegate-crashy"
	chmod +x "$SG_TMP/bin/stagegate-crashy"
	staging_change
	sed -i 's/  pre-receive: \[promotion\]/  pre-receive: [promotion, crashy]/' "$SG_TMP/origin.git/stagegate.yml"
	PATH=$SG_TMP/bin:$PATH run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "ERROR crashy"
	assert_output_contains "check could not run: killed by signal 11"
	assert_output_contains "1 check could not run"
}

@test "a missing check refuses the push and is named" {
	staging_change
	sed -i 's/  pre-receive: \[promotion\]/  pre-receive: [promotion, no-such-check]/' "$SG_TMP/origin.git/stagegate.yml"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "ERROR no-such-check"
	assert_output_contains "check not found: no executable 'stagegate-no-such-check'"
}

@test "a check that prints garbage instead of records refuses the push" {
	mkdir -p "$SG_TMP/bin"
	printf '#!/bin/sh\ncat >/dev/null\necho hello\n' >"$SG_TMP/bin/stagegate-chatty"
	chmod +x "$SG_TMP/bin/stagegate-chatty"
	sed -i 's/  pre-receive: \[promotion\]/  pre-receive: [chatty]/' "$SG_TMP/origin.git/stagegate.yml"
	run env PATH="$SG_TMP/bin:$PATH" git -C work push origin HEAD:refs/heads/feature
	assert_failure
	assert_output_contains "wrote output that is not a JSON record: 'hello'"
}

@test "a check that exits 1 without an error record still refuses, and says so" {
	mkdir -p "$SG_TMP/bin"
	printf '#!/bin/sh\ncat >/dev/null\nexit 1\n' >"$SG_TMP/bin/stagegate-mute"
	chmod +x "$SG_TMP/bin/stagegate-mute"
	sed -i 's/  pre-receive: \[promotion\]/  pre-receive: [mute]/' "$SG_TMP/origin.git/stagegate.yml"
	run env PATH="$SG_TMP/bin:$PATH" git -C work push origin HEAD:refs/heads/feature
	assert_failure
	assert_output_contains "FAIL  mute           error: check failed without saying why (exit status 1) [check-failed]"
}

@test "an earlier hook that is not executable is skipped with a warning" {
	printf '#!/bin/sh\nexit 1\n' >"$SG_TMP/origin.git/hooks/pre-receive.stagegate-chained"
	run git -C work push origin HEAD:refs/heads/feature
	assert_success
	assert_output_contains "warning: the earlier hook '"
	assert_output_contains "pre-receive.stagegate-chained' is not executable and was not run"
}

@test "hooks given the wrong arguments say how they are called" {
	run env GIT_DIR="$SG_TMP/origin.git" "$SG_LIBEXEC/hooks/update" refs/heads/prod
	assert_failure
	assert_output_contains "update hook: usage: update <refname> <old-oid> <new-oid>"
	run env GIT_DIR="$SG_TMP/origin.git" "$SG_LIBEXEC/hooks/update" refs/heads/prod nothex 0000000000000000000000000000000000000000
	assert_failure
	assert_output_contains "update hook: bad old object id 'nothex'"
	run env GIT_DIR="$SG_TMP/origin.git" "$SG_LIBEXEC/hooks/pre-push" origin
	assert_failure
	assert_output_contains "pre-push hook: usage: pre-push <remote-name> <remote-url>"
	run env GIT_DIR="$SG_TMP/origin.git" "$SG_LIBEXEC/hooks/pre-receive" extra </dev/null
	assert_failure
	assert_output_contains "pre-receive hook: takes no arguments"
}

@test "garbage on the pre-receive hook's stdin gets a clear error" {
	run sh -c "printf 'not a ref update\n' | GIT_DIR='$SG_TMP/origin.git' '$SG_LIBEXEC/hooks/pre-receive'"
	assert_failure
	assert_output_contains "pre-receive input line 1: wrong number of fields in 'not a ref update'; expected '<old-oid> <new-oid> <refname>'"
}

@test "binary garbage on a check's stdin gets a clear error and exit 2" {
	run sh -c "printf 'abc\000def\n' | GIT_DIR='$SG_TMP/origin.git' '$SG_LIBEXEC/stagegate-promotion' --stage pre-receive"
	assert_failure 2
	assert_output_contains "standard input holds a NUL byte"
}

@test "a bad object id on stdin names the field" {
	run sh -c "echo '1234 5678 refs/heads/prod' | GIT_DIR='$SG_TMP/origin.git' '$SG_LIBEXEC/stagegate-promotion' --stage pre-receive"
	assert_failure 2
	assert_output_contains "standard input line 1: bad old object id"
}

@test "the update hook refuses a direct commit on prod too" {
	git -C work checkout -q -B prod origin/prod
	sg_commit work hotfix.yaml "x: 1" "hotfix"
	mv "$SG_TMP/origin.git/hooks/pre-receive" "$SG_TMP/origin.git/hooks/pre-receive.off"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "[promotion-direct-commit]"
	assert_output_contains "hook declined"
}

@test "pushed objects in quarantine are read by the hook" {
	git -C work checkout -q -B prod origin/prod
	sg_commit work q.yaml "q: 1" "only in quarantine"
	run git -C work push origin prod
	assert_failure
	# The subject can only be read from the quarantined commit object.
	assert_output_contains "'only in quarantine'"
	# And a refused push leaves no trace of it in the server's object store.
	run git --git-dir="$SG_TMP/origin.git" cat-file -e "$(git -C work rev-parse HEAD)"
	assert_failure
}

@test "pushes through git daemon on 127.0.0.1 are checked the same way" {
	sg_daemon_start origin
	staging_change
	git -C work remote add daemon "$SG_DAEMON_URL"
	run git -C work push daemon staging:prod
	assert_success
	assert_output_contains "push accepted"
	git -C work checkout -q -B prod daemon/prod 2>/dev/null || git -C work checkout -q -B prod staging
	sg_commit work d.yaml "d: 1" "direct via daemon"
	run git -C work push daemon prod
	assert_failure
	assert_output_contains "'direct via daemon' was made directly on prod"
}

@test "an earlier pre-receive hook is kept, chained and still runs" {
	git init -q --bare "$SG_TMP/chained.git"
	printf '#!/bin/sh\necho "legacy hook ran"\ncat >/dev/null\nexit 0\n' >"$SG_TMP/chained.git/hooks/pre-receive"
	chmod +x "$SG_TMP/chained.git/hooks/pre-receive"
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/chained.git" --config "$(sg_config_basic)" >/dev/null
	[ -x "$SG_TMP/chained.git/hooks/pre-receive.stagegate-chained" ]
	git -C work remote add chained "file://$SG_TMP/chained.git"
	run git -C work push chained origin/staging:refs/heads/staging
	assert_success
	assert_output_contains "legacy hook ran"
}

@test "a refusing earlier hook still refuses the push" {
	git init -q --bare "$SG_TMP/chained.git"
	printf '#!/bin/sh\necho "legacy says no"\nexit 1\n' >"$SG_TMP/chained.git/hooks/pre-receive"
	chmod +x "$SG_TMP/chained.git/hooks/pre-receive"
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/chained.git" --config "$(sg_config_basic)" >/dev/null
	git -C work remote add chained "file://$SG_TMP/chained.git"
	run git -C work push chained origin/staging:refs/heads/staging
	assert_failure
	assert_output_contains "legacy says no"
	assert_output_contains "the earlier hook"
}

@test "install.sh --server twice changes nothing, and --uninstall restores the earlier hook" {
	git init -q --bare "$SG_TMP/twice.git"
	printf '#!/bin/sh\nexit 0\n' >"$SG_TMP/twice.git/hooks/pre-receive"
	chmod +x "$SG_TMP/twice.git/hooks/pre-receive"
	cfg=$(sg_config_basic)
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/twice.git" --config "$cfg" >/dev/null
	before=$(cd "$SG_TMP/twice.git" && find hooks stagegate.yml config -type f | sort | xargs sha1sum)
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/twice.git" --config "$cfg" >/dev/null
	after=$(cd "$SG_TMP/twice.git" && find hooks stagegate.yml config -type f | sort | xargs sha1sum)
	[ "$before" = "$after" ]
	[ "$(git --git-dir="$SG_TMP/twice.git" config receive.advertisePushOptions)" = true ]
	[ "$(git --git-dir="$SG_TMP/twice.git" config core.logAllRefUpdates)" = always ]
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/twice.git" --uninstall >/dev/null
	run cat "$SG_TMP/twice.git/hooks/pre-receive"
	assert_output_contains "exit 0"
	refute_output_contains "stagegate"
	[ ! -e "$SG_TMP/twice.git/hooks/update" ]
	run git --git-dir="$SG_TMP/twice.git" config receive.advertisePushOptions
	assert_failure
}

@test "install.sh --server refuses an invalid config and installs nothing" {
	git init -q --bare "$SG_TMP/bad.git"
	printf 'version: 1\nstages: {pre-recieve: [promotion]}\n' >"$SG_TMP/bad.yml"
	run "$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/bad.git" --config "$SG_TMP/bad.yml"
	assert_failure
	assert_output_contains "bad.yml:2:10: error: unknown key 'pre-recieve' in stages; did you mean 'pre-receive'?"
	[ ! -e "$SG_TMP/bad.git/hooks/pre-receive" ]
}

@test "install.sh --server refuses a config whose check section is broken" {
	git init -q --bare "$SG_TMP/bad.git"
	printf 'version: 1\nlint:\n  inclde: ["*.yaml"]\n' >"$SG_TMP/bad.yml"
	run "$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/bad.git" --config "$SG_TMP/bad.yml"
	assert_failure
	assert_output_contains "bad.yml:3:3: error: unknown key 'inclde' in lint; did you mean 'include'? [config]"
	assert_output_contains "is not a valid stagegate config for pre-receive"
	[ ! -e "$SG_TMP/bad.git/hooks/pre-receive" ]
}

@test "install.sh --server without --config is refused" {
	run "$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --server "$SG_TMP/origin.git"
	assert_failure
	assert_output_contains "--server needs --config FILE"
}
