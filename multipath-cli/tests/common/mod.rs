//! Test support for running `multipath` without root: a fixture root with a
//! generated sysfs tree of SCSI disks (`scsi_debug`-like, `hosts` x `luns`),
//! udev data, `/etc/multipath.conf`, and the two fake kernel seams
//! (`MPATH_FAKE_DM`, `MPATH_FAKE_SCSI`; see `multipath-cli/src/ctx.rs`).
//!
//! Disk `i` (in host-major order: host 0's LUNs first) is `sd<a+i>`, device
//! number `8:<16 i>`, H:C:T:L `<host>:0:0:<lun>`, 64 MiB. LUN `l` has WWID
//! `1Linux_scsi_debug_<2000+l>` (udev `ID_SERIAL`), like `scsi_debug`.
//! Every disk supports implicit ALUA (TPGS 1, device handler `alua`); host
//! 0's ports are active/optimized (sysfs prio 50), the others
//! active/non-optimized (10). TEST UNIT READY succeeds unless scripted
//! otherwise with [`San::tur_fail`].

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct San {
    pub dir: tempfile::TempDir,
    scsi: BTreeMap<String, String>,
}

/// What one `multipath` run printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    /// stderr with each log line's `<seconds>.<µs> | ` stamp taken off
    /// (the stamps are checked in `raw_stderr`).
    pub stderr: String,
    pub raw_stderr: String,
}

/// `text` without the log stamps (`12.345678 | `) that start its lines.
pub fn unstamped(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|l| match l.split_once(" | ") {
            Some((t, rest))
                if t.split_once('.').is_some_and(|(s, us)| {
                    !s.is_empty()
                        && s.bytes().all(|b| b.is_ascii_digit())
                        && us.len() == 6
                        && us.bytes().all(|b| b.is_ascii_digit())
                }) =>
            {
                rest
            }
            _ => l,
        })
        .collect()
}

pub fn disk_name(i: u32) -> String {
    format!("sd{}", (b'a' + i as u8) as char)
}

pub fn wwid(lun: u32) -> String {
    format!("1Linux_scsi_debug_{}", 2000 + lun)
}

impl San {
    pub fn new(hosts: u32, luns: u32, conf: &str) -> San {
        assert!(hosts * luns <= 26);
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        let mut scsi = BTreeMap::new();
        fs::create_dir_all(r.join("sys/block")).unwrap();
        fs::create_dir_all(r.join("sys/dev/block")).unwrap();
        fs::create_dir_all(r.join("run/udev/data")).unwrap();
        fs::create_dir_all(r.join("etc/multipath")).unwrap();
        fs::write(r.join("etc/multipath.conf"), conf).unwrap();
        let mut disk = 0;
        for h in 0..hosts {
            for l in 0..luns {
                let name = disk_name(disk);
                let hcil = format!("{h}:0:0:{l}");
                let rel = format!("devices/platform/host{h}/target{h}:0:0/{hcil}");
                let sdev = r.join("sys").join(&rel);
                let blk = sdev.join("block").join(&name);
                fs::create_dir_all(&blk).unwrap();
                let (maj, min) = (8, disk * 16);
                fs::write(blk.join("dev"), format!("{maj}:{min}\n")).unwrap();
                fs::write(blk.join("size"), "131072\n").unwrap();
                fs::write(blk.join("ro"), "0\n").unwrap();
                symlink(format!("../../../{hcil}"), blk.join("device")).unwrap();
                for (f, v) in [
                    ("vendor", "Linux   "),
                    ("model", "scsi_debug      "),
                    ("rev", "0191"),
                    ("state", "running"),
                    ("dh_state", "alua"),
                    (
                        "access_state",
                        if h == 0 {
                            "active/optimized"
                        } else {
                            "active/non-optimized"
                        },
                    ),
                ] {
                    fs::write(sdev.join(f), format!("{v}\n")).unwrap();
                }
                symlink(
                    format!("../{rel}/block/{name}"),
                    r.join(format!("sys/block/{name}")),
                )
                .unwrap();
                symlink(
                    format!("../../{rel}/block/{name}"),
                    r.join(format!("sys/dev/block/{maj}:{min}")),
                )
                .unwrap();
                fs::write(
                    r.join(format!("run/udev/data/b{maj}:{min}")),
                    format!(
                        "E:ID_SERIAL={}\nE:ID_VENDOR=Linux\nE:ID_MODEL=scsi_debug\nE:SCSI_IDENT_SERIAL=2000\n",
                        wwid(l)
                    ),
                )
                .unwrap();
                scsi.insert(
                    name,
                    format!(r#"{{ "tur": "ok", "tpgs": 1, "tpg": {} }}"#, h + 1),
                );
                disk += 1;
            }
        }
        let san = San { dir, scsi };
        san.write_scsi();
        san
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn dm_file(&self) -> PathBuf {
        self.root().join("fake-dm.json")
    }

    /// The control socket `multipath` is pointed at (`MULTIPATH_SOCKET_NAME`);
    /// nothing listens there unless a test starts a stand-in daemon.
    pub fn socket(&self) -> PathBuf {
        self.root().join("multipathd.socket")
    }

    fn scsi_file(&self) -> PathBuf {
        self.root().join("fake-scsi.json")
    }

    fn write_scsi(&self) {
        let body: Vec<String> = self
            .scsi
            .iter()
            .map(|(d, s)| format!("  \"{d}\": {s}"))
            .collect();
        fs::write(self.scsi_file(), format!("{{\n{}\n}}\n", body.join(",\n"))).unwrap();
    }

    /// TEST UNIT READY fails on `dev` (the tur checker: `faulty`).
    pub fn tur_fail(&mut self, dev: &str) {
        let s = self.scsi.get_mut(dev).unwrap();
        *s = s.replace(r#""tur": "ok""#, r#""tur": "fail""#);
        self.write_scsi();
    }

    pub fn set_conf(&self, conf: &str) {
        fs::write(self.root().join("etc/multipath.conf"), conf).unwrap();
    }

    /// Run `multipath args` on this root and the fakes.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// [`run`](Self::run) with extra environment variables (and none of
    /// a udev event's from the test's own environment).
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        // option_env: the module is shared with the multipathd tests, which
        // have no multipath binary (and do not call this).
        let bin = option_env!("CARGO_BIN_EXE_multipath").unwrap_or("multipath");
        let o = Command::new(bin)
            .args(args)
            .env("MPATH_SYSROOT", self.root())
            .env("MPATH_FAKE_DM", self.dm_file())
            .env("MPATH_FAKE_SCSI", self.scsi_file())
            .env("MULTIPATH_SOCKET_NAME", self.socket())
            .env_remove("DEVPATH")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: unstamped(&String::from_utf8_lossy(&o.stderr)),
            raw_stderr: String::from_utf8(o.stderr).unwrap(),
        }
    }

    /// The fake device mapper's state file, parsed.
    pub fn dm_state(&self) -> serde_json::Value {
        match fs::read_to_string(self.dm_file()) {
            Ok(t) => serde_json::from_str(&t).unwrap(),
            Err(_) => serde_json::json!({ "maps": [] }),
        }
    }

    /// (name, uuid, table) of every map in the fake.
    pub fn maps(&self) -> Vec<(String, String, String)> {
        self.dm_state()["maps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["name"].as_str().unwrap().to_string(),
                    m["uuid"].as_str().unwrap().to_string(),
                    m["table"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// The journal of state-changing device-mapper calls (`create mpatha`).
    pub fn dm_calls(&self) -> Vec<String> {
        self.dm_state()["calls"]
            .as_array()
            .map(|a| a.iter().map(|c| c.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    }

    /// Edit the fake device mapper's state between runs.
    pub fn edit_dm(&self, f: impl FnOnce(&mut serde_json::Value)) {
        let mut v = self.dm_state();
        f(&mut v);
        fs::write(self.dm_file(), serde_json::to_string_pretty(&v).unwrap()).unwrap();
    }

    pub fn read(&self, abs: &str) -> String {
        fs::read_to_string(self.root().join(abs.trim_start_matches('/'))).unwrap_or_default()
    }
}

pub const FRIENDLY: &str = "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n}\n";

// What the reference prints for the SAN of `San::new(2, 1, FRIENDLY)`
// (multipath-tools 0.15.1, scsi_debug; see tests/vm).

/// `multipath` creating the map.
pub const CREATED: &str = "\
create: mpatha (1Linux_scsi_debug_2000) undef Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=undef
|-+- policy='service-time 0' prio=50 status=undef
| `- 0:0:0:0 sda 8:0  undef ready running
`-+- policy='service-time 0' prio=10 status=undef
  `- 1:0:0:0 sdb 8:16 undef ready running
";

/// `-ll`.
pub const LONG: &str = "\
mpatha (1Linux_scsi_debug_2000) dm-0 Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=rw
|-+- policy='service-time 0' prio=50 status=enabled
| `- 0:0:0:0 sda 8:0  active ready running
`-+- policy='service-time 0' prio=10 status=enabled
  `- 1:0:0:0 sdb 8:16 active ready running
";

/// `-l`.
pub const SHORT: &str = "\
mpatha (1Linux_scsi_debug_2000) dm-0 Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=rw
|-+- policy='service-time 0' prio=0 status=enabled
| `- 0:0:0:0 sda 8:0  active undef running
`-+- policy='service-time 0' prio=0 status=enabled
  `- 1:0:0:0 sdb 8:16 active undef running
";

/// The run succeeded and printed `stdout`.
#[track_caller]
pub fn ok(r: &Run, stdout: &str) {
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, stdout),
        "stderr: {}",
        r.stderr
    );
}
