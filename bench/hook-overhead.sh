#!/bin/sh
# Hook overhead: the wall time of a `git push` of one commit to prod through pre-receive
# with the promotion check, against the same push to the same repository with no hooks, on a
# short history and on a synthetic 100,000-commit history. Uses hyperfine (Debian package).
# Usage: bench/hook-overhead.sh [BUILD_DIR]  (default: build); SIZES="1000 100000" to choose.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
libexec=$build/libexec/stagegate
[ -x "$libexec/hooks/pre-receive" ] || { echo "build first: make" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
sizes=${SIZES:-"1000 100000"}
runs=${RUNS:-30}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp GIT_CONFIG_NOSYSTEM=1
git config --global user.name Bench
git config --global user.email bench@example.org

cat >"$tmp/policy.yml" <<'YAML'
version: 1
deployments:
  - name: hub
    chain: [staging, prod]
stages:
  pre-receive: [promotion]
YAML

printf '%-10s %-22s %12s %12s\n' commits variant median_ms mean_ms
for n in $sizes; do
	src=$tmp/src-$n
	git init -q --bare "$src"
	python3 "$top/bench/synth-history.py" "$((n + 1))" | git --git-dir="$src" fast-import --quiet
	# prod is one commit behind staging: each timed push promotes exactly one commit.
	tip=$(git --git-dir="$src" rev-parse staging)
	old=$(git --git-dir="$src" rev-parse staging~1)
	git --git-dir="$src" update-ref refs/heads/prod "$old"
	for v in nohooks hooks; do
		git clone -q --bare "$src" "$tmp/$v-$n.git"
		git --git-dir="$tmp/$v-$n.git" repack -adq
	done
	"$top/install.sh" --no-build --libexec "$libexec" --server "$tmp/hooks-$n.git" \
		--config "$tmp/policy.yml" >/dev/null
	git clone -q --bare "$src" "$tmp/client-$n.git"
	json=$tmp/result-$n.json
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" \
		--prepare "git --git-dir=$tmp/nohooks-$n.git update-ref refs/heads/prod $old" \
		-n nohooks "git --git-dir=$tmp/client-$n.git push -q $tmp/nohooks-$n.git $tip:refs/heads/prod" \
		--prepare "git --git-dir=$tmp/hooks-$n.git update-ref refs/heads/prod $old" \
		-n hooks "git --git-dir=$tmp/client-$n.git push -q $tmp/hooks-$n.git $tip:refs/heads/prod" \
		>/dev/null 2>&1
	python3 - "$json" "$n" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n = sys.argv[2]
for v in ("nohooks", "hooks"):
    print("%-10s %-22s %12.2f %12.2f" % (n, v, r[v]["median"] * 1e3, r[v]["mean"] * 1e3))
d = (r["hooks"]["median"] - r["nohooks"]["median"]) * 1e3
print("%-10s %-22s %12.2f   ratio %.2fx" % (n, "overhead (median)", d,
      r["hooks"]["median"] / r["nohooks"]["median"]))
PY
done
