#!/usr/bin/env bats
# The README's main job on its embedded default: `stagegate demo` replays the incidents.

load helpers

setup() { sg_setup; }

@test "stagegate demo refuses the incidents and accepts the proper promotion" {
	run stagegate demo
	assert_success
	assert_output_contains "incident 1: an untested change, merged into prod by accident"
	assert_output_contains "[promotion-untested]"
	assert_output_contains "'quick fix straight on prod' was made directly on prod"
	assert_output_contains "[promotion-non-ff]"
	assert_output_contains "[promotion-delete]"
	assert_output_contains "[sha-not-a-change]"
	assert_output_contains "mybinder/Chart.yaml: 0.1.0-"
	assert_output_contains "[db-upgrade-required]"
	assert_output_contains "demo: every push was accepted or refused as it should be"
	refute_output_contains "but it should have been"
}
