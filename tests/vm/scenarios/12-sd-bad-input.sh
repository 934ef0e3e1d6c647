# title: bad input: corrupt bindings and wwids files, a broken config line, a vanished path, a blacklisted device
# timeout: 300
sd_topology 2 2
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
}
CONF
# A bindings file with garbage, a duplicate alias and a duplicate WWID: the valid lines
# are used, and the file is not truncated.
check "corrupt bindings file" -- bash -c 'printf "%s\n" "# comment" "mpathb 1Linux_scsi_debug_2001" \
    "this line has too many fields here" "mpathb 1Linux_scsi_debug_2099" "mpathq" \
    "mpathc 1Linux_scsi_debug_2001" >/etc/multipath/bindings'
check "corrupt wwids file" -- bash -c 'printf "%s\n" "garbage without slashes" "/1Linux_scsi_debug_2000/" "/unterminated" >/etc/multipath/wwids'
step "create with corrupt files" --rc any -- multipath
step "dm state" -- dm_state
step "files after create" -- state_files
step "flush all" -- multipath -F
# A config with an unknown keyword and a bad value: reported, the rest used.
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	no_such_keyword 1
	path_grouping_policy sideways
}
blacklist {
	devnode "^sdd$"
}
CONF
step "create with a broken config line" --rc any -- multipath
step "dm state, broken config" -- dm_state
step "blacklisted device argument" --rc any -- multipath /dev/sdd
step "dry run on a blacklisted device" --rc any -- multipath -d /dev/sdd
step "-c on a blacklisted device" --rc any -- multipath -c /dev/sdd
step "flush all again" -- multipath -F
# A path that is gone: map created from what is left, -ll lists it.
check "delete sdb" -- bash -c 'echo 1 > /sys/block/sdb/device/delete'
wait_until "sdb gone" 30 -- bash -c '! [ -e /sys/block/sdb ]'
step "create after a path vanished" --rc any -- multipath
step "dm state, sdb gone" -- dm_state
step "multipath -ll, sdb gone" --rc any -- multipath -ll
step "vanished device argument" --rc any -- multipath -ll /dev/sdb
step "flush all at end" -- multipath -F
# A path offline (SG_IO fails at once with ENXIO): the reference leaves it out of its
# map (the kernel would refuse the table with it); the other LUN's map is made as usual.
check "rescan sdb back" -- rescan_in_order 0
wait_until "4 paths again" 60 -- paths_ready scsi_debug 4
check "sdc offline" -- bash -c 'echo offline > /sys/block/sdc/device/state'
step "create with a path offline" --rc any -- multipath
step "dm state, sdc offline" -- dm_state
step "multipath -ll, sdc offline" --rc any -- multipath -ll
check "sdc running" -- bash -c 'echo running > /sys/block/sdc/device/state'
step "flush all, offline case" -- multipath -F
