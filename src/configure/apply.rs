//! Carrying out an [`Action`] on the kernel, with what upstream does around
//! it: the wwids file and the `failed_wwids` marker after a create, a change
//! uevent on each member path so udev re-evaluates it as a multipath member.
//! Used by `multipathd` (startup, reconfigure, new paths); `multipath` does
//! the same steps.

use super::Action;
use crate::assemble::{AssembleOpts, MapPlan, PathFacts};
use crate::config::Config;
use crate::discovery::PathDev;
use crate::dm::{
    map_uuid, CreateOptions, DeviceMapper, DmError, DmTarget, ResumeOptions, UdevFlags,
};
use crate::files::wwids::{FailedWwids, WwidsFile};
use crate::sysroot::SysRoot;

/// A live reload: no flush of queued I/O; udev is told it is a reload
/// (its rules then leave the device's contents alone: `MPATH_UNCHANGED`).
pub const RELOAD: ResumeOptions = ResumeOptions {
    noflush: true,
    udev: UdevFlags {
        reload: true,
        skip_kpartx: false,
        no_usable_paths: false,
    },
};

/// A reload asked for by the admin (`multipath -r`, `reconfigure all`):
/// udev runs its rules in full, as after upstream's forced reloads (seen
/// in the VM: no reload flag in the uevent's cookie). Their blkid probe is
/// the first I/O after the reload, which also lets the kernel run the
/// hardware handler's pg_init at once.
pub const FORCED_RELOAD: ResumeOptions = ResumeOptions {
    noflush: true,
    udev: UdevFlags {
        reload: false,
        skip_kpartx: false,
        no_usable_paths: false,
    },
};

fn reload_options(forced: bool, plan: &MapPlan) -> ResumeOptions {
    let mut o = if forced { FORCED_RELOAD } else { RELOAD };
    o.udev.skip_kpartx = plan.skip_kpartx;
    o
}

/// The udev flags of a map's create or rename: `skip_kpartx` only.
fn map_udev_flags(plan: &MapPlan) -> UdevFlags {
    UdevFlags {
        skip_kpartx: plan.skip_kpartx,
        ..UdevFlags::default()
    }
}

/// Where the side effects of a create go.
pub struct ApplyEnv<'a> {
    pub dm: &'a dyn DeviceMapper,
    pub root: &'a SysRoot,
    /// `None`: the wwids file could not be read; nothing is recorded.
    pub wwids: Option<&'a mut WwidsFile>,
    pub failed: &'a FailedWwids,
}

/// What [`apply`] has to say besides its result.
#[derive(Debug, Default)]
pub struct ApplyLog {
    /// `-v3` lines.
    pub debug: Vec<String>,
    /// Problems that did not stop the action (the wwids file could not be
    /// written).
    pub errors: Vec<String>,
}

/// Do `action` for `plan` under `name`; the error names the map.
pub fn apply(
    env: &mut ApplyEnv<'_>,
    action: &Action,
    name: &str,
    plan: &MapPlan,
    log: &mut ApplyLog,
) -> Result<(), DmError> {
    let res = stage(env.dm, action, name, plan).and_then(|()| commit(env.dm, action, name, plan));
    record(env, action, plan, &res, log);
    res
}

/// The DM UUID and flags of a new map.
fn create_options(plan: &MapPlan) -> CreateOptions {
    CreateOptions {
        uuid: Some(map_uuid(&plan.wwid)),
        read_only: false,
        udev: map_udev_flags(plan),
    }
}

/// The first, quick part of `action`, to be done in the order the maps are
/// decided: a new map's device is created with its table loaded but not live
/// ([`DeviceMapper::create_inactive`]), so the kernel numbers the devices
/// (`dm-N`) in that order even when [`commit`] runs for many maps at once.
pub fn stage(
    dm: &dyn DeviceMapper,
    action: &Action,
    name: &str,
    plan: &MapPlan,
) -> Result<(), DmError> {
    match action {
        Action::Create => {
            let target = [DmTarget::multipath(plan.size, &plan.table)];
            dm.create_inactive(name, &target, &create_options(plan))
        }
        _ => Ok(()),
    }
}

/// The rest of `action` after [`stage`]: the resume, reload or rename, each
/// of which waits for udev. Safe to run for several maps concurrently.
pub fn commit(
    dm: &dyn DeviceMapper,
    action: &Action,
    name: &str,
    plan: &MapPlan,
) -> Result<(), DmError> {
    let target = [DmTarget::multipath(plan.size, &plan.table)];
    match action {
        Action::Create => dm.activate(name, &create_options(plan)).map(|_| ()),
        Action::Reload { forced } => dm.reload(name, &target, reload_options(*forced, plan)),
        Action::Rename { from, forced } => dm
            .rename(from, name, map_udev_flags(plan))
            .and_then(|()| dm.reload(name, &target, reload_options(*forced, plan))),
        Action::Nothing => Ok(()),
    }
}

/// What follows the kernel's answer `res` to `action`: the `failed_wwids`
/// marker; after a create, the wwids file and the member paths' uevents.
pub fn record(
    env: &mut ApplyEnv<'_>,
    action: &Action,
    plan: &MapPlan,
    res: &Result<(), DmError>,
    log: &mut ApplyLog,
) {
    if *action != Action::Create {
        return;
    }
    if res.is_err() {
        let _ = env.failed.mark(&plan.wwid);
        return;
    }
    let _ = env.failed.unmark(&plan.wwid);
    if let Some(w) = env.wwids.as_deref_mut() {
        match w.add(&plan.wwid) {
            Ok(true) => log
                .debug
                .push(format!("wrote wwid {} to wwids file", plan.wwid)),
            Ok(false) => {}
            Err(e) => log.errors.push(format!("{e}")),
        }
    }
    for p in plan.paths.iter().filter(|p| member_uevent_needed(&p.dev)) {
        trigger_change(env.root, &p.dev.dev, &mut log.debug);
    }
}

/// Whether a path that just became a member of a new map needs a change
/// uevent, judged from its udev properties: not when udev already marks it
/// `DM_MULTIPATH_DEVICE_PATH=1`, unless a find_multipaths timer is running
/// for it (`FIND_MULTIPATHS_WAIT_UNTIL` set and not `0`: the rules are
/// waiting and must hear now). Each uevent costs a run of the udev rules
/// (and of `multipath -u`) per path. Observed with the reference in the VM
/// bench: a create on paths marked `1` without a timer sends no path uevent.
pub fn member_uevent_needed(path: &PathDev) -> bool {
    if path.udev_prop("DM_MULTIPATH_DEVICE_PATH") != Some("1") {
        return true;
    }
    path.udev_prop("FIND_MULTIPATHS_WAIT_UNTIL")
        .is_some_and(|w| w != "0")
}

/// Ask the kernel to send a change uevent for block device `dev`.
pub fn trigger_change(root: &SysRoot, dev: &str, log: &mut Vec<String>) {
    log.push(format!(
        "triggering change uevent for {dev} (is multipath member)"
    ));
    let f = root.join(format!("/sys/block/{dev}/uevent"));
    if let Err(e) = std::fs::write(&f, "change") {
        log.push(format!("{dev}: cannot trigger uevent: {e}"));
    }
}

/// The paths of `plan` whose block device has left sysfs since discovery
/// (deleted, or its host removed): the kernel would refuse a table naming
/// them. Checked right before a map is handed to the kernel, as upstream
/// does ("failed to access path").
pub fn vanished_paths<'a>(root: &SysRoot, plan: &'a MapPlan) -> Vec<&'a str> {
    plan.paths
        .iter()
        .map(|p| p.dev.dev.as_str())
        .filter(|d| !root.join(format!("/sys/block/{d}")).exists())
        .collect()
}

/// `plan` assembled again without the paths named in `gone` (groups,
/// priorities and features recomputed from the paths left); `None` when
/// none is left.
pub fn without_paths(
    cfg: &Config,
    plan: &MapPlan,
    gone: &[&str],
    opts: &AssembleOpts,
) -> Option<MapPlan> {
    let left: Vec<PathFacts> = plan
        .paths
        .iter()
        .filter(|p| !gone.contains(&p.dev.dev.as_str()))
        .cloned()
        .collect();
    if left.is_empty() {
        return None;
    }
    Some(crate::assemble::assemble(cfg, &plan.wwid, left, opts))
}
