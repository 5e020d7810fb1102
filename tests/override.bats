#!/usr/bin/env bats
# The audited break-glass override: `git push -o stagegate.override="reason"` from a listed
# user turns promotion and staging-gate refusals into warnings and appends to the audit log.

load gate-helpers

setup_file() { gate_server_start; }
teardown_file() { gate_server_stop; }

setup() {
	gate_setup
	OVERRIDE='promotion: {override: {users: [alice, carol]}}'
	gate_policy "$(gate_url)" "" "$OVERRIDE"
	AUDIT=$SG_TMP/origin.git/stagegate-audit.log
}

teardown() { sg_teardown; }

# A commit made directly on prod: promotion refuses it twice (untested, direct commit).
direct_prod_commit() {
	git -C work checkout -q -B prod origin/prod
	sg_commit work hotfix.yaml "x: 1" "outage hotfix"
}

# audit_field N EXPR: a Python expression on line N (1-based) of the audit log, as JSON `a`.
audit_field() {
	python3 -c 'import json, sys
a = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])
print(eval(sys.argv[3]))' "$AUDIT" "$1" "$2"
}

@test "a listed user's override with a reason lets a refused promotion through and audits it" {
	direct_prod_commit
	local old new
	old=$(git -C work rev-parse origin/prod) new=$(git -C work rev-parse prod)
	GL_USERNAME=alice run git -C work push -o stagegate.override="staging is down, outage fix" origin prod
	assert_success
	assert_output_contains "warn  promotion      refs/heads/prod: warning: the new tip"
	assert_output_contains "OVERRIDDEN by alice: 2 refusals let through (\"staging is down, outage fix\"); recorded in the audit log [override]"
	assert_output_contains "push accepted with 3 warnings"
	assert_ref origin refs/heads/prod "$new"
	[ "$(wc -l <"$AUDIT")" -eq 1 ]
	[ "$(audit_field 1 'a["user"]')" = alice ]
	[ "$(audit_field 1 'a["check"]')" = promotion ]
	[ "$(audit_field 1 'a["reason"]')" = "staging is down, outage fix" ]
	[ "$(audit_field 1 'a["refs"]')" = "[{'ref': 'refs/heads/prod', 'old': '$old', 'new': '$new'}]" ]
	[ "$(audit_field 1 '[r["rule"] for r in a["refused"]]')" = "['promotion-untested', 'promotion-direct-commit']" ]
	[[ $(audit_field 1 'a["time"]') =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]+Z$ ]]
}

@test "an override turns a staging-gate refusal into a warning too" {
	gate_policy "$(gate_url /down)" "    health: /hub/health" "$OVERRIDE"
	staging_change
	GL_USERNAME=carol run git -C work push -o stagegate.override="hub is fine, probe broken" origin staging:prod
	assert_success
	assert_output_contains "warn  staging-gate   refs/heads/prod: warning: staging health $(gate_url /down)/hub/health: 503 in "
	assert_output_contains "OVERRIDDEN by carol: 1 refusal let through"
	[ "$(audit_field 1 'a["check"]')" = staging-gate ]
	[ "$(audit_field 1 '[r["rule"] for r in a["refused"]]')" = "['staging-health']" ]
}

@test "an unlisted user's override is refused with the reason" {
	direct_prod_commit
	GL_USERNAME=bob run git -C work push -o stagegate.override="let me" origin prod
	assert_failure
	assert_output_contains "FAIL  promotion"
	assert_output_contains "error: override refused: user 'bob' is not in promotion.override.users [override-refused]"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
	[ ! -e "$AUDIT" ]
}

@test "the server takes the pusher from the platform, not from a STAGEGATE_USER the pusher set" {
	direct_prod_commit
	STAGEGATE_USER=alice GL_USERNAME=mallory run git -C work push -o stagegate.override="trust me" origin prod
	assert_failure
	assert_output_contains "error: override refused: user 'mallory' is not in promotion.override.users [override-refused]"
	[ ! -e "$AUDIT" ]
}

@test "an override with an empty reason is refused" {
	direct_prod_commit
	GL_USERNAME=alice run git -C work push -o stagegate.override= origin prod
	assert_failure
	assert_output_contains "error: override refused: the reason is empty: say why, as in git push -o stagegate.override=\"staging is down, hotfix for outage\" [override-refused]"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
	[ ! -e "$AUDIT" ]
}

@test "an override option without a value is refused as an empty reason" {
	direct_prod_commit
	GL_USERNAME=alice run git -C work push -o stagegate.override origin prod
	assert_failure
	assert_output_contains "override refused: the reason is empty"
}

@test "a server that does not advertise push options refuses the override push" {
	git --git-dir="$SG_TMP/origin.git" config receive.advertisePushOptions false
	direct_prod_commit
	GL_USERNAME=alice run git -C work push -o stagegate.override="outage" origin prod
	assert_failure
	assert_output_contains "the receiving end does not support push options"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
	[ ! -e "$AUDIT" ]
}

@test "an override never bypasses a check that could not run" {
	staging_change
	gate_policy "$(gate_url)" "    health: /hub/health" "$OVERRIDE
staging_gate: {versionpath: /hub/api}"
	GL_USERNAME=alice run git -C work push -o stagegate.override="outage" origin staging:prod
	assert_failure
	assert_output_contains "ERROR staging-gate"
	assert_output_contains "1 check could not run (a check that cannot run refuses)"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
	[ ! -e "$AUDIT" ]
}

@test "an override on a push that nothing refuses is not audited" {
	staging_change
	GL_USERNAME=alice run git -C work push -o stagegate.override="just in case" origin staging:prod
	assert_success
	refute_output_contains "OVERRIDDEN"
	[ ! -e "$AUDIT" ]
}

@test "the push option's name and the audit log's place come from the config" {
	gate_policy "$(gate_url)" "" "promotion: {override: {push_option: break-glass, users: [alice], audit_log: audit/prod.log}}"
	mkdir "$SG_TMP/origin.git/audit"
	direct_prod_commit
	GL_USERNAME=alice run git -C work push -o stagegate.override="ignored" origin prod
	assert_failure
	GL_USERNAME=alice run git -C work push -o break-glass="outage" origin prod
	assert_success
	AUDIT=$SG_TMP/origin.git/audit/prod.log
	[ "$(audit_field 1 'a["reason"]')" = outage ]
}

@test "the audit log cannot be written: the override is refused" {
	gate_policy "$(gate_url)" "" "promotion: {override: {users: [alice], audit_log: no/such/dir.log}}"
	direct_prod_commit
	GL_USERNAME=alice run git -C work push -o stagegate.override="outage" origin prod
	assert_failure
	assert_output_contains "ERROR promotion      check could not run: exited with status 2: cannot open the audit log"
	assert_output_contains "the override is refused"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "the update hook honours the override pre-receive audited for the same push" {
	cat >"$SG_TMP/origin.git/stagegate.yml" <<'YAML'
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
promotion: {override: {users: [alice]}}
stages:
  pre-receive: [promotion]
  update: [promotion]
YAML
	direct_prod_commit
	GL_USERNAME=alice run git -C work push -o stagegate.override="outage" origin prod
	assert_success
	assert_output_contains "OVERRIDDEN by alice: 2 refusals let through"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse prod)"
	[ "$(wc -l <"$AUDIT")" -eq 1 ]
	[[ $(audit_field 1 'a["push"]') == receive-pack-* ]]
}

@test "the update hook does not honour an override audited for another push" {
	cat >"$SG_TMP/origin.git/stagegate.yml" <<'YAML'
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
promotion: {override: {users: [alice]}}
stages:
  pre-receive: []
  update: [promotion]
YAML
	direct_prod_commit
	local old new
	old=$(git -C work rev-parse origin/prod) new=$(git -C work rev-parse prod)
	printf '{"time":"2024-01-01T00:00:00Z","push":"receive-pack-1-1","user":"alice","check":"promotion","reason":"x","refs":[{"ref":"refs/heads/prod","old":"%s","new":"%s"}],"refused":[]}\n' \
		"$old" "$new" >"$AUDIT"
	GL_USERNAME=alice run git -C work push -o stagegate.override="outage" origin prod
	assert_failure
	assert_output_contains "FAIL  promotion"
	assert_ref origin refs/heads/prod "$old"
}

@test "an override with nobody listed says the list is empty and where to set it" {
	gate_policy "$(gate_url)" "" "promotion: {override: {users: []}}"
	direct_prod_commit
	GL_USERNAME=alice run git -C work push -o stagegate.override="outage" origin prod
	assert_failure
	assert_output_contains "error: override refused: nobody may override: promotion.override.users is empty [override-refused]"
	assert_output_contains "hint: the errors above stand; list who may override in promotion.override.users in $SG_TMP/origin.git/stagegate.yml, or fix the cause"
	refute_output_contains "ask someone listed"
}
