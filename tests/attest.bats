#!/usr/bin/env bats
# `stagegate attest` and promotion.require_attestation: notes under refs/notes/stagegate,
# written by the staging deploy job, pushed, and read by the server's pre-receive hook.

load gate-helpers

setup() {
	gate_setup
	gate_policy "https://staging.datahub.example.org" "" "promotion: {require_attestation: true}"
	staging_change
	export STAGEGATE_USER=ci
}

teardown() { sg_teardown; }

@test "attest writes a note with env, result, user, time and message" {
	cd work
	run stagegate attest staging --message "smoke tests passed"
	assert_success
	assert_output_contains "attested pass for staging on $(git rev-parse --short=7 HEAD) by ci at "
	run git notes --ref=stagegate show HEAD
	assert_success
	[[ $output =~ ^\{\"env\":\"staging\",\"result\":\"pass\",\"user\":\"ci\",\"time\":\"20[0-9-]+T[0-9:]+Z\",\"message\":\"smoke\ tests\ passed\"\}$ ]]
}

@test "a second attestation of the same commit is appended to its note" {
	cd work
	stagegate attest staging --result fail >/dev/null
	stagegate attest staging >/dev/null
	run git notes --ref=stagegate show HEAD
	[ "${#lines[@]}" -eq 2 ]
	assert_output_contains '"result":"fail"'
	assert_output_contains '"result":"pass"'
}

@test "attest --push sends the notes to the server" {
	cd work
	run stagegate attest staging --push origin
	assert_success
	assert_output_contains ", pushed to origin"
	assert_ref origin refs/notes/stagegate "$(git rev-parse refs/notes/stagegate)"
}

@test "a promotion whose staging commit carries a pushed passing attestation is accepted" {
	(cd work && stagegate attest staging --push origin --message "tests ok" >/dev/null)
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "ok    staging-gate   refs/heads/prod: attested pass by ci at "
	assert_output_contains ": tests ok"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse staging)"
}

@test "the same promotion without an attestation is refused" {
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "FAIL  staging-gate   refs/heads/prod: error: no attestation that staging tested $(git -C work rev-parse --short=7 staging): promotion.require_attestation needs a passing 'stagegate attest staging' on the staging commit prod takes [staging-attestation]"
	assert_output_contains "hint: the staging deploy job runs 'stagegate attest staging $(git -C work rev-parse --short=7 staging) --push origin' after its tests"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "a failing attestation refuses the promotion" {
	(cd work && stagegate attest staging --result fail --message "hub pod crash-loops" --push origin >/dev/null)
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "error: staging attested fail by ci at "
	assert_output_contains ": hub pod crash-loops [staging-attestation]"
}

@test "a passing attestation after a failing one is accepted" {
	(cd work && stagegate attest staging --result fail --push origin >/dev/null &&
		stagegate attest staging --push origin >/dev/null)
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "attested pass by ci"
}

@test "a note on a different commit with the same tree is accepted (squash merge)" {
	(cd work && stagegate attest staging --push origin >/dev/null)
	git -C work checkout -q -B prod origin/prod
	sg_tick
	git -C work merge -q --squash staging
	git -C work commit -q -m "squash staging"
	[ "$(git -C work rev-parse prod)" != "$(git -C work rev-parse staging)" ]
	run git -C work push origin prod
	assert_success
	assert_output_contains "attested pass by ci"
}

@test "a note pushed in the same push as prod is read in quarantine" {
	(cd work && stagegate attest staging >/dev/null)
	assert_ref origin refs/notes/stagegate ""
	run git -C work push origin refs/notes/stagegate staging:prod
	assert_success
	assert_output_contains "attested pass by ci"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse staging)"
}

@test "an attestation for another environment does not count" {
	(cd work && stagegate attest prod --push origin >/dev/null)
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "no attestation that staging tested"
}

@test "an attestation on an older staging commit does not cover a newer tree" {
	(cd work && stagegate attest staging --push origin >/dev/null)
	sg_commit work values.yaml "replicas: 5" "untested change"
	git -C work push -q origin staging 2>/dev/null
	run git -C work push origin staging:prod
	assert_failure
	assert_output_contains "no attestation that staging tested $(git -C work rev-parse --short=7 staging)"
}

@test "attest --push builds on notes another job pushed" {
	sg_clone origin other
	(cd other && git checkout -q origin/prod && stagegate attest staging --push origin >/dev/null)
	(cd work && stagegate attest staging --push origin >/dev/null)
	run git --git-dir="$SG_TMP/origin.git" notes --ref=stagegate list
	[ "${#lines[@]}" -eq 2 ]
}

@test "attest refuses a result other than pass or fail" {
	cd work
	run stagegate attest staging --result maybe
	assert_failure 2
	assert_output_contains "stagegate: --result must be pass or fail"
}

@test "attest refuses an unknown revision" {
	cd work
	run stagegate attest staging no-such-rev
	assert_failure 2
	assert_output_contains "stagegate: unknown revision 'no-such-rev'"
}

@test "attest without ENV prints its usage" {
	cd work
	run stagegate attest
	assert_failure 2
	assert_output_contains "usage: stagegate attest ENV [REV]"
}

@test "an attestation on an older staging commit counts when staging reverted to its tree" {
	(cd work && stagegate attest staging --push origin >/dev/null)
	sg_commit work values.yaml "replicas: 9" "bad idea"
	sg_tick
	git -C work revert --no-edit HEAD >/dev/null
	git -C work push -q origin staging 2>/dev/null
	run git -C work push origin staging:prod
	assert_success
	assert_output_contains "attested pass by ci"
}
