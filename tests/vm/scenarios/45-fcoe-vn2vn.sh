# title: FC: FCoE VN2VN over two veth pairs, LIO tcm_fc target, two paths to one LUN: FC transport wildcards, rport timeouts, protocol scsi:fcp
# timeout: 480
# A real Fibre Channel transport without an FCF switch: FCoE in VN2VN mode (FC-BB-6
# point-to-multipoint: VN_Ports find each other with FIP beacons and log in directly).
# Two veth pairs, each one an Ethernet segment: fci<N> carries an initiator lport
# (`fcoe`, a SCSI host with the FC transport class: fc_host, fc_remote_ports,
# fc_transport), fct<N> a target lport that LIO `tcm_fc` serves (the target port named
# after that lport's WWPN).  Both targets export one ramdisk: two paths, one WWID.
# Every lport is also an FCP initiator host, so the target ends are SCSI hosts too (with
# the initiators as remote ports in the FCP Initiator role, nothing to scan).
# The FCoE controllers are made with the fcoe sysfs bus (Documentation/ABI/testing/
# sysfs-bus-fcoe): `ctlr_create` makes a disabled controller and its lport, `mode`
# selects VN2VN, `enabled` starts FIP.  They are all created first, in order (SCSI hosts
# 0-1 the initiators, 2-3 the targets), so LIO can name the target ports and the ACLs
# after the lports' WWPNs (derived from the fixed MAC addresses) before any login.
# Every step compares stderr too (N5 in lib.sh), but the daemon's.
STEP_ERR=1
load_modules dm-multipath dm-round-robin dm-service-time sd_mod sg target_core_mod veth \
    fcoe tcm_fc

check "veth pairs fci0-fct0, fci1-fct1" -- bash -c '
    for n in 0 1; do
        ip link add fci$n type veth peer name fct$n &&
            ip link set fci$n address 02:00:00:00:45:0$n mtu 2500 &&
            ip link set fct$n address 02:00:00:00:45:1$n mtu 2500 &&
            ip link set fci$n up && ip link set fct$n up || exit 1
    done'

# ctlr_of NETDEV: the fcoe controller (ctlr_N) on NETDEV; host_of NETDEV: its SCSI host.
ctlr_of() { basename "$(ls -d /sys/class/net/$1/ctlr_* 2>/dev/null | head -n1)"; }
host_of() { basename "$(ls -d /sys/bus/fcoe/devices/$(ctlr_of $1)/host* | head -n1)"; }
# wwpn_of NETDEV: the lport's WWPN as LIO writes it (20:00:02:00:...).
wwpn_of() { sed -e 's/^0x//' -e 's/../&:/g' -e 's/:$//' /sys/class/fc_host/$(host_of $1)/port_name; }

echo 0 >/sys/bus/scsi/drivers_autoprobe
for nd in fci0 fci1 fct0 fct1; do
    check "fcoe controller on $nd" -- bash -c "echo $nd >/sys/bus/fcoe/ctlr_create && [ -n \"\$(ctlr_of $nd)\" ]"
done
check "LIO ramdisk backstore" -- lio_ramdisk disk0 mpathvmfc0001 64

# fc_target N: the tcm_fc target port on fct<N>'s lport, LUN 0 the ramdisk, an ACL for
# fci<N>'s lport.
fc_target() {
    local t i
    t=$LIO/fc/$(wwpn_of fct$1)/tpgt_1
    i=$(wwpn_of fci$1)
    mkdir -p "$t" && mkdir "$t/lun/lun_0" && ln -s $LIO/core/rd_mcp_0/disk0 "$t/lun/lun_0/disk0" &&
        mkdir -p "$t/acls/$i/lun_0" && ln -s "$t/lun/lun_0" "$t/acls/$i/lun_0/lun_0" || return 1
    [ ! -e "$t/enable" ] || echo 1 >"$t/enable"
}
check "tcm_fc target on fct0" -- fc_target 0
check "tcm_fc target on fct1" -- fc_target 1

vn2vn_start() {
    local c
    c=/sys/bus/fcoe/devices/$(ctlr_of $1)
    echo vn2vn >$c/mode && echo 1 >$c/enabled
}
# lio_fc_disks: SCSI devices of LIO disks (bound to sd or not).
lio_fc_disks() {
    grep -l LIO-ORG /sys/bus/scsi/devices/*:*:*:*/vendor 2>/dev/null | wc -l
}
for n in 0 1; do
    check "VN2VN on fct$n" -- vn2vn_start fct$n
    check "VN2VN on fci$n" -- vn2vn_start fci$n
    wait_until "LUN seen through fci$n" 90 -- bash -c "[ \$(lio_fc_disks) -ge $((n + 1)) ]"
done
check "bind sd in H:C:T:L order" -- bind_in_order
echo 1 >/sys/bus/scsi/drivers_autoprobe
wait_until "2 paths visible to udev" 60 -- paths_ready LIO-ORG 2
check "sd names in H:C:T:L order" -- names_in_order LIO-ORG
say "paths: $(disks_of LIO-ORG | tr '\n' ' ')"
step "sysfs layout" --nocmp -- bash -c 'for d in $(ls /sys/block | grep ^sd); do readlink -f /sys/block/$d/device; done; ls -l /sys/bus/fcoe/devices/ /sys/class/fc_host /sys/class/fc_remote_ports /sys/class/fc_transport; grep -H . /sys/bus/fcoe/devices/ctlr_*/* /sys/class/fc_host/*/* /sys/class/fc_remote_ports/*/* /sys/class/fc_transport/*/* 2>/dev/null; dmesg | grep -iE "fcoe|fc|tcm|host[0-9]" | tail -n 60; true'

# The FC transport as the tools see it (WWNs derived from the MACs: deterministic).
fc_state() {
    local h r
    for h in /sys/class/fc_host/host0 /sys/class/fc_host/host1; do
        echo "$h: $(cat $h/port_name $h/node_name $h/port_state | tr '\n' ' ')"
    done
    for r in /sys/class/fc_remote_ports/rport-0:* /sys/class/fc_remote_ports/rport-1:*; do
        echo "$r: $(cat $r/port_name $r/node_name $r/port_state $r/roles | tr '\n' ' ')"
    done
}
step "FC hosts and remote ports" -- fc_state

# fc_conf DEFAULTS [SECTION LINES]: friendly names, every device multipathed and the
# DEFAULTS lines ("keyword value; ..."), then a SECTION with its LINES.
conf_lines() { echo "$1" | tr ';' '\n' | sed -e 's/^ *//' -e '/^$/d' -e 's/^/\t/'; }
fc_conf() {
    {
        printf 'defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n'
        conf_lines "$1"
        printf '}\n'
        if [ -n "${2:-}" ]; then printf '%s {\n' "$2"; conf_lines "$3"; printf '}\n'; fi
    } | mp_conf
}
fc_conf "fast_io_fail_tmo 5; dev_loss_tmo 90; eh_deadline 7; max_retries 2"
step "SCSI timeouts before create" -- scsi_tmo_state
step "multipath -d" -- multipath -d
step "create" -- multipath
step "SCSI timeouts after create" -- scsi_tmo_state
step "dm state" -- dm_state
step "multipath -ll" -- multipath -ll

start_multipathd
wait_until "multipathd has checked 2 paths" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -c ready) = 2 ]'
step "transport wildcards" --noerr -- multipathd show paths format "%d %P %n %N %r %R %a %i %t %T"
step "paths json" --noerr -- json_transport
step "show maps" --noerr -- multipathd show maps format "%n %w %d %N %Q"
P1=$(disks_of LIO-ORG | sed -n 1p)
# link_snapshot WHEN: the paths as multipathd and dm see them, the FC ports, the timeouts.
link_snapshot() {
    step "show paths, $1" --noerr -- multipathd show paths format "%d %t %T %o %r %R"
    step "dm state, $1" -- dm_state
    step "remote ports, $1" -- fc_state
    step "SCSI timeouts, $1" -- scsi_tmo_state
}
# A real transport failure: the link of the first target port goes down.  fci0 loses its
# carrier, its lport logs out, the remote port is blocked, and fast_io_fail_tmo (5 s)
# later the SCSI device is transport-offline: the checker fails the path, the map keeps
# the other.  The link comes back: VN2VN logs in again to the same remote port (bound by
# WWPN, well within dev_loss_tmo 90), the device runs again and the path is reinstated.
say "link of fct0 down"
check "fct0 down" -- ip link set fct0 down
wait_until "rport-0:0-0 blocked" 60 -- grep -qx Blocked /sys/class/fc_remote_ports/rport-0:0-0/port_state
wait_until "$P1 transport-offline" 60 -- grep -qx transport-offline /sys/block/$P1/device/state
wait_until "multipathd failed $P1" 60 -- bash -c "multipathd show paths raw format '%d %t' | grep -qx '$P1 failed'"
wait_until "$P1 failed in the map" 60 -- bash -c "[ \$(path_state mpatha $P1) = F ]"
link_snapshot "fct0 down"
say "link of fct0 up"
check "fct0 up" -- ip link set fct0 up
wait_until "rport-0:0-0 online" 90 -- grep -qx Online /sys/class/fc_remote_ports/rport-0:0-0/port_state
wait_until "$P1 running" 60 -- grep -qx running /sys/block/$P1/device/state
wait_until "multipathd has 2 ready paths again" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -c ready) = 2 ]'
wait_until "both paths active in the map" 60 -- bash -c '[ $(dm_path_states mpatha | grep -c " A$") = 2 ]'
link_snapshot "fct0 up"
step "shutdown multipathd" --rc any --nocmp --noerr -- multipathd shutdown
wait_until "multipathd gone" 30 -- bash -c '! pgrep -x multipathd'

# tmo_case NAME DEFAULTS [SECTION LINES]: that configuration (fc_conf), reload the map,
# show the timeouts.
# The built-in device entry of LIO-ORG sets no_path_retry 12 (the map queues for 12
# checks of 5 s): no_path_retry in `defaults` does not reach it, `overrides` does.
tmo_case() {
    fc_conf "$2" "${3:-}" "${4:-}"
    step "-r, $1" --rc any -- multipath -r
    step "SCSI timeouts, $1" -- scsi_tmo_state
}
# no_path_retry x polling_interval (12 x 5 s) above dev_loss_tmo: dev_loss_tmo raised.
tmo_case "dev_loss_tmo 30, no_path_retry 12" "fast_io_fail_tmo 5; dev_loss_tmo 30"
tmo_case "no_path_retry queue" "fast_io_fail_tmo 5; dev_loss_tmo 90" overrides "no_path_retry queue"
# Raised for ever with fast_io_fail_tmo off: the reference writes `off` first, then the
# raised dev_loss_tmo, not limited to 600, which the kernel refuses (the port keeps its
# old value): "rport-0:0-0: failed to set dev_loss_tmo to 4294967295: Invalid argument".
tmo_case "no_path_retry queue, fast_io_fail_tmo off" "fast_io_fail_tmo off; dev_loss_tmo 90" overrides "no_path_retry queue"
tmo_case "dev_loss_tmo infinity" "fast_io_fail_tmo 5; dev_loss_tmo infinity"
tmo_case "dev_loss_tmo infinity, fast_io_fail_tmo off" "fast_io_fail_tmo off; dev_loss_tmo infinity"
tmo_case "fast_io_fail_tmo above dev_loss_tmo" "fast_io_fail_tmo 40; dev_loss_tmo 30" overrides "no_path_retry fail"
tmo_case "fast_io_fail_tmo 0, dev_loss_tmo 20" "fast_io_fail_tmo 0; dev_loss_tmo 20" overrides "no_path_retry fail"
tmo_case "back to 5 and 90" "fast_io_fail_tmo 5; dev_loss_tmo 90; eh_deadline off; max_retries 5"

# The paths' protocol as the blacklist sees it: listing the live map, then dry runs with
# the map flushed.
bl_conf() { fc_conf "" blacklist "protocol \"$1\""; }
bl_conf scsi:fcp
step "-ll, scsi:fcp blacklisted" -- multipath -ll
fc_conf ""
step "flush" -- multipath -F
step "-d -p group_by_node_name" -- multipath -d -p group_by_node_name
bl_conf scsi:fcp
step "-d, scsi:fcp blacklisted" --rc any -- multipath -d
bl_conf scsi:unspec
step "-d, scsi:unspec blacklisted" --rc any -- multipath -d
