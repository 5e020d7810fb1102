#!/bin/sh
# db-upgrade on the real datahub layout (tests/fixtures/db-upgrade): the check as a hook runs it
# (stdin line, objects read from the repository) against the script a deployment repo would
# otherwise run in CI (bench/db-upgrade-ref.py: git show + PyYAML merge). Same two commits, a
# minor chart bump with values split over three files. One hyperfine run each; medians, ratio.
# Usage: bench/db-upgrade.sh [BUILD_DIR]  (default: build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
check=$build/libexec/stagegate/stagegate-db-upgrade
[ -x "$check" ] || { echo "build first: make" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
python3 -c 'import yaml' 2>/dev/null || { echo "needs PyYAML (apt-get install python3-yaml)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp GIT_CONFIG_NOSYSTEM=1
git config --global user.name Bench
git config --global user.email bench@example.org
git init -q "$tmp/repo"
cp -R "$top/tests/fixtures/db-upgrade/datahub/." "$tmp/repo/"
cd "$tmp/repo"
git add -A && git commit -q -m base
sed -i 's/version: 3.3.8/version: 3.4.0/' hub/requirements.yaml
git commit -q -am bump
old=$(git rev-parse HEAD~1) new=$(git rev-parse HEAD)
cat >"$tmp/policy.yml" <<'YAML'
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
    chart: hub
    values: [deployments/datahub/config/common.yaml, 'deployments/datahub/config/${stage}.yaml']
YAML
printf '%s %s refs/heads/prod\n' "$old" "$new" >"$tmp/in"

# Shell mode for both (hyperfine subtracts the shell's own start-up), so stdin can be given.
hyperfine --warmup 5 --runs "${RUNS:-50}" --export-json "$tmp/r.json" \
	-n stagegate-db-upgrade "$check --stage ci --config $tmp/policy.yml --format json <$tmp/in" \
	-n python-pyyaml "python3 $top/bench/db-upgrade-ref.py $old $new prod" -i >/dev/null
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["stagegate-db-upgrade"]["median"], r["python-pyyaml"]["median"]
print(f"{'variant':<22} {'median_ms':>10}")
print(f"{'stagegate-db-upgrade':<22} {a * 1000:>10.2f}")
print(f"{'python-pyyaml':<22} {b * 1000:>10.2f}")
print(f"ratio (python / stagegate): {b / a:.1f}x")
PY
