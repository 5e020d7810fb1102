#!/usr/bin/env bats
# chart-sha and its commands on a synthetic binderhub-like source repository
# (tests/fixtures/chart-sha/make-source.sh): the verdicts of `stagegate chart-version`, the
# check in a real push, and `stagegate bump`.

load helpers

setup() {
	sg_setup
	sh "$SG_TOP/tests/fixtures/chart-sha/make-source.sh" "$SG_TMP/binderhub" >/dev/null 2>&1
	SRC=$SG_TMP/binderhub
}

teardown() { sg_teardown; }

sha() { git -C "$SRC" rev-parse --short=7 "$1"; }
full() { git -C "$SRC" rev-parse "$1"; }

index_with() {
	{
		echo "apiVersion: v1"
		echo "entries:"
		echo "  binderhub:"
		for v in "$@"; do
			echo "    - name: binderhub"
			echo "      version: $v"
		done
	} >"$SG_TMP/index.yaml"
}

verify() { run stagegate chart-version verify --source "$SRC" --chart binderhub "$@"; }

@test "a merge commit TREESAME to the PR side is refused with the PR commit suggested" {
	verify "0.1.0-$(sha t-merge)"
	assert_failure 1
	assert_output_contains "0.1.0-$(sha t-merge): not-a-chart-change: commit $(sha t-merge) did not change helm-chart, setup.py, binderhub; last change $(sha t-pr), use 0.1.0-$(sha t-pr)"
}

@test "verify --format json prints one object per version" {
	verify --format json "0.1.0-$(sha t-merge)" 3.3.7
	assert_failure 1
	[ "${lines[0]}" = "{\"version\":\"0.1.0-$(sha t-merge)\",\"sha\":\"$(sha t-merge)\",\"verdict\":\"not-a-chart-change\",\"commit\":\"$(full t-merge)\",\"last_change\":\"$(full t-pr)\",\"suggested\":\"0.1.0-$(sha t-pr)\",\"published\":null}" ]
	[ "${lines[1]}" = '{"version":"3.3.7","sha":null,"verdict":"skipped","commit":null,"last_change":null,"suggested":null,"published":null}' ]
}

@test "the PR commit itself is accepted" {
	verify "0.1.0-$(sha t-pr)"
	assert_success
	assert_output_contains "0.1.0-$(sha t-pr): ok"
}

@test "a merge that differs from both parents is a change and accepted" {
	verify --path helm-chart/binderhub --path binderhub "0.1.0-$(sha t-merge2)"
	assert_success
	assert_output_contains ": ok"
}

@test "the verdict agrees with git log -1 on every commit" {
	for c in t-root t-docs t-pr t-merge t-side t-app t-merge2 t-image t-tip; do
		want=$(git -C "$SRC" log -1 --format=%h --abbrev=7 "$c" -- helm-chart/binderhub)
		run stagegate chart-version verify --format json --source "$SRC" \
			--path helm-chart/binderhub "0.1.0-$(sha $c)"
		assert_output_contains "\"last_change\":\"$(full $want)\""
	done
}

@test "a docs-only commit is refused" {
	verify "0.1.0-$(sha t-docs)"
	assert_failure 1
	assert_output_contains "not-a-chart-change: commit $(sha t-docs) did not change"
	assert_output_contains "use 0.1.0-$(sha t-root)"
}

@test "an image change counts as a chart change under chartpress 0.5+ paths" {
	verify "0.1.0-n009.h$(sha t-image)"
	assert_success
	assert_output_contains "0.1.0-n009.h$(sha t-image): ok"
	verify --path helm-chart/binderhub "0.1.0-n009.h$(sha t-image)"
	assert_failure 1
	assert_output_contains "use 0.1.0-n006.h$(sha t-side)"
}

@test "a version absent from the index is unpublished" {
	index_with "0.1.0-$(sha t-pr)"
	verify --index "$SG_TMP/index.yaml" "0.1.0-$(sha t-image)" "0.1.0-$(sha t-pr)"
	assert_failure 1
	[ "${lines[0]}" = "0.1.0-$(sha t-image): unpublished: not in the chart index" ]
	assert_output_contains "0.1.0-$(sha t-pr): ok"
}

@test "published versions compare as helm does (v0.7.0 matches v0.7)" {
	index_with "v0.7-$(sha t-pr)"
	verify --index "$SG_TMP/index.yaml" --format json "v0.7.0-$(sha t-pr)"
	assert_success
	assert_output_contains '"published":true'
}

@test "a git.N count that is not the ancestor count is a warning" {
	verify "1.0.0-0.dev.git.7.h$(sha t-image)"
	assert_success
	assert_output_contains "count-mismatch: commit $(sha t-image) has 9 commits of history, the version says 7"
	verify "1.0.0-0.dev.git.9.h$(sha t-image)"
	assert_success
	assert_output_contains ": ok"
}

@test "an unknown SHA is refused" {
	verify 0.1.0-deadbee
	assert_failure 1
	assert_output_contains "0.1.0-deadbee: unknown-commit: no commit deadbee in the source"
}

@test "a SHA naming more than one object is ambiguous" {
	# Two blobs whose ids share their first seven digits (found offline).
	printf 'stagegate-19148\n' | git -C "$SRC" hash-object -w --stdin >/dev/null
	printf 'stagegate-37702\n' | git -C "$SRC" hash-object -w --stdin >/dev/null
	p=$(printf 'stagegate-19148\n' | git -C "$SRC" hash-object --stdin | cut -c1-7)
	verify "0.1.0-$p"
	assert_failure 1
	assert_output_contains "0.1.0-$p: ambiguous: $p names more than one object"
}

@test "a shallow source exits 2 with the fetch command to run" {
	git clone -q --depth 2 "file://$SRC" "$SG_TMP/shallow"
	run stagegate chart-version verify --source "$SG_TMP/shallow" --path helm-chart \
		"0.1.0-$(sha t-tip)"
	assert_failure 2
	assert_output_contains "history of '$SG_TMP/shallow' is shallow"
	assert_output_contains "run 'git -C '$SG_TMP/shallow' fetch --unshallow'"
}

@test "latest prints the version chartpress would give the tip" {
	run stagegate chart-version latest --source "$SRC" --like 0.1.0-n001.habcdef0
	assert_success
	[ "$output" = "0.1.0-n009.h$(sha t-image)" ]
	run stagegate chart-version latest --source "$SRC" --chart binderhub --ref t-merge \
		--like 0.1.0-abcdef0
	assert_success
	[ "$output" = "0.1.0-$(sha t-pr)" ]
}

@test "latest --published picks the newest published version the tip contains" {
	index_with "0.1.0-$(sha t-root)" "0.1.0-$(sha t-pr)" "0.1.0-deadbee"
	run stagegate chart-version latest --source "$SRC" --chart binderhub \
		--index "$SG_TMP/index.yaml" --published
	assert_success
	[ "$output" = "0.1.0-$(sha t-pr)" ]
}

# The incident, end to end: a deployment repo whose server checks chart-sha.
deploy_repo() {
	index_with "0.1.0-$(sha t-pr)" "0.1.0-$(sha t-root)"
	cat >"$SG_TMP/stagegate.yml" <<YAML
version: 1
charts:
  - name: binderhub
    source: {repo: ${SOURCE_REPO:-../binderhub}, ref: ${SOURCE_REF:-main}${SOURCE_EXTRA:-}}
    index: ../index.yaml
    references: ${REFS:-[]}
stages:
  pre-receive: [chart-sha]
YAML
	sg_server origin "$SG_TMP/stagegate.yml"
	sg_clone origin work
	sg_commit work README.md "mybinder" "initial"
	git -C work push -q origin HEAD:refs/heads/main 2>/dev/null
	mkdir -p work/mybinder
	cat >work/mybinder/Chart.yaml <<YAML
apiVersion: v1
name: mybinder
version: 0.1.0  # the deployment chart
dependencies:
  # binderhub from the jupyterhub chart repository
  - name: binderhub
    version: "${DEP_VERSION:-0.1.0-$(sha t-merge)}"
    repository: https://jupyterhub.github.io/helm-chart
YAML
	# the same relative paths work from the work tree's top: it is next to the server
	cp "$SG_TMP/stagegate.yml" work/.stagegate.yml
	git -C work add mybinder/Chart.yaml
	sg_tick
	git -C work commit -q -m "bump binderhub"
}

@test "a push with a merge-commit chart version is refused at file:line:col" {
	deploy_repo
	run git -C work push origin HEAD:main
	assert_failure
	assert_output_contains "mybinder/Chart.yaml:7:14: error: binderhub 0.1.0-$(sha t-merge): commit $(sha t-merge) did not change helm-chart, setup.py, binderhub"
	assert_output_contains "hint: use 0.1.0-$(sha t-pr): $(sha t-pr) is where the chart last changed"
}

@test "stagegate bump fixes the version and the push is accepted" {
	SOURCE_REF=t-merge deploy_repo
	run git -C work push origin HEAD:main
	assert_failure
	cd work
	run stagegate bump binderhub --commit
	assert_success
	assert_output_contains "mybinder/Chart.yaml: 0.1.0-$(sha t-merge) -> 0.1.0-$(sha t-pr)"
	run git log -1 --format=%B
	assert_output_contains "Bump binderhub chart to 0.1.0-$(sha t-pr)"
	assert_output_contains "(none: $(sha t-merge) already contains them; this corrects the version"
	cd ..
	run git -C work push origin HEAD:main
	assert_success
}

@test "a right version behind the source branch is accepted with a note naming the newer change" {
	deploy_repo
	sed -i "s/0.1.0-$(sha t-merge)/0.1.0-$(sha t-pr)/" work/mybinder/Chart.yaml
	git -C work commit -q -a --amend -m "bump binderhub to the PR commit"
	run git -C work push origin HEAD:main
	assert_success
	assert_output_contains "binderhub 0.1.0-$(sha t-pr): main has a newer chart change, $(sha t-image) (this version is $(sha t-pr))"
	assert_output_contains "hint: 'stagegate bump binderhub' would write 0.1.0-$(sha t-image)"
}

@test "bump refuses an unpublished version unless --force" {
	deploy_repo
	cd work
	run stagegate bump binderhub
	assert_failure 1
	assert_output_contains "refusing to bump binderhub to 0.1.0-$(sha t-image): unpublished (not in the chart index; --force to bump anyway)"
	run git diff --quiet
	assert_success
	run stagegate bump binderhub --force
	assert_success
	assert_output_contains "not published yet (--force)"
	assert_output_contains "-> 0.1.0-$(sha t-image)"
}

@test "bump refuses a version that is not a chart change" {
	deploy_repo
	cd work
	run stagegate bump binderhub --to "0.1.0-$(sha t-docs)"
	assert_failure 1
	assert_output_contains "not-a-chart-change; use 0.1.0-$(sha t-root)"
}

@test "bump changes only the version's bytes, keeps quoting and mode, and is idempotent" {
	deploy_repo
	cd work
	cat >mybinder/requirements.yaml <<YAML
# comments stay
dependencies:
- {name: binderhub, version: '0.1.0-$(sha t-merge)', repository: x}   # fl\xc3\xb6w
- name: other
  version: 1.2.3
YAML
	printf '# caf\xc3\xa9 \xe2\x98\x95\nbinderhub: {x: "\xc3\xa9", name: binderhub, version: 0.1.0-%s}\n' "$(sha t-merge)" >mybinder/utf8.yaml
	chmod 640 mybinder/utf8.yaml
	sed -i 's#references: \[\]#references: [mybinder/requirements.yaml, mybinder/utf8.yaml]#' .stagegate.yml
	git add mybinder .stagegate.yml
	for f in Chart.yaml requirements.yaml utf8.yaml; do cp mybinder/$f "$SG_TMP/$f.before"; done
	run stagegate bump binderhub --to "0.1.0-$(sha t-pr)"
	assert_success
	for f in Chart.yaml requirements.yaml utf8.yaml; do
		sed "s/0.1.0-$(sha t-merge)/0.1.0-$(sha t-pr)/" "$SG_TMP/$f.before" >"$SG_TMP/$f.want"
		cmp "$SG_TMP/$f.want" mybinder/$f
	done
	[ "$(stat -c %a mybinder/utf8.yaml)" = 640 ]
	run stagegate bump binderhub --to "0.1.0-$(sha t-pr)"
	assert_success
	assert_output_contains "binderhub is already at 0.1.0-$(sha t-pr)"
	for f in Chart.yaml requirements.yaml utf8.yaml; do cmp "$SG_TMP/$f.want" mybinder/$f; done
	[ -z "$(ls mybinder | grep stagegate-)" ]
}

@test "bump --commit lists the chart commits between the old and new versions" {
	deploy_repo
	cd work
	stagegate bump binderhub --to "0.1.0-$(sha t-root)" >/dev/null
	git commit -q -am "back to root"
	run stagegate bump binderhub --to "0.1.0-n009.h$(sha t-image)" --force --commit
	assert_success
	run git log -1 --format=%B
	assert_output_contains "0.1.0-$(sha t-root) -> 0.1.0-n009.h$(sha t-image)"
	assert_output_contains "- $(sha t-image) image-cleaner: pin alpine"
	assert_output_contains "- $(sha t-pr) chart: two replicas"
	refute_output_contains "docs"
	run git status --porcelain mybinder
	[ -z "$output" ]
}

@test "an unknown key in the charts: section is a config error with a suggestion" {
	cat >"$SG_TMP/bad.yml" <<'YAML'
version: 1
charts:
  - name: binderhub
    sourse: {repo: ../binderhub}
YAML
	git init -q "$SG_TMP/r"
	cd "$SG_TMP/r"
	run "$SG_LIBEXEC/stagegate-chart-sha" --config "$SG_TMP/bad.yml" </dev/null
	assert_failure 2
	assert_output_contains "$SG_TMP/bad.yml:4:5: error: unknown key 'sourse' in a charts entry; did you mean 'source'? [config]"
}

@test "with no charts: config a push touching no chart versions passes quietly" {
	git init -q "$SG_TMP/r"
	cd "$SG_TMP/r"
	sg_commit . README.md "x"
	old=$(git rev-parse HEAD)
	sg_commit . values.yaml "a: 1"
	run "$SG_LIBEXEC/stagegate-chart-sha" --stage ci <<<"$old $(git rev-parse HEAD) refs/heads/main"
	assert_success
	[ -z "$output" ]
}

# A chart's refusals through a real push, one per rule.
push_main() { run git -C work push origin HEAD:main; }

@test "the same wrong version in two files is refused at each" {
	REFS="[mybinder/values.yaml]" deploy_repo
	printf 'binderhub:\n  name: binderhub\n  version: 0.1.0-%s\n' "$(sha t-merge)" >work/mybinder/values.yaml
	git -C work add mybinder/values.yaml
	git -C work commit -q -m values
	push_main
	assert_failure
	assert_output_contains "mybinder/Chart.yaml:7:14: error: binderhub 0.1.0-$(sha t-merge): commit $(sha t-merge) did not change"
	assert_output_contains "mybinder/values.yaml:3:12: error: binderhub 0.1.0-$(sha t-merge): commit $(sha t-merge) did not change"
}

@test "a push naming an unknown commit is refused" {
	DEP_VERSION=0.1.0-deadbee deploy_repo
	push_main
	assert_failure
	assert_output_contains "mybinder/Chart.yaml:7:14: error: binderhub 0.1.0-deadbee: no commit deadbee in ../binderhub [sha-unknown-commit]"
	assert_output_contains "hint: fetch the source repository, or fix the version"
}

@test "a push naming an ambiguous prefix is refused" {
	printf 'stagegate-19148\n' | git -C "$SRC" hash-object -w --stdin >/dev/null
	printf 'stagegate-37702\n' | git -C "$SRC" hash-object -w --stdin >/dev/null
	p=$(printf 'stagegate-19148\n' | git -C "$SRC" hash-object --stdin | cut -c1-7)
	DEP_VERSION=0.1.0-$p deploy_repo
	push_main
	assert_failure
	assert_output_contains "binderhub 0.1.0-$p: $p names more than one object in ../binderhub [sha-ambiguous]"
	assert_output_contains "hint: write more digits of the SHA"
}

@test "a push of a chart change not in the index is refused as unpublished" {
	DEP_VERSION=0.1.0-$(sha t-image) deploy_repo
	push_main
	assert_failure
	assert_output_contains "mybinder/Chart.yaml:7:14: error: binderhub 0.1.0-$(sha t-image): not published yet in"
	assert_output_contains "[chart-unpublished]"
}

@test "a push with a wrong ancestor count passes with a warning" {
	DEP_VERSION=1.0.0-0.dev.git.7.h$(sha t-image) deploy_repo
	index_with "1.0.0-0.dev.git.7.h$(sha t-image)"
	push_main
	assert_success
	assert_output_contains "binderhub 1.0.0-0.dev.git.7.h$(sha t-image): commit $(sha t-image) has 9 commits of history, the version says 7 [sha-count-mismatch]"
}

@test "a push whose chart paths cannot be told is refused" {
	SOURCE_EXTRA=", chartpress: nope.yaml" deploy_repo
	push_main
	assert_failure
	assert_output_contains "binderhub 0.1.0-$(sha t-merge): cannot tell which paths version the chart (no nope.yaml at that commit) [chart-paths-unknown]"
	assert_output_contains "hint: list them under charts[].source.paths in the config"
}

@test "a shallow source mirror makes the check exit 2 with the fetch command" {
	git clone -q --depth 2 "file://$SRC" "$SG_TMP/shallow"
	SOURCE_REPO=../shallow deploy_repo
	push_main
	assert_failure
	assert_output_contains "history of '../shallow' is shallow: chart versions are judged on full history; run 'git -C '../shallow' fetch --unshallow'"
}

@test "a missing source mirror makes the check exit 2" {
	SOURCE_REPO=../nope deploy_repo
	cd work
	run "$SG_LIBEXEC/stagegate-chart-sha" --stage ci --config .stagegate.yml <<<"$(git rev-parse HEAD~1) $(git rev-parse HEAD) refs/heads/main"
	assert_failure 2
	assert_output_contains "nope"
}

@test "a mistyped source.ref is a config error at its position, not a pass" {
	SOURCE_REF=mian deploy_repo
	sed -i "s/0.1.0-$(sha t-merge)/0.1.0-$(sha t-pr)/" work/mybinder/Chart.yaml
	git -C work commit -q -a --amend -m "right version"
	cd work
	run "$SG_LIBEXEC/stagegate-chart-sha" --stage ci --config .stagegate.yml <<<"$(git rev-parse HEAD~1) $(git rev-parse HEAD) refs/heads/main"
	assert_failure 2
	assert_output_contains ".stagegate.yml:4:39: error: source.ref 'mian' names no commit in '../binderhub' [config]"
}

@test "a source path outside the source is a config error" {
	cat >"$SG_TMP/bad.yml" <<'YAML'
version: 1
charts:
  - name: binderhub
    source: {repo: ../binderhub, paths: [helm-chart, ../helm-chart]}
YAML
	git init -q "$SG_TMP/r"
	cd "$SG_TMP/r"
	run "$SG_LIBEXEC/stagegate-chart-sha" --config "$SG_TMP/bad.yml" </dev/null
	assert_failure 2
	assert_output_contains "$SG_TMP/bad.yml:4:54: error: source.paths: '../helm-chart' is not inside the source repository (paths are relative to its top) [config]"
}

@test "a chart listed twice is a config error" {
	printf 'version: 1\ncharts:\n  - name: a\n  - name: a\n' >"$SG_TMP/bad.yml"
	git init -q "$SG_TMP/r"
	cd "$SG_TMP/r"
	run "$SG_LIBEXEC/stagegate-chart-sha" --config "$SG_TMP/bad.yml" </dev/null
	assert_failure 2
	assert_output_contains "$SG_TMP/bad.yml:4:11: error: chart 'a' is listed twice [config]"
}

@test "a chart entry without a name is a config error" {
	printf 'version: 1\ncharts:\n  - index: x.yaml\n' >"$SG_TMP/bad.yml"
	git init -q "$SG_TMP/r"
	cd "$SG_TMP/r"
	run "$SG_LIBEXEC/stagegate-chart-sha" --config "$SG_TMP/bad.yml" </dev/null
	assert_failure 2
	assert_output_contains "$SG_TMP/bad.yml:3:5: error: a charts entry needs a 'name' [config]"
}

@test "an index that does not parse stops the check" {
	deploy_repo
	printf 'entries: [\n' >"$SG_TMP/index.yaml"
	push_main
	assert_failure
	assert_output_contains "cannot parse the chart index"
}

@test "an index that is not a mapping stops the check" {
	deploy_repo
	printf -- '- a\n' >"$SG_TMP/index.yaml"
	push_main
	assert_failure
	assert_output_contains "not a chart index (no 'entries' mapping)"
}

@test "an index read from a git ref is used" {
	index_with "0.1.0-$(sha t-pr)"
	git init -q "$SG_TMP/pages"
	cp "$SG_TMP/index.yaml" "$SG_TMP/pages/index.yaml"
	git -C "$SG_TMP/pages" add index.yaml
	git -C "$SG_TMP/pages" -c user.name=a -c user.email=a@x commit -qm pages
	git -C "$SG_TMP/pages" branch -M gh-pages
	verify --index "$SG_TMP/pages:gh-pages:index.yaml" "0.1.0-$(sha t-pr)" "0.1.0-$(sha t-root)"
	assert_failure 1
	assert_output_contains "0.1.0-$(sha t-pr): ok"
	assert_output_contains "0.1.0-$(sha t-root): unpublished: not in the chart index"
}

@test "a chart built in this repository is checked with no charts: config" {
	sg_server origin
	sg_clone origin work
	sg_commit work README.md "x"
	git -C work push -q origin HEAD:refs/heads/main 2>/dev/null
	mkdir -p work/chart
	printf 'apiVersion: v1\nname: mine\nversion: 0.1.0\n' >work/chart/Chart.yaml
	sg_commit work chart/values.yaml "a: 1"
	sg_commit work docs.md "docs"
	docs=$(git -C work rev-parse --short=7 HEAD)
	printf 'apiVersion: v1\nname: mine\nversion: 0.1.0-%s\n' "$docs" >work/chart/Chart.yaml
	cd work
	run "$SG_LIBEXEC/stagegate-chart-sha" --stage ci <<<"$(git rev-parse HEAD~2) $(sg_commit . chart/Chart.yaml "$(cat chart/Chart.yaml)" >/dev/null; git rev-parse HEAD) refs/heads/main"
	assert_failure 1
	assert_output_contains "chart/Chart.yaml:3:10: error: mine 0.1.0-$docs: commit $docs did not change chart [sha-not-a-change]"
}

# chart-version's usage errors
@test "chart-version with an unknown subcommand names it, with no empty message" {
	run stagegate chart-version frob
	assert_failure 2
	assert_output_contains "stagegate: unknown subcommand 'frob'"
	for l in "${lines[@]}"; do [ "$l" != "stagegate: " ]; done
}

@test "chart-version without --source is a usage error" {
	run stagegate chart-version verify 0.1.0-abcdef0
	assert_failure 2
	assert_output_contains "stagegate: --source DIR is required"
	assert_output_contains "usage: stagegate chart-version verify"
}

@test "chart-version --path outside the source exits 2" {
	verify --path ../helm-chart "0.1.0-$(sha t-pr)"
	assert_failure 2
	assert_output_contains "stagegate: --path '../helm-chart' is not inside the source repository"
	verify --path /helm-chart "0.1.0-$(sha t-pr)"
	assert_failure 2
}

@test "chart-version latest without chartpress paths advises --path" {
	run stagegate chart-version latest --source "$SRC" --chartpress nope.yaml --like 0.1.0-abcdef0
	assert_failure 1
	assert_output_contains "stagegate: no nope.yaml at that commit (give the chart's paths with --path)"
}

# bump
@test "bump prints each file's own old version" {
	REFS="[mybinder/values.yaml]" deploy_repo
	printf 'binderhub:\n  name: binderhub\n  version: 0.1.0-%s\n' "$(sha t-root)" >work/mybinder/values.yaml
	git -C work add mybinder/values.yaml
	cd work
	run stagegate bump binderhub --to "0.1.0-$(sha t-pr)"
	assert_success
	assert_output_contains "mybinder/Chart.yaml: 0.1.0-$(sha t-merge) -> 0.1.0-$(sha t-pr)"
	assert_output_contains "mybinder/values.yaml: 0.1.0-$(sha t-root) -> 0.1.0-$(sha t-pr)"
}

@test "bump rewrites anchored and tagged versions after their properties" {
	REFS="[mybinder/values.yaml]" deploy_repo
	printf 'a: {name: binderhub, version: &v 0.1.0-%s}\nb: {name: binderhub, version: !!str "0.1.0-%s"}\n' "$(sha t-merge)" "$(sha t-merge)" >work/mybinder/values.yaml
	git -C work add mybinder/values.yaml
	cd work
	run stagegate bump binderhub --to "0.1.0-$(sha t-pr)"
	assert_success
	[ "$(cat mybinder/values.yaml)" = "$(printf 'a: {name: binderhub, version: &v 0.1.0-%s}\nb: {name: binderhub, version: !!str "0.1.0-%s"}' "$(sha t-pr)" "$(sha t-pr)")" ]
}

@test "bump finds the version after a NEL line break" {
	REFS="[mybinder/values.yaml]" deploy_repo
	printf 'a: "p\xc2\x85q"\nb: {name: binderhub, version: 0.1.0-%s}\n' "$(sha t-merge)" >work/mybinder/values.yaml
	git -C work add mybinder/values.yaml
	cd work
	run stagegate bump binderhub --to "0.1.0-$(sha t-pr)"
	assert_success
	grep -q "version: 0.1.0-$(sha t-pr)}" mybinder/values.yaml
}

@test "bump refuses a block scalar it cannot rewrite in place" {
	REFS="[mybinder/values.yaml]" deploy_repo
	printf 'b:\n  name: binderhub\n  version: |\n    0.1.0-%s\n' "$(sha t-merge)" >work/mybinder/values.yaml
	git -C work add mybinder/values.yaml
	cd work
	run stagegate bump binderhub --to "0.1.0-$(sha t-pr)"
	assert_failure 1
	assert_output_contains "mybinder/values.yaml:3:12: cannot rewrite binderhub's version in place (its text is not its value as written): edit it by hand"
}

@test "bump leaves a symlinked reference alone" {
	REFS="[mybinder/values.yaml]" deploy_repo
	printf 'b: {name: binderhub, version: 0.1.0-%s}\n' "$(sha t-merge)" >work/real.yaml
	ln -s ../real.yaml work/mybinder/values.yaml
	git -C work add real.yaml mybinder/values.yaml
	cd work
	run stagegate bump binderhub --to "0.1.0-$(sha t-pr)"
	assert_success
	[ -L mybinder/values.yaml ]
	grep -q "0.1.0-$(sha t-merge)" real.yaml
}

@test "bump refuses a chart not in the charts: section" {
	deploy_repo
	cd work
	run stagegate bump nosuch
	assert_failure 2
	assert_output_contains "stagegate: chart 'nosuch' is not in the charts: section of"
}

@test "bump refuses when no file references the chart" {
	deploy_repo
	cd work
	git rm -q mybinder/Chart.yaml
	run stagegate bump binderhub
	assert_failure 2
	assert_output_contains "stagegate: no file of this repository references chart 'binderhub'"
}

@test "bump refuses a current version that carries no commit" {
	DEP_VERSION=3.3.7 deploy_repo
	cd work
	run stagegate bump binderhub
	assert_failure 1
	assert_output_contains "stagegate: cannot tell the version to bump binderhub to: '3.3.7' carries no commit: cannot tell which version layout to write"
}

@test "bump refuses an unknown target with the verdict's hint" {
	deploy_repo
	cd work
	run stagegate bump binderhub --to 0.1.0-deadbee
	assert_failure 1
	assert_output_contains "refusing to bump binderhub to 0.1.0-deadbee: unknown-commit; fetch the source repository, or fix the version"
}

@test "bump with a shallow source exits 2" {
	git clone -q --depth 2 "file://$SRC" "$SG_TMP/shallow"
	SOURCE_REPO=../shallow deploy_repo
	cd work
	run stagegate bump binderhub
	assert_failure 2
	assert_output_contains "history of '../shallow' is shallow"
}
