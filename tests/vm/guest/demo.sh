#!/bin/bash
# The end-to-end demo (tests/vm/vm demo), run inside the VM with OUR binaries at
# /usr/sbin.  Each step is tried with ours first.  When ours cannot do it, the demo says
# so plainly; with SHOW_REFERENCE=1 it then shows the reference C tools (read-only root at
# /mnt/rootfs) doing the step, labelled as the reference, so the story can go on.
source /mnt/harness/guest/lib.sh
THEIRS=/mnt/rootfs/usr/sbin
OK=0 TOTAL=0 MISSING=()
DAEMON=none   # which multipathd runs: ours / reference / none

banner() { say ""; say "=== $*"; }
show() {   # show LABEL FILE...: print files with a prefix
    local label=$1 f
    shift
    for f in "$@"; do
        sed "s/^/  $label| /" "$f" | head -n 40 | while IFS= read -r l; do say "$l"; done
    done
}

# try TITLE VERIFY TOOL ARGS...: run TOOL from ours; success = exit 0 and VERIFY passes.
try() {
    local title=$1 verify=$2 tool=$3 rc
    shift 3
    TOTAL=$((TOTAL + 1))
    banner "step $TOTAL: $title"
    say "\$ $tool $*"
    echo "@@STEP $title" >/dev/console
    timeout -k 5 60 /usr/sbin/$tool "$@" >/tmp/o.out 2>/tmp/o.err
    rc=$?
    show ours /tmp/o.out
    if [ $rc = 0 ] && $verify /tmp/o.out; then
        say "  -> OURS did it."
        OK=$((OK + 1))
        return 0
    fi
    say "  -> OUR IMPLEMENTATION CANNOT YET DO THIS STEP (exit status $rc$(
        [ -s /tmp/o.err ] && echo ": $(head -n1 /tmp/o.err | cut -c1-150)"))."
    MISSING+=("$title")
    if [ "$SHOW_REFERENCE" = 1 ]; then
        say "  Here is the REFERENCE (C multipath-tools, not ours) doing it:"
        timeout -k 5 60 $THEIRS/$tool "$@" >/tmp/t.out 2>/tmp/t.err
        rc=$?
        show reference /tmp/t.out
        if [ $rc = 0 ] && $verify /tmp/t.out; then say "  -> the reference did it."; else say "  -> the reference failed too (exit $rc)"; fi
    fi
    return 1
}

have_map() { dmsetup ls --target multipath | grep -q '^mpatha'; }
ll_ok() { grep -q mpatha "$1" && grep -q sda "$1" && grep -q sdb "$1"; }

daemon_answers() {   # daemon_answers BIN: the daemon answers `show daemon` within 30 s
    local i
    for i in $(seq 60); do
        "$1" show daemon 2>/dev/null | grep -Eq "idle|running" && return 0
        sleep 0.5
    done
    return 1
}
mpd() {   # the client of whichever daemon runs
    if [ "$DAEMON" = reference ]; then $THEIRS/multipathd "$@"; else /usr/sbin/multipathd "$@"; fi
}
wait_path() {   # wait_path DEV A|F SECS
    local i
    for i in $(seq $(($3 * 2))); do
        [ "$(path_state mpatha "$1")" = "$2" ] && return 0
        sleep 0.5
    done
    return 1
}

say "Demo: dm-multipath on a scsi_debug SAN, driven by OUR multipath tools"
say "ours: $(cd /mnt/ours 2>/dev/null && ls | grep -v INFO | tr '\n' ' ')"
echo "@@STEP build the SAN" >/dev/console
( sd_topology 2 1 ) >/dev/null || { say "building the SAN failed"; echo "FAIL	build the SAN	see logs" >$R/status; exit 0; }
say "SAN: one 64 MiB LUN seen through 2 SCSI hosts: $(disks_of scsi_debug | tr '\n' ' ')"
mp_conf_daemon

MAP_BY=reference
try "multipath creates the map" have_map multipath && MAP_BY=ours
if ! have_map; then
    say ""
    say "No multipath map exists, so the rest of the demo cannot run."
    say "SUMMARY: ours did $OK of $TOTAL steps. Not yet: ${MISSING[*]}"
    echo PASS >$R/status
    exit 0
fi
try "multipath -ll lists the map and its paths" ll_ok multipath -ll

TOTAL=$((TOTAL + 1))
banner "step $TOTAL: multipathd starts and answers"
say "\$ multipathd -d -s &"
echo "@@STEP multipathd starts" >/dev/console
/usr/sbin/multipathd -d -s >$LOGS/multipathd-ours.log 2>&1 &
if daemon_answers /usr/sbin/multipathd; then
    DAEMON=ours OK=$((OK + 1))
    say "  -> OURS did it: $(/usr/sbin/multipathd show daemon)"
else
    kill %1 2>/dev/null
    MISSING+=("multipathd")
    say "  -> OUR IMPLEMENTATION CANNOT YET DO THIS STEP: our multipathd did not answer within 30 s$(
        [ -s $LOGS/multipathd-ours.log ] && echo " ($(head -n1 $LOGS/multipathd-ours.log | cut -c1-150))")."
    if [ "$SHOW_REFERENCE" = 1 ]; then
        say "  Starting the REFERENCE multipathd (C multipath-tools, not ours) instead:"
        $THEIRS/multipathd -d -s >$LOGS/multipathd-reference.log 2>&1 &
        daemon_answers $THEIRS/multipathd && DAEMON=reference && say "  -> the reference daemon runs."
    fi
fi
if [ $DAEMON != none ]; then
    say "\$ multipathd show paths   ($DAEMON daemon)"
    mpd show paths >/tmp/p.out 2>&1
    show "$DAEMON" /tmp/p.out
fi

banner "I/O: fio writes and verifies (crc32c) through /dev/mapper/mpatha, in the background"
bg_start "fio verify" -- io_loop /dev/mapper/mpatha /tmp/stop-io
sleep 3

banner "fault: sda goes offline; the map fails the path and keeps serving I/O (kernel dm-multipath, not counted)"
echo offline >/sys/block/sda/device/state
say "\$ echo offline > /sys/block/sda/device/state"
echo "@@STEP path offline" >/dev/console
if wait_path sda F 60 && kill -0 "${BG_PID[fio verify]}" 2>/dev/null; then
    say "  -> path failed by the kernel, I/O continues on sdb"
else
    say "  -> the path was not failed within 60 s or I/O stopped"
fi
say "\$ dmsetup status mpatha"
say "  $(dmsetup status mpatha)"
[ $DAEMON != none ] && { mpd show paths >/tmp/p.out 2>&1; show "$DAEMON" /tmp/p.out; }

TOTAL=$((TOTAL + 1))
banner "step $TOTAL: sda comes back; multipathd reinstates it"
echo running >/sys/block/sda/device/state
say "\$ echo running > /sys/block/sda/device/state"
echo "@@STEP path reinstated" >/dev/console
if [ $DAEMON = none ]; then
    say "  -> no multipathd runs, so nobody reinstates the path (not shown)"
    MISSING+=("reinstate")
elif wait_path sda A 60; then
    if [ $DAEMON = ours ]; then
        say "  -> OURS did it: sda reinstated by our multipathd"
        OK=$((OK + 1))
    else
        say "  -> sda reinstated by the REFERENCE multipathd (not ours)"
        MISSING+=("reinstate")
    fi
else
    say "  -> sda was not reinstated within 60 s by the $DAEMON multipathd"
    MISSING+=("reinstate")
fi
[ $DAEMON != none ] && { mpd show paths >/tmp/p.out 2>&1; show "$DAEMON" /tmp/p.out; }

touch /tmp/stop-io
TOTAL=$((TOTAL + 1))
banner "step $TOTAL: the I/O survived: every fio pass verified"
echo "@@STEP fio verify" >/dev/console
pid=${BG_PID[fio verify]}
for i in $(seq 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -9 "$pid" 2>/dev/null
if wait "$pid" && [ $MAP_BY = ours ]; then
    say "  -> OURS did it: $(tail -n1 "$LOGS/bg-fio_verify.out")"
    OK=$((OK + 1))
elif [ $MAP_BY != ours ] && [ -n "$(tail -n1 "$LOGS/bg-fio_verify.out" | grep verified)" ]; then
    say "  -> $(tail -n1 "$LOGS/bg-fio_verify.out"), through the map the REFERENCE made (not counted as ours)"
    MISSING+=("I/O through our map")
else
    say "  -> fio FAILED: $(tail -n2 "$LOGS/bg-fio_verify.out" | tr '\n' ' ')"
    MISSING+=("data integrity")
fi

try "multipath -ll at the end" ll_ok multipath -ll

say ""
if [ ${#MISSING[@]} = 0 ]; then
    say "SUMMARY: ours did all $TOTAL steps."
else
    say "SUMMARY: ours did $OK of $TOTAL steps. Not yet done by ours: $(printf '"%s" ' "${MISSING[@]}")"
fi
echo PASS >$R/status
