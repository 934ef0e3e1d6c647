# title: SG_IO timeouts: scsi_debug drops every command while multipath probes the paths (checker and ALUA prioritizer time out)
# timeout: 480
# Every command to the LUN is dropped (scsi_debug every_nth=1 opts=4) with 1 s device and
# error-handler timeouts and checker_timeout 2.  Where the kernel's error handling ends up (abort only,
# or resets and the device offlined) depends on what the tool sent and when, so the
# outputs during the fault are checked, not compared: the dry run must end (no hang, no
# signal) and name the paths in its -v3 messages.  Afterwards both paths are brought
# back and a create is compared.
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
sd_topology 2 1
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	checker_timeout 2
	detect_prio no
	prio alua
}
CONF
step "healthy dry run" -- multipath -d
for d in $(disks_of scsi_debug); do echo 1 >/sys/block/$d/device/timeout; echo 1 >/sys/block/$d/device/eh_timeout; done
check "drop every command" -- bash -c 'echo 1 > /sys/bus/pseudo/drivers/scsi_debug/every_nth && echo 4 > /sys/bus/pseudo/drivers/scsi_debug/opts'
check "dry run ends while every command times out" --timeout 300 -- bash -c '
    start=$(date +%s)
    multipath -d -v3 >/tmp/to.out 2>/tmp/to.err; rc=$?
    echo "exit $rc after $(( $(date +%s) - start )) s"; cat /tmp/to.out; grep -E "sd[ab]" /tmp/to.err | tail -20
    [ "$rc" -lt 128 ] && grep -Eq "sd[ab]: .*(time|fail|couldn|down|error)" /tmp/to.err'
check "respond again" -- bash -c 'echo 0 > /sys/bus/pseudo/drivers/scsi_debug/opts && echo 0 > /sys/bus/pseudo/drivers/scsi_debug/every_nth'
check "paths running again" -- bash -c 'for d in sda sdb; do echo running > /sys/block/$d/device/state; echo 30 > /sys/block/$d/device/timeout; echo 10 > /sys/block/$d/device/eh_timeout; done'
wait_until "TUR answers on both paths" 60 -- bash -c 'sg_turs /dev/sda && sg_turs /dev/sdb'
step "create after the fault" -- multipath
step "dm state after the fault" -- dm_state
step "multipath -ll after the fault" -- multipath -ll
step "flush at end" -- multipath -F
