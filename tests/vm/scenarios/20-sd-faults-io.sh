# title: scsi_debug 2 paths + multipathd: offline/running, fail_path, fail/reinstate, delete/rescan, with fio verify
# timeout: 420
sd_topology 2 1
# mp_conf_daemon's, with max_retries: the SCSI timeouts multipathd writes when it reloads
# the map for a path deleted or added (fault 4) are compared.
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	polling_interval 2
	max_retries 3
}
CONF
step "create maps" -- multipath
start_multipathd
wait_until "multipathd sees 2 ready paths" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -c ready) = 2 ]'
step "show paths" -- multipathd show paths format "%d %D %t %T %o %C %p"
step "show paths: transport and sysfs wildcards" -- multipathd show paths format "%d %P %a %N %R %n %r %k %L %A"
step "show paths: serial" -- multipathd show paths format "%d %z %s"
step "show maps" -- multipathd show maps
step "show topology" -- multipathd show topology
step "show maps status" -- multipathd show maps status
step "show daemon" -- multipathd show daemon

bg_start "fio verify through the map" -- io_loop /dev/mapper/mpatha /tmp/stop-io

say "fault 1: sda offline"
check "sda offline" -- bash -c 'echo offline > /sys/block/sda/device/state'
wait_until "sda failed in the map" 60 -- bash -c '[ "$(path_state mpatha sda)" = F ]'
wait_until "multipathd sees sda faulty" 60 -- bash -c 'multipathd show paths raw format "%d %T" | grep -q "^sda faulty"'
step "show paths, sda offline" -- multipathd show paths format "%d %t %T %o"
step "dm state, sda offline" -- dm_state
check "sda running" -- bash -c 'echo running > /sys/block/sda/device/state'
wait_until "sda reinstated" 60 -- bash -c '[ "$(path_state mpatha sda)" = A ]'
wait_until "multipathd sees sda ready" 60 -- bash -c 'multipathd show paths raw format "%d %T" | grep -q "^sda ready"'
step "show paths, sda back" -- multipathd show paths format "%d %t %T %o"

say "fault 2: dm fail_path on sdb, multipathd reinstates it"
check "dmsetup message fail_path" -- dmsetup message mpatha 0 fail_path "$(cat /sys/block/sdb/dev)"
wait_until "sdb reinstated by multipathd" 60 -- bash -c '[ "$(path_state mpatha sdb)" = A ]'

say "fault 3: multipathd fail path / reinstate path"
step "fail path sdb" -- multipathd fail path sdb
wait_until "sdb failed" 30 -- bash -c '[ "$(path_state mpatha sdb)" = F ]'
sleep 5   # two checker intervals: the failed path must stay failed
step "dm state, sdb failed by hand" -- dm_state
step "reinstate path sdb" -- multipathd reinstate path sdb
wait_until "sdb active" 30 -- bash -c '[ "$(path_state mpatha sdb)" = A ]'

say "fault 4: delete the SCSI device sdb, then rescan its host"
step "scsi timeouts before the delete" -- scsi_tmo_state
check "sda max_retries back to 5" -- bash -c 'echo 5 > /sys/block/sda/device/scsi_disk/*/max_retries'
check "delete sdb" -- bash -c 'echo 1 > /sys/block/sdb/device/delete'
wait_until "map down to 1 path" 60 -- bash -c '[ $(dmsetup table mpatha | grep -o "[0-9]*:[0-9]* 1" | wc -l) = 1 ]'
step "dm state, sdb deleted" -- dm_state
step "scsi timeouts after the reload for sdb's removal" -- scsi_tmo_state
step "show paths, sdb deleted" -- multipathd show paths format "%d %t %T %o"
check "rescan host1" -- rescan_in_order 1
wait_until "map back to 2 paths" 90 -- bash -c '[ $(dmsetup table mpatha | grep -o "[0-9]*:[0-9]* 1" | wc -l) = 2 ]'
wait_until "both paths active" 60 -- bash -c '[ "$(path_state mpatha sda)$(path_state mpatha sdb)" = AA ]'
step "scsi timeouts after sdb is back" -- scsi_tmo_state

touch /tmp/stop-io
bg_wait "fio verify through the map" 120
step "dm state at end" -- dm_state
step "show topology at end" -- multipathd show topology
# The reference sometimes closes the socket before its "ok" reaches the client (exit 1,
# no output): the reply is not compared, the daemon must be gone.
step "shutdown multipathd" --rc any --nocmp -- multipathd shutdown
wait_until "multipathd gone" 30 -- bash -c '! pgrep -x multipathd'
