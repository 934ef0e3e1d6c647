# title: scsi_debug 2 paths x 2 LUNs: multipath -r (reload, rename), names after user_friendly_names switches (multipath, multipathd), -v3 with no path
# timeout: 600
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
sd_topology 2 2
names() { dmsetup ls --target multipath | awk '{print $1}' | sort; }
mp_conf_policy yes group_by_prio
step "create" -- multipath
step "-r: nothing changed" -- multipath -r
step "-r -v1" -- multipath -r -v1
step "-r -v3" --noerr -- multipath -r -v3
step "-r on a path" -- multipath -r /dev/sdb
step "-r on a map" -- multipath -r mpatha
step "-r -d" -- multipath -r -d
# A live map holding its paths is changed only by -r.
mp_conf_policy yes multibus
step "policy changed: dry run" -- multipath -d
step "policy changed: create" -- multipath
# Tables only: after the -r runs above, the status counters (queue_io, pg_init_count)
# differ: the reference's forced reload is followed by I/O that starts a pg_init, ours not yet.
step "policy changed: tables" -- dmsetup table --target multipath
step "policy changed: -r" -- multipath -r
check "fail sda in the kernel" -- dmsetup message mpatha 0 "fail_path 8:0"
step "-r with a failed path" -- multipath -r
mp_conf_policy yes group_by_prio 'multipaths {
	multipath {
		wwid 1Linux_scsi_debug_2001
		alias data1
	}
}'
step "alias: create" -- multipath
step "alias: names" -- names
step "alias: -r" -- multipath -r
step "alias: names after -r" -- names
# user_friendly_names off, then on again.
mp_conf_policy no group_by_prio
step "friendly names off: create" -- multipath
step "friendly names off: -r -d" -- multipath -r -d
step "friendly names off: -r" -- multipath -r
step "friendly names off: names" -- names
step "friendly names off: -r again" -- multipath -r
mp_conf_policy yes group_by_prio
step "friendly names on: -r on a path" -- multipath -r /dev/sda
step "friendly names on: names" -- names
step "friendly names on: -r -v1" -- multipath -r -v1
step "friendly names on: names after -r" -- names
# multipathd renames live maps on reconfigure and at start-up.
start_multipathd
mp_conf_policy no group_by_prio
step "daemon: -r is delegated" -- multipath -r
wait_until "maps renamed to WWIDs" 60 -- bash -c '[ "$(dmsetup ls --target multipath | grep -c ^1Linux)" = 2 ]'
step "daemon: names after -r" -- names
mp_conf_policy yes group_by_prio
step "daemon: reconfigure" --noerr -- multipathd reconfigure
wait_until "maps renamed to friendly names" 60 -- bash -c '[ "$(dmsetup ls --target multipath | grep -c ^mpath)" = 2 ]'
step "daemon: names after reconfigure" -- names
wait_until "reconfigure done" 60 -- bash -c 'multipathd show daemon | grep -q idle'
step "daemon: show maps" --noerr -- multipathd show maps
step "shutdown multipathd" --rc any --nocmp --noerr -- multipathd shutdown
wait_until "multipathd gone" 30 -- bash -c '! pgrep -x multipathd'
mp_conf_policy no group_by_prio
start_multipathd
wait_until "renamed at start-up" 60 -- bash -c '[ "$(dmsetup ls --target multipath | grep -c ^1Linux)" = 2 ]'
step "daemon start-up: names" -- names
step "shutdown multipathd again" --rc any --nocmp --noerr -- multipathd shutdown
wait_until "multipathd gone again" 30 -- bash -c '! pgrep -x multipathd'
# No path at all (every device blacklisted).
mp_conf <<'CONF'
defaults {
	find_multipaths off
}
blacklist {
	devnode ".*"
}
CONF
step "no path: -v3" --noerr -- multipath -v3
step "no path: -v3 -d" --noerr -- multipath -v3 -d
step "no path: -v3 -r" --noerr -- multipath -v3 -r
step "no path: flush" -- multipath -F
step "no path: -v3 -ll" --noerr -- multipath -v3 -ll
step "no path: -v3 on a path" --rc 1 --noerr -- multipath -v3 /dev/sda
step "no path: -v2" -- multipath
step "dm state at end" -- dm_state
