#!/bin/sh
# stagegate demo: a throwaway git server and clone in a temp dir, the real hooks installed by
# install.sh, and the incidents replayed: an untested change merged into prod by accident, a
# direct push to prod, a force-push, then a proper staging -> prod promotion.
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

cat >"$tmp/policy.yml" <<'YAML'
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
    urls:
      staging: https://staging.datahub.example.org
      prod: https://datahub.example.org
stages:
  pre-receive: [promotion]
  update: [promotion]
YAML

step "a server repository with stagegate's pre-receive and update hooks"
git init -q --bare "$tmp/datahub.git"
"$installer" --no-build --libexec "$libexec" --server "$tmp/datahub.git" --config "$tmp/policy.yml"
git clone -q "$tmp/datahub.git" "$tmp/work" 2>/dev/null
cd "$tmp/work" || exit 2
mkdir -p deployments/datahub/config
printf 'jupyterhub:\n  singleuser:\n    memory: {guarantee: 1G}\n' >deployments/datahub/config/common.yaml
git add . && git commit -q -m "datahub config"
git push -q origin HEAD:staging 2>/dev/null && git push -q origin HEAD:prod 2>/dev/null
git fetch -q origin

step "incident 1: an untested chart bump, merged into prod by accident"
git checkout -q -b chart-bump origin/staging
printf 'dependencies:\n  - name: jupyterhub\n    version: 4.0.0-beta.1\n' >deployments/datahub/requirements.yaml
git add . && git commit -q -m "bump jupyterhub to 4.0.0-beta.1 (not tested on staging)"
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

step "incident 3: rolling prod back by force, or deleting it"
expect refused git push -f origin prod~1:prod
expect refused git push origin :prod

echo
if [ "$failures" -eq 0 ]; then
	echo "demo: every push was accepted or refused as it should be"
else
	echo "demo: $failures push(es) did not behave as expected"
	exit 1
fi
