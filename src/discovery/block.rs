//! Every block device of the system, disks and partitions, as udev
//! enumerates the `block` subsystem (`multipathd show devices`).
//!
//! Order: libudev sorts what it enumerates by sysfs device path, except
//! that `md` and `dm-` devices come after all others; we compare paths
//! component by component, as [`scan`](super::scan) does for paths.
//! Partitions are the subdirectories of a disk's directory that have a
//! `partition` attribute, so each follows its disk.

use super::{follow, read_trim};
use crate::SysRoot;
use std::fs;
use std::path::{Path, PathBuf};

/// A block device under `/sys/block` (or one of its partitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockDev {
    /// Kernel name: `sda`, `sda1`, `dm-0`, `nvme0c0n1`.
    pub name: String,
    /// Its sysfs directory, symlinks resolved (`/sys/devices/...`), below the
    /// root.
    pub syspath: PathBuf,
    /// The `hidden` attribute is `1` (NVMe per-controller path devices of a
    /// natively multipathed namespace).
    pub hidden: bool,
}

/// Enumerated after every other block device.
fn late(syspath: &Path) -> bool {
    let s = syspath.to_string_lossy();
    s.contains("/block/md") || s.contains("/block/dm-")
}

fn entry(root: &SysRoot, dir: PathBuf, name: String) -> BlockDev {
    let hidden = read_trim(&dir.join("hidden")).is_some_and(|h| h == "1");
    let syspath = dir
        .strip_prefix(root.join("/"))
        .map(|r| Path::new("/").join(r))
        .unwrap_or(dir);
    BlockDev {
        name,
        syspath,
        hidden,
    }
}

fn names(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `queue/max_sectors_kb` of block device `name` (`sdb`, `dm-0`), as
/// `%k` prints it; `None` when sysfs does not have it. Read when asked
/// for, as upstream reads it when printing.
pub fn max_sectors_kb(root: &SysRoot, name: &str) -> Option<String> {
    read_trim(&root.join(format!("/sys/block/{name}/queue/max_sectors_kb")))
        .filter(|v| !v.is_empty())
}

/// The block devices under `root`, in udev's enumeration order. An unreadable
/// `/sys/block` gives an empty list.
pub fn block_devices(root: &SysRoot) -> Vec<BlockDev> {
    let mut out = Vec::new();
    for name in names(&root.join("/sys/block")) {
        let disk = follow(&root.join(format!("/sys/block/{name}")));
        for part in names(&disk) {
            let dir = disk.join(&part);
            if dir.join("partition").is_file() {
                out.push(entry(root, dir, part));
            }
        }
        out.push(entry(root, disk, name));
    }
    out.sort_by(|a, b| {
        (late(&a.syspath), &a.syspath, &a.name).cmp(&(late(&b.syspath), &b.syspath, &b.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn dir(root: &Path, rel: &str) -> PathBuf {
        let d = root.join(rel);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn link(root: &Path, name: &str, target: &str) {
        fs::create_dir_all(root.join("sys/block")).unwrap();
        symlink(target, root.join("sys/block").join(name)).unwrap();
    }

    fn names_of(v: &[BlockDev]) -> Vec<&str> {
        v.iter().map(|d| d.name.as_str()).collect()
    }

    #[test]
    fn sysfs_path_order_partitions_and_late_dm() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        // sda sits on host 2, sdb on host 1: sdb comes first.
        let sda = dir(
            r,
            "sys/devices/platform/host2/target2:0:0/2:0:0:0/block/sda",
        );
        let sdb = dir(
            r,
            "sys/devices/platform/host1/target1:0:0/1:0:0:0/block/sdb",
        );
        fs::write(dir(&sda, "sda1").join("partition"), "1\n").unwrap();
        fs::write(dir(&sda, "sda2").join("partition"), "2\n").unwrap();
        dir(&sda, "queue");
        dir(&sdb, "holders");
        dir(r, "sys/devices/virtual/block/dm-0");
        dir(r, "sys/devices/virtual/block/loop0");
        dir(r, "sys/devices/virtual/block/md127");
        let hidden = dir(r, "sys/devices/pci0000:00/nvme/nvme0/nvme0c0n1");
        fs::write(hidden.join("hidden"), "1\n").unwrap();
        link(
            r,
            "sda",
            "../devices/platform/host2/target2:0:0/2:0:0:0/block/sda",
        );
        link(
            r,
            "sdb",
            "../devices/platform/host1/target1:0:0/1:0:0:0/block/sdb",
        );
        link(r, "dm-0", "../devices/virtual/block/dm-0");
        link(r, "loop0", "../devices/virtual/block/loop0");
        link(r, "md127", "../devices/virtual/block/md127");
        link(r, "nvme0c0n1", "../devices/pci0000:00/nvme/nvme0/nvme0c0n1");
        let devs = block_devices(&SysRoot::new(r));
        assert_eq!(
            names_of(&devs),
            [
                "nvme0c0n1",
                "sdb",
                "sda",
                "sda1",
                "sda2",
                "loop0",
                "dm-0",
                "md127"
            ]
        );
        assert!(devs[0].hidden);
        assert!(devs.iter().skip(1).all(|d| !d.hidden));
        assert_eq!(
            devs[1].syspath,
            Path::new("/sys/devices/platform/host1/target1:0:0/1:0:0:0/block/sdb")
        );
    }

    #[test]
    fn max_sectors_kb_of_a_disk_and_a_map() {
        let t = tempfile::tempdir().unwrap();
        let root = SysRoot::new(t.path());
        dir(t.path(), "sys/block/sda/queue");
        fs::write(t.path().join("sys/block/sda/queue/max_sectors_kb"), "512\n").unwrap();
        assert_eq!(max_sectors_kb(&root, "sda").as_deref(), Some("512"));
        assert_eq!(max_sectors_kb(&root, "dm-0"), None);
    }

    #[test]
    fn plain_directories_and_no_sysfs() {
        let t = tempfile::tempdir().unwrap();
        assert!(block_devices(&SysRoot::new(t.path())).is_empty());
        dir(t.path(), "sys/block/vdb");
        dir(t.path(), "sys/block/vda");
        let devs = block_devices(&SysRoot::new(t.path()));
        assert_eq!(names_of(&devs), ["vda", "vdb"]);
    }
}
