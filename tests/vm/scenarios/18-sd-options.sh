# title: scsi_debug 2 paths x 2 LUNs: the less common options: -h, bad options and arguments, -p on a dry run, -q and queueing without a daemon, -i, -B, -b, -M, -D, -f/-F on a map in use, -R
# timeout: 420
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
sd_topology 2 2
conf() {   # conf [defaults lines...]
    mp_conf <<CONF
defaults {
	user_friendly_names yes
	find_multipaths off
$(printf '\t%s\n' "$@")
}
CONF
}
conf
# The usage text goes to stderr. It is in our own words (clean room), as is the
# line naming a bad option: stdout and the exit status are compared, not stderr.
step "-h" --rc any --noerr -- multipath -h
step "unknown option" --rc any --noerr -- multipath -Z
step "missing option argument" --rc any --noerr -- multipath -v
step "-v not a number" --rc any --noerr -- multipath -v x
step "two device arguments" --rc any -- multipath -ll /dev/sda /dev/sdb
step "-p failover on a dry run" -- multipath -d -p failover
step "-p group_by_serial on a dry run" -- multipath -d -p group_by_serial
step "-p multibus -v1 dry run" -- multipath -d -v1 -p multibus
step "-b is ignored" --rc any -- multipath -b /tmp/nosuchfile -d
step "-M is ignored" --rc any -- multipath -M x -d
# -B: the bindings file is not written (mpatha is not bound yet).
step "-B create" -- multipath -B
step "bindings after -B" -- state_files
step "-F" -- multipath -F
step "create" -- multipath
step "bindings after create" -- state_files
# Queueing without multipathd: no_path_retry queue is turned off (fail_if_no_path) unless -q.
conf "no_path_retry queue"
step "-r with no_path_retry queue" -- multipath -r
step "dm state: queueing stripped" -- dm_state
step "-q -r with no_path_retry queue" -- multipath -q -r
step "dm state: queueing kept with -q" -- dm_state
conf
step "-r back" -- multipath -r
# A map in use (held open): -f and -F refuse it, with -R retries too.
bg_start "hold mpatha open" -- bash -c 'echo $$ >/tmp/holder.pid; exec 3</dev/mapper/mpatha; exec sleep 120'
check "mpatha is open" -- bash -c 'sleep 1; [ "$(dmsetup info -c --noheadings -o open mpatha)" -ge 1 ]'
step "-f on a map in use" --rc any -- multipath -f mpatha
step "-f -R 2 on a map in use" --rc any -- multipath -R 2 -f mpatha
step "-F with one map in use" --rc any -- multipath -F
step "-f and -F in use: what they say on stderr" -- bash -c 'multipath -f mpatha 2>&1; multipath -F 2>&1; true'
step "dm state: the map in use is left" -- dm_state
step "-D -ll" -- multipath -D -ll
step "-i -d" -- multipath -i -d
check "release mpatha" -- bash -c 'kill "$(cat /tmp/holder.pid)"; sleep 1'
# SCSI timeouts: scsi_debug paths have no transport timeouts (said once a run),
# their hosts take eh_deadline and their disks max_retries.
step "SCSI timeouts before" -- scsi_tmo_state
conf "fast_io_fail_tmo 7" "dev_loss_tmo 30" "eh_deadline 9" "max_retries 2" "no_path_retry 12"
step "-r with SCSI timeouts" -- multipath -r
step "SCSI timeouts after -r" -- scsi_tmo_state
step "-F at end" -- multipath -F
step "dm state at end" -- dm_state
