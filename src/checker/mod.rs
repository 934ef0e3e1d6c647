//! Path checkers: is a path usable (tur, directio, none, ...).
//!
//! [`check`] first looks at the SCSI device state in sysfs, as upstream
//! does before any I/O:
//!
//! | `device/state` | result |
//! |---|---|
//! | `running` (SCSI), `live` (NVMe controller) | the checker runs |
//! | `offline`, `transport-offline`, `dead` | [`PathState::Down`] without I/O |
//! | `blocked`, `quiesce`, `resetting`, `connecting` | [`PathState::Pending`] without I/O |
//! | `cancel`, `deleting`, `deleted` | [`PathState::Removed`] |
//! | anything else, or unreadable | the checker runs |
//!
//! A device whose `/sys/block/<dev>` is gone while `/sys/block` exists is
//! [`PathState::Removed`]. (A root with no `/sys/block` at all, as in tests
//! that script SCSI replies only, is taken as "no sysfs to consult".)
//!
//! Messages follow upstream's `<checker> checker reports path is <state>`;
//! the caller prefixes the device (`sdb: tur checker reports path is up`).
//! When I/O to the path failed the message ends with the cause, which
//! names the device again (`sdb: tur checker reports path is down: sdb:
//! check condition sense key 0x4 asc 0x44 ascq 0x0`).
//!
//! Checkers block for at most about the timeout: SCSI commands carry it to
//! the kernel, and direct reads (which the kernel does not time) run on a
//! helper thread that is waited for at most that long; while such a read
//! is still outstanding the next check of the same path reports
//! [`PathState::Pending`] instead of starting another.

mod directio;
pub(crate) mod tur;
mod vendor;

#[cfg(test)]
pub(crate) mod tests;

pub(crate) use directio::{run_bounded, Bounded, DirectReader};

use crate::discovery::PathDev;
use crate::scsi::{self, ScsiTransport};
use crate::sysfs;
use crate::sysroot::SysRoot;
use std::time::Duration;

/// A path's state as its checker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathState {
    Undef,
    Up,
    Down,
    Shaky,
    Ghost,
    Pending,
    Timeout,
    Delayed,
    Removed,
    Disconnected,
}

impl PathState {
    /// The `%T` (chk_st) column of `multipath -ll` and `show paths`.
    /// Upstream has no word of its own for a removed path and prints
    /// `undef` for it.
    pub fn name(self) -> &'static str {
        match self {
            PathState::Up => "ready",
            PathState::Down => "faulty",
            PathState::Shaky => "shaky",
            PathState::Ghost => "ghost",
            PathState::Pending => "i/o pending",
            PathState::Timeout => "i/o timeout",
            PathState::Delayed => "delayed",
            PathState::Disconnected => "disconnected",
            PathState::Undef | PathState::Removed => "undef",
        }
    }

    /// Usable for I/O (up or ghost): what upstream counts in `%N`.
    pub fn is_usable(self) -> bool {
        matches!(self, PathState::Up | PathState::Ghost)
    }
}

/// What a checker may use.
pub struct CheckEnv<'a> {
    pub root: &'a SysRoot,
    pub scsi: &'a dyn ScsiTransport,
    /// checker_timeout, in milliseconds (0: the kernel's default for SCSI
    /// commands, 30 s for direct reads).
    pub timeout_ms: u32,
}

impl CheckEnv<'_> {
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(if self.timeout_ms == 0 {
            30_000
        } else {
            self.timeout_ms.into()
        })
    }
}

/// The checkers [`check`] knows.
pub const KNOWN: &[&str] = &[
    "tur",
    "directio",
    "readsector0",
    "emc_clariion",
    "hp_sw",
    "rdac",
    "cciss_tur",
    "none",
];

/// `<name> checker reports path is <what>`.
pub(crate) fn reports(name: &str, what: &str) -> String {
    format!("{name} checker reports path is {what}")
}

/// A "down" result with its cause.
pub(crate) fn down(name: &str, cause: impl std::fmt::Display) -> (PathState, String) {
    (
        PathState::Down,
        format!("{}: {cause}", reports(name, "down")),
    )
}

/// A sysfs attribute of block device `dev` (`rel` relative to
/// `/sys/block/<dev>`), trimmed. `None` if it cannot be read.
pub(crate) fn block_attr(root: &SysRoot, dev: &str, rel: &str) -> Option<String> {
    sysfs::with_file(&root.join(format!("/sys/block/{dev}/{rel}")), |bytes| {
        String::from_utf8_lossy(bytes)
            .trim_matches(|c: char| c.is_whitespace() || c == '\0')
            .to_string()
    })
    .ok()
}

/// A binary sysfs attribute of block device `dev`.
pub(crate) fn block_attr_bytes(root: &SysRoot, dev: &str, rel: &str) -> Option<Vec<u8>> {
    sysfs::with_file(
        &root.join(format!("/sys/block/{dev}/{rel}")),
        <[u8]>::to_vec,
    )
    .ok()
}

/// NVMe paths (by kernel name or protocol).
pub(crate) fn is_nvme(path: &PathDev) -> bool {
    path.dev.starts_with("nvme") || path.protocol.starts_with("nvme")
}

/// The state sysfs alone decides, if it does.
fn sysfs_state(root: &SysRoot, path: &PathDev) -> Option<(PathState, String)> {
    let dev = &path.dev;
    match block_attr(root, dev, "device/state") {
        Some(s) => match s.as_str() {
            "offline" | "transport-offline" | "dead" => {
                Some((PathState::Down, format!("path is {s}")))
            }
            "blocked" | "quiesce" | "resetting" | "connecting" => {
                Some((PathState::Pending, format!("path is {s}")))
            }
            "cancel" | "deleting" | "deleted" => Some((PathState::Removed, format!("path is {s}"))),
            _ => None,
        },
        None => {
            let sys_block = root.join("/sys/block");
            (sys_block.is_dir() && !sys_block.join(dev).exists())
                .then(|| (PathState::Removed, "device removed".to_string()))
        }
    }
}

/// Run checker `name` on `path`; returns the state and a message.
pub fn check(name: &str, path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    if let Some(r) = sysfs_state(env.root, path) {
        tracing::debug!(path = %path.dev, checker = name, "{}", r.1);
        return r;
    }
    let r = match name {
        "tur" => tur::tur(path, env),
        "directio" => directio::directio(path, env),
        "readsector0" => directio::readsector0(path, env),
        "emc_clariion" => vendor::emc_clariion(path, env),
        "hp_sw" => vendor::hp_sw(path, env),
        "rdac" => vendor::rdac(path, env),
        "cciss_tur" => tur::cciss_tur(path, env),
        "none" => (PathState::Up, String::new()),
        _ => (PathState::Undef, format!("unknown path checker {name}")),
    };
    tracing::debug!(path = %path.dev, checker = name, state = r.0.name(), "{}", r.1);
    r
}

/// TPGS of a SCSI path: the sysfs `inquiry` attribute (no I/O) if the
/// kernel has it, else a standard INQUIRY.
pub(crate) fn path_tpgs(root: &SysRoot, t: &dyn ScsiTransport, dev: &str, tmo: u32) -> Option<u8> {
    if let Some(t) = block_attr_bytes(root, dev, "device/inquiry")
        .as_deref()
        .and_then(scsi::tpgs_of_inquiry)
    {
        return Some(t);
    }
    match scsi::inquiry_tpgs(t, dev, tmo) {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::debug!(path = dev, "cannot get TPGS: {e}");
            None
        }
    }
}

/// An RDAC array (LSI/Engenio/NetApp E-Series): VPD page 0xC9 with the
/// identifier "vac1".
pub(crate) fn is_rdac(t: &dyn ScsiTransport, dev: &str, tmo: u32) -> bool {
    scsi::inquiry_vpd(t, dev, 0xc9, 255, tmo).is_ok_and(|p| p.get(4..8) == Some(&b"vac1"[..]))
}

/// detect_checker: for SCSI paths that support ALUA (TPGS != 0), "rdac"
/// on RDAC arrays and "tur" on all others; `None` otherwise (and for
/// NVMe). The inventory (§3.2) names both rules; the man page documents
/// the ALUA one.
pub fn autodetect(path: &PathDev, env: &CheckEnv) -> Option<&'static str> {
    if is_nvme(path) {
        return None;
    }
    let tpgs = path_tpgs(env.root, env.scsi, &path.dev, env.timeout_ms)?;
    if tpgs == 0 {
        return None;
    }
    Some(if is_rdac(env.scsi, &path.dev, env.timeout_ms) {
        "rdac"
    } else {
        "tur"
    })
}
