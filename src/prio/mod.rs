//! Prioritizers: the priority of a path (const, sysfs, alua, ...).
//!
//! [`get_prio`] runs one by name and returns [`PRIO_UNDEF`] when it cannot
//! tell (the reason is logged at debug level, naming the device). On the
//! errors where the reference's prioritizers speak to the user (a vendor
//! command refused, prio_args they cannot use) it returns their priority
//! and their words ([`Prio::said`]), found in the VM (scenario 19 and
//! experiments on scsi_debug, which refuses vendor pages and opcodes).
//! [`autodetect`] is upstream's `detect_prio`, [`tpg_id`] the ALUA target
//! port group that `group_by_tpg` and the `%A` wildcard use.
//!
//! detect_prio, as relied on here (multipath.conf(5) `detect_prio`, the
//! inventory §3.2/§5.4):
//!
//! * SCSI: a path is ALUA when the TPGS bits of its standard INQUIRY data
//!   are not 0 (read from the sysfs `inquiry` attribute, else by INQUIRY).
//!   It gets `sysfs` when the kernel exposes a readable `access_state` for
//!   it, except on RDAC arrays (VPD 0xC9 "vac1") that do not report
//!   explicit-only ALUA (TPGS != 2); those, and paths without a readable
//!   `access_state`, get `alua`. (The man page names the sysfs/alua rule;
//!   the RDAC exception is upstream behaviour noted in the inventory.)
//! * NVMe: `ana` when the namespace path has an `ana_state` attribute.
//! * otherwise no automatic choice.

mod alua;
mod latency;
mod vendor;
mod weighted;

#[cfg(test)]
mod tests;

pub(crate) use alua::alua_group;

use crate::checker::{block_attr, block_attr_bytes, is_nvme, is_rdac, path_tpgs};
use crate::discovery::PathDev;
use crate::scsi::{self, ScsiTransport};
use crate::sysroot::SysRoot;

/// What a prioritizer may use.
pub struct PrioEnv<'a> {
    pub root: &'a SysRoot,
    pub scsi: &'a dyn ScsiTransport,
    /// checker_timeout, in milliseconds (for prioritizers that send SCSI
    /// commands or read the device).
    pub timeout_ms: u32,
}

/// The priority of a path no prioritizer could determine.
pub const PRIO_UNDEF: i32 = -1;

/// The prioritizers [`get_prio`] knows.
pub const KNOWN: &[&str] = &[
    "const",
    "random",
    "sysfs",
    "alua",
    "emc",
    "hds",
    "hp_sw",
    "ontap",
    "rdac",
    "weightedpath",
    "path_latency",
    "ana",
    "datacore",
    "iet",
];

/// A priority and what the prioritizer said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prio {
    /// The priority, [`PRIO_UNDEF`] when the prioritizer could not tell.
    pub value: i32,
    /// What the reference's prioritizer prints for the user on this
    /// outcome, `(level, line)` in order, each naming the device (level 2
    /// shows at the default verbosity). Callers print them where the
    /// reference does; other failures only reach the debug log.
    pub said: Vec<(u32, String)>,
    /// Whether asking again would say it again: false for what the
    /// reference says once per process (iet's unusable arguments), so a
    /// caller that reuses this answer for a second probe stays silent.
    pub repeats: bool,
}

impl Prio {
    fn value(value: i32) -> Self {
        Prio {
            value,
            said: Vec::new(),
            repeats: true,
        }
    }
}

/// Emit what a prioritizer said ([`Prio::said`]) as log events, at the
/// level the daemon's verbosity maps it to (0 error, 1 warn, 2 info,
/// 3 debug, 4 and up trace).
pub fn trace_said(said: &[(u32, String)]) {
    for (level, m) in said {
        match level {
            0 => tracing::error!("{m}"),
            1 => tracing::warn!("{m}"),
            2 => tracing::info!("{m}"),
            3 => tracing::debug!("{m}"),
            _ => tracing::trace!("{m}"),
        }
    }
}

/// Why a prioritizer has no priority of its own.
#[derive(Debug)]
enum Failure {
    /// The reason, for the debug log only; the priority is [`PRIO_UNDEF`].
    Quiet(String),
    /// What the reference says to the user then (at `level`, lines naming
    /// the device) and the priority it gives the path.
    Said {
        prio: i32,
        level: u32,
        lines: Vec<String>,
    },
    /// Said once per process: asked again, the prioritizer gives `prio`
    /// without a word.
    SaidOnce { prio: i32, level: u32, line: String },
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure::Quiet(e)
    }
}

impl Failure {
    /// One line for the user at `level`, with priority `prio`.
    fn said(prio: i32, level: u32, line: String) -> Self {
        Failure::Said {
            prio,
            level,
            lines: vec![line],
        }
    }
}

/// A prioritizer's answer: the priority, or why there is none.
type PrioResult = Result<i32, Failure>;

/// Priority of `path` by prioritizer `name` with `args` (the prio_args
/// string, may be ""), with what the prioritizer says to the user.
pub fn get_prio(name: &str, args: &str, path: &PathDev, env: &PrioEnv) -> Prio {
    let r: PrioResult = match name {
        "const" => Ok(1),
        "random" => Ok(weighted::random()),
        "sysfs" => alua::sysfs(path, args, env),
        "alua" => alua::alua(path, args, env),
        "ana" => alua::ana(path, env),
        "emc" => vendor::emc(path, env),
        "hds" => vendor::hds(path, env),
        "hp_sw" => vendor::hp_sw(path, env),
        "ontap" => vendor::ontap(path, env),
        "rdac" => vendor::rdac(path, env),
        "datacore" => vendor::datacore(path, args, env),
        "weightedpath" => weighted::weightedpath(path, args, env),
        "iet" => weighted::iet(path, args, env),
        "path_latency" => latency::path_latency(path, args, env),
        _ => Err(format!("{}: unknown prioritizer {name}", path.dev).into()),
    };
    match r {
        Ok(p) => {
            tracing::debug!(path = %path.dev, prio = name, "priority {p}");
            Prio::value(p)
        }
        Err(Failure::Quiet(e)) => {
            tracing::debug!(path = %path.dev, prio = name, "no priority: {e}");
            Prio::value(PRIO_UNDEF)
        }
        Err(Failure::Said { prio, level, lines }) => {
            tracing::debug!(path = %path.dev, prio = name, "priority {prio} after an error");
            Prio {
                value: prio,
                said: lines.into_iter().map(|l| (level, l)).collect(),
                repeats: true,
            }
        }
        Err(Failure::SaidOnce { prio, level, line }) => {
            tracing::debug!(path = %path.dev, prio = name, "priority {prio} after an error");
            Prio {
                value: prio,
                said: vec![(level, line)],
                repeats: false,
            }
        }
    }
}

/// The ALUA access state of a path as the kernel exposes it
/// (`device/access_state`), else as discovery recorded it.
fn access_state(path: &PathDev, root: &SysRoot) -> Option<String> {
    block_attr(root, &path.dev, "device/access_state").or_else(|| path.access_state.clone())
}

/// detect_prio: which prioritizer upstream would pick automatically for
/// this path, or `None` (see the module documentation for the rules).
pub fn autodetect(path: &PathDev, env: &PrioEnv) -> Option<&'static str> {
    if is_nvme(path) {
        return block_attr(env.root, &path.dev, "ana_state").map(|_| "ana");
    }
    let tpgs = path_tpgs(env.root, env.scsi, &path.dev, env.timeout_ms)?;
    if tpgs == 0 {
        return None;
    }
    let sysfs_ok = access_state(path, env.root).is_some();
    if sysfs_ok && (tpgs == 2 || !is_rdac(env.scsi, &path.dev, env.timeout_ms)) {
        Some("sysfs")
    } else {
        Some("alua")
    }
}

/// Target port group id of the path (for group_by_tpg): from sysfs
/// `vpd_pg83`, else INQUIRY VPD 0x83. `None` for NVMe paths and paths
/// without a TPG designator.
pub fn tpg_id(path: &PathDev, env: &PrioEnv) -> Option<u16> {
    if is_nvme(path) {
        return None;
    }
    tpg_id_result(path, env)
        .map_err(|e| tracing::debug!(path = %path.dev, "no target port group: {e}"))
        .ok()
}

fn tpg_id_result(path: &PathDev, env: &PrioEnv) -> Result<u16, String> {
    let dev = &path.dev;
    let page = match block_attr_bytes(env.root, dev, "device/vpd_pg83") {
        Some(p) => p,
        None => scsi::inquiry_vpd(env.scsi, dev, 0x83, 4096, env.timeout_ms)
            .map_err(|e| e.to_string())?,
    };
    scsi::vpd83_target_port_group(&page)
        .ok_or_else(|| format!("{dev}: no target port group designator in VPD page 0x83"))
}
