//! From discovered paths to maps in the kernel, the way `multipath` (and
//! later `multipathd`'s reconfigure) does it: group paths by WWID, name the
//! map, decide the action against what the kernel already has, and the
//! views of live maps that `-l`/`-ll` print.
//!
//! Printing and exit codes stay in the binaries; this module returns values.

mod apply;
mod live;
mod naming;
mod recheck;
pub mod scsi_tmo;

pub use apply::{
    apply, commit, member_uevent_needed, record, stage, trigger_change, vanished_paths,
    without_paths, ApplyEnv, ApplyLog, RELOAD,
};

pub use live::{live_maps, live_topology, LiveMap};
pub use naming::{select_alias, AliasChoice};
pub use recheck::{
    device_state, left_out_offline, path_offline, refused_for_missing_device, Recheck, Replan,
};

use crate::assemble::{path_info, MapPlan};
use crate::config::Config;
use crate::discovery::{self, PathDev, Scan};
use crate::dm::MultipathTable;
use crate::print::{TopoGroup, TopoMap, TopoPath};
use crate::sysroot::SysRoot;

/// The udev property the WWID of a `vendor`/`product` device comes from.
pub fn uid_attribute(cfg: &Config, vendor: &str, product: &str) -> String {
    let pi = crate::config::resolve::PathInfo {
        vendor,
        product,
        ..Default::default()
    };
    cfg.resolve("uid_attribute", &pi)
        .and_then(|(v, _)| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "ID_SERIAL".into())
}

/// Scan every SCSI disk, each with the WWID source its configuration names.
pub fn discover(cfg: &Config, root: &SysRoot) -> Scan {
    discovery::scan(root, |vendor, product| uid_attribute(cfg, vendor, product))
}

/// One SCSI disk by its kernel name (`sdb`), with the WWID source its
/// configuration names: for `multipath -u`/`-U` (run by udev for each
/// uevent) and multipathd's new paths, without scanning every disk.
pub fn discover_one(cfg: &Config, root: &SysRoot, name: &str) -> Result<PathDev, String> {
    discovery::read_path(root, name, |vendor, product| {
        uid_attribute(cfg, vendor, product)
    })
}

/// Paths grouped by WWID, groups in order of their first path, paths in
/// discovery order. Paths without a WWID are left out.
pub fn coalesce(paths: Vec<PathDev>) -> Vec<(String, Vec<PathDev>)> {
    let mut out: Vec<(String, Vec<PathDev>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for p in paths {
        if p.wwid.is_empty() {
            continue;
        }
        match index.get(&p.wwid) {
            Some(&i) => out[i].1.push(p),
            None => {
                index.insert(p.wwid.clone(), out.len());
                out.push((p.wwid.clone(), vec![p]));
            }
        }
    }
    out
}

/// What a run does to one map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// No map with this WWID yet.
    Create,
    /// The live table differs, or `forced` (`multipath -r`, `reconfigure
    /// all`).
    Reload { forced: bool },
    /// The map exists under another name; `forced` as for a reload.
    Rename { from: String, forced: bool },
    /// Live map already as planned.
    Nothing,
}

impl Action {
    /// The prefix upstream prints before a changed map (`create: mpatha ...`).
    pub fn verb(&self) -> Option<&'static str> {
        match self {
            Action::Create => Some("create"),
            Action::Reload { .. } => Some("reload"),
            Action::Rename { .. } => Some("rename"),
            Action::Nothing => None,
        }
    }
}

/// Decide what to do for `plan` named `name`, given the live map with the
/// same WWID (if any).
pub fn select_action(
    plan: &MapPlan,
    name: &str,
    live: Option<&LiveMap>,
    force_reload: bool,
) -> Action {
    let Some(l) = live else {
        return Action::Create;
    };
    if l.name != name {
        return Action::Rename {
            from: l.name.clone(),
            forced: force_reload,
        };
    }
    let same = l.table.as_ref().is_some_and(|t| {
        t.length == plan.size && crate::assemble::table_matches(&plan.table, &t.params)
    });
    if force_reload || !same {
        Action::Reload {
            forced: force_reload,
        }
    } else {
        Action::Nothing
    }
}

/// Whether the `live` map's table holds every path of `plan` (by
/// `major:minor`), whatever its groups, policy or features.
pub fn holds_all_paths(live: &LiveMap, plan: &MapPlan) -> bool {
    live.table.as_ref().is_some_and(|t| {
        plan.paths.iter().all(|p| {
            t.params
                .groups
                .iter()
                .flat_map(|g| &g.paths)
                .any(|tp| tp.dev.to_string() == p.dev.dev_t)
        })
    })
}

/// The topology of a planned map (what `multipath` prints after creating
/// or reloading it): kernel-side fields are `undef`, except the state each
/// path has in the `live` map with this WWID (`active`, `failed`) as the
/// kernel reported it before the change; a path it does not hold is `undef`.
pub fn plan_topology(plan: &MapPlan, name: &str, live: Option<&LiveMap>) -> TopoMap {
    let status = live.and_then(|l| l.status.as_ref()).map(|s| &s.params);
    let dm_state = |dev_t: &str| -> String {
        status
            .and_then(|s| {
                s.groups
                    .iter()
                    .flat_map(|g| &g.paths)
                    .find(|sp| sp.dev.to_string() == dev_t)
            })
            .map_or("undef", |sp| sp.state.as_str())
            .into()
    };
    TopoMap {
        name: name.to_string(),
        wwid: plan.wwid.clone(),
        sysfs: "undef".into(),
        vendor_product: plan.vendor_product(),
        size: plan.size,
        features: plan.features.clone(),
        hwhandler: plan.hwhandler.clone(),
        wp: "undef".into(),
        groups: plan
            .groups
            .iter()
            .map(|g| TopoGroup {
                selector: plan.selector.clone(),
                prio: g.prio,
                status: "undef".into(),
                paths: g
                    .paths
                    .iter()
                    .map(|&i| {
                        let p = &plan.paths[i];
                        TopoPath {
                            hcil: p.dev.hcil.clone(),
                            dev: p.dev.dev.clone(),
                            dev_t: p.dev.dev_t.clone(),
                            dm_state: dm_state(&p.dev.dev_t),
                            chk_state: p.state.name().into(),
                            dev_state: p.dev.state.clone(),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The features string of a table as the kernel echoes it (`0`, `1 queue_if_no_path`).
pub fn features_of(t: &MultipathTable) -> String {
    crate::assemble::counted(&t.features)
}

/// Resolve a keyword for a WWID's first path as a plain string.
pub fn setting(cfg: &Config, name: &str, first: &PathDev) -> Option<String> {
    cfg.resolve_text(name, &path_info(first)).map(|(v, _)| v)
}

#[cfg(test)]
mod tests;
