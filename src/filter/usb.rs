//! Is a block device attached through USB? (For `allow_usb_devices`.)
//!
//! Upstream walks up the device's sysfs ancestors and calls it USB-attached
//! when one of them belongs to the `usb` subsystem; that device's name is
//! what its log line shows (the patch that added `allow_usb_devices`).

use crate::sysroot::SysRoot;
use std::fs;
use std::path::Path;

/// The sysfs name of the first USB device above block device `dev` (kernel
/// name such as `sdb`), or `None` if it is not USB-attached or cannot be read.
pub fn usb_parent(root: &SysRoot, dev: &str) -> Option<String> {
    if dev.is_empty() || dev.contains('/') || dev == "." || dev == ".." {
        return None;
    }
    let top = fs::canonicalize(root.join("/sys/devices")).ok()?;
    let start = fs::canonicalize(root.join(format!("/sys/block/{dev}"))).ok()?;
    let mut cur: Option<&Path> = start.parent();
    while let Some(dir) = cur {
        if !dir.starts_with(&top) || dir == top {
            break;
        }
        let subsystem = fs::read_link(dir.join("subsystem")).ok();
        if subsystem.as_deref().and_then(Path::file_name) == Some("usb".as_ref()) {
            return dir.file_name().map(|n| n.to_string_lossy().into_owned());
        }
        cur = dir.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

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
