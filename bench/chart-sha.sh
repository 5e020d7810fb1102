#!/bin/sh
# chart-sha's last-change walk against the git CLI on the same repository: a synthetic history
# of N commits (default 100000) built with git fast-import, where the chart last changed near
# the tip and 50,000 commits back. No commit-graph is written, so git parses every commit as
# libgit2 does. Usage: bench/chart-sha.sh [BUILD_DIR] [N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
n=${2:-100000}
cv=$build/libexec/stagegate/stagegate-chart-version
# SG_BENCH_DIR keeps (and reuses) the generated repository between runs.
if [ -n "${SG_BENCH_DIR:-}" ]; then
	work=$SG_BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/sg-bench-chart-sha.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

# one repository, two charts: "near" changes 10 commits from the tip, "far" at N/2 back
far_at=$((n - 50000)); [ "$far_at" -gt 1 ] || far_at=2
near_at=$((n - 10))
if [ ! -d "$work/repo" ]; then
python3 - "$n" "$far_at" "$near_at" >"$work/stream" <<'PY'
import sys
n, far_at, near_at = map(int, sys.argv[1:])
out = sys.stdout.buffer
def blob(mark, data):
    out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
for i in range(1, n + 1):
    files = [(b"docs/log.txt", b"line %d\n" % i)]
    if i == 1 or i == far_at:
        files.append((b"helm-chart/far/Chart.yaml", b"name: far\nversion: 0.1.%d\n" % i))
    if i == 1 or i == near_at:
        files.append((b"helm-chart/near/Chart.yaml", b"name: near\nversion: 0.1.%d\n" % i))
    if i == 1:
        files.append((b"helm-chart/chartpress.yaml",
                      b"charts:\n  - name: near\n  - name: far\n"))
        for k in range(200):
            files.append((b"src/mod%03d/x.py" % k, b"x = %d\n" % k))
    msg = b"commit %d" % i
    out.write(b"commit refs/heads/main\nmark :%d\n" % i)
    t = 1600000000 + i
    out.write(b"author A <a@x> %d +0000\ncommitter A <a@x> %d +0000\n" % (t, t))
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    if i > 1:
        out.write(b"from :%d\n" % (i - 1))
    for path, data in files:
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data))
    out.write(b"\n")
PY
git init -q -b main "$work/repo"
git -C "$work/repo" config core.commitGraph false
git -C "$work/repo" config gc.auto 0
git -C "$work/repo" fast-import --quiet <"$work/stream"
git -C "$work/repo" repack -adq
rm -f "$work/repo/.git/objects/info/commit-graph" "$work/stream"
git -C "$work/repo" checkout -q main
fi
r=$work/repo
near=$(git -C "$r" log -1 --format=%h --abbrev=7 -- helm-chart/near)
far=$(git -C "$r" log -1 --format=%h --abbrev=7 -- helm-chart/far)
count_near=$(git -C "$r" rev-list --count "$near")
echo "history: $(git -C "$r" rev-list --count HEAD) commits; near change $near, far change $far"

# sanity: the same answers
echo "latest near: $("$cv" latest --source "$r" --path helm-chart/near --like 0.1.0-abcdef0)"
[ "$("$cv" latest --source "$r" --path helm-chart/near --like 0.1.0-abcdef0)" = "0.1.0-$near" ]
echo "latest far: $("$cv" latest --source "$r" --path helm-chart/far --like 0.1.0-abcdef0)"
[ "$("$cv" latest --source "$r" --path helm-chart/far --like 0.1.0-abcdef0)" = "0.1.0-$far" ]

# The check as a push runs it: a deployment repository naming the near chart's version (with
# its ancestor count) in two files, the source configured with a ref so the chart-newer note
# is computed too. Relative paths resolve from the deployment's work tree: ../repo.
d=$work/deploy
rm -rf "$d"
git init -q -b main "$d"
cat >"$d/.stagegate.yml" <<YAML
version: 1
charts:
  - name: near
    source: {repo: ../repo, ref: main, paths: [helm-chart/near]}
    references: [values.yaml]
YAML
printf 'name: deploy\nversion: 0.1.0\ndependencies:\n  - name: near\n    version: 0.1.0-n%s.h%s\n' \
	"$count_near" "$near" >"$d/Chart.yaml"
echo x >"$d/README"
git -C "$d" add README && git -C "$d" -c user.name=b -c user.email=b@x commit -qm base
printf 'near:\n  name: near\n  version: 0.1.0-n%s.h%s\n' "$count_near" "$near" >"$d/values.yaml"
git -C "$d" add -A && git -C "$d" -c user.name=b -c user.email=b@x commit -qm bump
push="$(git -C "$d" rev-parse HEAD~1) $(git -C "$d" rev-parse HEAD) refs/heads/main"
cs=$build/libexec/stagegate/stagegate-chart-sha
(cd "$d" && echo "$push" | "$cs" --stage ci --config .stagegate.yml) || true
echo "$push" >"$work/push.txt"

hyperfine -N --warmup 1 --runs "${RUNS:-5}" --export-json "$work/h.json" \
	-n "git log -1 (near)" "git -C $r log -1 --format=%h -- helm-chart/near" \
	-n "chart-version latest (near)" "$cv latest --source $r --path helm-chart/near --like 0.1.0-abcdef0" \
	-n "git log -1 (far)" "git -C $r log -1 --format=%h -- helm-chart/far" \
	-n "chart-version latest (far)" "$cv latest --source $r --path helm-chart/far --like 0.1.0-abcdef0" \
	-n "chart-version verify (far)" "$cv verify --source $r --path helm-chart/far 0.1.0-$far" \
	-n "git rev-list --count (near)" "git -C $r rev-list --count $near" \
	-n "chart-version verify n-count (near)" "$cv verify --source $r --path helm-chart/near 0.1.0-n$count_near.h$near" \
	-n "chart-sha check on push (2 refs)" "sh -c 'cd $d && exec $cs --stage ci --config .stagegate.yml <$work/push.txt'" \
	>/dev/null
python3 - "$work/h.json" <<'PY'
import json, statistics, sys
res = {r["command"]: statistics.median(r["times"]) * 1000 for r in json.load(open(sys.argv[1]))["results"]}
for k, v in res.items():
    print("%-40s median %8.1f ms" % (k, v))
def ratio(a, b):
    print("%-40s %.2fx git" % (a + " / " + b.split(" (")[0], res[a] / res[b]))
ratio("chart-version latest (near)", "git log -1 (near)")
ratio("chart-version latest (far)", "git log -1 (far)")
ratio("chart-version verify (far)", "git log -1 (far)")
ratio("chart-version verify n-count (near)", "git rev-list --count (near)")
# the check judges two references to one version and looks for a newer change: about one
# rev-list --count and one log -1 in all when it caches what it computed
ratio("chart-sha check on push (2 refs)", "git rev-list --count (near)")
PY
