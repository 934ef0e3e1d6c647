# title: scsi_debug 2 paths x 2 LUNs + multipathd: a path offline at start-up (left out, an orphan, added when back), a path offline in a live map at reconfigure (kept, failed, reinstated)
# timeout: 420
sd_topology 2 2
mp_conf_daemon
cols() { multipathd show paths format "%d %m %t %T %o %D"; }
# sdc (LUN 0 on host 1) cannot be opened: the new map mpatha is made without it.
check "sdc offline" -- bash -c 'echo offline > /sys/block/sdc/device/state'
start_multipathd
wait_until "2 maps" 60 -- bash -c '[ "$(dmsetup ls --target multipath | grep -c ^mpath)" = 2 ]'
wait_until "the 3 paths in maps checked" 60 -- bash -c '[ "$(cols | grep -c " active ready ")" = 3 ]'
step "start-up: dm state" -- dm_state
step "start-up: show paths" -- cols
step "start-up: show topology" -- multipathd show topology
# Back: multipathd notices and adds it to its map.
check "sdc running" -- bash -c 'echo running > /sys/block/sdc/device/state'
wait_until "sdc joins mpatha" 60 -- bash -c 'cols | grep -q "^sdc mpatha *active ready"'
step "sdc back: dm state" -- dm_state
step "sdc back: show paths" -- cols
# A path of a live map goes offline: reconfigure keeps it in the map, failed.
check "sdd offline" -- bash -c 'echo offline > /sys/block/sdd/device/state'
step "reconfigure with sdd offline" -- multipathd reconfigure
wait_until "reconfigured, sdd failed" 60 -- bash -c \
    'multipathd show daemon | grep -q idle && cols | grep -q "^sdd mpathb *failed faulty offline"'
step "sdd offline: dm state" -- dm_state
step "sdd offline: show paths" -- cols
check "sdd running" -- bash -c 'echo running > /sys/block/sdd/device/state'
wait_until "sdd reinstated" 60 -- bash -c 'cols | grep -Eq "^sdd +mpathb +active +ready +running"'
step "sdd back: dm state" -- dm_state
step "sdd back: show paths" -- cols
step "shutdown" --rc any --nocmp -- multipathd shutdown
