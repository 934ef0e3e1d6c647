# title: scsi_debug, 2 paths to 1 LUN: create, list, files, flush
# timeout: 240
sd_topology 2 1
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
}
CONF
step "create maps" -- multipath
step "dm state after create" -- dm_state
step "multipath -ll" -- multipath -ll
step "multipath -l" -- multipath -l
step "multipath -v1 -l" -- multipath -v1 -l
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
