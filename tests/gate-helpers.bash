# Helpers shared by staging-gate.bats, attest.bats and override.bats: a staging hub stand-in
# (tests/fixtures/gate/server.py) on 127.0.0.1, and the server policy rewritten per test.

load helpers

# The scratch setup of every gate test: a server with the hooks, a clone, staging and prod
# seeded.
gate_setup() {
	sg_setup
	sg_server origin
	sg_clone origin work
	sg_seed work
}

# Start the HTTP server once per file; sets GATE_PORT (exported for the tests).
gate_server_start() {
	local portfile=$BATS_FILE_TMPDIR/http.port i
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
	python3 "$SG_TOP/tests/fixtures/gate/server.py" "$portfile" \
		>"$BATS_FILE_TMPDIR/http.log" 2>&1 &
	echo $! >"$BATS_FILE_TMPDIR/http.pid"
	for i in $(seq 1 200); do
		[ -s "$portfile" ] && break
		sleep 0.05
	done
	[ -s "$portfile" ] || { echo "test HTTP server did not start" >&2; return 1; }
}

gate_server_stop() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/http.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

gate_url() {
	echo "http://127.0.0.1:$(cat "$BATS_FILE_TMPDIR/http.port")${1:-}"
}

# gate_policy URL-PREFIX [DEPLOYMENT-EXTRA-LINES] [TOP-LEVEL-LINES]: the server's policy, one
# deployment datahub (staging -> prod) whose staging URL is the test server + prefix.
gate_policy() {
	local url=$1 extra=${2:-} top=${3:-}
	{
		cat <<YAML
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
    urls: {staging: '$url', prod: 'https://datahub.example.org'}
YAML
		[ -n "$extra" ] && printf '%s\n' "$extra"
		[ -n "$top" ] && printf '%s\n' "$top"
		cat <<YAML
stages:
  pre-receive: [promotion, staging-gate]
  update: []
YAML
	} >"$SG_TMP/origin.git/stagegate.yml"
}

# A change pushed to staging (through the server's hooks, which let staging through).
staging_change() {
	git -C work checkout -q -B staging origin/staging
	sg_commit work "${1:-values.yaml}" "${2:-replicas: 2}" "${3:-tune staging}"
	git -C work push -q origin staging 2>/dev/null
}

# Date every reflog entry of the server's staging ref MINUTES ago. (The entries that pushes
# through file:// write carry the tests' fixed GIT_COMMITTER_DATE, so they are set, not
# shifted.)
age_staging_reflog() {
	local log=$SG_TMP/origin.git/logs/refs/heads/staging
	awk -v t=$(($(date +%s) - $1 * 60)) 'BEGIN { FS = OFS = "\t" } {
		n = split($1, f, " "); f[n - 1] = t; s = f[1]
		for (i = 2; i <= n; i++) s = s " " f[i]
		$1 = s; print }' "$log" >"$log.new"
	mv "$log.new" "$log"
}
