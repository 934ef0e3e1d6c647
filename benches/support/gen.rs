//! Generated sysfs and udev trees for benchmarks: `hosts` x `luns` SCSI
//! paths (4 paths per LUN in the benches), ALUA states in sysfs, LIO-like
//! vendor strings. Shared by `benches/assemble.rs` and
//! `multipathd/benches/socket.rs` (included with `#[path]`).

#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

/// `hosts` x `luns` paths like scsi_debug: host h sees every LUN.
pub fn generate(root: &Path, hosts: u32, luns: u32) {
    fs::create_dir_all(root.join("sys/block")).unwrap();
    fs::create_dir_all(root.join("run/udev/data")).unwrap();
    let mut disk = 0u32;
    for h in 0..hosts {
        for l in 0..luns {
            let name = disk_name(disk);
            let hcil = format!("{h}:0:0:{l}");
            let rel = format!("devices/platform/host{h}/target{h}:0:0/{hcil}");
            let sdev = root.join("sys").join(&rel);
            let blk = sdev.join(format!("block/{name}"));
            fs::create_dir_all(&blk).unwrap();
            let (maj, min) = (8 + (disk / 16) % 4000, (disk % 16) * 16);
            fs::write(blk.join("dev"), format!("{maj}:{min}\n")).unwrap();
            fs::write(blk.join("size"), "131072\n").unwrap();
            symlink(format!("../../../{hcil}"), blk.join("device")).unwrap();
            for (a, v) in [
                ("vendor", "LIO-ORG "),
                ("model", "disk            "),
                ("rev", "4.0 "),
                ("state", "running"),
                (
                    "access_state",
                    if h % 2 == 0 {
                        "active/optimized"
                    } else {
                        "active/non-optimized"
                    },
                ),
                ("preferred_path", "0"),
                ("dh_state", "alua"),
            ] {
                fs::write(sdev.join(a), format!("{v}\n")).unwrap();
            }
            symlink(
                format!("../{rel}/block/{name}"),
                root.join(format!("sys/block/{name}")),
            )
            .unwrap();
            fs::write(
                root.join(format!("run/udev/data/b{maj}:{min}")),
                format!(
                    "E:ID_SERIAL=36001405{l:024x}\nE:ID_WWN=0x6001405{l:024x}\nE:DEVTYPE=disk\n"
                ),
            )
            .unwrap();
            disk += 1;
        }
    }
}

pub fn disk_name(mut n: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    format!("sd{}", String::from_utf8(s).unwrap())
}

pub fn peak_rss_mb() -> f64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
