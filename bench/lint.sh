#!/bin/sh
# helm-lint speed against yamllint (what teams run otherwise) and against a bare libyaml event
# parse of the same bytes (the floor): the shared real corpus laid out at its original paths,
# and that corpus concatenated as YAML documents to about 50 MB. Prints medians, files/s,
# MB/s and the ratios. Usage: bench/lint.sh [BUILD_DIR]
# (BENCH_RUNS=N, BENCH_BIG_MB=N, BENCH_YAMLLINT_BIG=0 to skip yamllint's minutes on the big file)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${SG_BUILD:-$top/build}}
case $build in /*) ;; *) build=$top/$build ;; esac
corpus=${SG_CORPUS:-$top/../shared/corpus/real}
runs=${BENCH_RUNS:-10}
big_mb=${BENCH_BIG_MB:-50}
stagegate=$build/bin/stagegate
export STAGEGATE_EXEC_PATH=$build/libexec/stagegate

for tool in hyperfine yamllint gcc python3; do
	command -v $tool >/dev/null || { echo "bench/lint.sh: needs $tool" >&2; exit 2; }
done
[ -x "$stagegate" ] || { echo "bench/lint.sh: build first: make BUILD=$build" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/libyaml-parse" "$top/bench/libyaml-parse.c" $(pkg-config --cflags --libs yaml-0.1)

# The corpus at its original paths (Chart.yaml folder names matter), without the cookiecutter
# templates that every tool here excludes or fails on.
mkdir -p "$tmp/c"
tail -n +2 "$corpus/MANIFEST.tsv" | while IFS="$(printf '\t')" read -r f repo _ path _; do
	case $path in *'{{'*) continue ;; esac
	d="$tmp/c/${repo#*/}/$(dirname "$path")"
	mkdir -p "$d"
	cp "$corpus/$f" "$d/"
done
(cd "$tmp/c" && find . -type f -name '*.yaml' | sort) >"$tmp/files"
nfiles=$(wc -l <"$tmp/files")
bytes=$(cd "$tmp/c" && cat $(cat "$tmp/files") | wc -c)

# About 50 MB of the same YAML: the corpus repeated, one document per file.
big=$tmp/big/all.yaml
mkdir -p "$tmp/big"
(cd "$tmp/c" && for f in $(cat "$tmp/files"); do printf -- '---\n'; cat "$f"; printf '\n'; done) >"$tmp/one.yaml"
one=$(wc -c <"$tmp/one.yaml")
reps=$(( (big_mb * 1000000 + one - 1) / one ))
i=0
while [ $i -lt $reps ]; do cat "$tmp/one.yaml"; i=$((i + 1)); done >"$big"
bigbytes=$(wc -c <"$big")

echo "corpus: $nfiles files, $bytes bytes; concatenated: 1 file, $bigbytes bytes ($reps copies)"
echo "runs: $runs (yamllint on the big file: 1)"

cd "$tmp/c"
list=$(cat "$tmp/files" | tr '\n' ' ')

# hyperfine -i is only there because lint tools exit 1 on findings. A crash must not pass as
# a fast run: every command is run once here, and every timed run's exit code is checked
# below from hyperfine's JSON (0 clean, 1 findings; anything else fails the benchmark).
expect_0_or_1() {
	set +e
	"$@" >/dev/null 2>&1
	rc=$?
	set -e
	[ $rc -le 1 ] || { echo "bench/lint.sh: '$*' exited with $rc" >&2; exit 2; }
}
# shellcheck disable=SC2086
expect_0_or_1 "$stagegate" lint $list
# shellcheck disable=SC2086
expect_0_or_1 "$tmp/libyaml-parse" $list
expect_0_or_1 "$stagegate" lint "$big"
hyperfine -N -i -w 2 -r "$runs" --export-json "$tmp/small.json" \
	-n stagegate "$stagegate lint $list" \
	-n libyaml "$tmp/libyaml-parse $list" \
	-n yamllint "yamllint -f parsable $list" >/dev/null
hyperfine -N -i -w 1 -r "$runs" --export-json "$tmp/big1.json" \
	-n stagegate "$stagegate lint $big" \
	-n libyaml "$tmp/libyaml-parse $big" >/dev/null
# yamllint needs minutes for 50 MB: one run, and BENCH_YAMLLINT_BIG=0 skips it.
if [ "${BENCH_YAMLLINT_BIG:-1}" != 0 ]; then
	hyperfine -N -i -r 1 --export-json "$tmp/big2.json" \
		-n yamllint "yamllint -f parsable $big" >/dev/null
fi

python3 - "$tmp" "$nfiles" "$bytes" "$bigbytes" <<'PY'
import json, os, sys
tmp, nfiles, nbytes, bigbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def load(*names):
    wall, cpu = {}, {}
    for n in names:
        if not os.path.exists(f"{tmp}/{n}.json"):
            continue
        for r in json.load(open(f"{tmp}/{n}.json"))["results"]:
            bad = [c for c in r.get("exit_codes", []) if c not in (0, 1)]
            if bad:
                sys.exit(f"bench/lint.sh: {r['command']} exited with {bad[0]} in a timed run")
            wall[r["command"]] = r["median"]
            cpu[r["command"]] = r["user"] + r["system"]
    return wall, cpu
# Wall-clock medians are what a user waits for; CPU time (user+sys) is what the tool costs and
# is the stabler figure on a loaded machine.
for title, (wall, cpu), files, size in (("corpus", load("small"), nfiles, nbytes),
                                        ("concatenated", load("big1", "big2"), 1, bigbytes)):
    print(f"\n{title}: {files} files, {size / 1e6:.2f} MB")
    print(f"  {'tool':<10} {'wall':>10} {'files/s':>10} {'MB/s':>8} {'cpu':>10} {'MB/s(cpu)':>10}")
    for tool in ("stagegate", "libyaml", "yamllint"):
        if tool not in wall:
            print(f"  {tool:<10} {'skipped':>10}")
            continue
        t, c = wall[tool], cpu[tool]
        print(f"  {tool:<10} {t * 1000:>8.1f}ms {files / t:>10.0f} {size / 1e6 / t:>8.1f}"
              f" {c * 1000:>8.1f}ms {size / 1e6 / c:>10.1f}")
    if "yamllint" in wall:
        print(f"  stagegate vs yamllint: {wall['yamllint'] / wall['stagegate']:.1f}x faster wall, "
              f"{cpu['yamllint'] / cpu['stagegate']:.1f}x cpu (target >= 50x)")
    print(f"  stagegate vs bare libyaml: {wall['stagegate'] / wall['libyaml']:.2f}x the wall time, "
          f"{cpu['stagegate'] / cpu['libyaml']:.2f}x the cpu time (target <= 2x)")
PY
