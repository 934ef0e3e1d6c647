//! Asymmetric access prioritizers: sysfs and alua (SCSI ALUA), ana (NVMe).
//!
//! sysfs and alua give the same numbers: active/optimized 50,
//! active/non-optimized 10, lba-dependent 5, standby 1, anything else 0;
//! plus 80 for a preferred port group unless it is active/optimized, or
//! always with the argument `exclusive_pref_bit`.

use super::{access_state, tpg_id_result, Failure, PrioEnv, PrioResult, PRIO_UNDEF};
use crate::checker::block_attr;
use crate::discovery::PathDev;
use crate::scsi::{self, parse_rtpg, AluaState, TargetPortGroup};

fn exclusive_pref_bit(args: &str) -> bool {
    args.split_whitespace().any(|a| a == "exclusive_pref_bit")
}

/// The priority of an ALUA state and preferred bit.
pub(crate) fn alua_value(state: AluaState, pref: bool, exclusive_pref: bool) -> i32 {
    let base = match state {
        AluaState::ActiveOptimized => 50,
        AluaState::ActiveNonOptimized => 10,
        AluaState::LbaDependent => 5,
        AluaState::Standby => 1,
        _ => 0,
    };
    let bonus = pref && (state != AluaState::ActiveOptimized || exclusive_pref);
    base + if bonus { 80 } else { 0 }
}

pub(super) fn sysfs(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let text =
        access_state(path, env.root).ok_or_else(|| format!("{dev}: no access_state in sysfs"))?;
    let state = AluaState::from_sysfs(&text)
        .ok_or_else(|| format!("{dev}: unknown access_state {text:?}"))?;
    let pref = match block_attr(env.root, dev, "device/preferred_path") {
        Some(p) => p == "1",
        None => path.preferred_path,
    };
    Ok(alua_value(state, pref, exclusive_pref_bit(args)))
}

/// The target port group of a path with its current state: the TPG id from
/// VPD page 0x83, then REPORT TARGET PORT GROUPS.
pub(crate) fn alua_group(path: &PathDev, env: &PrioEnv) -> Result<TargetPortGroup, String> {
    let dev = &path.dev;
    let id = tpg_id_result(path, env)?;
    let data = scsi::report_target_port_groups(env.scsi, dev, env.timeout_ms)
        .map_err(|e| e.to_string())?;
    parse_rtpg(&data)
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| format!("{dev}: target port group {id} not in the RTPG reply"))
}

pub(super) fn alua(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let tpgs = scsi::inquiry_tpgs(env.scsi, dev, env.timeout_ms).map_err(|e| e.to_string())?;
    if tpgs == 0 {
        return Err(format!("{dev}: device does not support ALUA (TPGS 0)").into());
    }
    let g = alua_group(path, env)?;
    Ok(alua_value(g.state, g.pref, exclusive_pref_bit(args)))
}

/// NVMe ANA state of the path from sysfs `ana_state`. A path that is not
/// NVMe has none: the reference says so (level 2, seen in the VM on SCSI
/// paths) and gives no priority.
pub(super) fn ana(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    if !crate::checker::is_nvme(path) {
        return Err(Failure::said(
            PRIO_UNDEF,
            2,
            format!("{dev}: ANA error: couldn't get ctrl info"),
        ));
    }
    let s = block_attr(env.root, dev, "ana_state")
        .ok_or_else(|| format!("{dev}: no ana_state in sysfs (ANA not supported?)"))?;
    match s.as_str() {
        "optimized" => Ok(50),
        "non-optimized" => Ok(10),
        "inaccessible" | "change" => Ok(1),
        "persistent-loss" => Ok(0),
        _ => Err(format!("{dev}: unknown ana_state {s:?}").into()),
    }
}
