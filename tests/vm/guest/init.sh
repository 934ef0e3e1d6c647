#!/bin/bash
# PID 1 inside the test VM (started by the initramfs with switch_root).
# The root is an overlay (tmpfs over the read-only cached rootfs, which stays visible at
# /mnt/rootfs: the reference binaries for the demo), shares are under /mnt:
#   /mnt/harness  tests/vm (ro)       /mnt/modules  kernel modules (ro)
#   /mnt/results  this run's results   /mnt/ours     our binaries (ro, "ours" runs only)
# The host reads markers from the serial console: @@READY, @@STEP <name>, @@ <text>,
# @@FATAL <msg>, @@DONE.  Whatever happens we end with a power-off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
exec </dev/null >/dev/console 2>&1

poweroff_now() {
    sync
    echo o >/proc/sysrq-trigger
    sleep 30
}
fatal() {
    echo "@@FATAL guest setup: $*"
    echo "FAIL	guest setup	$*" >/mnt/results/status
    echo "@@DONE"
    poweroff_now
}
trap 'fatal "init.sh died at line $LINENO"' ERR

echo "@@T init.sh $(cut -d' ' -f1 /proc/uptime)"
dmesg -n 4   # warnings and worse keep appearing on the console (console.log)
source /mnt/results/job.env || fatal "no job.env in results share"
export MODE IMPL SCENARIO STEP_TIMEOUT SHOW_REFERENCE BENCH_LUNS BENCH_PATHS BENCH_ROUNDS BENCH_MONITOR

# "ours": our binaries replace the reference ones at the same paths (udev rules and
# scripts call /usr/sbin/multipath too).  A binary that is not built yet becomes a stub
# that says so and exits 127, so every step that needs it fails with a clear message.
# They are copied to RAM first, like installed binaries in the page cache: the share is
# uncached 9p, where every page fault of every exec is a round trip to the host.
mkdir -p /run/mpath-vm/ours
if [ -d /mnt/ours ]; then cp -r /mnt/ours/. /run/mpath-vm/ours/ || fatal "copy our binaries to RAM"; fi
if [ "$IMPL" = ours ]; then
    for b in multipath multipathd multipathc mpathconf; do
        [ -e /usr/sbin/$b ] || touch /usr/sbin/$b
        if [ -x /run/mpath-vm/ours/$b ]; then
            mount --bind /run/mpath-vm/ours/$b /usr/sbin/$b
        else
            printf '#!/bin/sh\necho "mpath-vm: our %s is not built (cargo build --release --bins)" >&2\nexit 127\n' $b >/run/mpath-vm/stub-$b
            chmod +x /run/mpath-vm/stub-$b
            mount --bind /run/mpath-vm/stub-$b /usr/sbin/$b
        fi
    done
fi

# Devices come and go during scenarios: udev must run (dm node creation, WWIDs, the
# multipath rules).  No coldplug: the VM has no devices we care about at boot.
echo "@@T udevd $(cut -d" " -f1 /proc/uptime)"
/usr/lib/systemd/systemd-udevd --daemon --resolve-names=never || fatal "systemd-udevd"
udevadm settle -t 30 || true
echo "@@READY $(cut -d' ' -f1 /proc/uptime)"

trap - ERR
case "$MODE" in
    scenario) bash /mnt/harness/guest/runner.sh ;;
    demo)     bash /mnt/harness/guest/demo.sh ;;
    bench)    bash /mnt/harness/guest/bench.sh ;;
    shell)    echo "mpath-vm shell: exit to power off"; setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1 ;;
    *)        fatal "unknown MODE '$MODE'" ;;
esac
dmesg >/mnt/results/dmesg.txt 2>&1 || true
echo "@@DONE"
poweroff_now
