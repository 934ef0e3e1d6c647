#!/usr/bin/env bash
# The project's test command (the README's second command; .ci/run calls it).
#
#   tests/run.sh            hermetic tiers (format, lints, unit, component,
#                           corpus, property tests), then the VM tier
#   tests/run.sh --no-vm    hermetic tiers only (no root needed)
#
# On a fresh Debian machine it installs what the build needs first (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"

with_vm=1
[ "${1:-}" = "--no-vm" ] && with_vm=0

# The devicemapper crate's devicemapper-sys runs bindgen at build time: libclang
# (clang), linux/dm-ioctl.h (linux-libc-dev) and libdevmapper.h found through
# pkg-config (libdevmapper-dev, which also brings libudev-dev for the udev crate).
need_pkgs=()
for p in clang linux-libc-dev pkg-config libudev-dev libdevmapper-dev; do
	dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "== installing build packages: ${need_pkgs[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
	else
		echo "== missing build packages (run as root to install): ${need_pkgs[*]}" >&2
	fi
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test (hermetic tiers)"
cargo test --workspace --quiet 2>&1 | tee target/hermetic-tests.log | grep -E '^(test result|running|failures|---- )' || true
# tee hides cargo's exit status; re-derive it from the log.
if grep -qE '^test result: FAILED|error(\[E[0-9]+\])?:' target/hermetic-tests.log; then
	echo "hermetic tests FAILED (see target/hermetic-tests.log)" >&2
	exit 1
fi
passed=$(grep -oE '^test result: ok\. [0-9]+ passed' target/hermetic-tests.log | awk '{s+=$4} END {print s+0}')
echo "hermetic: $passed passed, 0 failed"

if [ $with_vm = 1 ]; then
	echo "== VM tier (real kernel: dm-multipath + scsi_debug under qemu TCG)"
	cargo build --release --workspace --bins --quiet
	# One VM per core (each runs on one TCG vCPU), at most two; MPATH_VM_JOBS overrides.
	jobs=${MPATH_VM_JOBS:-$(nproc)}
	[ "$jobs" -gt 2 ] && jobs=2
	tests/vm/vm ci -j "$jobs"
fi
