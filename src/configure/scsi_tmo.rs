//! The SCSI transport timeouts of a map's paths: `fast_io_fail_tmo`,
//! `dev_loss_tmo`, `eh_deadline` and `max_retries`, written to sysfs when a map goes to the
//! kernel (created or reloaded), as the reference does.
//!
//! Where each value goes depends on the path's transport:
//!
//! - FC (`scsi:fcp`): `fast_io_fail_tmo` and `dev_loss_tmo` of the remote
//!   port (`/sys/class/fc_remote_ports/rport-H:C-N`), written whatever they
//!   hold (the kernel refuses a fast_io_fail_tmo not below the current
//!   dev_loss_tmo, and a dev_loss_tmo above 600 s while fast_io_fail_tmo is
//!   off: a configured one is limited to 600, one raised for no_path_retry
//!   is not, and `off` goes first, so the kernel refuses it: "rport-0:0-0:
//!   failed to set dev_loss_tmo to 4294967295: Invalid argument", as the
//!   reference does, seen in the VM over FCoE);
//! - iSCSI (`scsi:iscsi`): `fast_io_fail_tmo` becomes the session's
//!   `recovery_tmo` (`/sys/class/iscsi_session/sessionN`); iSCSI has no
//!   dev_loss_tmo, and its recovery cannot be switched off;
//! - SAS (`scsi:sas`): `dev_loss_tmo` becomes the end device's
//!   `I_T_nexus_loss_timeout` (`/sys/class/sas_end_device/end_device-*`);
//! - any SCSI path: `eh_deadline` of its host (`/sys/class/scsi_host/hostH`)
//!   and `max_retries` of its disk (`/sys/class/scsi_disk/H:C:T:L`).
//!
//! `no_path_retry` raises `dev_loss_tmo` (of FC, iSCSI and SAS paths; said
//! once for the map, after what writing the paths' timeouts said): a map that retries N times every `polling_interval`
//! seconds must not lose its paths before, and a map that queues for ever
//! keeps them for ever. A `fast_io_fail_tmo` not below
//! the `dev_loss_tmo` is switched off.
//!
//! Other transports have none of these: the first such path is named in a
//! notice (`setting scsi timeouts is unsupported for protocol ...`), which
//! the caller prints once per run.

use super::setting;
use crate::assemble::{MapPlan, NoPathRetry};
use crate::config::Config;
use crate::discovery::PathDev;
use crate::sysroot::SysRoot;
use std::path::{Path, PathBuf};

/// `dev_loss_tmo infinity`, and the most `no_path_retry` can ask for.
pub const MAX_DEV_LOSS_TMO: u64 = u32::MAX as u64;
/// The kernel's limit for a dev_loss_tmo while fast_io_fail_tmo is off
/// (`SCSI_DEVICE_BLOCK_MAX_TIMEOUT`).
const DEV_LOSS_MAX_WITHOUT_FAST_IO_FAIL: u64 = 600;

/// A timeout keyword that can be `off`: unset, off, or seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tmo {
    Unset,
    Off,
    Secs(u64),
}

impl Tmo {
    fn parse(v: Option<String>) -> Tmo {
        match v.as_deref() {
            None => Tmo::Unset,
            Some("off") => Tmo::Off,
            Some(s) => s.parse().map_or(Tmo::Unset, Tmo::Secs),
        }
    }

    fn sysfs(self) -> Option<String> {
        match self {
            Tmo::Unset => None,
            Tmo::Off => Some("off".into()),
            Tmo::Secs(n) => Some(n.to_string()),
        }
    }
}

/// The timeouts one path should get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTmo {
    pub fast_io_fail: Tmo,
    /// Seconds; `None` when unset (the kernel's value is kept).
    pub dev_loss: Option<u64>,
    pub eh_deadline: Tmo,
    /// `max_retries` of the SCSI disk (`/sys/class/scsi_disk/H:C:T:L`),
    /// as written there.
    pub max_retries: Option<String>,
}

/// What setting a map's timeouts did.
#[derive(Debug, Default)]
pub struct TmoOutcome {
    /// `(level, message)`: debug lines and write errors.
    pub log: Vec<(u32, String)>,
    /// The first path whose transport has no timeouts (while one was
    /// configured): `sda: setting scsi timeouts is unsupported for protocol
    /// scsi:unspec`.
    pub unsupported: Option<String>,
}

/// The configured timeouts of path `p` in a map with `no_path_retry`,
/// with the adjustments described in the module documentation, and the
/// dev_loss_tmo they were raised to for `no_path_retry`, if they were.
pub fn path_tmo(
    cfg: &Config,
    p: &PathDev,
    no_path_retry: NoPathRetry,
) -> (PathTmo, Option<u64>, Vec<String>) {
    let mut notes = Vec::new();
    let mut t = PathTmo {
        fast_io_fail: Tmo::parse(setting(cfg, "fast_io_fail_tmo", p)),
        dev_loss: setting(cfg, "dev_loss_tmo", p).and_then(|v| match v.as_str() {
            "infinity" => Some(MAX_DEV_LOSS_TMO),
            s => s.parse().ok().filter(|&n| n > 0),
        }),
        eh_deadline: Tmo::parse(setting(cfg, "eh_deadline", p)),
        max_retries: setting(cfg, "max_retries", p).map(|v| match v.as_str() {
            // The sd driver's "no limit".
            "off" => "-1".to_string(),
            _ => v,
        }),
    };
    let mut raised = None;
    if let Some(d) = t.dev_loss {
        let min = min_dev_loss(cfg, no_path_retry);
        if d < min {
            raised = Some(min);
            t.dev_loss = Some(min);
        }
    }
    if let (Some(d), Tmo::Secs(f)) = (t.dev_loss, t.fast_io_fail) {
        if f > 0 && f >= d {
            notes.push(format!(
                "{}: fast_io_fail_tmo {f} is not below dev_loss_tmo {d}, switched off",
                p.dev
            ));
            t.fast_io_fail = Tmo::Off;
        }
    }
    (t, raised, notes)
}

/// The least dev_loss_tmo for `no_path_retry`: the paths must outlive the
/// retries (N every `polling_interval`: T seconds) with a margin of 5 s
/// and a second per minute of T, as the reference raises it (seen in the
/// VM for T from 1 to 10000: 12 retries every 5 s give 66, every 3 s 41,
/// 1000 every second 1021), or for ever when queueing.
pub fn min_dev_loss(cfg: &Config, no_path_retry: NoPathRetry) -> u64 {
    let checkint = cfg
        .default_value("polling_interval")
        .and_then(|v| v.as_int())
        .map_or(5, |v| v.max(1) as u64);
    match no_path_retry {
        NoPathRetry::Retries(n) if n > 0 => {
            let t = (n as u64).saturating_mul(checkint);
            t.saturating_add(5)
                .saturating_add(t / 60)
                .min(MAX_DEV_LOSS_TMO)
        }
        NoPathRetry::Queue => MAX_DEV_LOSS_TMO,
        _ => 0,
    }
}

/// Write the timeouts of every path of `plan` (see the module
/// documentation). Nothing here fails the map: a write the kernel refuses
/// is logged, naming the path and the file.
pub fn set_map_tmo(root: &SysRoot, cfg: &Config, name: &str, plan: &MapPlan) -> TmoOutcome {
    let mut out = TmoOutcome::default();
    let mut raised = None;
    for f in &plan.paths {
        let p = &f.dev;
        let (t, raised_to, notes) = path_tmo(cfg, p, plan.no_path_retry);
        if t.fast_io_fail == Tmo::Unset
            && t.dev_loss.is_none()
            && t.eh_deadline == Tmo::Unset
            && t.max_retries.is_none()
        {
            continue;
        }
        if !p.protocol.starts_with("scsi:") {
            continue;
        }
        let mut w = Writer {
            root,
            dev: &p.dev,
            log: &mut out.log,
        };
        if let Some(v) = t.eh_deadline.sysfs() {
            if let Some(h) = component(&p.syspath, "host") {
                w.try_write(&format!("/sys/class/scsi_host/{h}/eh_deadline"), &v);
            }
        }
        if let Some(v) = &t.max_retries {
            if p.hcil.split(':').count() == 4 && !p.hcil.contains('#') {
                w.try_write(&format!("/sys/class/scsi_disk/{}/max_retries", p.hcil), v);
            }
        }
        if t.fast_io_fail == Tmo::Unset && t.dev_loss.is_none() {
            continue;
        }
        let supported = match p.protocol.as_str() {
            "scsi:fcp" => {
                component(&p.syspath, "rport-").map(|r| fc_rport(&mut w, r, t, raised_to.is_some()))
            }
            "scsi:iscsi" => component(&p.syspath, "session").map(|s| iscsi_session(&mut w, s, t)),
            "scsi:sas" => {
                component(&p.syspath, "end_device-").map(|e| sas_end_device(&mut w, e, t))
            }
            _ => None,
        };
        if supported.is_none() {
            if out.unsupported.is_none() {
                out.unsupported = Some(format!(
                    "{}: setting scsi timeouts is unsupported for protocol {}",
                    p.dev, p.protocol
                ));
            }
            continue;
        }
        raised = raised.or(raised_to);
        out.log.extend(notes.into_iter().map(|n| (3, n)));
    }
    if let Some(v) = raised {
        out.log.push((
            2,
            format!("{name}: Raising dev_loss_tmo to {v} because of no_path_retry setting"),
        ));
    }
    out
}

/// The last component of `syspath` starting with `prefix` (the nearest to
/// the device): `rport-2:0-1`, `session3`, `end_device-0:1`, `host2`.
fn component<'a>(syspath: &'a str, prefix: &str) -> Option<&'a str> {
    let host = prefix == "host";
    syspath.rsplit('/').find(|c| {
        c.starts_with(prefix)
            && (!host || c[prefix.len()..].bytes().all(|b| b.is_ascii_digit()))
            && c.len() > prefix.len()
    })
}

struct Writer<'a> {
    root: &'a SysRoot,
    dev: &'a str,
    log: &'a mut Vec<(u32, String)>,
}

impl Writer<'_> {
    fn file(&self, abs: &str) -> PathBuf {
        self.root.join(abs)
    }

    fn read(&self, abs: &str) -> Option<String> {
        std::fs::read_to_string(self.file(abs))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Write `value` unless the file already has it; a refusal is an error.
    fn write(&mut self, abs: &str, value: &str) -> bool {
        self.write_or_log(abs, value, 1)
    }

    /// [`write`](Self::write) where the kernel may refuse the value
    /// (`eh_deadline` of a host whose transport has its own error handling,
    /// as iSCSI's): the refusal is a debug line, as the reference has it.
    fn try_write(&mut self, abs: &str, value: &str) -> bool {
        self.write_or_log(abs, value, 3)
    }

    /// True when the file has `value` now.
    fn write_or_log(&mut self, abs: &str, value: &str, fail_level: u32) -> bool {
        if self.read(abs).as_deref() == Some(value) {
            return true;
        }
        match write_attr(&self.file(abs), value) {
            Ok(()) => {
                self.log
                    .push((3, format!("{}: {abs} set to {value}", self.dev)));
                true
            }
            Err(e) => {
                self.log.push((
                    fail_level,
                    format!("{}: failed to set {abs} to {value}: {e}", self.dev),
                ));
                false
            }
        }
    }
}

fn write_attr(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    // One write of the whole value to the existing attribute (as `echo >`
    // does: the truncation means nothing to sysfs).
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    f.write_all(value.as_bytes())
}

/// FC remote port: both timeouts, in an order the kernel accepts but for a
/// dev_loss_tmo `raised` for no_path_retry above 600 s while fast_io_fail_tmo
/// is off (see the module documentation). Each attribute is written even
/// when it holds the value already, and a refusal names the remote port and
/// the attribute, as the reference has it.
fn fc_rport(w: &mut Writer<'_>, rport: &str, mut t: PathTmo, raised: bool) {
    let dir = format!("/sys/class/fc_remote_ports/{rport}");
    let fast_file = format!("{dir}/fast_io_fail_tmo");
    let loss_file = format!("{dir}/dev_loss_tmo");
    let fast_now_off = w.read(&fast_file).as_deref() == Some("off");
    let fast_off_after = match t.fast_io_fail {
        Tmo::Off => true,
        Tmo::Unset => fast_now_off,
        Tmo::Secs(_) => false,
    };
    let mut w = RportWriter { w, rport };
    let w = &mut w;
    if let Some(d) = t.dev_loss {
        if d > DEV_LOSS_MAX_WITHOUT_FAST_IO_FAIL && fast_off_after && !raised {
            w.w.log.push((
                2,
                format!(
                    "{rport}: limiting dev_loss_tmo to {DEV_LOSS_MAX_WITHOUT_FAST_IO_FAIL}, \
                     since fast_io_fail is not set"
                ),
            ));
            t.dev_loss = Some(DEV_LOSS_MAX_WITHOUT_FAST_IO_FAIL);
        }
    }
    let cur_loss: u64 =
        w.w.read(&loss_file)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
    let loss = t.dev_loss.map(|d| d.to_string());
    match (t.fast_io_fail, &loss) {
        // A new fast_io_fail_tmo must stay below the dev_loss_tmo the
        // port has when it is written: raise dev_loss_tmo first if needed.
        (Tmo::Secs(f), Some(l)) if f >= cur_loss => {
            w.write(&loss_file, l);
            w.write(&fast_file, &f.to_string());
        }
        (Tmo::Secs(f), Some(l)) => {
            w.write(&fast_file, &f.to_string());
            w.write(&loss_file, l);
        }
        // Off first: a dev_loss_tmo above 600 s is then refused.
        (Tmo::Off, Some(l)) => {
            w.write(&fast_file, "off");
            w.write(&loss_file, l);
        }
        (f, None) => {
            if let Some(v) = f.sysfs() {
                w.write(&fast_file, &v);
            }
        }
        (Tmo::Unset, Some(l)) => {
            w.write(&loss_file, l);
        }
    }
}

/// Writes to an FC remote port's attributes: unconditional, a refusal said
/// as `rport-0:0-0: failed to set dev_loss_tmo to 4294967295: Invalid
/// argument`.
struct RportWriter<'a, 'b> {
    w: &'a mut Writer<'b>,
    rport: &'a str,
}

impl RportWriter<'_, '_> {
    fn write(&mut self, abs: &str, value: &str) {
        let attr = abs.rsplit('/').next().unwrap_or(abs);
        let msg = match write_attr(&self.w.file(abs), value) {
            Ok(()) => (3, format!("{}: {abs} set to {value}", self.w.dev)),
            Err(e) => (
                1,
                format!(
                    "{}: failed to set {attr} to {value}: {}",
                    self.rport,
                    strerror(&e)
                ),
            ),
        };
        self.w.log.push(msg);
    }
}

/// The C library's text of an I/O error, without Rust's "(os error N)".
fn strerror(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nix::errno::Errno::from_raw(n).desc().to_string(),
        None => e.to_string(),
    }
}

/// iSCSI session: fast_io_fail_tmo is the session's recovery timeout.
fn iscsi_session(w: &mut Writer<'_>, session: &str, t: PathTmo) {
    match t.fast_io_fail {
        Tmo::Secs(n) => {
            w.write(
                &format!("/sys/class/iscsi_session/{session}/recovery_tmo"),
                &n.to_string(),
            );
        }
        Tmo::Off => w.log.push((
            3,
            format!("{}: cannot switch off fast_io_fail_tmo for iSCSI", w.dev),
        )),
        Tmo::Unset => {}
    }
    if t.dev_loss.is_some() {
        w.log.push((
            3,
            format!("{}: dev_loss_tmo is not supported for iSCSI", w.dev),
        ));
    }
}

/// SAS end device: dev_loss_tmo is its I_T nexus loss timeout.
fn sas_end_device(w: &mut Writer<'_>, end_device: &str, t: PathTmo) {
    if let Some(d) = t.dev_loss {
        w.write(
            &format!("/sys/class/sas_end_device/{end_device}/I_T_nexus_loss_timeout"),
            &d.to_string(),
        );
    }
}

#[cfg(test)]
mod tests;
