#!/usr/bin/env bats
# helm-lint end to end: `stagegate lint PATH...` outside a repository, every tracked file,
# the protocol's json and github formats, robustness (huge, deep, binary, empty, symlink,
# submodule), the real corpus, schemas, and pushes refused by the server hook.

load helpers

FIX=$SG_TOP/tests/fixtures/lint
CORPUS=$SG_TOP/../shared/corpus/real

setup() { sg_setup; }
teardown() { sg_teardown; }

# lay_out_corpus DIR: the shared corpus at its original paths (chart folder names matter).
lay_out_corpus() {
	local dir=$1 f repo path
	tail -n +2 "$CORPUS/MANIFEST.tsv" | while IFS=$'\t' read -r f repo _ path _; do
		mkdir -p "$dir/${repo#*/}/$(dirname "$path")"
		cp "$CORPUS/$f" "$dir/${repo#*/}/$path"
	done
}

@test "lint PATH outside a repository reports a duplicate key with both positions" {
	mkdir plain && cp "$FIX/duplicate.yaml" plain/values.yaml
	cd plain
	run stagegate lint values.yaml
	assert_failure 1
	[ "$output" = "values.yaml:4:3: error: duplicate key \`db\` (first defined at 2:3); helm silently keeps this one [duplicate-key]" ]
}

@test "lint passes a clean file silently" {
	printf 'hub:\n  db:\n    type: sqlite-pvc\n' >values.yaml
	run stagegate lint values.yaml
	assert_success
	[ "$output" = "" ]
}

@test "lint of a directory recurses and leaves chart templates and cookiecutter paths out" {
	mkdir -p d/chart/templates 'd/{{cookiecutter.hub}}/config' d/sub
	printf 'a: {{ .Values.x }}\n' >d/chart/templates/deploy.yaml
	printf 'a: {{cookiecutter.x}}: 1\n' >'d/{{cookiecutter.hub}}/config/common.yaml'
	printf 'a: 1\na: 2\n' >d/sub/values.yml
	printf 'not: [yaml\n' >d/sub/notes.txt
	run stagegate lint d
	assert_failure 1
	[ "$output" = "d/sub/values.yml:2:1: error: duplicate key \`a\` (first defined at 1:1); helm silently keeps this one [duplicate-key]" ]
}

@test "a template named on the command line is skipped with a note" {
	mkdir -p chart/templates
	printf 'a: {{ .Values.x }}\n' >chart/templates/deploy.yaml
	run stagegate lint chart/templates/deploy.yaml
	assert_success
	[ "$output" = "chart/templates/deploy.yaml: note: skipped: a template file (set lint.templates: true to lint templates) [skipped]" ]
}

@test "an unclosed quote is blamed where it opens, with an excerpt and a caret" {
	printf 'a: 1\nb: "abc\nc: 2\n' >v.yaml
	run stagegate lint v.yaml
	assert_failure 1
	assert_output_contains 'v.yaml:2:4: error: quoted string is never closed (libyaml: found unexpected end of stream at 4:1, while scanning a quoted scalar) [syntax]'
	assert_output_contains '        2 | b: "abc'
	assert_output_contains '          |    ^'
}

@test "a tab used for indentation is named as such" {
	printf 'a:\n\tb: 1\n' >v.yaml
	run stagegate lint v.yaml
	assert_failure 1
	assert_output_contains 'v.yaml:2:1: error: tab used for indentation'
	assert_output_contains '[tab-indent]'
}

@test "truthy values are a warning and do not fail the lint" {
	printf 'enabled: yes\nname: "yes"\n' >v.yaml
	run stagegate lint v.yaml
	assert_success
	[ "$output" = "v.yaml:1:10: warning: \`yes\` is read by helm as the boolean true; write true, or quote it if you mean the string [truthy]" ]
}

@test "a disable comment silences a rule on its line" {
	printf 'a: 1\na: 2  # stagegate: disable=duplicate-key\n' >v.yaml
	run stagegate lint v.yaml
	assert_success
	[ "$output" = "" ]
}

@test "a Chart.yaml version written as a number is an error" {
	mkdir hub && cp "$FIX/Chart-number-version.yaml" hub/Chart.yaml
	run stagegate lint hub
	assert_failure 1
	[ "$output" = "hub/Chart.yaml:3:10: error: version \`1.0\` is read as a number, not a string; quote it: \"1.0\" [chart-version]" ]
}

@test "--format json emits one protocol record per finding" {
	printf 'a: 1\na: 2\n' >v.yaml
	run stagegate lint --format json v.yaml
	assert_failure 1
	[ "$output" = '{"check":"helm-lint","rule":"duplicate-key","severity":"error","path":"v.yaml","line":2,"col":1,"message":"duplicate key `a` (first defined at 1:1); helm silently keeps this one"}' ]
}

@test "--format github emits workflow annotations" {
	printf 'a: 1\na: 2\n' >v.yaml
	run stagegate lint --format github v.yaml
	assert_failure 1
	[ "$output" = '::error file=v.yaml,line=2,col=1,title=helm-lint duplicate-key::duplicate key `a` (first defined at 1:1); helm silently keeps this one' ]
}

@test "a binary file named .yaml is a clear error" {
	printf 'a\0\1\2\377' >bin.yaml
	run stagegate lint bin.yaml
	assert_failure 1
	[ "$output" = "bin.yaml:1:2: error: NUL byte: this is a binary file, not YAML [syntax]" ]
}

@test "a Latin-1 file is a clear error at the byte" {
	printf 'name: caf\351\n' >v.yaml
	run stagegate lint v.yaml
	assert_failure 1
	assert_output_contains "v.yaml:1:10: error: invalid UTF-8: byte 0xE9"
}

@test "an empty file passes" {
	: >empty.yaml
	run stagegate lint empty.yaml
	assert_success
	[ "$output" = "" ]
}

@test "a symbolic link is skipped with a note" {
	printf 'a: 1\na: 2\n' >real.txt
	ln -s real.txt link.yaml
	run stagegate lint link.yaml
	assert_success
	[ "$output" = "link.yaml: note: skipped: a symbolic link [skipped]" ]
}

@test "10,000 levels of nesting parse, one more is refused without a crash" {
	python3 -c 'print("[" * 10000 + "]" * 10000)' >deep.yaml
	run stagegate lint deep.yaml
	assert_success
	python3 -c 'print("[" * 10001 + "]" * 10001)' >deeper.yaml
	run stagegate lint deeper.yaml
	assert_failure 1
	assert_output_contains "deeper.yaml:1:10001: error: nesting deeper than 10000 levels"
}

@test "a file over lint.max_size is not read: a warning names lint.max_size" {
	truncate -s 100M big.yaml
	run stagegate lint big.yaml
	assert_success
	[ "$output" = "big.yaml: warning: not linted: 104857600 bytes is more than lint.max_size (67108864) [too-large]" ]
}

@test "a billion laughs file is refused without expanding it" {
	{
		echo 'a: &a [x,x,x,x,x,x,x,x,x,x]'
		prev=a
		for n in b c d e f g h i; do
			echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
			prev=$n
		done
	} >lol.yaml
	run stagegate lint lol.yaml
	assert_failure 1
	assert_output_contains "lol.yaml:6:"
	assert_output_contains "[alias-bomb]"
}

@test "the real corpus has no errors; the two chart-folder warnings are real" {
	lay_out_corpus corpus
	run stagegate lint corpus
	assert_success
	[ "$output" = "corpus/datahub/node-placeholder/Chart.yaml:2:7: warning: name \`node-placeholder-scaler\` differs from its folder \`node-placeholder\` [chart-folder]
corpus/mybinder.org-deploy/mybinder-tigera-operator/Chart.yaml:3:7: warning: name \`mybinder-tiger-operator\` differs from its folder \`mybinder-tigera-operator\` [chart-folder]" ]
}

@test "zero-to-jupyterhub's schema finds singleuser.memmory in a hub config with did-you-mean" {
	lay_out_corpus corpus
	cat >lint.yml <<'YAML'
lint:
  schemas:
    - files: 'corpus/datahub/deployments/*/config/*.yaml'
      schema: corpus/zero-to-jupyterhub-k8s/jupyterhub/values.schema.yaml
      at: jupyterhub
YAML
	run stagegate lint --config lint.yml corpus/datahub/deployments
	assert_success
	[ "$output" = "" ]
	mkdir -p corpus/datahub/deployments/typo/config
	cp "$FIX/memmory.yaml" corpus/datahub/deployments/typo/config/common.yaml
	run stagegate lint --config lint.yml corpus/datahub/deployments/typo
	assert_failure 1
	[ "$output" = "corpus/datahub/deployments/typo/config/common.yaml:5:5: error: \`jupyterhub.singleuser\`: unknown key \`memmory\`; did you mean \`memory\`? [schema]" ]
}

@test "an unknown lint config key is refused with did-you-mean" {
	printf 'lint:\n  exclud: [x]\n' >lint.yml
	printf 'a: 1\n' >v.yaml
	run stagegate lint --config lint.yml v.yaml
	assert_failure 2
	assert_output_contains "lint.yml:2:3: error: unknown key 'exclud' in lint; did you mean 'exclude'?"
}

@test "lint with no paths checks every tracked file and notes a submodule entry" {
	git init -q repo
	printf 'a: 1\na: 2\n' >repo/tracked.yaml
	printf 'a: 1\na: 2\n' >repo/untracked.yaml
	git -C repo add tracked.yaml
	git -C repo update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,sub.yaml
	cd repo
	run stagegate lint </dev/null
	assert_failure 1
	[ "$output" = "sub.yaml: note: skipped: a submodule entry, not a file [skipped]
tracked.yaml:2:1: error: duplicate key \`a\` (first defined at 1:1); helm silently keeps this one [duplicate-key]" ]
}

@test "a push with a broken values file is refused by the server with the file and line" {
	cat >server.yml <<'YAML'
version: 1
stages:
  pre-receive: [helm-lint]
YAML
	sg_server origin "$SG_TMP/server.yml"
	sg_clone origin work
	sg_commit work deployments/hub/config/common.yaml 'hub:
  db:
    type: sqlite-pvc'
	run git -C work push origin HEAD:refs/heads/staging
	assert_success
	sg_commit work deployments/hub/config/common.yaml 'hub:
  db:
    type: sqlite-pvc
  db:
    upgrade: true'
	# The work tree is fixed after the commit: the server must judge the pushed commit.
	printf 'hub: {}\n' >work/deployments/hub/config/common.yaml
	run git -C work push origin HEAD:refs/heads/staging
	assert_failure
	assert_output_contains 'deployments/hub/config/common.yaml:4:3: error: duplicate key `db` (first defined at 2:3)'
	assert_output_contains 'push refused'
}

@test "pre-commit lints the staged blob, not the work tree" {
	git init -q repo
	printf 'stages:\n  pre-commit: [helm-lint]\n' >repo/.stagegate.yml
	sg_install_client repo
	printf 'a: 1\na: 2\n' >repo/values.yaml
	git -C repo add values.yaml .stagegate.yml
	printf 'a: 1\n' >repo/values.yaml
	run git -C repo commit -q -m broken
	assert_failure
	assert_output_contains 'values.yaml:2:1: error: duplicate key `a`'
	git -C repo add values.yaml
	run git -C repo commit -q -m fixed
	assert_success
}

@test "ci lints only the files the range changed, from the commit" {
	git init -q repo
	printf 'a: 1\na: 2\n' >repo/old.yaml
	git -C repo add old.yaml && sg_tick && git -C repo commit -q -m old
	base=$(git -C repo rev-parse HEAD)
	printf 'b: yes\n' >repo/new.yaml
	git -C repo add new.yaml && sg_tick && git -C repo commit -q -m new
	cd repo
	run stagegate ci --base "$base" --head HEAD --ref refs/heads/main
	assert_output_contains 'new.yaml:1:4: warning: `yes` is read by helm as the boolean true'
	refute_output_contains 'old.yaml'
}

@test "a pushed blob over lint.max_size is judged by its size alone, not read" {
	cat >server.yml <<'YAML'
version: 1
stages:
  pre-receive: [helm-lint]
lint:
  max_size: 1000000
YAML
	sg_server origin "$SG_TMP/server.yml"
	sg_clone origin work
	# A duplicate key the server would refuse, were the 3 MB blob read.
	python3 -c 'open("work/big.yaml", "w").write("a: 1\na: 2\n" + "# padding\n" * 300000)'
	git -C work add big.yaml && sg_tick && git -C work commit -q -m big
	run git -C work push origin HEAD:refs/heads/staging
	assert_success
	assert_output_contains 'big.yaml: warning: not linted: 3000010 bytes is more than lint.max_size (1000000) [too-large]'
}

@test "pre-commit learns a staged blob is too large from its header, without reading it" {
	git init -q repo
	printf 'stages:\n  pre-commit: [helm-lint]\nlint:\n  max_size: 100000\n' >repo/.stagegate.yml
	sg_install_client repo
	python3 -c 'import os; open("repo/big.yaml", "w").write("k: " + os.urandom(150000).hex() + "\n")'
	git -C repo add big.yaml .stagegate.yml
	# Keep the object's header, replace its body: reading the whole blob would fail.
	obj=repo/.git/objects/$(git -C repo rev-parse :big.yaml | sed 's|^..|&/|')
	chmod u+w "$obj"
	python3 -c 'import sys, zlib; open(sys.argv[1], "wb").write(zlib.compress(b"blob 300004\0k: x\n"))' "$obj"
	cd repo
	run "$SG_LIBEXEC/stagegate-helm-lint" --stage pre-commit </dev/null
	assert_success
	[ "$output" = "big.yaml: warning: not linted: 300004 bytes is more than lint.max_size (100000) [too-large]" ]
}

@test "pre-commit refuses when HEAD cannot be read instead of taking every file as new" {
	git init -q repo
	printf 'a: 1\n' >repo/v.yaml
	git -C repo add v.yaml && sg_tick && git -C repo commit -q -m one
	obj=repo/.git/objects/$(git -C repo rev-parse HEAD | sed 's|^..|&/|')
	rm -f "$obj"
	cd repo
	run "$SG_LIBEXEC/stagegate-helm-lint" --stage pre-commit </dev/null
	assert_failure 2
	assert_output_contains "cannot read HEAD to see what is staged"
}

@test "a hook stage with no updates lints nothing (install.sh validating the config)" {
	git init -q --bare empty.git
	printf 'lint:\n  max_size: 1000\n' >server.yml
	cd empty.git
	run "$SG_LIBEXEC/stagegate-helm-lint" --stage pre-receive --config ../server.yml </dev/null
	assert_success
	[ "$output" = "" ]
}

# lint_config_refused CONFIG MESSAGE: `stagegate lint` refuses CONFIG with exit 2 and MESSAGE.
lint_config_refused() {
	printf '%b' "$1" >lint.yml
	printf 'a: 1\n' >v.yaml
	run stagegate lint --config lint.yml v.yaml
	assert_failure 2
	[ "$output" = "$2" ]
}

@test "a lint section that is not a mapping is refused" {
	lint_config_refused 'lint: [x]\n' "lint.yml:1:7: error: lint must be a mapping [config]"
}

@test "lint numbers out of range or not numbers are refused" {
	lint_config_refused 'lint:\n  max_depth: 0\n' \
		"lint.yml:2:14: error: lint.max_depth must be from 1 to 10000, not 0 [config]"
	lint_config_refused 'lint:\n  max_expansion: 0\n' \
		"lint.yml:2:18: error: lint.max_expansion must be from 1 to 1099511627776, not 0 [config]"
	lint_config_refused 'lint:\n  max_size: big\n' \
		"lint.yml:2:13: error: lint.max_size must be a whole number, not 'big' [config]"
}

@test "an unknown rule in lint.rules is refused with did-you-mean" {
	lint_config_refused 'lint:\n  rules:\n    truthyy: off\n' \
		"lint.yml:3:5: error: unknown key 'truthyy' in lint.rules; did you mean 'truthy'? [config]"
}

@test "a rule named twice in lint.rules is refused" {
	lint_config_refused 'lint:\n  rules:\n    truthy: off\n    truthy: error\n' \
		"lint.yml:4:5: error: duplicate key 'truthy' (first at 3:5) [config]"
}

@test "a severity other than error, warning, note or off is refused" {
	lint_config_refused 'lint:\n  rules:\n    truthy: loud\n' \
		"lint.yml:3:13: error: lint.rules.truthy must be error, warning, note or off [config]"
}

@test "lint.schemas of the wrong shape is refused" {
	lint_config_refused 'lint:\n  schemas: 3\n' \
		"lint.yml:2:12: error: lint.schemas must be a list of {files, schema, at} or a mapping of glob to schema file [config]"
	lint_config_refused 'lint:\n  schemas: [x]\n' \
		"lint.yml:2:13: error: lint.schemas entries are mappings with files, schema and optionally at and complete [config]"
	lint_config_refused 'lint:\n  schemas:\n    - schema: s.json\n' \
		"lint.yml:3:7: error: lint.schemas entry has no files [config]"
	lint_config_refused 'lint:\n  schemas:\n    - files: "*.yaml"\n      schema: s.json\n      complete: yes\n' \
		"lint.yml:5:17: error: lint.schemas complete must be true or false [config]"
}

@test "a missing schema file fails closed" {
	lint_config_refused 'lint:\n  schemas:\n    - files: "*.yaml"\n      schema: nope.json\n' \
		"lint.yml:3:7: error: schema file 'nope.json' not found [config]"
}

@test "an unparsable schema fails closed with its position" {
	printf '{"properties": ' >s.json
	lint_config_refused 'lint:\n  schemas:\n    - files: "*.yaml"\n      schema: s.json\n' \
		"lint.yml:3:7: error: schema s.json:2:1: did not find expected node content [config]"
}

@test "a schema with a bad pattern fails closed with the pattern's position" {
	printf '{"properties": {"a": {"pattern": "(x"}}}' >s.json
	lint_config_refused 'lint:\n  schemas:\n    - files: "*.yaml"\n      schema: s.json\n' \
		"lint.yml:3:7: error: schema s.json:1:34: pattern '(x' is not a valid regular expression: missing closing parenthesis at offset 2 [config]"
}

@test "a schema with a non-local \$ref fails closed" {
	printf '{"$ref": "http://example.org/s.json"}' >s.json
	lint_config_refused 'lint:\n  schemas:\n    - files: "*.yaml"\n      schema: s.json\n' \
		"lint.yml:3:7: error: schema s.json:1:10: \$ref 'http://example.org/s.json' leaves this file: only refs into the same schema ('#/...') are supported; copy the definition in [config]"
}

@test "a nested repository in a linted directory is skipped with a note" {
	mkdir -p d/sub
	git init -q d/sub
	printf 'a: 1\na: 2\n' >d/sub/v.yaml
	run stagegate lint d
	assert_success
	[ "$output" = "d/sub: note: skipped: a submodule or nested repository [skipped]" ]
}

@test "an excluded file named on the command line is skipped with a note" {
	printf 'lint:\n  exclude: ["gen/**"]\n' >lint.yml
	mkdir gen && printf 'a: 1\na: 2\n' >gen/v.yaml
	run stagegate lint --config lint.yml gen/v.yaml
	assert_success
	[ "$output" = "gen/v.yaml: note: skipped: excluded by lint.exclude [skipped]" ]
}

@test "a named path that is not a regular file is skipped with a note" {
	mkfifo pipe.yaml
	run stagegate lint pipe.yaml
	assert_success
	[ "$output" = "pipe.yaml: note: skipped: not a regular file [skipped]" ]
}

@test "a UTF-16 file is refused with the encoding to use" {
	printf '\377\376a\000:\000 \0001\000\n\000' >v.yaml
	run stagegate lint v.yaml
	assert_failure 1
	[ "$output" = "v.yaml:1:1: error: file is UTF-16 encoded; helm values and charts must be UTF-8 [syntax]" ]
}
