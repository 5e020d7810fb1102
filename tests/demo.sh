#!/bin/sh
# stagegate demo: a throwaway git server and clone in a temp dir, the real hooks installed by
# install.sh, and the incidents replayed: an untested change merged into prod by accident, a
# direct push to prod, a proper staging -> prod promotion, a chart version naming a merge
# commit (fixed with stagegate bump), a hub database upgrade without its opt-in, and a
# force-push and a deletion of prod.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# Installed: libexec/stagegate/{demo.sh,install.sh,hooks/}; source tree: tests/demo.sh.
if [ -x "$here/hooks/pre-receive" ]; then
	libexec=$here installer=$here/install.sh
else
	libexec=${STAGEGATE_EXEC_PATH:-$here/../build/libexec/stagegate}
	installer=$here/../install.sh
fi
[ -x "$libexec/hooks/pre-receive" ] || { echo "demo: build first (make)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagegate-demo.XXXXXX")
[ "${STAGEGATE_DEMO_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home GIT_CONFIG_NOSYSTEM=1 GIT_CEILING_DIRECTORIES=$tmp
export PATH="$libexec/../../bin:$PATH"
mkdir -p "$HOME"
git config --global user.name "Demo Admin"
git config --global user.email admin@example.org
git config --global init.defaultBranch main

bold= plain=
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
expect() {	# expect accepted|refused, then the command
	want=$1; shift
	if "$@"; then got=accepted; else got=refused; fi
	if [ "$got" = "$want" ]; then
		printf '   -> %s, as it should be\n' "$got"
	else
		printf '   -> %s, but it should have been %s\n' "$got" "$want"
		failures=$((failures + 1))
	fi
}
failures=0

# The chart source (a binderhub look-alike) and its published index: the PR commit changed
# the chart, the merge commit did not (it is TREESAME to the PR side on the chart's paths).
src=$tmp/binderhub
git init -q -b main "$src"
mkdir -p "$src/helm-chart/binderhub" "$src/docs"
printf 'apiVersion: v2\nname: binderhub\nversion: 0.1.0\n' >"$src/helm-chart/binderhub/Chart.yaml"
echo 'replicas: 1' >"$src/helm-chart/binderhub/values.yaml"
echo '# docs' >"$src/docs/index.md"
git -C "$src" add -A && git -C "$src" commit -q -m "initial chart"
git -C "$src" checkout -q -b pr
echo 'replicas: 2' >"$src/helm-chart/binderhub/values.yaml"
git -C "$src" commit -q -am "chart: two replicas"
pr=$(git -C "$src" rev-parse --short=7 HEAD)
git -C "$src" checkout -q main
echo 'more docs' >>"$src/docs/index.md"
git -C "$src" commit -q -am "docs"
git -C "$src" merge -q --no-ff -m "Merge pull request #1" pr
merge=$(git -C "$src" rev-parse --short=7 HEAD)
printf 'apiVersion: v1\nentries:\n  binderhub:\n    - version: 0.1.0-%s\n' "$pr" >"$tmp/index.yaml"

cat >"$tmp/policy.yml" <<YAML
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
    urls:
      staging: https://staging.datahub.example.org
      prod: https://datahub.example.org
    chart: deployments/datahub
    values: [deployments/datahub/config/common.yaml]
charts:
  - name: binderhub
    source: {repo: $src, ref: main, paths: [helm-chart/binderhub]}
    index: $tmp/index.yaml
stages:
  pre-receive: [promotion, chart-sha, db-upgrade]
YAML

step "a server repository with stagegate's pre-receive and update hooks"
git init -q --bare "$tmp/datahub.git"
"$installer" --no-build --libexec "$libexec" --server "$tmp/datahub.git" --config "$tmp/policy.yml"
git clone -q "$tmp/datahub.git" "$tmp/work" 2>/dev/null
cd "$tmp/work" || exit 2
mkdir -p deployments/datahub/config
cat >deployments/datahub/Chart.yaml <<'YAML'
apiVersion: v2
name: datahub
version: 0.1.0
dependencies:
  - name: jupyterhub
    version: 3.3.7
    repository: https://hub.jupyter.org/helm-chart/
YAML
cat >deployments/datahub/config/common.yaml <<'YAML'
jupyterhub:
  hub:
    db:
      type: postgres
  singleuser:
    memory: {guarantee: 1G}
YAML
# The team keeps the same policy in the repository for the client hooks and commands.
cp "$tmp/policy.yml" .stagegate.yml
git add . && git commit -q -m "datahub config"
git push -q origin HEAD:staging 2>/dev/null && git push -q origin HEAD:prod 2>/dev/null
git fetch -q origin

step "incident 1: an untested change, merged into prod by accident"
git checkout -q -b chart-bump origin/staging
printf '    cpu: {limit: 2}\n' >>deployments/datahub/config/common.yaml
git add . && git commit -q -m "give every user two CPUs (not tested on staging)"
git checkout -q -b prod origin/prod
git merge -q --no-ff -m "Merge chart-bump (meant for another hub)" chart-bump
expect refused git push origin prod

step "incident 2: a direct commit pushed to prod"
git reset -q --hard origin/prod
printf 'hotfix: true\n' >deployments/datahub/config/prod.yaml
git add . && git commit -q -m "quick fix straight on prod"
expect refused git push origin prod

step "the right way: the change goes to staging first, then staging is merged into prod"
git checkout -q staging 2>/dev/null || git checkout -q -b staging origin/staging
git merge -q --ff-only chart-bump
expect accepted git push origin staging
git checkout -q prod && git reset -q --hard origin/prod
git merge -q --no-ff -m "Promote staging to prod" staging
expect accepted git push origin prod

step "incident 3: a chart bump that names the merge commit, not the chart's last change"
git checkout -q staging
mkdir -p mybinder
printf 'dependencies:\n  - name: binderhub\n    version: 0.1.0-%s  # bumped by hand\n    repository: https://jupyterhub.github.io/helm-chart\n' "$merge" >mybinder/Chart.yaml
printf 'apiVersion: v2\nname: mybinder\nversion: 0.1.0\n' | cat - mybinder/Chart.yaml >mybinder/Chart.tmp && mv mybinder/Chart.tmp mybinder/Chart.yaml
git add . && git commit -q -m "bump binderhub"
expect refused git push origin staging
echo "   stagegate bump binderhub writes the version chartpress published:"
stagegate bump binderhub && git commit -q -am "binderhub: use the chart's last change"
git diff HEAD~1 -- mybinder/Chart.yaml | grep '^[-+] '
expect accepted git push origin staging

step "incident 4: a JupyterHub minor upgrade on postgres without hub.db.upgrade"
sed -i 's/version: 3.3.7/version: 3.4.0/' deployments/datahub/Chart.yaml
git commit -q -am "jupyterhub 3.3.7 -> 3.4.0"
expect refused git push origin staging
printf '      upgrade: true\n' >deployments/datahub/config/common.yaml.tmp
sed '/type: postgres/r deployments/datahub/config/common.yaml.tmp' deployments/datahub/config/common.yaml >deployments/datahub/config/x && mv deployments/datahub/config/x deployments/datahub/config/common.yaml
rm -f deployments/datahub/config/common.yaml.tmp
git commit -q -am "allow the hub database upgrade (backup taken)"
expect accepted git push origin staging

step "incident 5: rolling prod back by force, or deleting it"
expect refused git push -f origin prod~1:prod
expect refused git push origin :prod

echo
if [ "$failures" -eq 0 ]; then
	echo "demo: every push was accepted or refused as it should be"
else
	echo "demo: $failures push(es) did not behave as expected"
	exit 1
fi
