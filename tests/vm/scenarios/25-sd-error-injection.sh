# title: scsi_debug per-path SCSI errors (a stopped LU answers NOT READY) under fio verify, no_path_retry queue, multipathd
# timeout: 420
#
# The injection: START STOP UNIT (stop) sent through ONE path.  scsi_debug keeps the
# stopped state per logical unit, i.e. per H:C:T:L, i.e. per path, and answers every
# READ/WRITE and TEST UNIT READY on that path with CHECK CONDITION, NOT READY, 04/02
# ("initializing command required") until START STOP UNIT (start); the other path and the
# shared data are untouched.  The SCSI midlayer does not retry that sense: the request
# fails with BLK_STS_IOERR, a path error for dm-multipath, and the tur checker sees the
# path down.  Deterministic, immediate, one path at a time.
#
# Not used, and why:
# - `every_nth` + `opts=4` (drop every Nth command), this scenario's first form: the counter
#   is global to all paths, and a timed out request from dm-multipath is retried by the
#   midlayer (it only carries REQ_FAILFAST_TRANSPORT), so dm-multipath seldom saw an error
#   (a dropped SG_IO command such as the checker's TUR is not retried): under TCG the path
#   sometimes never failed within 120 s.
# - per-device injection through debugfs (/sys/kernel/debug/scsi_debug/<h:c:t:l>/error,
#   timeouts or sense for one opcode) exists from kernel 6.7; the VM boots the host's
#   Debian kernel (6.1 on bookworm), whose scsi_debug has no such file.
# - timeouts on one path only (not tried): scsi_debug 6.1 delays (delay, ndelay) are
#   global, so the other path would be as slow as the timeout needs (over a second per
#   command, the block layer checking request deadlines about once a second).
#
# Topology: host0 (sda) is ALUA active/optimized (prio 50, path group 1), host1 (sdb)
# active/non-optimized (prio 10, group 2); failback is manual (the built-in default).
# Every path is checked every 2 s (max_polling_interval 2: a healthy path's interval would
# otherwise grow to 8 s, and each fault would wait for it).
sd_topology 2 1
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	polling_interval 2
	max_polling_interval 2
	no_path_retry queue
}
CONF

# Sectors written through a path so far (field 7 of /sys/block/DEV/stat).
written() { awk '{print $7}' /sys/block/"$1"/stat; }
# writes_grow DEV FROM: 1 MiB more than FROM sectors has been written through DEV.
writes_grow() { [ "$(written "$1")" -ge $(($2 + 2048)) ]; }
# path_is DEV STATE: multipathd's checker state of DEV (ready, faulty, ...).
path_is() { multipathd show paths raw format "%d %T" | grep -Eq "^$1 $2( |\$)"; }
# path_failed DEV / path_active DEV: DEV failed (active) in the map and faulty (ready) for multipathd.
path_failed() { [ "$(path_state mpatha "$1")" = F ] && path_is "$1" faulty; }
path_active() { [ "$(path_state mpatha "$1")" = A ] && path_is "$1" ready; }
# The compared state once a fault has settled: paths and map as multipathd sees them
# (checker states, queueing), the map as the kernel has it (path states, fail counts).
# dm's per-path fail counters are not compared here (N6): they race with the checker.  The
# reference's tur checker is asynchronous; a TUR sent just before the stop may complete
# "up" after dm-multipath has failed the path on an I/O error, and the reference then
# reinstates the stopped path until its next check fails it again (seen in the VM: "Failing
# path 8:0" twice 2.2 s apart, counter 2 where 1 was expected, in 1 run of 3).  The states
# (A/F, checker state, queueing) are compared; the counters go to the log.
state() {
    multipathd show paths format "%d %t %T %o %p" && multipathd show maps status &&
        dm_state >/tmp/dm-state && say "dm: $(grep '^status:' /tmp/dm-state)" &&
        sed -E '/^status:/ s/ ([0-9]+:[0-9]+) ([AF]) [0-9]+/ \1 \2 <fails>/g' /tmp/dm-state
}

step "create maps" -- multipath
start_multipathd
wait_until "multipathd sees 2 ready paths" 60 -- bash -c 'path_is sda ready && path_is sdb ready'
step "dm state" -- dm_state

bg_start "fio verify through the map" -- io_loop /dev/mapper/mpatha /tmp/stop-io
w=$(written sda)
wait_until "fio writes through sda (group 1)" 60 -- writes_grow sda "$w"

say "error 1: sda, the path in use, stopped: its I/O fails with NOT READY, dm-multipath fails it"
check "stop sda" -- sg_start --stop /dev/sda
wait_until "sda failed in the map, faulty for multipathd" 60 -- path_failed sda
# Whichever comes first fails it: the next I/O through it (dm-multipath, on the I/O error)
# or the next check (multipathd's tur checker; fio restarts between passes, so both happen).
# Either way dm counts one failure and the state compared below is the same.
say "kernel: $(dmesg | grep -E 'I/O error, dev sda|Failing path 8:0' | tail -n 2 | tr '\n' ' ')"
w=$(written sdb)
wait_until "fio goes on through sdb (group 2)" 60 -- writes_grow sdb "$w"
step "state, sda stopped" -- state
say "error 1 ends: sda started, multipathd reinstates it"
check "start sda" -- sg_start --start /dev/sda
wait_until "sda reinstated by multipathd" 60 -- path_active sda
# failback manual: the map stays on group 2 (sdb).
step "state, sda back" -- state

say "error 2: sda stopped again while unused (group 2 is in use): multipathd's checker fails it"
check "stop sda (unused)" -- sg_start --stop /dev/sda
wait_until "multipathd fails the unused sda" 60 -- path_failed sda
step "state, unused sda stopped" -- state

say "error 3: sdb stopped too: no path left, no_path_retry queue holds the I/O"
check "stop sdb" -- sg_start --stop /dev/sdb
wait_until "sdb failed in the map, faulty for multipathd" 60 -- path_failed sdb
a=$(written sda) b=$(written sdb)
sleep 4   # two checker intervals with every path down
# fio still running: io_loop ends at the first failed pass, its fio gone.
check "for 4 s no write reached a path, fio still running (I/O queued, not failed)" -- \
    bash -c "[ \$(written sda) = $a ] && [ \$(written sdb) = $b ] && pgrep -x fio"
step "state, no path" -- state
say "errors end: sda started (the queued I/O resumes through it), then sdb"
check "start sda" -- sg_start --start /dev/sda
wait_until "sda reinstated" 60 -- path_active sda
wait_until "queued I/O resumes through sda" 60 -- writes_grow sda "$a"
check "start sdb" -- sg_start --start /dev/sdb
wait_until "sdb reinstated" 60 -- path_active sdb

touch /tmp/stop-io
bg_wait "fio verify through the map" 120
step "state at end" -- state
step "multipath -ll at end" -- multipath -ll
