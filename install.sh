#!/bin/sh
# stagegate installer: build dependencies, build, install the binaries, and install the hooks
# into a client clone or a bare server repository, chaining (never clobbering) hooks that were
# there before. Running it twice changes nothing; --uninstall reverses it.
set -eu

usage() {
	cat <<'USAGE'
usage: install.sh [--prefix DIR] [--no-deps] [--no-build] [--libexec DIR]
                  [--client DIR | --server DIR --config FILE] [--uninstall]

  (no target)           install build deps (Debian, as root), build, install to PREFIX
  --client DIR          install pre-commit, pre-merge-commit, pre-push into the clone DIR
                        (respects core.hooksPath)
  --server DIR          install pre-receive and update into the bare repository DIR,
  --config FILE         with FILE as the server's policy ($GIT_DIR/stagegate.yml)
  --uninstall           remove stagegate's hooks from DIR, restoring earlier hooks
  --prefix DIR          install prefix (default /usr/local, or $PREFIX)
  --no-deps             do not install Debian packages
  --no-build            do not build or install binaries: use those in --libexec
  --libexec DIR         where the hook and check executables are
                        (default PREFIX/libexec/stagegate)
USAGE
}

die() { echo "install.sh: $*" >&2; exit 2; }
say() { echo "install.sh: $*"; }

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
deps=1 build=1 libexec= client= server= config= uninstall=0
# Installed copies (libexec/stagegate/install.sh, run by `stagegate install`) have no source.
[ -f "$here/Makefile" ] || { build=0; deps=0; libexec=$here; }

while [ $# -gt 0 ]; do
	case $1 in
	--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift ;;
	--prefix=*) prefix=${1#*=} ;;
	--no-deps) deps=0 ;;
	--no-build) build=0; deps=0 ;;
	--libexec) [ $# -ge 2 ] || die "--libexec needs a directory"; libexec=$2; shift ;;
	--client) [ $# -ge 2 ] || die "--client needs a directory"; client=$2; shift ;;
	--server) [ $# -ge 2 ] || die "--server needs a directory"; server=$2; shift ;;
	--config) [ $# -ge 2 ] || die "--config needs a file"; config=$2; shift ;;
	--uninstall) uninstall=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
	shift
done
[ -n "$client" ] && [ -n "$server" ] && die "give --client or --server, not both"
[ -n "$server" ] && [ "$uninstall" = 0 ] && [ -z "$config" ] &&
	die "--server needs --config FILE: the server's policy never comes from pushed files"
[ -z "$libexec" ] && libexec=$prefix/libexec/stagegate

PACKAGES="build-essential pkg-config git libgit2-dev libyaml-dev libpcre2-dev libcurl4-openssl-dev libcmocka-dev libkrb5-dev libssl-dev bats python3"

install_deps() {
	missing=
	for pc in libgit2 yaml-0.1 libpcre2-8 libcurl cmocka krb5-gssapi; do
		pkg-config --exists "$pc" 2>/dev/null || missing="$missing $pc"
	done
	command -v cc >/dev/null 2>&1 || missing="$missing cc"
	command -v make >/dev/null 2>&1 || missing="$missing make"
	command -v bats >/dev/null 2>&1 || missing="$missing bats"
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "install.sh: missing:$missing" >&2
		echo "install.sh: as root, run: apt-get update && apt-get install -y $PACKAGES" >&2
		exit 2
	fi
	say "installing Debian packages for:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq $PACKAGES >/dev/null
}

if [ "$uninstall" = 0 ] && [ "$build" = 1 ]; then
	[ "$deps" = 1 ] && install_deps
	make -C "$here" -s -j2 all
	make -C "$here" -s install PREFIX="$prefix"
	[ -d "$libexec" ] || die "no $libexec after installing"
	say "installed stagegate into $prefix"
fi

MARK="# stagegate-hook v1"

hooks_dir() {	# $1 = --git-dir or -C, $2 = dir
	d=$(git "$1" "$2" rev-parse --git-path hooks) || die "'$2' is not a git repository"
	case $d in /*) ;; *) if [ "$1" = -C ]; then d=$2/$d; fi ;; esac
	echo "$d"
}

install_hook() {	# $1 = hooks dir, $2 = hook name
	h=$1/$2
	[ -x "$libexec/hooks/$2" ] || die "no executable $libexec/hooks/$2 (build first, or give --libexec)"
	if [ -e "$h" ] && ! grep -q "^$MARK" "$h" 2>/dev/null; then
		[ -e "$h.stagegate-chained" ] &&
			die "both $h and $h.stagegate-chained exist; refusing to overwrite either"
		mv "$h" "$h.stagegate-chained"
		say "kept the existing $2 hook: it now runs after stagegate's ($h.stagegate-chained)"
	fi
	tmp=$h.stagegate-tmp
	cat >"$tmp" <<HOOK
#!/bin/sh
$MARK: installed by stagegate's install.sh; remove with install.sh --uninstall.
# An earlier $2 hook, if any, was kept as $2.stagegate-chained and runs after the checks.
STAGEGATE_CHAINED="\$(dirname "\$0")/$2.stagegate-chained"
export STAGEGATE_CHAINED
exec '$libexec/hooks/$2' "\$@"
HOOK
	chmod 755 "$tmp"
	mv "$tmp" "$h"
}

uninstall_hook() {
	h=$1/$2
	if [ -e "$h" ] && grep -q "^$MARK" "$h" 2>/dev/null; then
		rm -f "$h"
		say "removed the $2 hook"
	fi
	if [ -e "$h.stagegate-chained" ] && [ ! -e "$h" ]; then
		mv "$h.stagegate-chained" "$h"
		say "restored the earlier $2 hook"
	fi
}

# Remember a setting's earlier value so --uninstall can put it back.
set_config() {	# $1 = git dir, $2 = key, $3 = value
	saved=stagegate.saved-$(echo "$2" | tr . -)
	if ! git --git-dir="$1" config --get "$saved" >/dev/null 2>&1; then
		old=$(git --git-dir="$1" config --get "$2" 2>/dev/null || echo "<unset>")
		git --git-dir="$1" config "$saved" "$old"
	fi
	git --git-dir="$1" config "$2" "$3"
}

restore_config() {
	saved=stagegate.saved-$(echo "$2" | tr . -)
	old=$(git --git-dir="$1" config --get "$saved" 2>/dev/null) || return 0
	if [ "$old" = "<unset>" ]; then
		git --git-dir="$1" config --unset "$2" 2>/dev/null || true
	else
		git --git-dir="$1" config "$2" "$old"
	fi
	git --git-dir="$1" config --unset "$saved"
}

if [ -n "$client" ]; then
	dir=$(hooks_dir -C "$client")
	mkdir -p "$dir"
	for h in pre-commit pre-merge-commit pre-push; do
		if [ "$uninstall" = 1 ]; then uninstall_hook "$dir" "$h"; else install_hook "$dir" "$h"; fi
	done
	[ "$uninstall" = 1 ] || say "client hooks installed in $dir"
fi

if [ -n "$server" ]; then
	gd=$(git --git-dir="$server" rev-parse --absolute-git-dir 2>/dev/null) ||
		die "'$server' is not a git repository"
	dir=$(hooks_dir --git-dir "$gd")
	mkdir -p "$dir"
	if [ "$uninstall" = 1 ]; then
		for h in pre-receive update; do uninstall_hook "$dir" "$h"; done
		[ -f "$gd/stagegate.yml" ] && mv "$gd/stagegate.yml" "$gd/stagegate.yml.uninstalled" &&
			say "moved the server config to $gd/stagegate.yml.uninstalled"
		restore_config "$gd" receive.advertisePushOptions
		restore_config "$gd" core.logAllRefUpdates
	else
		[ -f "$config" ] || die "no config file '$config'"
		# Validate before installing: a broken policy would refuse every push. Every check
		# the server stages list reads its own section, so run them all, on no updates.
		front=$libexec/../../bin/stagegate
		[ -x "$front" ] || die "no $front beside $libexec (install stagegate first)"
		for st in pre-receive update; do
			if ! out=$(GIT_DIR=$gd "$front" check --stage "$st" --config "$config" \
					</dev/null 2>&1); then
				echo "$out" >&2
				die "'$config' is not a valid stagegate config for $st (see above)"
			fi
		done
		if ! cmp -s "$config" "$gd/stagegate.yml" 2>/dev/null; then
			cp "$config" "$gd/stagegate.yml.tmp"
			mv "$gd/stagegate.yml.tmp" "$gd/stagegate.yml"
		fi
		for h in pre-receive update; do install_hook "$dir" "$h"; done
		set_config "$gd" receive.advertisePushOptions true
		set_config "$gd" core.logAllRefUpdates always
		say "server hooks installed in $dir; policy in $gd/stagegate.yml"
	fi
fi
