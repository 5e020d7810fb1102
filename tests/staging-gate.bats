#!/usr/bin/env bats
# staging-gate's health and version checks against a real HTTP server on 127.0.0.1, through
# real pushes into a server with the pre-receive hook installed.

load gate-helpers

setup_file() { gate_server_start; }
teardown_file() { gate_server_stop; }

setup() {
	gate_setup
	staging_change
}

teardown() { sg_teardown; }

@test "a promotion is accepted when staging's health endpoint answers 200" {
	gate_policy "$(gate_url)" "    health: /hub/health"
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "stagegate: datahub · PROD (https://datahub.example.org) <- staging"
	assert_output_contains "ok    staging-gate"
	assert_output_contains "refs/heads/prod: health $(gate_url)/hub/health: 200 in "
	assert_output_contains "push accepted"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse staging)"
}

@test "a promotion is refused when staging's health endpoint answers 503" {
	gate_policy "$(gate_url /down)" "    health: /hub/health"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "FAIL  staging-gate"
	assert_output_contains "refs/heads/prod: error: staging health $(gate_url /down)/hub/health: 503 in "
	assert_output_contains "ms: staging is not up, so prod cannot be promoted [staging-health]"
	assert_output_contains "hint: bring staging back and check it, then push again"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "a promotion is refused when staging's health endpoint hangs past the timeout" {
	gate_policy "$(gate_url /hang)" "    health: /hub/health
    timeout: 1"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: staging health $(gate_url /hang)/hub/health: no answer within "
	assert_output_contains "ms (timed out): staging is not up, so prod cannot be promoted [staging-health]"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "a promotion is refused when staging refuses the connection" {
	local port
	port=$(python3 "$SG_TOP/tests/fixtures/gate/server.py" --free-port)
	gate_policy "http://127.0.0.1:$port" "    health: /hub/health"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: staging health http://127.0.0.1:$port/hub/health: "
	assert_output_contains "cannot connect: Connection refused (after "
	assert_output_contains "[staging-health]"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "a redirect from the health endpoint is not followed and refuses" {
	gate_policy "$(gate_url /moved)" "    health: /hub/health"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: staging health $(gate_url /moved)/hub/health: 302 in "
	assert_output_contains "hint: redirects are not followed: give the final URL in 'urls' and 'health'"
}

@test "a promotion is accepted when staging reports the expected version" {
	gate_policy "$(gate_url)" "    health: /hub/health
    expect_version: '4.0.2'"
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "health $(gate_url)/hub/health: 200 in "
	assert_output_contains "staging runs version 4.0.2"
}

@test "a promotion is refused when staging reports another version" {
	gate_policy "$(gate_url /old)" "    health: /hub/health
    expect_version: '4.0.2'"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: staging runs version 3.1.1, expected 4.0.2 ($(gate_url /old)/hub/api) [staging-version]"
	assert_output_contains "hint: deploy 4.0.2 to staging and test it there first, or update expect_version"
}

@test "the version is read from the health answer when it is JSON" {
	gate_policy "$(gate_url /json)" "    health: /hub/health
    expect_version: '4.0.2'"
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "staging runs version 4.0.2"
}

@test "an answer without a version refuses when a version is expected" {
	gate_policy "$(gate_url /noversion)" "    expect_version: '4.0.2'"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: staging version $(gate_url /noversion)/hub/api: the answer has no JSON 'version' [staging-version]"
}

@test "staging_gate.version_path says where the version is served" {
	gate_policy "$(gate_url)" "    expect_version: '4.0.2'" "staging_gate: {version_path: /json/hub/health}"
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "staging runs version 4.0.2"
}

@test "with nothing configured the gate passes with a note" {
	gate_policy "$(gate_url)"
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "ok    staging-gate   refs/heads/prod: nothing to check: no health, expect_version, require_attestation or soak_minutes configured"
}

@test "pushes to staging itself are not gated" {
	gate_policy "$(gate_url /down)" "    health: /hub/health"
	sg_commit work values.yaml "replicas: 3" "more staging"
	run git -C work push origin staging
	assert_success
	refute_output_contains "health"
}

@test "a health path without a staging URL is a config error that refuses the push" {
	cat >"$SG_TMP/origin.git/stagegate.yml" <<'YAML'
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
    urls: {prod: 'https://datahub.example.org'}
    health: /hub/health
stages:
  pre-receive: [promotion, staging-gate]
YAML
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "ERROR staging-gate"
	assert_output_contains "stagegate.yml:3:5: error: deployment 'datahub' has 'health' but no URL for 'staging' in 'urls' [config]"
	assert_output_contains "1 check could not run"
}

@test "an unknown key in staging_gate is an error with a suggestion" {
	gate_policy "$(gate_url)" "    health: /hub/health" "staging_gate: {version_pth: /hub/api}"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "unknown key 'version_pth' in staging_gate; did you mean 'version_path'? [config]"
}

@test "the check runs by hand with --format json" {
	gate_policy "$(gate_url /down)" "    health: /hub/health"
	cd work
	run stagegate staging-gate --stage ci --config "$SG_TMP/origin.git/stagegate.yml" --format json \
		<<<"$(git rev-parse origin/prod) $(git rev-parse staging) refs/heads/prod"
	assert_failure 1
	assert_output_contains '"check":"staging-gate","rule":"staging-health","severity":"error"'
}

@test "a promotion before the soak time is refused with the time left" {
	gate_policy "$(gate_url)" "" "promotion: {soak_minutes: 30}"
	age_staging_reflog 20
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "refs/heads/prod: error: soaked 20 min on staging, needs 30 min: 10 min left (from the reflog of refs/heads/staging) [staging-soak]"
	assert_output_contains "hint: promotion.soak_minutes is 30: wait, then push again"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "a promotion after the soak time is accepted" {
	gate_policy "$(gate_url)" "" "promotion: {soak_minutes: 30}"
	age_staging_reflog 45
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "ok    staging-gate   refs/heads/prod: soaked 45 min (needs 30 min)"
}

@test "a commit keeps its soak time while newer commits land on staging" {
	gate_policy "$(gate_url)" "" "promotion: {soak_minutes: 30}"
	age_staging_reflog 45
	local soaked
	soaked=$(git -C work rev-parse staging)
	sg_commit work values.yaml "replicas: 4" "newer staging change"
	# Logged at the real time: the server's reflog now has this push as its newest entry.
	env -u GIT_COMMITTER_DATE git -C work push -q origin staging 2>/dev/null
	run git -C work push origin "$soaked:refs/heads/prod"
	assert_success
	assert_output_contains "soaked 45 min (needs 30 min)"
}

@test "a promotion is refused when nothing dates the staging commit" {
	gate_policy "$(gate_url)" "" "promotion: {soak_minutes: 30}"
	rm "$SG_TMP/origin.git/logs/refs/heads/staging"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: cannot tell how long $(git -C work rev-parse --short=7 staging) has been on staging: no reflog entry of refs/heads/staging contains it and no passing attestation dates it [staging-soak]"
	assert_output_contains "hint: set core.logAllRefUpdates=always on the server"
}

@test "without a reflog the soak time counts from the attestation" {
	gate_policy "$(gate_url)" "" "promotion: {soak_minutes: 30}"
	rm "$SG_TMP/origin.git/logs/refs/heads/staging"
	(cd work && stagegate attest staging --push origin >/dev/null)
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: soaked 0 min on staging, needs 30 min: 30 min left (from its attestation) [staging-soak]"
}

@test "health, attestation and soak are all reported on one accepted promotion" {
	gate_policy "$(gate_url)" "    health: /hub/health" "promotion: {soak_minutes: 30, require_attestation: true}"
	(cd work && STAGEGATE_USER=ci stagegate attest staging --push origin >/dev/null)
	age_staging_reflog 120
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "ok    staging-gate   refs/heads/prod: health $(gate_url)/hub/health: 200 in "
	assert_output_contains "refs/heads/prod: attested pass by ci at "
	assert_output_contains "refs/heads/prod: soaked 2 h 0 min (needs 30 min)"
}

@test "a missing attestation names the protected branch, not 'prod'" {
	cat >"$SG_TMP/live.yml" <<'YAML'
version: 1
deployments:
  - name: datahub
    chain: [staging, live]
promotion: {require_attestation: true}
YAML
	cd work
	run stagegate staging-gate --stage ci --config "$SG_TMP/live.yml" \
		<<<"$(git rev-parse origin/prod) $(git rev-parse staging) refs/heads/live"
	assert_failure 1
	assert_output_contains "needs a passing 'stagegate attest staging' on the staging commit live takes [staging-attestation]"
	refute_output_contains "prod"
}

@test "without a reflog an attestation dated in the future does not start the soak clock" {
	gate_policy "$(gate_url)" "" "promotion: {soak_minutes: 30}"
	rm "$SG_TMP/origin.git/logs/refs/heads/staging"
	git -C work notes --ref=stagegate add -m '{"env":"staging","result":"pass","user":"ci","time":"2999-01-01T00:00:00Z"}' staging
	git -C work push -q origin refs/notes/stagegate 2>/dev/null
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: cannot tell how long $(git -C work rev-parse --short=7 staging) has been on staging: no reflog entry of refs/heads/staging contains it and its passing attestation is dated 2999-01-01T00:00:00Z, in the future [staging-soak]"
	assert_output_contains "hint: fix the clock of the job that attested, or set core.logAllRefUpdates=always on the server"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "a commit staging never had is refused when an attestation is required" {
	gate_policy "$(gate_url)" "" "promotion: {require_attestation: true}"
	git -C work checkout -q -B prod origin/prod
	sg_commit work values.yaml "replicas: 9" "straight to prod"
	cd work
	run stagegate staging-gate --stage ci --config "$SG_TMP/origin.git/stagegate.yml" \
		<<<"$(git rev-parse origin/prod) $(git rev-parse prod) refs/heads/prod"
	assert_failure 1
	assert_output_contains "refs/heads/prod: error: no commit of 'staging' has the content of $(git rev-parse --short=7 prod): staging never ran it, so it has no attestation or soak time [staging-gate]"
	assert_output_contains "hint: merge staging into prod instead"
}

@test "a promotion is refused when the server has no upstream branch" {
	gate_policy "$(gate_url)" "" "promotion: {require_attestation: true}"
	git -C "$SG_TMP/origin.git" update-ref -d refs/heads/staging
	git -C work fetch -q --prune origin
	git -C work checkout -q -B prod origin/prod
	git -C work branch -q -D staging
	cd work
	run stagegate staging-gate --stage pre-receive --config "$SG_TMP/origin.git/stagegate.yml" \
		<<<"$(git rev-parse origin/prod) $(git rev-parse prod) refs/heads/prod"
	assert_failure 1
	assert_output_contains "refs/heads/prod: error: cannot see 'staging', the upstream of 'prod': nothing shows that it ran there [staging-gate]"
	assert_output_contains "hint: push 'staging' first"
}

@test "before a push, a missing upstream tracking ref asks for a fetch" {
	gate_policy "$(gate_url)" "" "promotion: {require_attestation: true}"
	git -C work update-ref -d refs/remotes/origin/staging
	git -C work checkout -q -B prod origin/prod
	cd work
	STAGEGATE_REMOTE=origin run stagegate staging-gate --stage pre-push \
		--config "$SG_TMP/origin.git/stagegate.yml" \
		<<<"$(git rev-parse origin/prod) $(git rev-parse prod) refs/heads/prod"
	assert_failure 1
	assert_output_contains "error: cannot see 'staging', the upstream of 'prod': nothing shows that it ran there [staging-gate]"
	assert_output_contains "hint: git fetch origin, then push again"
}

@test "with only a soak configured and a reflog that dates the commit, notes are not read" {
	gate_policy "$(gate_url)" "" "promotion: {soak_minutes: 30}"
	age_staging_reflog 45
	# Notes that cannot be read would make the check fail if it looked at them.
	git -C "$SG_TMP/origin.git" update-ref refs/notes/stagegate \
		"$(git -C "$SG_TMP/origin.git" hash-object -w --stdin <<<'not a commit')"
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "soaked 45 min (needs 30 min)"
}

@test "an unreadable staging_gate.ca_file is a config error at its line" {
	gate_policy "$(gate_url)" "    health: /hub/health" "staging_gate:
  ca_file: $SG_TMP/no-such-ca.pem"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "stagegate.yml:8:12: error: staging_gate.ca_file '$SG_TMP/no-such-ca.pem' cannot be read: No such file or directory [config]"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "staging_gate must be a mapping" {
	gate_policy "$(gate_url)" "    health: /hub/health" "staging_gate: [version_path]"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "stagegate.yml:7:15: error: staging_gate must be a mapping, not a list [config]"
}

@test "staging_gate.version_path must be a non-empty string" {
	gate_policy "$(gate_url)" "    expect_version: '4.0.2'" "staging_gate: {version_path: {a: b}}"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "stagegate.yml:7:30: error: staging_gate.version_path must be a string, not a mapping [config]"
	gate_policy "$(gate_url)" "    expect_version: '4.0.2'" "staging_gate: {version_path: ''}"
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "stagegate.yml:7:30: error: staging_gate.version_path must not be empty [config]"
}
