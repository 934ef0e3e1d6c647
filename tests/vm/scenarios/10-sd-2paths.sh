# title: scsi_debug, 2 paths to 1 LUN: create, list, files, flush
# timeout: 240
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
step "multipath -v3 -ll (paths list)" -- multipath -v3 -ll
step "multipath -v3 -ll on a path" -- multipath -v3 -ll /dev/sdb
step "multipath -v3 -ll on a map" -- multipath -v3 -ll mpatha
step "multipath -v3 -d: nothing to do" -- multipath -v3 -d
step "bindings and wwids" -- state_files
step "create again: nothing to do" -- multipath
step "multipath -c on a path" -- multipath -c /dev/sda
step "multipath -C map" -- multipath -C /dev/dm-0
step "flush map" -- multipath -f mpatha
step "dm state after flush" -- dm_state
step "flush unknown map" --rc 1 -- multipath -f nosuchmap
step "recreate" -- multipath
step "flush all" -- multipath -F
step "dm state at end" -- dm_state
