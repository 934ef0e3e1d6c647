# Helpers for scenarios (sourced by runner.sh and demo.sh inside the VM).
#
# A scenario is a bash file in tests/vm/scenarios/ whose header says
#   # title: <one line>        # timeout: <seconds for the whole VM run, boot included>
# and whose body calls, in order:
#   step NAME [--rc N|any] [--nocmp] [--err|--noerr] [--timeout S] -- CMD...
#        run CMD; stdout (normalised) + exit status become the artifact NN-NAME that is
#        compared between theirs and ours (unless --nocmp), with stderr too for --err
#        (STEP_ERR=1 in a scenario: every step but those with --noerr); a wrong exit
#        status or a timeout fails the scenario at this step.
#   check NAME -- CMD...              an assertion: must exit 0; output kept as a log only
#   wait_until NAME SECS -- CMD...    poll CMD (every 0.5 s) until it exits 0
#   bg_start NAME -- CMD... / bg_wait NAME    a background job (fio) and its verdict
#   say TEXT                          a line for the human watching (console, transcript)
# Topology helpers: sd_topology, lio_alua_topology, iscsi_topology (below).
#
# Normalisations (applied to every compared artifact, nothing else is rewritten):
#   N1  multipathd `show paths` next_check column (%C): the checker progress bar
#       "XXXXX..... 3/5" depends on when the command ran -> "<next_check>".
#   N2  multipathd `show daemon`: "pid 1234 idle" -> "pid <pid> idle".
#   N3  failback progress in `show maps status` (%F) "XXXX...... 3/10" -> "<failback>".
#   N4  `dmsetup status` of a multipath map: the path selector's per-path values
#       (service-time: in-flight bytes and relative throughput; queue-length: in-flight
#       I/Os) change with every I/O -> "<ps>" (dm_state, norm_mp_status).
#   N5  stderr, compared only by steps that ask for it: the log stamp (below).
# Not normalised on purpose: sd names, H:C:T:L, maj:min, dm-N minors, WWIDs, sizes,
# path/group states and priorities, dm fail counts.  The topology is built
# deterministically (scsi_mod.scan=sync, hosts created in order), so they must match.

export R=/mnt/results
export ART=$R/artifacts
export LOGS=$R/logs
mkdir -p "$ART" "$LOGS"
STEPNO=0
: "${STEP_TIMEOUT:=120}"
declare -A BG_PID

say() {
    echo "@@ $*" >/dev/console
    echo "$*" >>"$R/transcript.txt"
}

normalise() {
    sed -E \
        -e 's/[X.]{10} [0-9]+\/[0-9]+/<next_check>/g' \
        -e 's/^pid [0-9]+ /pid <pid> /' \
        -e 's/(^|[[:space:]])[X.]{10} [0-9]+\/[0-9]+([[:space:]]|$)/\1<failback>\2/g'
}

# N5  stderr, for steps that compare it (`--err`, or STEP_ERR=1 in a scenario for all
#     its steps; `--noerr` opts one out): the log lines' monotonic-clock stamp
#     "12.345678 | " -> "<t> | ".
normalise_err() {
    sed -E 's/^[0-9]+\.[0-9]{6} \| /<t> | /' | normalise
}

# _timeout SECS CMD...: CMD may be a shell function (defined here or in the scenario);
# functions are exported so that `bash -c '...'` commands can use them too.
_timeout() {
    local t=$1
    shift
    export -f $(compgen -A function)
    timeout -k 5 "$t" bash -c '"$@"' bash "$@"
}

slug() { echo "$*" | tr -c 'A-Za-z0-9_.\n-' '_' | cut -c1-60; }

# fail STEP MSG: record the failure and end the scenario.
fail() {
    local st=$1
    shift
    say "FAIL at step '$st': $*"
    printf 'FAIL\t%s\t%s\n' "$st" "$(echo "$*" | tr '\t\n' '  ' | cut -c1-400)" >"$R/status"
    printf '%s\tFAIL\t%s\n' "$st" "$*" >>"$R/steps.tsv"
    _timeout 60 failure_state >"$LOGS/failure-state.txt" 2>&1
    exit 1
}

# What the system looked like when a step failed (logs/failure-state.txt).
failure_state() {
    dmesg | tail -n 80
    set -x
    ls -l /sys/class/scsi_disk/ /dev/disk/by-id/ /dev/mapper/
    for d in /sys/block/sd*; do
        [ -e "$d" ] && udevadm info -q property "/dev/${d##*/}" | grep -E 'DEVNAME|ID_SERIAL|DM_MULTIPATH|ID_WWN|SYSTEMD_READY'
        [ -e "$d" ] && cat "$d/device/state"
    done
    grep -H . /sys/block/sd*/device/access_state /sys/block/sd*/device/dh_state
    grep -H . /sys/kernel/config/target/core/*/*/alua/*/alua_access_state
    dmsetup ls; dmsetup table; dmsetup status
    multipathd show paths 2>&1 | head -n 80
    ps -ef
}

_parse_opts() {   # sets RC_EXPECT CMP CMP_ERR TMO; leaves the command in CMD
    RC_EXPECT=0 CMP=1 CMP_ERR=${STEP_ERR:-0} TMO=$STEP_TIMEOUT
    while [ $# -gt 0 ]; do
        case "$1" in
            --rc) RC_EXPECT=$2; shift 2 ;;
            --nocmp) CMP=0; shift ;;
            --err) CMP_ERR=1; shift ;;
            --noerr) CMP_ERR=0; shift ;;
            --timeout) TMO=$2; shift 2 ;;
            --) shift; break ;;
            *) break ;;
        esac
    done
    CMD=("$@")
}

step() {
    local name=$1
    shift
    _parse_opts "$@"
    STEPNO=$((STEPNO + 1))
    local id
    id=$(printf '%02d-%s' "$STEPNO" "$(slug "$name")")
    echo "@@STEP $name" >/dev/console
    say "\$ ${CMD[*]}"
    local rc
    _timeout "$TMO" "${CMD[@]}" >"$LOGS/$id.out" 2>"$LOGS/$id.err"
    rc=$?
    sed 's/^/    /' "$LOGS/$id.out" | head -n 60 | while IFS= read -r l; do say "$l"; done
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        fail "$name" "timed out after $TMO s: ${CMD[*]}"
    fi
    if [ "$RC_EXPECT" != any ] && [ "$rc" != "$RC_EXPECT" ]; then
        fail "$name" "exit status $rc (expected $RC_EXPECT): ${CMD[*]}: $(head -c 300 "$LOGS/$id.err")"
    fi
    if [ "$CMP" = 1 ]; then
        {
            normalise <"$LOGS/$id.out"
            echo "[exit status $rc]"
            if [ "$CMP_ERR" = 1 ]; then
                echo "[stderr]"
                normalise_err <"$LOGS/$id.err"
            fi
        } >"$ART/$id"
    fi
    printf '%s\tok\trc=%s\n' "$name" "$rc" >>"$R/steps.tsv"
}

check() {
    local name=$1
    shift
    _parse_opts "$@"
    echo "@@STEP $name" >/dev/console
    local id
    id=chk-$(slug "$name")
    if ! _timeout "$TMO" "${CMD[@]}" >"$LOGS/$id.out" 2>&1; then
        fail "$name" "check failed: ${CMD[*]}: $(tail -c 300 "$LOGS/$id.out")"
    fi
    say "ok: $name"
    printf '%s\tok\tcheck\n' "$name" >>"$R/steps.tsv"
}

wait_until() {
    local name=$1 secs=$2
    shift 2
    [ "$1" = -- ] && shift
    echo "@@STEP $name" >/dev/console
    local id end
    id=wait-$(slug "$name")
    end=$(($(date +%s) + secs))
    while true; do
        if _timeout 20 "$@" >"$LOGS/$id.out" 2>&1; then
            say "ok: $name"
            printf '%s\tok\twait\n' "$name" >>"$R/steps.tsv"
            return 0
        fi
        [ "$(date +%s)" -ge "$end" ] && fail "$name" "not true after $secs s: $*: $(tail -c 300 "$LOGS/$id.out")"
        sleep 0.5
    done
}

bg_start() {
    local name=$1
    shift
    [ "$1" = -- ] && shift
    echo "@@STEP $name (start)" >/dev/console
    say "\$ $* &"
    "$@" >"$LOGS/bg-$(slug "$name").out" 2>&1 &
    BG_PID[$name]=$!
}

bg_wait() {
    local name=$1 tmo=${2:-$STEP_TIMEOUT} pid=${BG_PID[$1]} i=0
    echo "@@STEP $name (wait)" >/dev/console
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt $((tmo * 2)) ] && { kill -9 "$pid"; fail "$name" "still running after $tmo s"; }
        sleep 0.5
    done
    wait "$pid"
    local rc=$?
    [ $rc = 0 ] || fail "$name" "exit status $rc: $(tail -c 400 "$LOGS/bg-$(slug "$name").out")"
    say "ok: $name"
    printf '%s\tok\tbg\n' "$name" >>"$R/steps.tsv"
}

# ------------------------------------------------------------------ state snapshots

# Every multipath map as the kernel sees it: name, DM UUID, table, status (sorted by name).
dm_state() {
    local n
    for n in $(dmsetup ls --target multipath 2>/dev/null | awk '$1 != "No" {print $1}' | sort); do
        echo "== $n uuid=$(dmsetup info -c --noheadings -o uuid "$n")"
        echo "table:  $(dmsetup table "$n")"
        echo "status: $(dmsetup status "$n" | norm_mp_status)"
    done
    echo "maps: $(dmsetup ls --target multipath | grep -vc '^No devices')"
}

# N4: replace the per-path selector values of a multipath status line by <ps>.
# Layout: start len multipath <#feat> feat... <#hw> hw... <#pg> <next pg>, then per group
# <state> <#pg args> args... <#paths> <#sel args>, then per path <dev> <A|F> <fails> sel args...
norm_mp_status() {
    awk '{
        i = 4; out = $1 " " $2 " " $3
        n = $i; out = out " " $i; for (k = 0; k < n; k++) { i++; out = out " " $i }; i++
        n = $i; out = out " " $i; for (k = 0; k < n; k++) { i++; out = out " " $i }; i++
        npg = $i; out = out " " $i " " $(i + 1); i += 2
        for (g = 0; g < npg; g++) {
            out = out " " $i; i++
            n = $i; out = out " " $i; for (k = 0; k < n; k++) { i++; out = out " " $i }; i++
            np = $i; ns = $(i + 1); out = out " " np " " ns; i += 2
            for (p = 0; p < np; p++) {
                out = out " " $i " " $(i + 1) " " $(i + 2); i += 3
                for (k = 0; k < ns; k++) { out = out " <ps>"; i++ }
            }
        }
        print out
    }'
}

# bindings and wwids files (they may legitimately not exist: print that).
state_files() {
    local f
    for f in /etc/multipath/bindings /etc/multipath/wwids; do
        echo "== $f"
        if [ -f "$f" ]; then cat "$f"; else echo "(absent)"; fi
    done
}

# The SCSI timeouts multipath sets on the paths of its maps: hosts' eh_deadline, disks'
# max_retries, iSCSI sessions' recovery_tmo, FC remote ports' and SAS end devices' ones.
scsi_tmo_state() {
    local f
    for f in /sys/class/scsi_host/host*/eh_deadline /sys/class/scsi_disk/*/max_retries \
             /sys/class/iscsi_session/*/recovery_tmo /sys/class/fc_remote_ports/*/*_tmo \
             /sys/class/sas_end_device/*/I_T_nexus_loss_timeout; do
        [ -e "$f" ] && echo "$f=$(cat "$f" 2>&1)"
    done
    return 0
}

# The transport fields of every path in `multipathd show maps json`, one line a path:
# dev, target_wwnn, host_wwnn, target_wwpn, host_wwpn, host_adapter.
json_transport() {
    multipathd show maps json | python3 -c '
import json, sys
for m in json.load(sys.stdin)["maps"]:
    for g in m["path_groups"]:
        for p in g["paths"]:
            print(p["dev"], *(p.get(k) for k in ("target_wwnn", "host_wwnn", "target_wwpn", "host_wwpn", "host_adapter")))'
}

mp_conf() {   # write /etc/multipath.conf from stdin
    mkdir -p /etc/multipath
    cat >/etc/multipath.conf
    say "/etc/multipath.conf:"
    sed 's/^/    /' /etc/multipath.conf | while IFS= read -r l; do say "$l"; done
}

# The configuration of the scenarios with multipathd: friendly names, every device
# multipathed, paths checked every 2 s.
mp_conf_daemon() {
    mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	polling_interval 2
}
CONF
}

# mp_conf_section SECTION [LINES...]: friendly names, every device multipathed, and
# SECTION (e.g. blacklist) with the given lines.
mp_conf_section() {
    local section=$1
    shift
    mp_conf <<CONF
defaults {
	user_friendly_names yes
	find_multipaths off
}
$section {
$(printf '\t%s\n' "$@")
}
CONF
}

# mp_conf_policy UFN PGP [EXTRA]: user_friendly_names UFN, every device multipathed,
# path_grouping_policy PGP (not detected), then the EXTRA sections.
mp_conf_policy() {
    mp_conf <<CONF
defaults {
	user_friendly_names $1
	find_multipaths off
	detect_pgpolicy no
	path_grouping_policy $2
}
${3:-}
CONF
}

load_modules() {
    modprobe -a "$@" 2>"$LOGS/modprobe.err" ||
        fail "load kernel modules" "modprobe $* failed (module missing from the kernel?): $(cat "$LOGS/modprobe.err")"
}

# The kernel names (sdX) of the SCSI disks of driver/vendor $1 (sorted by H:C:T:L).
disks_of() {
    local d
    for d in /sys/class/scsi_disk/*; do
        [ -e "$d" ] || continue
        grep -qi "$1" "$d/device/vendor" "$d/device/model" 2>/dev/null || continue
        echo "$(basename "$d") $(ls "$d/device/block")"
    done | sort -t: -k1,1n -k2,2n -k3,3n -k4,4n | awk '{print $2}'
}

# sd_topology HOSTS LUNS [scsi_debug params...]: scsi_debug with HOSTS paths to each of LUNS
# LUNs.  vpd_use_hostno=0 gives all paths of a LUN the same WWID; the ALUA state of the
# paths through host N is N % 3 (0 active/optimized, 1 active/non-optimized, 2 standby).
sd_topology() {
    local hosts=$1 luns=$2
    shift 2
    load_modules dm-multipath dm-round-robin dm-service-time dm-queue-length sd_mod sg scsi_dh_alua
    echo 0 >/sys/bus/scsi/drivers_autoprobe
    check "create scsi_debug SAN ($hosts paths x $luns LUNs)" -- \
        modprobe scsi_debug add_host="$hosts" num_tgts=1 max_luns="$luns" vpd_use_hostno=0 \
        dev_size_mb=64 "$@"
    check "bind sd in H:C:T:L order" -- bind_in_order
    echo 1 >/sys/bus/scsi/drivers_autoprobe
    wait_until "all $((hosts * luns)) paths visible to udev" 120 -- paths_ready scsi_debug $((hosts * luns))
    check "sd names in H:C:T:L order" -- names_in_order scsi_debug
    say "paths: $(disks_of scsi_debug | tr '\n' ' ')"
}

# bind_in_order: attach the sd driver, one device at a time in H:C:T:L order, to the SCSI
# devices that have no driver yet (created while /sys/bus/scsi/drivers_autoprobe was 0).
# The kernel otherwise names disks as their asynchronous probes finish, in any order.
bind_in_order() {
    local d
    for d in $(ls /sys/bus/scsi/devices | grep -E '^[0-9]+:[0-9]+:[0-9]+:[0-9]+$' |
               sort -t: -k1,1n -k2,2n -k3,3n -k4,4n); do
        [ -e /sys/bus/scsi/devices/$d/driver ] && continue
        [ "$(cat /sys/bus/scsi/devices/$d/type)" = 0 ] || continue
        echo "$d" >/sys/bus/scsi/drivers/sd/bind || return 1
    done
}

# rescan_in_order HOSTNO: rescan a SCSI host, binding the new disks in order.
rescan_in_order() {
    echo 0 >/sys/bus/scsi/drivers_autoprobe
    echo "- - -" >/sys/class/scsi_host/host$1/scan
    bind_in_order
    local rc=$?
    echo 1 >/sys/bus/scsi/drivers_autoprobe
    return $rc
}

# The kernel names sd disks as they finish probing, asynchronously.  Outputs compared
# between runs name devices, so scenarios insist on the canonical order: names sorted by
# H:C:T:L are also sorted by index (sda, sdb, ..., sdz, sdaa, ...).
names_in_order() {
    local a b
    a=$(disks_of "$1" | tr '\n' ' ')
    b=$(disks_of "$1" | awk '{print length($0), $0}' | sort -k1,1n -k2 | cut -d' ' -f2 | tr '\n' ' ')
    [ "$a" = "$b" ]
}

# paths_ready VENDOR N: N disks of VENDOR exist and udev has given each one its ID_SERIAL.
paths_ready() {
    udevadm settle -t 10
    local n
    n=$(udevadm info --export-db | awk -v want=" $(disks_of "$1" | tr '\n' ' ')" '
        /^N: / { dev = substr($0, 4) }
        /^E: ID_SERIAL=/ { if (index(want, " " dev " ")) n++ }
        END { print n + 0 }')
    echo "$n of $2 paths ready"
    [ "$n" -ge "$2" ]
}

start_multipathd() {
    bg_start multipathd -- /usr/sbin/multipathd -d -s -v3
    wait_until "multipathd answers" 60 -- bash -c 'multipathd show daemon | grep -Eq "idle|running"'
}

# fio writing and verifying (crc32c) through a map; runs for $2 seconds (time based).
fio_verify() {
    local dev=$1 secs=${2:-20}
    fio --name=verify --filename="$dev" --direct=1 --ioengine=psync --rw=randwrite --bs=4k \
        --size=8m --verify=crc32c --verify_fatal=1 --do_verify=1 --time_based=0 \
        --loops=1000 --runtime="$secs" --output-format=terse --minimal >/dev/null &&
        fio --name=readback --filename="$dev" --direct=1 --ioengine=psync --rw=read --bs=4k \
            --size=8m --verify=crc32c --verify_only=1 --verify_fatal=1 --output-format=terse >/dev/null
}

# I/O while a fault happens: write+verify a region, in a loop, until $2 exists.
io_loop() {
    local dev=$1 stopfile=$2 n=0
    while [ ! -e "$stopfile" ]; do
        fio --name=io --filename="$dev" --direct=1 --ioengine=psync --rw=write --bs=64k \
            --size=4m --verify=crc32c --verify_fatal=1 --do_verify=1 \
            --output-format=terse >/dev/null || { echo "fio pass $n failed"; return 1; }
        n=$((n + 1))
    done
    echo "fio: $n verified write passes"
    [ "$n" -gt 0 ]
}

# dm_path_states [MAP]: "maj:min A|F" for every path of the map(s), from dmsetup status.
dm_path_states() {
    dmsetup status --target multipath $1 | tr ' ' '\n' | awk 'p { print p, $0; p = "" } /^[0-9]+:[0-9]+$/ { p = $0 }'
}

path_state() {   # path_state MAP DEV -> A or F as in dmsetup status
    local mm
    mm=$(cat /sys/block/"$2"/dev)
    dmsetup status "$1" | tr ' ' '\n' | grep -A1 -x "$mm" | tail -n1
}

# ------------------------------------------------------------------ LIO (configfs)

export LIO=/sys/kernel/config/target

# lio_ramdisk NAME SERIAL MB: a ramdisk backstore with a fixed unit serial (-> WWID).
# The serial must be written before the backstore is enabled.
lio_ramdisk() {
    local d=$LIO/core/rd_mcp_0/$1
    mkdir -p "$d" &&
        echo "rd_pages=$(($3 * 256))" >"$d/control" &&
        echo "$2" >"$d/wwn/vpd_unit_serial" &&
        echo 1 >"$d/enable"
}

# lio_alua_group BACKSTORE NAME ID STATE: an ALUA target port group (0 active/optimized,
# 1 active/non-optimized, 2 standby, 3 unavailable).
lio_alua_group() {
    local g=$LIO/core/rd_mcp_0/$1/alua/$2
    mkdir -p "$g" && echo "$3" >"$g/tg_pt_gp_id" && echo "$4" >"$g/alua_access_state"
}

# lio_loop_port N BACKSTORE GROUP: a tcm_loop target (one SCSI host in the VM) exporting
# the backstore as LUN 0 through target port group GROUP.  The nexus must exist before
# the LUN, else the path comes up without a WWID or not at all.
lio_loop_port() {
    local t=$LIO/loopback/naa.5001405000000$1$1$1/tpgt_1
    mkdir -p "$t" &&
        echo "naa.5001405999999$1$1$1" >"$t/nexus" &&
        mkdir "$t/lun/lun_0" &&
        ln -s "$LIO/core/rd_mcp_0/$2" "$t/lun/lun_0/$2" &&
        echo "$3" >"$t/lun/lun_0/alua_tg_pt_gp"
}
