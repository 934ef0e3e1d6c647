# title: SRP: LIO ib_srpt target and ib_srp initiator over soft RoCE (rdma_rxe), two logins to one LUN: protocol, timeouts, a login deleted
# timeout: 300
# The set-up of blktests' srp tests: target and initiator in the same kernel, through
# rdma_rxe on a dummy netdev, logging in over RDMA/CM.  Each login (initiator_ext 1 and
# 2) is one SCSI host with the `srp_host` transport class and one remote port in
# `srp_remote_ports`: two paths to one LIO ramdisk.  The reference has no SRP transport
# of its own: the paths are `scsi:unspec` (`%P`, `%a`, the blacklist, the SCSI timeouts).
# Every step compares stderr too (N5 in lib.sh), but the daemon's.
STEP_ERR=1
export IP=10.30.30.30
load_modules dm-multipath dm-round-robin dm-service-time sd_mod sg target_core_mod dummy \
    rdma_rxe rdma_cm ib_srpt scsi_transport_srp ib_srp
check "netdev dummy0 with $IP" -- bash -c "
    ip link add dummy0 type dummy && ip link set dummy0 address 02:00:00:00:55:01 &&
    ip addr add $IP/24 dev dummy0 && ip link set dummy0 up"
check "rxe0 on dummy0" -- rdma link add rxe0 type rxe netdev dummy0
wait_until "rxe0 port active" 30 -- grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state
check "LIO ramdisk backstore" -- lio_ramdisk disk0 mpathvmsrp0001 64

# The target port is named after the rxe port's GUID (its link-local GID without the
# fe80:: prefix); ib_srpt matches an RDMA/CM login under that name to the ACL named
# after the login's source address.
srpt_target() {
    local gid guid t
    gid=$(cat /sys/class/infiniband/rxe0/ports/1/gids/0) || return 1
    guid=${gid#fe80:0000:0000:0000:}
    mkdir -p $LIO/srpt || return 1
    echo 5555 >$LIO/srpt/discovery_auth/rdma_cm_port || return 1
    mkdir $LIO/srpt/$guid && mkdir $LIO/srpt/$guid/$guid || return 1
    t=$LIO/srpt/$guid/$guid
    mkdir $t/lun/lun_0 && ln -s $LIO/core/rd_mcp_0/disk0 $t/lun/lun_0/disk0 &&
        mkdir -p $t/acls/$IP/lun_0 && ln -s $t/lun/lun_0 $t/acls/$IP/lun_0/lun_0 &&
        echo 1 >$t/enable
}
check "srpt target port" -- srpt_target

# srp_login N: one login (one SCSI host) with initiator_ext N.
srp_login() {
    local g
    g=$(cat /sys/module/ib_srpt/parameters/srpt_service_guid) || return 1
    g=${g#0x}
    echo "id_ext=$g,initiator_ext=$(printf %016x "$1"),ioc_guid=$g,src=$IP,dest=$IP:5555" \
        >/sys/class/infiniband_srp/srp-rxe0-1/add_target
}
for n in 1 2; do
    check "SRP login $n" -- srp_login $n
    wait_until "path $n visible to udev" 60 -- paths_ready LIO-ORG $n
done
check "sd names in H:C:T:L order" -- names_in_order LIO-ORG
say "paths: $(disks_of LIO-ORG | tr '\n' ' ')"
step "sysfs layout" --nocmp -- bash -c 'rdma link show; for d in $(ls /sys/block | grep ^sd); do readlink -f /sys/block/$d/device; done; ls -l /sys/class/srp_host /sys/class/srp_remote_ports; grep -H . /sys/class/srp_remote_ports/*/* /sys/class/scsi_host/host*/proc_name 2>/dev/null; true'
mp_conf_daemon
step "multipath -d" -- multipath -d
step "create" -- multipath
step "dm state" -- dm_state
step "multipath -ll" -- multipath -ll
P1=$(disks_of LIO-ORG | sed -n 1p)
MM1=$(cat /sys/block/$P1/dev)

start_multipathd
wait_until "multipathd has checked 2 paths" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -c ready) = 2 ]'
step "transport wildcards" --noerr -- multipathd show paths format "%d %P %n %N %r %R %a %i %t %T"
step "paths json" --noerr -- json_transport
say "delete the first login's remote port: host0 and $P1 go"
check "delete port-0:1" -- bash -c 'echo 1 >/sys/class/srp_remote_ports/port-0:1/delete'
wait_until "$P1 gone from the map" 60 -- bash -c "! dmsetup table mpatha | grep -qw $MM1"
wait_until "multipathd forgot $P1" 60 -- bash -c "! multipathd show paths raw format '%d' | grep -qx $P1"
step "dm state, one login left" -- dm_state
step "show paths, one login left" --noerr -- multipathd show paths format "%d %P %t %T"
check "SRP login 1 again" -- srp_login 1
wait_until "2 paths visible to udev" 60 -- paths_ready LIO-ORG 2
wait_until "multipathd has 2 ready paths again" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -c ready) = 2 ]'
wait_until "both paths active in the map" 60 -- bash -c '[ $(dm_path_states mpatha | grep -c " A$") = 2 ]'
step "dm state, logged in again" -- dm_state
step "show paths, logged in again" --noerr -- multipathd show paths format "%d %P %t %T %i"
step "shutdown multipathd" --rc any --nocmp --noerr -- multipathd shutdown
wait_until "multipathd gone" 30 -- bash -c '! pgrep -x multipathd'

# SCSI timeouts: the reference writes eh_deadline to the hosts and max_retries to the
# disks, leaves the SRP remote ports' timeouts alone and names the first path's protocol.
srp_tmo_state() {
    scsi_tmo_state
    grep -H . /sys/class/srp_remote_ports/*/fast_io_fail_tmo /sys/class/srp_remote_ports/*/dev_loss_tmo \
        /sys/class/srp_remote_ports/*/reconnect_delay
}
step "SCSI timeouts before" -- srp_tmo_state
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	fast_io_fail_tmo 7
	dev_loss_tmo 80
	eh_deadline 10
	max_retries 2
}
CONF
step "-r with SCSI timeouts" -- multipath -r
step "SCSI timeouts after -r" -- srp_tmo_state

# The paths' protocol as the blacklist sees it: listing the live map, then a dry run
# with the map flushed.
bl_conf() {
    mp_conf <<CONF
defaults {
	user_friendly_names yes
	find_multipaths off
}
blacklist {
	protocol "$1"
}
CONF
}
bl_conf scsi:srp
step "-ll, scsi:srp blacklisted" -- multipath -ll
bl_conf scsi:unspec
step "-ll, scsi:unspec blacklisted" -- multipath -ll
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
}
CONF
step "flush" -- multipath -F
bl_conf scsi:srp
step "-d, scsi:srp blacklisted" -- multipath -d
bl_conf scsi:unspec
step "-d, scsi:unspec blacklisted" -- multipath -d
