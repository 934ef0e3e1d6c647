# title: USB: one disk behind two emulated usb-storage devices (xHCI): allow_usb_devices no and yes, exceptions, -c, multipathd
# timeout: 240
# qemu: -device qemu-xhci,id=xhci -drive file={disk:usb0:64},if=none,id=usbd0,format=raw,file.locking=off -drive file={disk:usb0:64},if=none,id=usbd1,format=raw,file.locking=off -device usb-storage,bus=xhci.0,port=1,drive=usbd0,serial=USBLUN0,share-rw=on -device usb-storage,bus=xhci.0,port=2,drive=usbd1,serial=USBLUN0,share-rw=on
# Two USB mass-storage devices on one xHCI controller, reaching the same image with the
# same serial: two paths with one WWID (udev's ID_SERIAL QEMU_QEMU_HARDDISK_USBLUN0-0:0),
# each a SCSI host of usb-storage. No SCSI_IDENT_* or ID_WWN property: the default
# property exception does not let them in either.
# Every step compares stderr too (N5 in lib.sh), but the -v3 ones and the daemon's:
# their debug output is each implementation's own.
STEP_ERR=1
load_modules dm-multipath dm-round-robin dm-service-time sd_mod sg
# usb-storage scans its hosts on its own threads: sd is bound in H:C:T:L order by hand.
echo 0 >/sys/bus/scsi/drivers_autoprobe
load_modules xhci_pci usb_storage
wait_until "both USB SCSI devices" 60 -- bash -c '[ $(grep -lx 0 /sys/bus/scsi/devices/*:*:*:*/type 2>/dev/null | wc -l) = 2 ]'
check "bind sd in H:C:T:L order" -- bind_in_order
echo 1 >/sys/bus/scsi/drivers_autoprobe
wait_until "both USB paths visible to udev" 120 -- paths_ready QEMU 2
check "sd names in H:C:T:L order" -- names_in_order QEMU
say "paths: $(disks_of QEMU | tr '\n' ' ')"
step "sysfs and udev" --nocmp -- bash -c 'for d in sda sdb; do readlink -f /sys/block/$d/device; udevadm info -q property /dev/$d | grep -E "^(ID_SERIAL|ID_BUS|ID_USB_DRIVER|ID_WWN|SCSI_IDENT_|ID_PATH=)"; done'

# usb_conf ALLOW [SECTIONS]: friendly names, every device multipathed, allow_usb_devices
# ALLOW (left out when empty: the default), then SECTIONS.
usb_conf() {
    mp_conf <<CONF
defaults {
	user_friendly_names yes
	find_multipaths off
	polling_interval 2${1:+
	allow_usb_devices $1}
}
${2:-}
CONF
}
EXCEPT_PROPERTY='blacklist_exceptions {
	property "ID_USB_DRIVER"
}'

# allow_usb_devices no (the default): the USB paths are skipped ("sda: skip USB device
# 2-1:1.0" at -v3, nothing at the default verbosity; -c says 0 and exits 1).
usb_conf ""
step "multipath -t allow_usb" -- bash -c 'multipath -t | grep allow_usb'
step "create, usb not allowed" -- multipath
step "dm table, usb not allowed" -- dmsetup table
step "multipath -ll, usb not allowed" -- multipath -ll
step "dry run -v3, usb not allowed" --noerr -- multipath -d -v3
step "-c sda, usb not allowed" --rc 1 -- multipath -c /dev/sda
step "-c sdb, usb not allowed" --rc 1 -- multipath -c /dev/sdb
step "device argument, usb not allowed" --rc 1 -- multipath /dev/sda
step "dry run device argument, usb not allowed" --rc 1 -- multipath -d /dev/sdb

# Exceptions that whitelist the device (vendor/product, udev property, protocol) do not
# override the USB rule: the reference skips USB paths before it looks at those lists.
usb_conf no 'blacklist_exceptions {
	device {
		vendor QEMU
		product ".*"
	}
	property "ID_USB_DRIVER"
	protocol "scsi:usb"
}'
step "create, usb not allowed, exceptions" -- multipath
step "dm table, exceptions" -- dmsetup table
step "dry run -v3, exceptions" --noerr -- multipath -d -v3
step "-c sda, exceptions" --rc 1 -- multipath -c /dev/sda

# allow_usb_devices yes alone: the USB paths have neither SCSI_IDENT_* nor ID_WWN, so
# the default property exception leaves them out ("udev property missing").
usb_conf yes
step "multipath -t allow_usb, yes" -- bash -c 'multipath -t | grep allow_usb'
step "dry run -v3, usb allowed" --noerr -- multipath -d -v3
step "create, usb allowed" -- multipath
step "dm table, usb allowed" -- dmsetup table
step "-c sda, usb allowed" --rc 1 -- multipath -c /dev/sda

# allow_usb_devices yes and a property exception: two paths of one map (protocol
# scsi:usb, target node name the USB interface).
usb_conf yes "$EXCEPT_PROPERTY"
step "dry run -v3, usb allowed, exception" --noerr -- multipath -d -v3
step "create, usb allowed, exception" -- multipath
step "dm table, usb allowed, exception" -- dmsetup table
step "multipath -ll, usb allowed, exception" -- multipath -ll
step "-c sda, usb allowed, exception" -- multipath -c /dev/sda
step "flush, usb allowed, exception" -- multipath -F

# ... and blacklisted by protocol.
usb_conf yes "$EXCEPT_PROPERTY
blacklist {
	protocol \"scsi:usb\"
}"
step "dry run -v3, protocol blacklisted" --noerr -- multipath -d -v3
step "-c sda, protocol blacklisted" --rc 1 -- multipath -c /dev/sda

# multipathd with allow_usb_devices no, then yes with the exception (reconfigure).
usb_conf ""
start_multipathd
sleep 2
step "daemon paths, usb not allowed" --noerr -- multipathd show paths format "%d %P %n %N %R %r %a %w %t %T"
step "daemon maps, usb not allowed" --noerr -- multipathd show maps
usb_conf yes "$EXCEPT_PROPERTY"
step "reconfigure, usb allowed" --noerr -- multipathd reconfigure
wait_until "reconfigured with 2 paths" 60 -- bash -c '[ $(multipathd show paths raw format "%d" | grep -c sd) = 2 ]'
sleep 2
step "daemon paths, usb allowed" --noerr -- multipathd show paths format "%d %P %n %N %R %r %a %w %t %T"
step "daemon maps, usb allowed" --noerr -- multipathd show maps
wait_until "a path group in use" 30 -- bash -c 'multipathd show topology | grep -q status=active'
step "daemon topology" --noerr -- multipathd show topology
step "dm table, daemon" -- dmsetup table
