# title: LIO tcm_loop, one LUN through 3 ports in ALUA groups AO / ANO / standby, then a state switch
# timeout: 420
load_modules dm-multipath dm-round-robin dm-service-time sd_mod sg scsi_dh_alua target_core_mod tcm_loop
check "LIO ramdisk backstore" -- lio_ramdisk disk0 mpathvm0001 64
check "ALUA group ao (active/optimized)" -- lio_alua_group disk0 ao 10 0
check "ALUA group ano (active/non-optimized)" -- lio_alua_group disk0 ano 20 1
check "ALUA group sb (standby)" -- lio_alua_group disk0 sb 30 2
# One port at a time, so that the sd names follow the port order.
for p in "1 ao" "2 ano" "3 sb"; do
    set -- $p
    check "loopback port $1 in $2" -- lio_loop_port $1 disk0 $2
    wait_until "LIO path $1 visible to udev" 60 -- paths_ready LIO-ORG $1
done
check "sd names in H:C:T:L order" -- names_in_order LIO-ORG
say "paths: $(disks_of LIO-ORG | tr '\n' ' ')"
mp_conf_daemon
step "create maps" -- multipath
step "dm state" -- dm_state
step "multipath -ll" -- multipath -ll
start_multipathd
wait_until "multipathd has checked the 3 paths" 60 -- bash -c '[ $(multipathd show paths raw format "%T" | grep -Ec "ready|ghost|faulty") = 3 ]'
step "show paths" -- multipathd show paths format "%d %t %T %o %p %A"
step "show topology" -- multipathd show topology
bg_start "fio verify through the map" -- io_loop /dev/mapper/mpatha /tmp/stop-io
say "ALUA transition: ao -> standby, sb -> active/optimized"
export A=$LIO/core/rd_mcp_0/disk0/alua
# LIO applies transitions asynchronously and makes the other groups active/optimized too
# when one becomes so: set sb first, then ao, and insist until both read back.
switch_alua() {
    local i
    for i in 1 2 3 4 5; do
        echo 0 >$A/sb/alua_access_state && sleep 1 && echo 2 >$A/ao/alua_access_state && sleep 2
        [ "$(cat $A/ao/alua_access_state $A/sb/alua_access_state | tr -d '\n')" = 20 ] && return 0
    done
    return 1
}
check "switch ALUA states: ao standby, sb active/optimized" -- switch_alua
P3=$(disks_of LIO-ORG | sed -n 3p)
wait_until "port 3 ($P3) is in the first path group" 90 -- bash -c "multipath -ll | awk '/policy=/ { g++ } g == 1' | grep -q ' $P3 '"
wait_until "port 3 ($P3) has priority 50" 90 -- bash -c "multipathd show paths raw format '%d %p' | grep -qx '$P3 50'"
touch /tmp/stop-io
bg_wait "fio verify through the map" 120
step "dm state after switch" -- dm_state
step "multipath -ll after switch" -- multipath -ll
step "show paths after switch" -- multipathd show paths format "%d %t %T %o %p %A"
