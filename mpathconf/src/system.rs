//! The machine: is dm_multipath loaded, is multipathd running, and the
//! commands that change that (`modprobe`, `systemctl`).
//!
//! All files are read under the root (`MPATHCONF_ROOT`, default `/`); the
//! commands can be replaced with `MPATHCONF_MODPROBE` / `MPATHCONF_SYSTEMCTL`
//! (used by the tests).

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::Command;

pub const SERVICE: &str = "multipathd.service";

pub struct System {
    pub root: PathBuf,
    pub modprobe: String,
    pub systemctl: String,
}

impl System {
    /// dm_multipath is loaded (listed in /proc/modules) or built in
    /// (present in /sys/module).
    pub fn module_loaded(&self) -> bool {
        let listed = std::fs::read_to_string(self.root.join("proc/modules"))
            .map(|m| {
                m.lines()
                    .any(|l| l.split_whitespace().next() == Some("dm_multipath"))
            })
            .unwrap_or(false);
        listed || self.root.join("sys/module/dm_multipath").is_dir()
    }

    /// `modprobe dm_multipath` unless it is loaded already.
    pub fn load_module(&self) -> Result<(), String> {
        if self.module_loaded() {
            return Ok(());
        }
        match Command::new(&self.modprobe).arg("dm_multipath").status() {
            Err(e) if e.kind() == ErrorKind::NotFound => Err(format!(
                "cannot load the dm_multipath module: {} is not installed on this machine",
                self.modprobe
            )),
            Err(e) => Err(format!(
                "cannot load the dm_multipath module: running {}: {e}",
                self.modprobe
            )),
            Ok(s) if !s.success() => Err(format!(
                "cannot load the dm_multipath module: {} dm_multipath failed ({s}); \
                 the kernel of this machine may not have it",
                self.modprobe
            )),
            Ok(_) => Ok(()),
        }
    }

    /// systemd is the init system (the test sd_booted() makes).
    pub fn systemd_running(&self) -> bool {
        self.root.join("run/systemd/system").is_dir()
    }

    /// multipathd is running: asked of systemd, or without systemd, the pid
    /// file names a live multipathd process.
    pub fn daemon_running(&self) -> bool {
        if self.systemd_running() {
            return Command::new(&self.systemctl)
                .args(["--quiet", "is-active", SERVICE])
                .status()
                .is_ok_and(|s| s.success());
        }
        let pid = std::fs::read_to_string(self.root.join("run/multipathd.pid")).unwrap_or_default();
        let pid = pid.trim();
        !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && std::fs::read_to_string(self.root.join("proc").join(pid).join("comm"))
                .is_ok_and(|c| c.trim() == "multipathd")
    }

    /// `systemctl <verb> multipathd.service`.
    pub fn service(&self, verb: &str) -> Result<(), String> {
        if !self.systemd_running() {
            return Err(format!(
                "cannot {verb} multipathd: systemd is not running on this machine; {verb} it by hand"
            ));
        }
        match Command::new(&self.systemctl).args([verb, SERVICE]).status() {
            Err(e) if e.kind() == ErrorKind::NotFound => Err(format!(
                "cannot {verb} multipathd: {} is not installed",
                self.systemctl
            )),
            Err(e) => Err(format!(
                "cannot {verb} multipathd: running {}: {e}",
                self.systemctl
            )),
            Ok(s) if !s.success() => {
                Err(format!("{} {verb} {SERVICE} failed ({s})", self.systemctl))
            }
            Ok(_) => Ok(()),
        }
    }
}
