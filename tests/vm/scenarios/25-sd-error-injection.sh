# title: scsi_debug error injection (every_nth dropped commands -> timeouts) under fio verify, no_path_retry queue
# timeout: 420
# ci: no
# Experimental: under TCG the every_nth injection sometimes never fires (no command
# times out within 120 s), so this scenario is left out of ci/compat until it is reliable.
sd_topology 2 1 statistics=1
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	polling_interval 2
	no_path_retry queue
}
CONF
for d in $(disks_of scsi_debug); do echo 4 >/sys/block/$d/device/timeout; done
step "create maps" -- multipath
start_multipathd
wait_until "multipathd sees 2 ready paths" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -c ready) = 2 ]'
step "dm state" -- dm_state
bg_start "fio verify through the map" -- io_loop /dev/mapper/mpatha /tmp/stop-io
sleep 3
say "every 50th SCSI command is dropped (opts=4: timeout) until dm-multipath fails a path"
check "inject timeouts" -- bash -c 'echo 50 > /sys/bus/pseudo/drivers/scsi_debug/every_nth && echo 4 > /sys/bus/pseudo/drivers/scsi_debug/opts'
wait_until "dm-multipath fails a path" 120 -- bash -c 'dmesg | grep -q "multipath: .*Failing path"'
sleep 5
check "stop injecting" -- bash -c 'echo 0 > /sys/bus/pseudo/drivers/scsi_debug/opts && echo 0 > /sys/bus/pseudo/drivers/scsi_debug/every_nth'
wait_until "both paths active again" 90 -- bash -c '[ "$(path_state mpatha sda)$(path_state mpatha sdb)" = AA ]'
touch /tmp/stop-io
bg_wait "fio verify through the map" 180
# After random errors the current group and the reloads multipathd made are not
# reproducible: the end state is kept as a log, not compared.
step "dm table at end" --nocmp -- dmsetup table mpatha
