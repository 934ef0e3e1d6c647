# title: paths deleted while multipath scans and creates: no crash, the untouched maps are made, the end state equals the reference's
# timeout: 480
# 4 paths to each of 8 LUNs.  While `multipath` runs, one path of each of LUNs 0-3 is
# deleted.  Where each deletion lands (before the scan, during it, between the scan and
# the table load, after) is a race, so the first run's output is only checked, not
# compared: it must end normally (no signal, no panic), every untouched LUN must get its
# map, and a touched LUN either gets a map or its name is in an error message.  A second
# `multipath` then completes the set; after a flush, a create on the paths left is
# compared with the reference's.
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
sd_topology 4 8
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
}
CONF
step "create all" -- multipath -v1
step "flush all" -- multipath -F
# LUN L's path through the (L+1)-th scsi_debug host, for L = 0..3.
victims=$(for l in 0 1 2 3; do
    h=$(ls /sys/class/scsi_disk | grep -E ":0:0:$l\$" | sort -t: -k1,1n | sed -n "$((l + 1))p")
    ls /sys/class/scsi_disk/$h/device/block
done | tr '\n' ' ')
say "paths to delete during the create: $victims"
wwid_of() { udevadm info -q property -n "/dev/$1" | sed -n 's/^ID_SERIAL=//p'; }
for v in $victims; do wwid_of "$v"; done >/tmp/touched-wwids
check "create while 4 paths are deleted" --timeout 300 -- bash -c '
    multipath -v2 >/tmp/race.out 2>/tmp/race.err & pid=$!
    # staggered, so that deletions land in the scan and among the creates
    set -- 0.05 0.3 0.6 1
    for v in '"$victims"'; do sleep "$1"; shift; echo 1 >/sys/block/$v/device/delete; done
    wait $pid; rc=$?
    echo "multipath exited $rc"; cat /tmp/race.out /tmp/race.err
    [ "$rc" -lt 128 ] && ! grep -qi panick /tmp/race.err'
udevadm settle -t 60
check "every untouched LUN has its map" -- bash -c '
    for m in $(dmsetup ls --target multipath | awk "{print \$1}"); do
        u=$(dmsetup info -c --noheadings -o uuid "$m"); echo "${u#mpath-}"
    done | sort >/tmp/mapped
    for l in 4 5 6 7; do
        d=$(ls /sys/class/scsi_disk | grep -E ":0:0:$l\$" | head -1)
        w=$(udevadm info -q property -n /dev/$(ls /sys/class/scsi_disk/$d/device/block) | sed -n "s/^ID_SERIAL=//p")
        grep -qx "$w" /tmp/mapped || { echo "no map for untouched LUN $l ($w)"; exit 1; }
    done
    # A touched LUN without a map must have been named in an error message.
    while read -r w; do
        grep -qx "$w" /tmp/mapped && continue
        name=$(awk -v w="$w" "\$2 == w {print \$1}" /etc/multipath/bindings)
        grep -Eq "($w|${name:-@@})" /tmp/race.err || { echo "LUN $w has no map and no message"; exit 1; }
    done </tmp/touched-wwids
    cat /tmp/mapped'
step "create the rest" --rc any --nocmp -- multipath
check "now every LUN has a map" -- bash -c '[ "$(dmsetup ls --target multipath | grep -vc "^No devices")" = 8 ]'
# Which maps the race left and in what order dm numbered them is timing: start again.
step "flush after the race" -- multipath -F
step "create with 4 paths gone" -- multipath -v1
step "dm state, 4 paths gone" -- dm_state
step "multipath -ll, 4 paths gone" -- multipath -ll
step "files at end" -- state_files
step "flush all at end" -- multipath -F
