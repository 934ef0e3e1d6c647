# title: scsi_debug 2 paths x 2 LUNs: udev flags and kernel state after multipath -r, an offline path in a live map, -U and -C, -l/-ll after blacklist changes (devnode, wwid, device, property, protocol)
# timeout: 480
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
sd_topology 2 2
# The kernel's uevents of block devices while a command runs, as "ACTION DM_ACTION flags":
# the udev flags multipath put in the cookie (DM_COOKIE >> 16; the low half is a random id).
mon_start() {
    udevadm monitor -k --property --subsystem-match=block >/tmp/mon.txt 2>&1 &
    echo $! >/tmp/mon.pid
    sleep 1
}
mon_stop() {
    sleep 3
    kill "$(cat /tmp/mon.pid)"
    sleep 0.5
    python3 - <<'PY'
for b in open('/tmp/mon.txt').read().split('\n\n'):
    kv = dict(l.split('=', 1) for l in b.splitlines() if '=' in l)
    if 'DM_COOKIE' in kv:
        print(kv.get('ACTION'), kv.get('DM_ACTION', '-'), 'flags=0x%x' % (int(kv['DM_COOKIE']) >> 16))
PY
}
names() { dmsetup ls --target multipath | awk '{print $1}' | sort; }
mp_conf_policy yes multibus
step "create" -- multipath
step "dm state after create" -- dm_state
# A forced reload: udev runs its rules in full (no reload flag); their blkid read is the
# first I/O, which runs the ALUA pg_init at once (queue_io 0, pg_init_count 1).
mon_start
step "-r, nothing changed" -- multipath -r
step "udev flags of -r" -- mon_stop
step "dm state after -r" -- dm_state
check "read through mpatha" -- dd if=/dev/mapper/mpatha of=/dev/null bs=4k count=1 iflag=direct
step "dm state after a read" -- dm_state
mp_conf_policy yes failover
step "policy changed: plain run leaves the maps" -- multipath
mon_start
step "policy changed: -r" -- multipath -r
step "udev flags of -r with a new table" -- mon_stop
step "dm state after -r failover" -- dm_state
# skip_kpartx: every cookie also carries the flag that keeps kpartx away (0x200).
mp_conf_policy yes failover 'overrides {
	skip_kpartx yes
}'
mon_start
step "skip_kpartx: -r" -- multipath -r
step "udev flags of -r with skip_kpartx" -- mon_stop
mp_conf_policy no failover
# A rename's cookie carries PRIMARY_SOURCE | DISABLE_LIBRARY_FALLBACK (0x60) and the
# subsystem flags, as every other DM operation of multipath.
mon_start
step "-r renames to WWIDs" -- multipath -r
step "udev flags of -r renaming" -- mon_stop
step "names after rename" -- names
mp_conf_policy yes multibus
mon_start
step "-r renames back" -- multipath -r
step "udev flags of -r renaming back" -- mon_stop
# Each cookie's semaphore is removed before the command returns (ipcs shows the keys as 0x0d4dXXXX).
check "no udev cookie semaphore left" -- bash -c '! ipcs -s | grep -qi "^0x0d4d"'
# -U is for udev's rules only: from a shell (no DEVPATH) it fails whatever the map.
step "-U from a shell" --rc any --noerr -- multipath -U -v3 dm-0
step "-U in a udev environment" --rc any -- \
    env DEVPATH=/devices/virtual/block/dm-0 SUBSYSTEM=block ACTION=change DEVNAME=/dev/dm-0 \
    MAJOR=254 MINOR=0 DEVTYPE=disk SEQNUM=1 multipath -U -v3 dm-0
step "-C dm-0" --rc any --noerr -- multipath -C -v3 dm-0
step "-C dm-0 with no path left" --rc any -- bash -c \
    'dmsetup message mpatha 0 "fail_path 8:0"; dmsetup message mpatha 0 "fail_path 8:32"; multipath -C dm-0'
step "-r reinstates" -- multipath -r
# An offline path that a map already holds stays in it on -r: the kernel keeps the device
# it has open (a new map could not open it).
check "fail both paths of mpatha" -- bash -c \
    'dmsetup message mpatha 0 "fail_path 8:0"; dmsetup message mpatha 0 "fail_path 8:32"'
check "sda offline" -- bash -c 'echo offline > /sys/block/sda/device/state'
step "-r with sda offline" -- multipath -r
check "sda kept in the table of mpatha" -- bash -c 'dmsetup table mpatha | grep -q " 8:0 "'
check "sda running" -- bash -c 'echo running > /sys/block/sda/device/state'
step "-r after sda is back" --nocmp -- multipath -r
step "-ll before blacklist changes" -- multipath -ll
# Blacklist changes with the maps live.
mp_conf_policy yes multibus 'blacklist {
	devnode "^sda$"
}'
step "devnode sda: -ll" -- multipath -ll
step "devnode sda: -l" -- multipath -l
step "devnode sda: -v3 -ll" --noerr -- multipath -v3 -ll
step "devnode sda: -ll /dev/sda" --rc any -- multipath -ll /dev/sda
step "devnode sda: -v3 -ll /dev/sda" --rc any --noerr -- multipath -v3 -ll /dev/sda
step "devnode sda: -ll /dev/sdb" --rc any -- multipath -ll /dev/sdb
step "devnode sda: -ll mpatha" --rc any -- multipath -ll mpatha
mp_conf_policy yes multibus 'blacklist {
	devnode ".*"
}'
step "devnode all: -ll" -- multipath -ll
step "devnode all: -l" -- multipath -l
step "devnode all: -v3 -ll /dev/sda" --rc any --noerr -- multipath -v3 -ll /dev/sda
step "devnode all: -ll mpatha" --rc any -- multipath -ll mpatha
step "devnode all: -v3 -l mpatha" --rc any --noerr -- multipath -v3 -l mpatha
step "devnode all: -ll by WWID" --rc any -- multipath -ll 1Linux_scsi_debug_2000
mp_conf_policy yes multibus 'blacklist {
	wwid 1Linux_scsi_debug_2000
}'
step "wwid: -ll" -- multipath -ll
step "wwid: -l" -- multipath -l
step "wwid: -ll /dev/sda" --rc any -- multipath -ll /dev/sda
step "wwid: -ll mpatha" --rc any -- multipath -ll mpatha
step "wwid: -v3 -ll" --noerr -- multipath -v3 -ll
mp_conf_policy yes multibus 'blacklist {
	device {
		vendor Linux
		product scsi_debug
	}
}'
step "device: -ll" -- multipath -ll
mp_conf_policy yes multibus 'blacklist_exceptions {
	property "^NOPE$"
}'
step "property: -ll" -- multipath -ll
step "property: -l" -- multipath -l
mp_conf_policy yes multibus 'blacklist {
	protocol "scsi:unspec"
}'
step "protocol: -ll" -- multipath -ll
step "dm state at end" -- dm_state
