use super::*;
use std::os::unix::fs::symlink;

/// Build a sysfs tree: `luns` LUNs seen through each of `hosts` hosts, like
/// `scsi_debug add_host=N max_luns=M`. Returns the root.
pub(crate) fn fake_san(hosts: u32, luns: u32, udev: bool) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let mut disk = 0u32;
    for h in 0..hosts {
        for l in 0..luns {
            let name = disk_name(disk);
            let hcil = format!("{}:0:0:{l}", h + 1);
            let sdev = r.join(format!(
                "sys/devices/platform/host{}/target{}:0:0/{hcil}",
                h + 1,
                h + 1
            ));
            let blk = sdev.join(format!("block/{name}"));
            fs::create_dir_all(&blk).unwrap();
            let (maj, min) = (8 + disk / 16 * 57 % 200, disk % 16 * 16);
            fs::write(blk.join("dev"), format!("{maj}:{min}\n")).unwrap();
            fs::write(blk.join("size"), "16384\n").unwrap();
            symlink(format!("../../../{hcil}"), blk.join("device")).unwrap();
            fs::write(sdev.join("vendor"), "Linux   \n").unwrap();
            fs::write(sdev.join("model"), "scsi_debug      \n").unwrap();
            fs::write(sdev.join("rev"), "0191\n").unwrap();
            fs::write(sdev.join("state"), "running\n").unwrap();
            fs::write(sdev.join("wwid"), format!("naa.6001405{l:025X}\n")).unwrap();
            fs::write(
                sdev.join("access_state"),
                if h == 0 {
                    "active/optimized\n"
                } else {
                    "active/non-optimized\n"
                },
            )
            .unwrap();
            fs::write(sdev.join("preferred_path"), "0\n").unwrap();
            fs::create_dir_all(r.join("sys/block")).unwrap();
            symlink(
                format!(
                    "../devices/platform/host{}/target{}:0:0/{hcil}/block/{name}",
                    h + 1,
                    h + 1
                ),
                r.join(format!("sys/block/{name}")),
            )
            .unwrap();
            if udev {
                fs::create_dir_all(r.join("run/udev/data")).unwrap();
                fs::write(
                    r.join(format!("run/udev/data/b{maj}:{min}")),
                    format!("S:disk/by-id/x\nE:ID_SERIAL=36001405{l:025x}\nE:ID_VENDOR=Linux\n"),
                )
                .unwrap();
            }
            disk += 1;
        }
    }
    t
}

/// `sda`, ..., `sdz`, `sdaa`, ... as the kernel names disks.
fn disk_name(mut i: u32) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'a' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    format!("sd{s}")
}

#[test]
fn scans_two_hosts() {
    let t = fake_san(2, 3, true);
    let s = scan(&SysRoot::new(t.path()), |_, _| "ID_SERIAL".into());
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    assert_eq!(s.paths.len(), 6);
    let a = &s.paths[0];
    assert_eq!(
        (
            a.dev.as_str(),
            a.hcil.as_str(),
            a.vendor.as_str(),
            a.product.as_str()
        ),
        ("sda", "1:0:0:0", "Linux", "scsi_debug")
    );
    assert_eq!(a.wwid, format!("36001405{:025x}", 0));
    assert_eq!(a.wwid_source, "ID_SERIAL");
    assert_eq!(a.protocol, "scsi:unspec");
    assert_eq!(a.access_state.as_deref(), Some("active/optimized"));
    // The same LUN through the second host has the same WWID.
    let d = &s.paths[3];
    assert_eq!((d.dev.as_str(), d.hcil.as_str()), ("sdd", "2:0:0:0"));
    assert_eq!(d.wwid, a.wwid);
}

#[test]
fn falls_back_to_sysfs_wwid_without_udev() {
    let t = fake_san(1, 1, false);
    let s = scan(&SysRoot::new(t.path()), |_, _| "ID_SERIAL".into());
    assert_eq!(s.paths[0].wwid, format!("36001405{:025x}", 0));
    assert_eq!(s.paths[0].wwid_source, "sysfs");
}

#[test]
fn vanished_device_is_reported_not_fatal() {
    let t = fake_san(1, 2, true);
    let target = fs::read_link(t.path().join("sys/block/sda")).unwrap();
    fs::remove_dir_all(t.path().join("sys/block").join(target)).unwrap();
    let s = scan(&SysRoot::new(t.path()), |_, _| "ID_SERIAL".into());
    assert_eq!(s.paths.len(), 1);
    assert_eq!(s.paths[0].dev, "sdb");
    assert_eq!(s.problems.len(), 1);
    assert!(s.problems[0].starts_with("sda:"), "{:?}", s.problems);
}

#[test]
fn fc_and_iscsi_protocols() {
    let t = fake_san(2, 1, true);
    fs::create_dir_all(t.path().join("sys/class/fc_host/host1")).unwrap();
    fs::create_dir_all(t.path().join("sys/class/iscsi_host/host2")).unwrap();
    let s = scan(&SysRoot::new(t.path()), |_, _| "ID_SERIAL".into());
    assert_eq!(s.paths[0].protocol, "scsi:fcp");
    assert_eq!(s.paths[1].protocol, "scsi:iscsi");
}

#[test]
fn disk_names() {
    assert_eq!(disk_name(0), "sda");
    assert_eq!(disk_name(25), "sdz");
    assert_eq!(disk_name(26), "sdaa");
    assert_eq!(disk_name(701), "sdzz");
    assert_eq!(disk_name(702), "sdaaa");
}

#[test]
fn paths_come_in_sysfs_path_order() {
    // Like upstream: .../1:0:0:1, .../1:0:0:10, .../1:0:0:11, .../1:0:0:2
    let t = fake_san(1, 12, false);
    let s = scan(&SysRoot::new(t.path()), |_, _| String::new());
    let hcils: Vec<&str> = s.paths.iter().map(|p| p.hcil.as_str()).collect();
    assert_eq!(
        &hcils[..5],
        ["1:0:0:0", "1:0:0:1", "1:0:0:10", "1:0:0:11", "1:0:0:2"]
    );
    assert!(s.paths[0]
        .syspath
        .ends_with("/host1/target1:0:0/1:0:0:0/block/sda"));
}
