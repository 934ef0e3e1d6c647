# title: scsi_debug, 2 paths to 1 LUN: create, list, files, flush
# timeout: 240
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
sd_topology 2 1
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
}
CONF
step "dry run on a fresh system" -- multipath -d
step "files after the dry run" -- state_files
step "create maps" -- multipath
step "dm state after create" -- dm_state
step "multipath -ll" -- multipath -ll
step "multipath -l" -- multipath -l
step "multipath -v1 -l" -- multipath -v1 -l
step "multipath -v3 -ll (paths list)" --noerr -- multipath -v3 -ll
step "multipath -v3 -ll on a path" --noerr -- multipath -v3 -ll /dev/sdb
step "multipath -v3 -ll on a map" --noerr -- multipath -v3 -ll mpatha
step "multipath -v3 -d: nothing to do" --noerr -- multipath -v3 -d
step "bindings and wwids" -- state_files
step "create again: nothing to do" -- multipath
step "multipath -c on a path" -- multipath -c /dev/sda
step "multipath -C map" -- multipath -C /dev/dm-0
# Device argument forms: a bare kernel name is a map name (none has it).
step "-ll on a bare kernel name" -- multipath -ll sda
step "-ll on maj:min" -- multipath -ll 8:0
step "-ll on a WWID" -- multipath -ll 1Linux_scsi_debug_2000
step "-ll on a bare dm name" -- multipath -ll dm-0
step "-ll on a maj:min of nothing" --rc 1 -- multipath -ll 8:240
step "create on a bare kernel name" -- multipath sda
step "-c on a bare kernel name" --rc 1 -- multipath -c sda
step "-c on maj:min" --rc 1 -- multipath -c 8:0
step "-c on a map node" --rc 1 -- multipath -c /dev/dm-0
step "-u on a bare kernel name" -- multipath -u sda
step "-u on a map" -- multipath -u dm-0
step "-u on a WWID" --rc 1 -- multipath -u 1Linux_scsi_debug_2000
step "-C on a bare dm name" -- multipath -C dm-0
step "-C on a map name" --rc 1 -- multipath -C mpatha
step "-C on a path" --rc 1 -- multipath -C /dev/sda
step "-f on a WWID" --rc 1 -- multipath -f 1Linux_scsi_debug_2000
step "-f on a bare dm name" --rc 1 -- multipath -f dm-0
# A block device that is no SCSI path.
load_modules loop
check "loop device" -- bash -c 'truncate -s 16M /tmp/loopf && losetup /dev/loop0 /tmp/loopf'
step "-c on a loop device" --rc 1 -- multipath -c /dev/loop0
step "-u on a loop device" -- multipath -u loop0
step "-C on a loop device" --rc 1 -- multipath -C /dev/loop0
check "detach loop" -- losetup -d /dev/loop0
step "flush map" -- multipath -f mpatha
step "dm state after flush" -- dm_state
step "flush unknown map" --rc 1 -- multipath -f nosuchmap
step "recreate" -- multipath
# user_friendly_names off: the friendly name is kept.
mp_conf <<'CONF'
defaults {
	find_multipaths off
}
CONF
step "friendly names off: dry run" -- multipath -d
step "friendly names off: create" -- multipath
step "friendly names off: dm state" -- dm_state
step "flush all" -- multipath -F
step "dm state at end" -- dm_state
