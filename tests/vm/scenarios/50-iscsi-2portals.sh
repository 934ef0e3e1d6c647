# title: iSCSI: LIO target on 2 portals, open-iscsi logs in through both; cut one portal with nftables
# timeout: 480
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
IQN=iqn.2003-01.org.linux-iscsi.mpath-vm:target
load_modules dm-multipath dm-round-robin dm-service-time sd_mod sg scsi_dh_alua target_core_mod \
    iscsi_target_mod iscsi_tcp dummy nf_tables
check "portal interfaces" -- bash -c '
    ip link add dummy1 type dummy && ip addr add 10.10.10.10/24 dev dummy1 && ip link set dummy1 up &&
    ip link add dummy2 type dummy && ip addr add 10.20.20.20/24 dev dummy2 && ip link set dummy2 up'
check "LIO ramdisk backstore" -- lio_ramdisk disk0 mpathvmiscsi01 64
check "iSCSI target on 2 portals" -- bash -c "
    T=$LIO/iscsi/$IQN/tpgt_1 &&
    mkdir -p \$T/lun/lun_0 && ln -s $LIO/core/rd_mcp_0/disk0 \$T/lun/lun_0/disk0 &&
    mkdir \$T/np/10.10.10.10:3260 \$T/np/10.20.20.20:3260 &&
    echo 0 > \$T/attrib/authentication && echo 1 > \$T/attrib/generate_node_acls &&
    echo 0 > \$T/attrib/demo_mode_write_protect && echo 1 > \$T/enable"
check "iscsid" -- bash -c '
    echo InitiatorName=iqn.2003-01.org.linux-iscsi.mpath-vm:initiator > /etc/iscsi/initiatorname.iscsi &&
    mkdir -p /run/lock/iscsi && iscsid'
check "discovery" -- bash -c 'iscsiadm -m discovery -t st -p 10.10.10.10 && iscsiadm -m discovery -t st -p 10.20.20.20'
for p in 10.10.10.10 10.20.20.20; do
    check "short timeouts on $p" -- bash -c "
        for kv in node.session.timeo.replacement_timeout=5 node.conn[0].timeo.noop_out_interval=2 \
                  node.conn[0].timeo.noop_out_timeout=2; do
            iscsiadm -m node -T $IQN -p $p:3260 -o update -n \${kv%%=*} -v \${kv#*=} || exit 1
        done"
    check "login through $p" -- iscsiadm -m node -T $IQN -p $p:3260 --login
    wait_until "path through $p visible" 60 -- paths_ready LIO-ORG $([ $p = 10.10.10.10 ] && echo 1 || echo 2)
done
check "sd names in H:C:T:L order" -- names_in_order LIO-ORG
say "paths: $(disks_of LIO-ORG | tr '\n' ' ')"
P1=$(disks_of LIO-ORG | sed -n 1p)
P2=$(disks_of LIO-ORG | sed -n 2p)
mp_conf_daemon
step "create maps" -- multipath
step "dm state" -- dm_state
step "multipath -ll" -- multipath -ll
start_multipathd
wait_until "multipathd sees 2 ready paths" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -c ready) = 2 ]'
step "show paths" --noerr -- multipathd show paths format "%d %t %T %o %P %a %n %N %r"
bg_start "fio verify through the map" -- io_loop /dev/mapper/mpatha /tmp/stop-io
say "cut portal 10.10.10.10 with nftables"
check "nft drop portal 1" -- nft -f - <<'NFT'
table inet mpathvm {
	chain out { type filter hook output priority 0; ip daddr 10.10.10.10 tcp dport 3260 drop; }
	chain in { type filter hook input priority 0; ip saddr 10.10.10.10 tcp sport 3260 drop; }
}
NFT
wait_until "$P1 failed in the map" 120 -- bash -c "[ \"\$(path_state mpatha $P1)\" = F ]"
wait_until "multipathd sees $P1 down" 60 -- bash -c "multipathd show paths raw format '%d %t' | grep -qx '$P1 failed'"
step "dm state, portal 1 cut" -- dm_state
check "restore portal 1" -- nft delete table inet mpathvm
wait_until "$P1 reinstated" 120 -- bash -c "[ \"\$(path_state mpatha $P1)\" = A ]"
wait_until "multipathd sees $P1 ready" 60 -- bash -c "multipathd show paths raw format '%d %T' | grep -qx '$P1 ready'"
touch /tmp/stop-io
bg_wait "fio verify through the map" 120
step "dm state at end" -- dm_state
step "show paths at end" --noerr -- multipathd show paths format "%d %t %T %o %P"

# SCSI timeouts with multipath alone: fast_io_fail_tmo becomes the sessions'
# recovery_tmo; dev_loss_tmo (no iSCSI attribute) is raised for the hwtable's
# no_path_retry 12 checked every 3 s (said on stderr, with the value); max_retries
# goes to the disks; an iSCSI host refuses eh_deadline (quietly at -v2).
step "shutdown multipathd" --rc any --nocmp --noerr -- multipathd shutdown
wait_until "multipathd gone" 30 -- bash -c '! pgrep -x multipathd'
step "SCSI timeouts before" -- scsi_tmo_state
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	polling_interval 3
	fast_io_fail_tmo 7
	dev_loss_tmo 30
	eh_deadline 9
	max_retries 2
}
CONF
step "-r with SCSI timeouts" --err -- multipath -r
step "SCSI timeouts after -r" -- scsi_tmo_state
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	fast_io_fail_tmo off
	max_retries off
	eh_deadline off
}
CONF
step "-r with timeouts off" --err -- multipath -r
step "SCSI timeouts off" -- scsi_tmo_state
