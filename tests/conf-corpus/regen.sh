#!/bin/bash
# Regenerate the expected outputs of the multipath.conf corpus by running the
# reference multipath-tools 0.15.1 `multipath -t` inside a Debian sid root.
#
# Usage: tests/conf-corpus/regen.sh [CASE...]
#   MPATH_REF_ROOT  root filesystem carrying multipath-tools 0.15.1
#                   (default /var/cache/mpath-vm/rootfs)
#
# For every case directory cases/<case>/:
#   multipath.conf   -> <root>/etc/multipath.conf        (absent = no main file)
#   conf.d/*         -> <root>/etc/multipath/conf.d/      (copied verbatim, all names)
# and stores
#   expected.out     stdout of `multipath -t`
#   expected.err     stderr, with the "<sec>.<usec> | " timestamp prefix removed
#   expected.rc      exit code
# The root's original /etc/multipath.conf and /etc/multipath/ are restored at the end.
#
# Needs root (chroot). /proc is mounted inside the root in a private mount
# namespace (unshare -m) so that the reference behaves as on a real system
# (without /proc it adds "Cannot open /proc/sys/fs/nr_open : No such file or
# directory" to stderr).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${MPATH_REF_ROOT:-/var/cache/mpath-vm/rootfs}
REFDUMP=${MPATH_REF_DUMP:-$HERE/../../../shared/reference/multipath-t-0.15.1.txt}

if [ ! -x "$ROOT/usr/sbin/multipath" ]; then
	echo "regen.sh: $ROOT/usr/sbin/multipath not found (set MPATH_REF_ROOT)" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "regen.sh: must run as root (chroot)" >&2
	exit 2
fi

# ---- save the root's current multipath configuration
SAVE=$(mktemp -d)
HAD_CONF=0; HAD_DIR=0
[ -e "$ROOT/etc/multipath.conf" ] && { cp -a "$ROOT/etc/multipath.conf" "$SAVE/multipath.conf"; HAD_CONF=1; }
[ -e "$ROOT/etc/multipath" ] && { cp -a "$ROOT/etc/multipath" "$SAVE/multipath"; HAD_DIR=1; }
restore() {
	rm -rf "$ROOT/etc/multipath.conf" "$ROOT/etc/multipath"
	[ $HAD_CONF = 1 ] && cp -a "$SAVE/multipath.conf" "$ROOT/etc/multipath.conf"
	[ $HAD_DIR = 1 ] && cp -a "$SAVE/multipath" "$ROOT/etc/multipath"
	rm -rf "$SAVE"
}
trap restore EXIT

USE_UNSHARE=1
if ! unshare --mount --fork true 2>/dev/null; then
	echo "regen.sh: warning: unshare -m unavailable, running without /proc" >&2
	USE_UNSHARE=0
fi

run_ref() { # $1 = out, $2 = err (raw), $3 = rc
	# `timeout`: some inputs make the reference loop forever (see crash-cases/)
	local cmd="exec timeout -k 5 10 chroot '$ROOT' /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C /usr/sbin/multipath -t"
	set +e
	if [ $USE_UNSHARE = 1 ]; then
		unshare --mount --fork sh -c "mount -t proc proc '$ROOT/proc' && $cmd" >"$1" 2>"$2" </dev/null
	else
		sh -c "$cmd" >"$1" 2>"$2"
	fi
	echo $? >"$3"
	set -e
}

cd "$HERE"
# cases/: the comparison corpus.  crash-cases/: inputs on which the reference
# crashes (SIGFPE/SIGSEGV) or hangs; outputs recorded for documentation only.
if [ $# -gt 0 ]; then CASES=("$@"); else CASES=(cases/*/ crash-cases/*/); fi
n=0
for c in "${CASES[@]}"; do
	c=${c%/}
	[ -d "$c" ] || c=cases/$c
	[ -d "$c" ] || { echo "no such case: $c" >&2; exit 2; }
	rm -rf "$ROOT/etc/multipath.conf" "$ROOT/etc/multipath"
	if [ -f "$c/multipath.conf" ]; then cp "$c/multipath.conf" "$ROOT/etc/multipath.conf"; fi
	if [ -d "$c/conf.d" ]; then
		mkdir -p "$ROOT/etc/multipath/conf.d"
		cp -r "$c/conf.d/." "$ROOT/etc/multipath/conf.d/"
	fi
	run_ref "$c/expected.out" "$c/expected.err.raw" "$c/expected.rc"
	sed -E 's/^[0-9]+\.[0-9]{6} \| //' "$c/expected.err.raw" >"$c/expected.err"
	rm -f "$c/expected.err.raw"
	n=$((n + 1))
done
echo "regenerated $n case(s) from $ROOT"

if [ -d cases/00-no-config ] && [ -f "$REFDUMP" ]; then
	# The saved dump was taken without /proc, so it lacks the line
	# `max_fds "max"` (see NOTES.md); compare with that line removed.
	if grep -vx '	max_fds "max"' cases/00-no-config/expected.out | cmp -s - "$REFDUMP"; then
		echo "00-no-config matches $(basename "$REFDUMP") (apart from max_fds)"
	else
		echo "WARNING: 00-no-config differs from $REFDUMP" >&2
	fi
fi
