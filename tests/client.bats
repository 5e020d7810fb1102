#!/usr/bin/env bats
# Client hooks installed by install.sh --client: pre-push against remote-tracking refs,
# pre-merge-commit and pre-commit on a protected branch, chaining, core.hooksPath, and the
# ci front end on a range.

load helpers

setup() {
	sg_setup
	# A server without hooks: these tests prove the client side stops things on its own.
	git init -q --bare "$SG_TMP/origin.git"
	sg_clone origin work
	sg_config_basic "$SG_TMP/work/.stagegate.yml" >/dev/null
	git -C work add .stagegate.yml
	sg_seed work
	sg_install_client work
}

teardown() { sg_teardown; }

@test "pre-push refuses a direct commit pushed to prod, judged on origin/staging" {
	git -C work checkout -q -B prod origin/prod
	SG_COMMIT_FLAGS=--no-verify sg_commit work hotfix.yaml "h: 1" "laptop hotfix"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "stagegate: datahub · PROD (https://datahub.example.org) <- staging · via origin"
	assert_output_contains "'laptop hotfix' was made directly on prod"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "pre-push accepts promoting what origin/staging has" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work v.yaml "v: 1" "staging change"
	git -C work push -q origin staging
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "push accepted"
}

@test "pre-push refuses what local staging has but origin/staging does not" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work v.yaml "v: 1" "not pushed to staging yet"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "never had (refs/remotes/origin/staging is at"
}

@test "pre-push to a URL with no remote name uses the local upstream branch" {
	git -C work checkout -q -B prod origin/prod
	SG_COMMIT_FLAGS=--no-verify sg_commit work u.yaml "u: 1" "direct"
	run git -C work push "file://$SG_TMP/origin.git" prod
	assert_failure
	assert_output_contains "[promotion-direct-commit]"
}

@test "pre-push lints the commits of a new branch that the remote does not have" {
	git -C work checkout -q -b feature origin/staging
	sed -i 's/  pre-push: \[promotion\]/  pre-push: [promotion, helm-lint]/' work/.stagegate.yml
	printf 'a: 1\na: 2\n' >work/values.yaml
	git -C work add .stagegate.yml values.yaml
	sg_tick
	git -C work commit -q --no-verify -m "a duplicate key"
	run git -C work push origin feature
	assert_failure
	assert_output_contains "values.yaml:2:1: error: duplicate key"
}

@test "pre-push accepts pushing a commit by its SHA" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work v.yaml "v: 1" "staging change"
	run git -C work push origin "$(git -C work rev-parse HEAD):refs/heads/staging"
	assert_success
	assert_output_contains "push accepted"
}

@test "pre-commit refuses a direct commit on prod" {
	git -C work checkout -q -B prod origin/prod
	echo "x: 1" >work/x.yaml
	git -C work add x.yaml
	run git -C work commit -m "direct on prod"
	assert_failure
	assert_output_contains "committing directly on 'prod' is refused: it takes only merges of 'staging' [promotion-direct-commit]"
	assert_output_contains "commit refused"
	[ "$(git -C work rev-parse HEAD)" = "$(git -C work rev-parse origin/prod)" ]
}

@test "pre-commit allows commits on staging and feature branches" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work ok.yaml "ok: 1" "fine on staging"
	git -C work checkout -q -b feature
	run sg_commit work ok2.yaml "ok: 2" "fine on a feature branch"
	assert_success
}

@test "pre-merge-commit refuses merging a feature branch into prod" {
	git -C work checkout -q -b feature origin/staging
	sg_commit work f.yaml "f: 1" "feature"
	git -C work checkout -q -B prod origin/prod
	sg_tick
	run git -C work merge --no-ff -m "merge feature" feature
	assert_failure
	assert_output_contains "is refused: it is not on 'staging', the only branch that may be merged into 'prod' [promotion-merge-source]"
	git -C work merge --abort
}

@test "pre-merge-commit accepts merging staging into prod" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work s.yaml "s: 1" "staging"
	git -C work push -q origin staging
	git -C work checkout -q -B prod origin/prod
	sg_tick
	run git -C work merge --no-ff -m "promote" staging
	assert_success
	assert_output_contains "merge accepted"
}

@test "pre-merge-commit accepts an octopus merge of two staging commits into prod" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work s1.yaml "s: 1" "staging one"
	git -C work branch -q first
	git -C work checkout -q -b second origin/staging
	sg_commit work s2.yaml "s: 2" "staging two"
	git -C work checkout -q staging
	sg_tick
	git -C work merge -q --no-edit second
	git -C work push -q origin staging
	git -C work checkout -q -B prod origin/prod
	sg_tick
	run git -C work merge --no-ff -m "promote both" first second
	assert_success
	assert_output_contains "merge accepted"
}

@test "pre-merge-commit refuses when the upstream cannot be seen, and says to fetch" {
	git -C work checkout -q -b feature origin/staging
	sg_commit work f.yaml "f: 1" "feature"
	git -C work update-ref -d refs/remotes/origin/staging
	git -C work branch -q -D staging 2>/dev/null || true
	git -C work checkout -q -B prod origin/prod
	sg_tick
	run git -C work merge --no-ff -m "merge feature" feature
	assert_failure
	assert_output_contains "cannot see 'staging', the upstream of 'prod': nothing can be promoted from it [promotion-no-upstream]"
	assert_output_contains "hint: run 'git fetch origin' so that staging's state is known"
	git -C work merge --abort
}

@test "pre-commit concluding a conflicted merge of staging into prod is allowed" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work c.yaml "from staging" "staging side"
	git -C work push -q origin staging
	git -C work checkout -q -B prod origin/prod
	# Bypass our own hooks to make prod diverge, as an admin on the server could.
	SG_COMMIT_FLAGS=--no-verify sg_commit work c.yaml "from prod" "prod side"
	run git -C work merge staging
	assert_failure
	echo "resolved" >work/c.yaml
	git -C work add c.yaml
	sg_tick
	run git -C work commit -m "promote staging, conflict resolved"
	assert_success
}

@test "an existing client hook is chained, and --uninstall restores it" {
	git init -q "$SG_TMP/c2"
	printf '#!/bin/sh\necho "my own pre-commit ran"\n' >"$SG_TMP/c2/.git/hooks/pre-commit"
	chmod +x "$SG_TMP/c2/.git/hooks/pre-commit"
	sg_install_client "$SG_TMP/c2"
	[ -x "$SG_TMP/c2/.git/hooks/pre-commit.stagegate-chained" ]
	run sg_commit "$SG_TMP/c2" a.txt a "first"
	assert_success
	assert_output_contains "my own pre-commit ran"
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --client "$SG_TMP/c2" --uninstall >/dev/null
	run cat "$SG_TMP/c2/.git/hooks/pre-commit"
	assert_output_contains "my own pre-commit ran"
	[ ! -e "$SG_TMP/c2/.git/hooks/pre-push" ]
}

@test "install.sh --client respects core.hooksPath" {
	git init -q "$SG_TMP/c3"
	git -C "$SG_TMP/c3" config core.hooksPath .githooks
	sg_install_client "$SG_TMP/c3"
	[ -x "$SG_TMP/c3/.githooks/pre-push" ]
	[ ! -e "$SG_TMP/c3/.git/hooks/pre-push" ]
}

@test "install.sh --client twice changes nothing" {
	before=$(sha1sum work/.git/hooks/pre-push work/.git/hooks/pre-commit)
	sg_install_client work
	after=$(sha1sum work/.git/hooks/pre-push work/.git/hooks/pre-commit)
	[ "$before" = "$after" ]
	[ ! -e work/.git/hooks/pre-push.stagegate-chained ]
}

@test "a hook in a linked worktree finds its repository" {
	git -C work worktree add -q "$SG_TMP/wt" -b wt-prod origin/prod
	git -C "$SG_TMP/wt" checkout -q -B prod origin/prod 2>/dev/null || true
	git -C work checkout -q staging 2>/dev/null || git -C work checkout -q -B staging origin/staging
	git -C "$SG_TMP/wt" checkout -q prod 2>/dev/null || git -C "$SG_TMP/wt" checkout -q -B prod origin/prod
	echo "w: 1" >"$SG_TMP/wt/w.yaml"
	git -C "$SG_TMP/wt" add w.yaml
	run git -C "$SG_TMP/wt" commit -m "direct on prod from a worktree"
	assert_failure
	assert_output_contains "committing directly on 'prod' is refused"
}

@test "a broken client config refuses the commit with its position" {
	git -C work checkout -q -B staging origin/staging
	printf 'version: 2\n' >work/.stagegate.yml
	git -C work add .stagegate.yml
	run git -C work commit -m "bad config"
	assert_failure
	assert_output_contains ".stagegate.yml:1:10: error: unsupported config version"
}

@test "stagegate ci refuses a range that puts a direct commit on prod" {
	git -C work checkout -q -B prod origin/prod
	SG_COMMIT_FLAGS=--no-verify sg_commit work d.yaml "d: 1" "direct"
	cd work
	run stagegate ci --base origin/prod --head prod --ref prod
	assert_failure 1
	assert_output_contains "[promotion-direct-commit]"
	assert_output_contains "check refused"
}

@test "stagegate ci --format json prints one record per line" {
	git -C work checkout -q -B prod origin/prod
	SG_COMMIT_FLAGS=--no-verify sg_commit work d.yaml "d: 1" "direct"
	cd work
	run stagegate ci --base origin/prod --ref prod --format json
	assert_failure 1
	assert_output_contains '{"check":"promotion","rule":"promotion-direct-commit","severity":"error","ref":"refs/heads/prod","commit":"'
}

@test "stagegate ci --format github prints workflow commands" {
	git -C work checkout -q -B prod origin/prod
	SG_COMMIT_FLAGS=--no-verify sg_commit work d.yaml "d: 1" "direct"
	cd work
	run stagegate ci --base origin/prod --ref prod --format github
	assert_failure 1
	assert_output_contains "::error title=promotion promotion-direct-commit::commit "
}

@test "stagegate ci in a shallow clone exits 2 and says how to get the history" {
	git -C work checkout -q -B staging origin/staging
	sg_commit work s1.yaml "s: 1" "staging one"
	git -C work push -q origin staging
	git clone -q --depth 1 --no-single-branch -b staging "file://$SG_TMP/origin.git" "$SG_TMP/shallow" 2>/dev/null
	cd "$SG_TMP/shallow"
	run stagegate ci --base origin/prod --head origin/staging --ref prod
	assert_failure 2
	assert_output_contains "history is shallow: the promotion check needs full history; run 'git fetch --unshallow'"
	assert_output_contains "ERROR promotion"
}

@test "stagegate ci without --base is a usage error" {
	cd work
	run stagegate ci
	assert_failure 2
	assert_output_contains "ci needs --base REV"
}

@test "stagegate ci --stage points to stagegate check, and bad options say so on stderr only" {
	cd work
	run stagegate ci --base origin/prod --stage pre-push
	assert_failure 2
	assert_output_contains "ci always runs the ci stage; for another stage use 'stagegate check --stage pre-push'"
	run sh -c 'stagegate check --stage nope 2>/dev/null'
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	run stagegate check --stage nope
	assert_output_contains "unknown stage 'nope' (pre-commit, pre-merge-commit, pre-push, pre-receive, update, ci)"
}

@test "stagegate ci on an unknown revision names it" {
	cd work
	run stagegate ci --base no-such-rev
	assert_failure 2
	assert_output_contains "unknown revision 'no-such-rev'"
}

@test "stagegate dispatches unknown commands to stagegate-<name> and says when there is none" {
	run stagegate frobnicate
	assert_failure 2
	assert_output_contains "'frobnicate' is not a stagegate command"
	mkdir -p "$SG_TMP/bin"
	printf '#!/bin/sh\necho "plugin got: $*"\n' >"$SG_TMP/bin/stagegate-hello"
	chmod +x "$SG_TMP/bin/stagegate-hello"
	PATH=$SG_TMP/bin:$PATH run stagegate hello a b
	assert_success
	assert_output_contains "plugin got: a b"
}

@test "stagegate version and help" {
	run stagegate version
	assert_success
	assert_output_contains "stagegate 0.1.0"
	run stagegate help
	assert_success
	assert_output_contains "usage: stagegate <command>"
}
