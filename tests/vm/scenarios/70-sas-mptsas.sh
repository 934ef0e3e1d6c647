# title: SAS: one disk behind two emulated LSI SAS1068 HBAs (mptsas): protocol, SAS target node name, group_by_node_name
# timeout: 360
# qemu: -drive file={disk:sas0:64},if=none,id=sasd0,format=raw,file.locking=off -drive file={disk:sas0:64},if=none,id=sasd1,format=raw,file.locking=off -device mptsas1068,id=hba0,sas_address=0x5000000000aa0000 -device mptsas1068,id=hba1,sas_address=0x5000000000bb0000 -device scsi-hd,drive=sasd0,bus=hba0.0,scsi-id=0,share-rw=on,serial=SASLUN0,wwn=0x5000c50012345678 -device scsi-hd,drive=sasd1,bus=hba1.0,scsi-id=0,share-rw=on,serial=SASLUN0,wwn=0x5000c50012345678
# The SAS transport class (host -> port -> end_device -> target) as mptsas builds it; both
# paths carry the same WWN, so they are two paths to one LUN.
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the
# daemon's: their debug output is each implementation's own.
STEP_ERR=1
load_modules mptsas dm-multipath dm-round-robin dm-service-time sd_mod sg
wait_until "both SAS paths visible to udev" 120 -- paths_ready QEMU 2
say "paths: $(disks_of QEMU | tr '\n' ' ')"
step "sysfs layout" --nocmp -- bash -c 'for d in $(ls /sys/block | grep ^sd); do readlink -f /sys/block/$d/device; done; for e in /sys/class/sas_device/*; do echo "$e $(cat $e/sas_address)"; done; ls /sys/class/sas_host /sys/class/sas_end_device'
# The SCSI timeouts multipath writes for SAS paths: dev_loss_tmo to the end device's
# I_T_nexus_loss_timeout, eh_deadline to the host, max_retries to the disk.
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	dev_loss_tmo 90
	eh_deadline 7
	max_retries 2
}
CONF
step "scsi timeouts before create" -- scsi_tmo_state
step "create" -- multipath
step "scsi timeouts after create" -- scsi_tmo_state
step "multipath -ll" -- multipath -ll
start_multipathd
wait_until "multipathd sees 2 paths" 60 -- bash -c '[ $(multipathd show paths raw format "%d" | grep -c sd) = 2 ]'
step "transport wildcards" --noerr -- multipathd show paths format "%d %P %n %N %r %R %a %i"
step "paths json" --noerr -- bash -c 'multipathd show maps json | python3 -c "import json,sys; d=json.load(sys.stdin); [print(p[\"dev\"], p.get(\"target_wwnn\"), p.get(\"host_wwnn\"), p.get(\"target_wwpn\"), p.get(\"host_wwpn\"), p.get(\"host_adapter\")) for m in d[\"maps\"] for g in m[\"path_groups\"] for p in g[\"paths\"]]"'
mp_conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths off
	path_grouping_policy group_by_node_name
}
CONF
step "reconfigure to group_by_node_name" --noerr -- multipathd reconfigure
wait_until "reconfigured" 60 -- bash -c 'multipathd show daemon | grep -Eq "idle|running"'
sleep 2
step "dm table, group_by_node_name" -- bash -c 'dmsetup table mpatha'
step "multipath -ll, group_by_node_name" -- multipath -ll
step "multipath -v1 -d -p group_by_node_name" --rc any -- multipath -d -p group_by_node_name
