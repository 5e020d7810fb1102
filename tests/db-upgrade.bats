#!/usr/bin/env bats
# db-upgrade end to end: real pushes through the server's pre-receive hook and `stagegate ci`,
# on the real datahub layout (a wrapper chart with jupyterhub as a dependency, values split
# over common/staging/prod) and on a deployment that installs the jupyterhub chart itself.

load helpers

FIX=$BATS_TEST_DIRNAME/fixtures/db-upgrade

setup() {
	sg_setup
}

teardown() { sg_teardown; }

# dbu_config [EXTRA]: the policy, with db-upgrade alone on the server and in ci.
dbu_config() {
	cat >"$SG_TMP/stagegate.yml" <<YAML
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
    chart: hub
    values:
      - deployments/datahub/config/common.yaml
      - 'deployments/datahub/config/\${stage}.yaml'
      - 'secrets/\${stage}.yaml'
  - name: plain
    chain: [plain-staging, plain-prod]
    chart: jupyterhub
    values: ['config/\${stage}.yaml']
  - name: course hubs
    match: '^(?<hub>data[0-9]+)-prod\$'
    from: '\${hub}-staging'
    values: ['deployments/\${hub}/config/*.yaml']
stages:
  pre-receive: [db-upgrade]
  update: ~
  ci: [db-upgrade]
${1:-}
YAML
	echo "$SG_TMP/stagegate.yml"
}

# dbu_repo [EXTRA]: server and clone holding the real datahub files on staging and prod
# (seeded without hooks, as history that was there before stagegate).
dbu_repo() {
	sg_server origin "$(dbu_config "${1:-}")"
	sg_clone origin work
	cp -R "$FIX/datahub/." work/
	git -C work add -A
	sg_tick
	git -C work commit -q -m "datahub as it is"
	git -C origin.git fetch -q "$SG_TMP/work" HEAD:refs/heads/staging HEAD:refs/heads/prod
	git -C work fetch -q origin
	git -C work checkout -q -B prod origin/prod
}

# dbu_policy EXTRA: replace the server's config after install (install.sh refuses to install
# a config the checks reject, so a bad one can only arrive this way).
dbu_policy() {
	cp "$(dbu_config "$1")" "$SG_TMP/origin.git/stagegate.yml"
}

# edit FILE SED-SCRIPT [MESSAGE]: change a file in the work tree and commit it.
edit() {
	sed -i "$2" "work/$1"
	git -C work add "$1"
	sg_tick
	git -C work commit -q -m "${3:-edit $1}"
}

# Seed prod with an external database set in the prod file only.
prod_postgres() {
	sed -i '18a\      type: postgres' work/deployments/datahub/config/prod.yaml
	git -C work commit -q -am "prod hub on postgres"
	git -C origin.git fetch -q "$SG_TMP/work" prod:prod
	git -C work fetch -q origin
}

bump() {
	edit hub/requirements.yaml "s/version: 3.3.8/version: $1/" "jupyterhub $1"
}

@test "the real datahub layout passes quietly when no database setting changes" {
	dbu_repo
	edit deployments/datahub/config/prod.yaml 's/storage: 80Gi/storage: 100Gi/'
	run git -C work push origin prod
	assert_success
	assert_output_contains "ok    db-upgrade"
	refute_output_contains "warning"
	assert_output_contains "push accepted"
}

@test "stagegate ci is quiet on the real datahub layout" {
	dbu_repo
	edit deployments/datahub/config/common.yaml 's/auto_login_oauth2_authorize: True/auto_login_oauth2_authorize: False/'
	cd work
	run env STAGEGATE_CONFIG="$SG_TMP/stagegate.yml" stagegate ci --base origin/prod --head HEAD --ref prod
	assert_success
	assert_output_contains "ok    db-upgrade"
	refute_output_contains "warning"
}

@test "a patch upgrade of the jupyterhub chart passes without a warning" {
	dbu_repo
	prod_postgres
	bump 3.3.9
	run git -C work push origin prod
	assert_success
	refute_output_contains "[db-"
	assert_output_contains "push accepted"
}

@test "a minor upgrade of a sqlite hub warns with the backup checklist" {
	dbu_repo
	bump 3.4.0
	run git -C work push origin prod
	assert_success
	assert_output_contains "hub/requirements.yaml:7:13: warning: jupyterhub chart 3.3.8 -> 3.4.0 is a minor upgrade: the hub will migrate its sqlite database (jupyterhub.hub.db.type sqlite-pvc) [db-backup]"
	assert_output_contains "hint: before it deploys: back up the hub database (jupyterhub.sqlite on the hub-db-dir volume), tell users about the restart, upgrade staging first and check it"
	assert_output_contains "push accepted with 1 warning"
}

@test "a major upgrade of a postgres hub set in the prod file only is refused on prod" {
	dbu_repo
	prod_postgres
	bump 4.0.0
	run git -C work push origin prod
	assert_failure
	assert_output_contains "FAIL  db-upgrade"
	assert_output_contains "hub/requirements.yaml:7:13: error: jupyterhub chart 3.3.8 -> 4.0.0 is a major upgrade and jupyterhub.hub.db.type is postgres (set at deployments/datahub/config/prod.yaml:19:13): without jupyterhub.hub.db.upgrade: true the hub will crash-loop on the database schema version [db-upgrade-required]"
	assert_output_contains "hint: back up the database, then set jupyterhub.hub.db.upgrade: true in deployments/datahub/config/prod.yaml for this upgrade and remove it afterwards"
	assert_ref origin refs/heads/prod "$(git -C work rev-parse origin/prod)"
}

@test "the same major upgrade on staging, still on sqlite there, only warns" {
	dbu_repo
	prod_postgres
	bump 4.0.0
	run git -C work push origin prod:staging
	assert_success
	assert_output_contains "STAGING"
	assert_output_contains "is a major upgrade: the hub will migrate its sqlite database"
	assert_output_contains "[db-backup]"
	refute_output_contains "db-upgrade-required"
}

@test "a major upgrade of a postgres hub with hub.db.upgrade: true passes" {
	dbu_repo
	prod_postgres
	sed -i '19a\      upgrade: true' work/deployments/datahub/config/prod.yaml
	bump 4.0.0
	git -C work commit -q -am "upgrade jupyterhub with db upgrade"
	run git -C work push origin prod
	assert_success
	refute_output_contains "db-upgrade-required"
	refute_output_contains "db-upgrade-left-on"
	assert_output_contains "push accepted"
}

@test "hub.db.upgrade left on after the upgrade warns at its line" {
	dbu_repo
	prod_postgres
	edit deployments/datahub/config/prod.yaml '19a\      upgrade: true'
	run git -C work push origin prod
	assert_success
	assert_output_contains "deployments/datahub/config/prod.yaml:20:16: warning: jupyterhub.hub.db.upgrade: true is set but no jupyterhub upgrade is happening (3.3.8 -> 3.3.8): it is meant for one upgrade only [db-upgrade-left-on]"
	assert_output_contains "hint: remove hub.db.upgrade from deployments/datahub/config/prod.yaml"
}

@test "a hub.db.type change without the trailer is refused at the new type" {
	dbu_repo
	edit deployments/datahub/config/prod.yaml '18a\      type: postgres' "move the hub to postgres"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "deployments/datahub/config/prod.yaml:19:13: error: jupyterhub.hub.db.type changes from sqlite-pvc to postgres: the hub database must be backed up and migrated first [db-type-change]"
	assert_output_contains "hint: migrate and back up the database, then say how in a commit trailer: 'Hub-DB-Migration: <how it was done>'"
}

@test "a hub.db.type change with a Hub-DB-Migration trailer is accepted" {
	dbu_repo
	sed -i '18a\      type: postgres' work/deployments/datahub/config/prod.yaml
	sg_tick
	git -C work commit -q -am "move the hub to postgres

Hub-DB-Migration: pgloader from the sqlite backup of 2024-08-01"
	sg_commit work README.md "notes" "a later commit"
	run git -C work push origin prod
	assert_success
	assert_output_contains "jupyterhub.hub.db.type sqlite-pvc -> postgres acknowledged by $(git -C work rev-parse --short=7 HEAD~1) (Hub-DB-Migration: pgloader from the sqlite backup of 2024-08-01)"
	refute_output_contains "[db-type-change]"
}

@test "removing hub.db.type back to the default is a type change at the old line" {
	dbu_repo
	prod_postgres
	edit deployments/datahub/config/prod.yaml '19d'
	run git -C work push origin prod
	assert_failure
	assert_output_contains "deployments/datahub/config/prod.yaml:19:13: error: jupyterhub.hub.db.type changes from postgres to sqlite-pvc"
}

@test "a database URL with a password in a plain values file warns" {
	dbu_repo
	edit deployments/datahub/config/prod.yaml '18a\      url: postgres://hub:s3cret@db.example.org/hub'
	run git -C work push origin prod
	assert_success
	assert_output_contains "deployments/datahub/config/prod.yaml:19:12: warning: jupyterhub.hub.db.url has a password in 'deployments/datahub/config/prod.yaml', which is not encrypted [db-url-secret]"
}

@test "a database URL with a password in an encrypted secrets file is fine" {
	dbu_repo
	mkdir -p work/secrets
	printf 'jupyterhub:\n  hub:\n    db:\n      url: postgres://hub:s3cret@db/hub\n' >work/secrets/prod.yaml
	git -C work add secrets/prod.yaml
	git -C work commit -q -m "secrets"
	run git -C work push origin prod
	assert_success
	refute_output_contains "db-url-secret"
}

@test "a URL without a password is fine" {
	dbu_repo
	edit deployments/datahub/config/prod.yaml '18a\      url: postgres://hub@db.example.org/hub'
	run git -C work push origin prod
	assert_success
	refute_output_contains "db-url-secret"
}

@test "a malformed values file refuses the push naming file:line:col" {
	dbu_repo
	edit deployments/datahub/config/prod.yaml '2a\  bad: [unclosed'
	run git -C work push origin prod
	assert_failure
	assert_output_contains "ERROR db-upgrade"
	assert_output_contains "deployments/datahub/config/prod.yaml:4:14: error: did not find expected ',' or ']' (while parsing a flow sequence at 3:8); helm cannot read this file of deployment 'datahub' (prod at $(git -C work rev-parse --short=7 HEAD)) [db-upgrade]"
}

@test "stagegate ci refuses a malformed values file and the check exits 2" {
	dbu_repo
	edit deployments/datahub/config/staging.yaml '1a\ - not: a mapping here'
	cd work
	run env STAGEGATE_CONFIG="$SG_TMP/stagegate.yml" stagegate ci --base origin/staging --head HEAD --ref staging
	assert_failure
	assert_output_contains "ERROR db-upgrade"
	assert_output_contains "deployments/datahub/config/staging.yaml:3:3: error: did not find expected '-' indicator (while parsing a block collection at 2:2); helm cannot read this file of deployment 'datahub' (staging at $(git rev-parse --short=7 HEAD)) [db-upgrade]"
	run env STAGEGATE_CONFIG="$SG_TMP/stagegate.yml" stagegate db-upgrade --stage ci <<<"$(git rev-parse origin/staging) $(git rev-parse HEAD) refs/heads/staging"
	assert_failure 2
}

@test "stagegate ci refuses a type change and passes once it carries the trailer" {
	dbu_repo
	edit deployments/datahub/config/prod.yaml '18a\      type: mysql'
	cd work
	run env STAGEGATE_CONFIG="$SG_TMP/stagegate.yml" stagegate ci --base origin/prod --head HEAD --ref prod
	assert_failure 1
	assert_output_contains "changes from sqlite-pvc to mysql"
	sg_tick
	git commit -q --allow-empty -m "record the migration

Hub-DB-Migration: dumped with sqlite3 .dump, loaded into mysql"
	run env STAGEGATE_CONFIG="$SG_TMP/stagegate.yml" stagegate ci --base origin/prod --head HEAD --ref prod
	assert_success
	assert_output_contains "acknowledged by"
}

@test "stagegate ci treats a chartpress dev version by its base: a major move" {
	dbu_repo
	prod_postgres
	bump 4.0.0-0.dev.git.6548.h9a1f3b2c
	cd work
	run env STAGEGATE_CONFIG="$SG_TMP/stagegate.yml" stagegate ci --base origin/prod --head HEAD --ref prod
	assert_failure 1
	assert_output_contains "jupyterhub chart 3.3.8 -> 4.0.0-0.dev.git.6548.h9a1f3b2c is a major upgrade"
	assert_output_contains "[db-upgrade-required]"
}

# A deployment that installs the jupyterhub chart itself: values at the top.
plain_repo() {
	dbu_repo
	mkdir -p work/jupyterhub work/config
	printf 'apiVersion: v2\nname: jupyterhub\nversion: 1.2.0\n' >work/jupyterhub/Chart.yaml
	printf 'hub:\n  db:\n    type: sqlite-pvc\n' >work/jupyterhub/values.yaml
	printf 'hub:\n  db:\n    type: mysql\n' >work/config/plain-prod.yaml
	printf '{}\n' >work/config/plain-staging.yaml
	git -C work add -A
	git -C work commit -q -m "plain hub"
	git -C origin.git fetch -q "$SG_TMP/work" prod:plain-prod prod:plain-staging
	git -C work fetch -q origin
	git -C work checkout -q -B plain-prod origin/plain-prod
}

@test "1.2.0 -> 2.0.0-beta.1 of a chart installed directly is a major move" {
	plain_repo
	edit jupyterhub/Chart.yaml 's/version: 1.2.0/version: 2.0.0-beta.1/'
	run git -C work push origin plain-prod
	assert_failure
	assert_output_contains "jupyterhub/Chart.yaml:3:10: error: jupyterhub chart 1.2.0 -> 2.0.0-beta.1 is a major upgrade and hub.db.type is mysql (set at config/plain-prod.yaml:3:11): without hub.db.upgrade: true"
}

@test "a directly installed chart on sqlite only warns on its staging branch" {
	plain_repo
	git -C work checkout -q -B plain-staging origin/plain-staging
	edit jupyterhub/Chart.yaml 's/version: 1.2.0/version: 1.3.0/'
	run git -C work push origin plain-staging
	assert_success
	assert_output_contains "jupyterhub/Chart.yaml:3:10: warning: jupyterhub chart 1.2.0 -> 1.3.0 is a minor upgrade"
}

@test "a pattern deployment reads the values of its own hub" {
	dbu_repo
	mkdir -p work/deployments/data8/config
	printf 'jupyterhub:\n  hub:\n    db:\n      type: sqlite-pvc\n' >work/deployments/data8/config/common.yaml
	git -C work add -A
	git -C work commit -q -m "data8"
	git -C origin.git fetch -q "$SG_TMP/work" prod:data8-prod
	edit deployments/data8/config/common.yaml 's/sqlite-pvc/postgres/'
	run git -C work push origin prod:data8-prod
	assert_failure
	assert_output_contains "deployments/data8/config/common.yaml:4:13: error: jupyterhub.hub.db.type changes from sqlite-pvc to postgres"
}

@test "a created branch has no past to compare" {
	dbu_repo
	prod_postgres
	bump 4.0.0
	git -C origin.git update-ref -d refs/heads/staging
	run git -C work push origin prod:staging
	assert_success
	refute_output_contains "[db-"
}

@test "db_upgrade.rules turns a rule off" {
	dbu_repo "db_upgrade:
  rules: {db-backup: off}"
	bump 3.4.0
	run git -C work push origin prod
	assert_success
	refute_output_contains "db-backup"
}

@test "an unknown key in db_upgrade is a config error with a suggestion" {
	dbu_repo
	dbu_policy "db_upgrade:
  trailr: Hub-DB-Migration"
	bump 3.3.9
	run git -C work push origin prod
	assert_failure
	assert_output_contains "unknown key 'trailr' in db_upgrade; did you mean 'trailer'?"
}

@test "db_upgrade.trailer names another trailer" {
	dbu_repo "db_upgrade:
  trailer: Database-Migrated"
	sed -i '18a\      type: postgres' work/deployments/datahub/config/prod.yaml
	sg_tick
	git -C work commit -q -am "postgres

Database-Migrated: yes, see runbook"
	run git -C work push origin prod
	assert_success
	assert_output_contains "(Database-Migrated: yes, see runbook)"
}

@test "a bad severity in db_upgrade.rules is a config error at its position" {
	dbu_repo
	dbu_policy "db_upgrade:
  rules: {db-backup: loud}"
	bump 3.3.9
	run git -C work push origin prod
	assert_failure
	assert_output_contains "stagegate.yml:23:22: error: severity of 'db-backup' must be error, warning, note or off [config]"
}

@test "going back a minor version warns that the old hub cannot read the database" {
	dbu_repo
	bump 3.2.1
	run git -C work push origin prod
	assert_success
	assert_output_contains "hub/requirements.yaml:7:13: warning: jupyterhub chart 3.3.8 -> 3.2.1 goes back a minor or major version: an older hub cannot read a database that a newer one has migrated [db-downgrade]"
	assert_output_contains "hint: restore the database backup taken before the upgrade, or stay on 3.3.8"
}

@test "a hub.db.password in a plain values file warns" {
	dbu_repo
	edit deployments/datahub/config/prod.yaml '18a\      password: hunter2'
	run git -C work push origin prod
	assert_success
	assert_output_contains "deployments/datahub/config/prod.yaml:19:17: warning: jupyterhub.hub.db.password is set in 'deployments/datahub/config/prod.yaml', which is not encrypted [db-url-secret]"
}

@test "a password that was already there does not warn again on an unrelated change" {
	dbu_repo
	sed -i '18a\      url: postgres://hub:s3cret@db/hub' work/deployments/datahub/config/prod.yaml
	git -C work commit -q -am "url"
	git -C origin.git fetch -q "$SG_TMP/work" prod:prod
	edit deployments/datahub/config/common.yaml 's/auto_login_oauth2_authorize: True/auto_login_oauth2_authorize: False/'
	run git -C work push origin prod
	assert_success
	refute_output_contains "[db-url-secret]"
}

@test "a version range is read from the lock file" {
	dbu_repo
	prod_postgres
	sed -i 's/version: 3.3.8/version: "~3"/' work/hub/requirements.yaml
	printf 'dependencies:\n- name: jupyterhub\n  repository: https://jupyterhub.github.io/helm-chart/\n  version: 3.3.8\n' >work/hub/requirements.lock
	git -C work add -A
	git -C work commit -q -m "range"
	git -C origin.git fetch -q "$SG_TMP/work" prod:prod
	edit hub/requirements.lock 's/version: 3.3.8/version: 3.4.1/' "lock 3.4.1"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "hub/requirements.lock:4:12: error: jupyterhub chart 3.3.8 -> 3.4.1 is a minor upgrade and jupyterhub.hub.db.type is postgres"
}

@test "db_upgrade.encrypted must be a glob or a list of globs" {
	dbu_repo
	dbu_policy "db_upgrade:
  encrypted: {a: b}"
	bump 3.3.9
	run git -C work push origin prod
	assert_failure
	assert_output_contains "stagegate.yml:23:14: error: db_upgrade.encrypted must be a list, not a mapping [config]"
	dbu_policy "db_upgrade:
  encrypted: ['secrets/**', '']"
	run git -C work push origin prod
	assert_failure
	assert_output_contains "stagegate.yml:23:29: error: db_upgrade.encrypted must not be empty [config]"
}

@test "db_upgrade.encrypted as one glob marks those files encrypted" {
	dbu_repo "db_upgrade:
  encrypted: 'deployments/datahub/config/prod.yaml'"
	sed -i '18a\      url: postgresql://hub:hunter2@db/hub' work/deployments/datahub/config/prod.yaml
	sg_tick
	git -C work commit -q -am "db url"
	run git -C work push origin prod
	refute_output_contains "[db-url-secret]"
}

@test "db_upgrade.trailer must be a trailer name" {
	dbu_repo
	dbu_policy "db_upgrade:
  trailer: 'Hub DB: migrated'"
	bump 3.3.9
	run git -C work push origin prod
	assert_failure
	assert_output_contains "stagegate.yml:23:12: error: db_upgrade.trailer 'Hub DB: migrated' is not a trailer name (letters, digits and '-', as in Hub-DB-Migration) [config]"
}
