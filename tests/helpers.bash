# Shared bats harness: a scratch directory per test with HOME inside it, git isolated from the
# machine's config, fixed dates, real bare "servers" with hooks installed by install.sh, and
# the freshly built binaries (SG_BUILD) first on PATH.

SG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${SG_BUILD:=$SG_TOP/build}"
case $SG_BUILD in /*) ;; *) SG_BUILD=$SG_TOP/$SG_BUILD ;; esac
SG_LIBEXEC=$SG_BUILD/libexec/stagegate

sg_setup() {
	SG_TMP=$BATS_TEST_TMPDIR
	export HOME=$SG_TMP/home
	mkdir -p "$HOME"
	export GIT_CONFIG_NOSYSTEM=1 GIT_CEILING_DIRECTORIES=$SG_TMP LANG=C LC_ALL=C TZ=UTC
	export NO_COLOR=1
	# As git's test-lib.sh: nothing of the caller's git (a hook, a worktree, a rebase -x)
	# or stagegate environment may leak into a test.
	unset GIT_DIR GIT_WORK_TREE GIT_COMMON_DIR GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
		GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH GIT_PUSH_OPTION_COUNT \
		GIT_REFLOG_ACTION GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE \
		GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE GIT_PREFIX \
		STAGEGATE_CONFIG STAGEGATE_USER STAGEGATE_REMOTE STAGEGATE_REMOTE_URL \
		STAGEGATE_CHAINED GL_USERNAME GITHUB_USER_LOGIN GITEA_PUSHER_NAME REMOTE_USER \
		GITHUB_BASE_REF CI_MERGE_REQUEST_TARGET_BRANCH_NAME
	export STAGEGATE_EXEC_PATH=$SG_LIBEXEC
	export PATH=$SG_BUILD/bin:$PATH
	git config --global user.name "Test User"
	git config --global user.email "test@example.org"
	git config --global init.defaultBranch main
	git config --global advice.detachedHead false
	git config --global protocol.file.allow always
	SG_TICK=1700000000
	cd "$SG_TMP"
}

sg_teardown() {
	if [ -n "${SG_DAEMON_PID:-}" ]; then
		kill "$SG_DAEMON_PID" 2>/dev/null || true
		wait "$SG_DAEMON_PID" 2>/dev/null || true
	fi
}

# Deterministic, increasing commit dates.
sg_tick() {
	SG_TICK=$((SG_TICK + 60))
	export GIT_AUTHOR_DATE="@$SG_TICK +0000" GIT_COMMITTER_DATE="@$SG_TICK +0000"
}

# The standard two-stage policy used by most tests; prints the config's path.
sg_config_basic() {
	local f=${1:-$SG_TMP/stagegate.yml}
	cat >"$f" <<'YAML'
version: 1
deployments:
  - name: datahub
    chain: [staging, prod]
    urls: {staging: 'https://staging.datahub.example.org', prod: 'https://datahub.example.org'}
  - name: course hubs
    match: '^(?<hub>[a-z0-9-]+)-prod$'
    from: '${hub}-staging'
stages:
  pre-commit: [promotion]
  pre-merge-commit: [promotion]
  pre-push: [promotion]
  pre-receive: [promotion]
  update: [promotion]
  ci: [promotion]
YAML
	echo "$f"
}

# sg_server NAME CONFIG: a bare repository $SG_TMP/NAME.git with the server hooks installed
# through install.sh and CONFIG as its policy.
sg_server() {
	local name=$1 config=${2:-$(sg_config_basic)}
	git init -q --bare "$SG_TMP/$name.git"
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" \
		--server "$SG_TMP/$name.git" --config "$config" >/dev/null
}

# sg_clone NAME DIR: a clone of the server NAME (may be empty).
sg_clone() {
	git clone -q "file://$SG_TMP/$1.git" "$SG_TMP/$2" 2>/dev/null
}

# sg_install_client DIR: the client hooks, through install.sh.
sg_install_client() {
	"$SG_TOP/install.sh" --no-build --libexec "$SG_LIBEXEC" --client "$1" >/dev/null
}

# sg_commit DIR PATH CONTENT [MESSAGE]: write a file and commit it (SG_COMMIT_FLAGS, e.g.
# --no-verify, go to git commit).
sg_commit() {
	local dir=$1 path=$2 content=$3 msg=${4:-"change $2"}
	mkdir -p "$(dirname "$dir/$path")"
	printf '%s\n' "$content" >"$dir/$path"
	git -C "$dir" add "$path"
	sg_tick
	git -C "$dir" commit -q ${SG_COMMIT_FLAGS:-} -m "$msg"
}

# sg_seed DIR: an initial commit pushed (without hooks interfering) to staging and prod.
sg_seed() {
	local dir=$1
	sg_commit "$dir" README.md "hub config" "initial"
	git -C "$dir" push -q origin HEAD:refs/heads/staging 2>/dev/null
	git -C "$dir" push -q origin HEAD:refs/heads/prod 2>/dev/null
	git -C "$dir" fetch -q origin
}

# sg_daemon_start NAME: git daemon on 127.0.0.1 (free port) with receive-pack enabled for the
# server NAME; sets SG_DAEMON_URL.
sg_daemon_start() {
	local name=$1 port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$SG_TMP" \
		--export-all --enable=receive-pack --informative-errors \
		--pid-file="$SG_TMP/daemon.pid" "$SG_TMP" >"$SG_TMP/daemon.log" 2>&1 &
	SG_DAEMON_PID=$!
	SG_DAEMON_URL="git://127.0.0.1:$port/$name.git"
	local i
	for i in $(seq 1 100); do
		git ls-remote "$SG_DAEMON_URL" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "git daemon did not start: $(cat "$SG_TMP/daemon.log")" >&2
	return 1
}

# Assertions, in the style of bats-assert (which Debian does not ship).
assert_success() {
	if [ "$status" -ne 0 ]; then
		echo "expected success, got status $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}

assert_failure() {
	local want=${1:-}
	if [ "$status" -eq 0 ]; then
		echo "expected failure, got success; output:" >&2
		echo "$output" >&2
		return 1
	fi
	if [ -n "$want" ] && [ "$status" -ne "$want" ]; then
		echo "expected status $want, got $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}

# assert_output_contains TEXT: TEXT appears (as a fixed string) in $output.
assert_output_contains() {
	if ! grep -qF -- "$1" <<<"$output"; then
		echo "expected output to contain: $1" >&2
		echo "actual output:" >&2
		echo "$output" >&2
		return 1
	fi
}

refute_output_contains() {
	if grep -qF -- "$1" <<<"$output"; then
		echo "expected output NOT to contain: $1" >&2
		echo "actual output:" >&2
		echo "$output" >&2
		return 1
	fi
}

# assert_ref SERVER REF OID: the server's REF is at OID ("" = absent).
assert_ref() {
	local got
	got=$(git --git-dir="$SG_TMP/$1.git" rev-parse -q --verify "$2" 2>/dev/null || true)
	if [ "$got" != "$3" ]; then
		echo "expected $1:$2 at '${3}', found '${got}'" >&2
		return 1
	fi
}
