# title: scsi_debug, 4 paths to each of 16 LUNs: 16 maps, lose and regain a whole host
# timeout: 600
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
sd_topology 4 16
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	polling_interval 5
}
CONF
step "create maps" --timeout 300 -- multipath
step "dm state" -- dm_state
step "multipath -ll" --timeout 300 -- multipath -ll
step "bindings and wwids" -- state_files
start_multipathd
wait_until "multipathd sees 64 checked paths" 180 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -Ec "ready|ghost") = 64 ]'
step "show maps" --noerr -- multipathd show maps
step "show paths" --noerr -- multipathd show paths format "%i %d %D %t %T %o %p"
bg_start "fio verify through mpathc" -- io_loop /dev/mapper/mpathc /tmp/stop-io
say "remove every device of host2"
check "delete host2 devices" -- bash -c 'for d in /sys/class/scsi_host/host2/device/target2:0:0/2:0:0:*; do echo 1 > $d/delete; done'
wait_until "every map down to 3 paths" 180 -- bash -c '[ $(dmsetup table | awk "{n=0; for(i=1;i<=NF;i++) if (\$i ~ /^[0-9]+:[0-9]+\$/) n++; print n}" | sort -u) = 3 ]'
step "dm state, host2 gone" -- dm_state
check "rescan host2" -- rescan_in_order 2
wait_until "every map back to 4 paths" 240 -- bash -c '[ $(dmsetup table | awk "{n=0; for(i=1;i<=NF;i++) if (\$i ~ /^[0-9]+:[0-9]+\$/) n++; print n}" | sort -u) = 4 ]'
wait_until "all 64 paths active" 180 -- bash -c '[ $(dm_path_states | grep -c " A$") = 64 ]'
touch /tmp/stop-io
bg_wait "fio verify through mpathc" 120
step "dm state at end" -- dm_state
step "show maps at end" --noerr -- multipathd show maps
