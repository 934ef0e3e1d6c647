#!/bin/bash
# Real-kernel benchmark (MODE=bench, `tests/vm/vm bench`): in one VM boot, on the same
# scsi_debug SAN ($BENCH_PATHS paths to each of $BENCH_LUNS LUNs), the reference and our
# `multipath` each create every map from nothing, then list them with `multipath -ll`;
# $BENCH_ROUNDS rounds after one untimed create and flush, the order of the two
# alternating so that neither always runs on a warmer system.  Whichever implementation
# is measured is also the one udev's rules call (it is bind-mounted over
# /usr/sbin/multipath), as on a real system.
# Writes $R/bench.tsv: round impl what seconds maps; and the dm tables each produced.
source /mnt/harness/guest/lib.sh
: "${BENCH_LUNS:=16}" "${BENCH_PATHS:=4}" "${BENCH_ROUNDS:=2}"
say "benchmark: $BENCH_PATHS paths x $BENCH_LUNS LUNs, $BENCH_ROUNDS rounds"

sd_topology "$BENCH_PATHS" "$BENCH_LUNS"
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
}
CONF
[ -x /run/mpath-vm/ours/multipath ] || fail "our multipath" "not built (cargo build --release --bins)"

# use IMPL: make /usr/sbin/multipath the reference's or ours.
use() {
    umount /usr/sbin/multipath 2>/dev/null
    if [ "$1" = ours ]; then
        mount --bind /run/mpath-vm/ours/multipath /usr/sbin/multipath
    fi
}

secs() { date +%s.%N; }
diff_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# clean slate: no maps, no bindings/wwids (both allocate names from mpatha).
clean() {
    multipath -F >/dev/null 2>&1
    dmsetup remove_all >/dev/null 2>&1
    udevadm settle -t 60
    rm -f /etc/multipath/bindings /etc/multipath/wwids
    [ "$(dmsetup ls --target multipath | grep -vc '^No devices')" = 0 ]
}

nmaps() { dmsetup ls --target multipath | grep -vc '^No devices'; }

# Warm-up, not timed: the first create on fresh paths also sends a change uevent for
# every path (udev has not marked them yet); from then on neither implementation does.
# Without it whichever ran first would pay for that alone.
use theirs
check "warm-up: create and flush once (not timed)" -- bash -c 'multipath >/dev/null 2>&1; udevadm settle -t 60; clean'

: >"$R/bench.tsv"
for round in $(seq 1 "$BENCH_ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="theirs ours"; else order="ours theirs"; fi
    for impl in $order; do
        use "$impl"
        check "round $round $impl: clean slate" -- clean
        echo "@@STEP round $round $impl: create" >/dev/console
        # BENCH_MONITOR=1: the uevents and when udev finished each (diagnosis).
        [ "${BENCH_MONITOR:-0}" = 1 ] && for d in $(disks_of scsi_debug); do
            echo "$d $(udevadm info -q property /dev/$d | grep -E '^(DM_MULTIPATH_DEVICE_PATH|FIND_MULTIPATHS_WAIT_UNTIL|SYSTEMD_READY)=' | tr '\n' ' ')"
        done >"$R/bench-$round-$impl-udev-before.txt"
        [ "${BENCH_MONITOR:-0}" = 1 ] &&
            { udevadm monitor --kernel --udev >"$R/bench-$round-$impl-uevents.txt" 2>&1 & MON=$!; sleep 1; }
        t0=$(secs)
        multipath -v$([ "${BENCH_MONITOR:-0}" = 1 ] && echo 3 || echo 2) >"$LOGS/bench-$round-$impl-create.out" 2>"$LOGS/bench-$round-$impl-create.err"
        rc=$?
        udevadm settle -t 60
        t1=$(secs)
        [ "${BENCH_MONITOR:-0}" = 1 ] && kill "$MON"
        n=$(nmaps)
        [ "$rc" = 0 ] || fail "round $round $impl: create" "multipath exited $rc: $(head -c 300 "$LOGS/bench-$round-$impl-create.err")"
        [ "$n" = "$BENCH_LUNS" ] || fail "round $round $impl: create" "$n maps instead of $BENCH_LUNS"
        printf '%s\t%s\tcreate\t%s\t%s\n' "$round" "$impl" "$(diff_s "$t0" "$t1")" "$n" >>"$R/bench.tsv"
        dm_state >"$R/bench-$round-$impl-dm.txt"
        echo "@@STEP round $round $impl: multipath -ll" >/dev/console
        t0=$(secs)
        multipath -ll >"$LOGS/bench-$round-$impl-ll.out" 2>"$LOGS/bench-$round-$impl-ll.err"
        rc=$?
        t1=$(secs)
        [ "$rc" = 0 ] || fail "round $round $impl: multipath -ll" "exited $rc"
        cp "$LOGS/bench-$round-$impl-ll.out" "$R/bench-$round-$impl-ll.txt"
        printf '%s\t%s\tlist\t%s\t%s\n' "$round" "$impl" "$(diff_s "$t0" "$t1")" "$n" >>"$R/bench.tsv"
        say "round $round $impl: create $(tail -n2 "$R/bench.tsv" | head -n1 | cut -f4) s, -ll $(tail -n1 "$R/bench.tsv" | cut -f4) s"
    done
done
use theirs
clean
echo PASS >"$R/status"
