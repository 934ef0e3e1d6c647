//! Is a block device attached through USB? (For `allow_usb_devices`.)
//!
//! A device is USB-attached when one of its sysfs ancestors belongs to the
//! `usb` subsystem; the nearest such ancestor (for usb-storage, the USB
//! interface: `2-1:1.0`) is what the reference 0.15.1 names when it skips
//! the device (`sda: skip USB device 2-1:1.0`, at `-v3`) and what it prints
//! as the path's target node name (`%n`). Seen in the VM (scenario 80,
//! two QEMU usb-storage devices on an xHCI controller). Discovery applies
//! the same rule per SCSI host ([`PathDev::protocol`] `scsi:usb`,
//! [`PathDev::tgt_node_name`]); this helper answers it for one device name.
//!
//! [`PathDev::protocol`]: crate::discovery::PathDev::protocol
//! [`PathDev::tgt_node_name`]: crate::discovery::PathDev::tgt_node_name

use crate::discovery::usb_ancestor;
use crate::sysroot::SysRoot;
use std::fs;

/// The sysfs name of the first USB device above block device `dev` (kernel
/// name such as `sdb`), or `None` if it is not USB-attached or cannot be read.
pub fn usb_parent(root: &SysRoot, dev: &str) -> Option<String> {
    if dev.is_empty() || dev.contains('/') || dev == "." || dev == ".." {
        return None;
    }
    let top = fs::canonicalize(root.join("/sys/devices")).ok()?;
    let start = fs::canonicalize(root.join(format!("/sys/block/{dev}"))).ok()?;
    usb_ancestor(&top, &start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::path::Path;

    /// `/sys/devices/<chain>/block/<dev>`, each chain element a directory
    /// with a `subsystem` link to `/sys/bus/<subsystem>`.
    fn tree(r: &Path, dev: &str, chain: &[(&str, &str)]) {
        let mut p = r.join("sys/devices");
        for (name, subsystem) in chain {
            p = p.join(name);
            fs::create_dir_all(&p).unwrap();
            let bus = r.join("sys/bus").join(subsystem);
            fs::create_dir_all(&bus).unwrap();
            if fs::symlink_metadata(p.join("subsystem")).is_err() {
                symlink(&bus, p.join("subsystem")).unwrap();
            }
        }
        let blk = p.join("block").join(dev);
        fs::create_dir_all(&blk).unwrap();
        fs::create_dir_all(r.join("sys/block")).unwrap();
        symlink(&blk, r.join("sys/block").join(dev)).unwrap();
    }

    #[test]
    fn finds_the_usb_ancestor() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        tree(
            r,
            "sdb",
            &[
                ("pci0000:00", "pci"),
                ("0000:00:14.0", "pci"),
                ("usb2", "usb"),
                ("2-1", "usb"),
                ("2-1:1.0", "usb"),
                ("host6", "scsi"),
                ("target6:0:0", "scsi"),
                ("6:0:0:0", "scsi"),
            ],
        );
        tree(
            r,
            "sdc",
            &[
                ("pci0000:00", "pci"),
                ("0000:00:1f.2", "pci"),
                ("host7", "scsi"),
                ("target7:0:0", "scsi"),
                ("7:0:0:0", "scsi"),
            ],
        );
        let root = SysRoot::new(r);
        assert_eq!(usb_parent(&root, "sdb").as_deref(), Some("2-1:1.0"));
        assert_eq!(usb_parent(&root, "sdc"), None);
        for bad in ["", "nosuch", "..", ".", "../block/sdb", "sdb/.."] {
            assert_eq!(usb_parent(&root, bad), None, "{bad}");
        }
    }
}
