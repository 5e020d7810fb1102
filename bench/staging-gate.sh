#!/bin/sh
# Hook overhead of the staging gate: the wall time of a `git push` of one commit to prod
# through pre-receive with promotion + staging-gate (health GET against a local HTTP server;
# then health + attestation + soak), against promotion alone and against no hooks, on the
# same repository. Uses hyperfine (Debian package) and tests/fixtures/gate/server.py.
# Usage: bench/staging-gate.sh [BUILD_DIR]  (default: build); SIZES="1000 100000", RUNS=30.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
libexec=$build/libexec/stagegate
[ -x "$libexec/hooks/pre-receive" ] || { echo "build first: make" >&2; exit 2; }
[ -x "$libexec/stagegate-staging-gate" ] || { echo "no stagegate-staging-gate in $libexec" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
sizes=${SIZES:-"1000 100000"}
runs=${RUNS:-30}

tmp=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp GIT_CONFIG_NOSYSTEM=1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
git config --global user.name Bench
git config --global user.email bench@example.org

python3 "$top/tests/fixtures/gate/server.py" "$tmp/port" >/dev/null 2>&1 &
server_pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$tmp/port" ] || { echo "the HTTP server did not start" >&2; exit 2; }
url=http://127.0.0.1:$(cat "$tmp/port")

policy() {	# $1 = file, $2 = checks, $3 = deployment extra, $4 = promotion block
	cat >"$1" <<YAML
version: 1
deployments:
  - name: hub
    chain: [staging, prod]
    urls: {staging: '$url', prod: 'https://hub.example.org'}
$3
$4
stages:
  pre-receive: [$2]
  update: []
YAML
}
policy "$tmp/promotion.yml" promotion "" ""
policy "$tmp/health.yml" "promotion, staging-gate" "    health: /hub/health" ""
policy "$tmp/all.yml" "promotion, staging-gate" "    health: /hub/health
    expect_version: '4.0.2'" "promotion: {soak_minutes: 30, require_attestation: true}"

printf '%-8s %-34s %10s %10s %8s\n' commits variant median_ms mean_ms ratio
for n in $sizes; do
	src=$tmp/src-$n
	git init -q --bare "$src"
	python3 "$top/bench/synth-history.py" "$((n + 1))" | git --git-dir="$src" fast-import --quiet
	# prod is one commit behind staging: each timed push promotes exactly one commit.
	tip=$(git --git-dir="$src" rev-parse staging)
	old=$(git --git-dir="$src" rev-parse staging~1)
	git --git-dir="$src" update-ref refs/heads/prod "$old"
	for v in nohooks promotion health all; do
		git clone -q --bare "$src" "$tmp/$v-$n.git"
		git --git-dir="$tmp/$v-$n.git" repack -adq
		[ "$v" = nohooks ] && continue
		"$top/install.sh" --no-build --libexec "$libexec" --server "$tmp/$v-$n.git" \
			--config "$tmp/$v.yml" >/dev/null
	done
	# "all": staging's tip is attested, and has been staging's tip for two hours.
	GIT_DIR=$tmp/all-$n.git git notes --ref=stagegate add -m \
		'{"env":"staging","result":"pass","user":"ci","time":"2024-01-01T00:00:00Z"}' "$tip"
	mkdir -p "$tmp/all-$n.git/logs/refs/heads"
	printf '%s %s CI <ci@example.org> %s +0000\tpush\n' "$old" "$tip" $(($(date +%s) - 7200)) \
		>"$tmp/all-$n.git/logs/refs/heads/staging"
	git clone -q --bare "$src" "$tmp/client-$n.git"
	# sanity: every variant accepts the push, and "all" really ran its three gates
	for v in nohooks promotion health all; do
		out=$(git --git-dir="$tmp/client-$n.git" push "$tmp/$v-$n.git" "$tip:refs/heads/prod" 2>&1) ||
			{ echo "$v: push refused: $out" >&2; exit 1; }
		git --git-dir="$tmp/$v-$n.git" update-ref refs/heads/prod "$old"
		[ "$v" = all ] && echo "$out" | grep -q "soaked 2 h" &&
			echo "$out" | grep -q "attested pass" && echo "$out" | grep -q "runs version 4.0.2" ||
			[ "$v" != all ] || { echo "all: gates did not run: $out" >&2; exit 1; }
	done
	json=$tmp/result-$n.json
	set --
	for v in nohooks promotion health all; do
		set -- "$@" --prepare "git --git-dir=$tmp/$v-$n.git update-ref refs/heads/prod $old" \
			-n "$v" "git --git-dir=$tmp/client-$n.git push -q $tmp/$v-$n.git $tip:refs/heads/prod"
	done
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" "$@" >/dev/null 2>&1
	python3 - "$json" "$n" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n = sys.argv[2]
names = {
    "nohooks": "no hooks",
    "promotion": "promotion",
    "health": "promotion + staging-gate (health)",
    "all": "  + version, attestation, soak",
}
base = r["nohooks"]["median"]
for v in ("nohooks", "promotion", "health", "all"):
    print("%-8s %-34s %10.2f %10.2f %7.2fx" % (n, names[v], r[v]["median"] * 1e3,
          r[v]["mean"] * 1e3, r[v]["median"] / base))
print("%-8s %-34s %10.2f ms over promotion alone (median)" % (n, "staging gate, all three",
      (r["all"]["median"] - r["promotion"]["median"]) * 1e3))
PY
done
