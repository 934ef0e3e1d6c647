//! Maps as the kernel has them, and their topology for `-l` / `-ll`.

use crate::assemble::{self, Gather, PathFacts, Probe};
use crate::checker::PathState;
use crate::config::Config;
use crate::discovery::PathDev;
use crate::dm::{wwid_from_uuid, DeviceMapper, DmError, DmInfo, GroupState, StatusLine, TableLine};
use crate::print::{TopoGroup, TopoMap, TopoPath};

/// Vendor and product of a listed map none of whose paths is shown.
const NO_VENDOR_PRODUCT: &str = "##,##";

/// A multipath map in the kernel (DM UUID `mpath-<wwid>`).
#[derive(Debug, Clone)]
pub struct LiveMap {
    pub name: String,
    pub wwid: String,
    pub info: DmInfo,
    /// `None` when the table could not be read or parsed.
    pub table: Option<TableLine>,
    pub status: Option<StatusLine>,
}

/// Every multipath map, in name order. A map whose table or status cannot
/// be read is still listed (with `None`), so it is never forgotten.
pub fn live_maps(dm: &dyn DeviceMapper) -> Result<Vec<LiveMap>, DmError> {
    let mut out = Vec::new();
    for e in dm.list()? {
        let Some(info) = dm.info(&e.name)? else {
            continue; // vanished since the list
        };
        let Some(wwid) = wwid_from_uuid(&info.uuid).map(str::to_string) else {
            continue;
        };
        let table = dm.multipath_table(&e.name).ok().flatten();
        if table.is_none() && dm.table(&e.name).is_ok_and(|t| !t.is_empty()) {
            // An mpath- UUID on a device of another target type is not ours.
            continue;
        }
        let status = dm.multipath_status(&e.name).ok().flatten();
        out.push(LiveMap {
            name: e.name,
            wwid,
            info,
            table,
            status,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The topology of a live map. `paths` are the discovered paths (looked up
/// by `major:minor`); those `hidden` says are left out, and so are groups
/// left without a path. With `how == Gather::Probe` (`-ll`) checkers and
/// prioritizers run, else (`-l`) checker states are `undef` and group
/// priorities 0. Vendor and product come from the first path shown
/// (`##,##` without one). `log` receives `(level, line)`: what the
/// prioritizers said for the user, and the `-v3` lines.
pub fn live_topology(
    cfg: &Config,
    map: &LiveMap,
    paths: &[PathDev],
    hidden: &dyn Fn(&PathDev) -> bool,
    probe: &Probe<'_>,
    how: Gather,
    log: &mut Vec<(u32, String)>,
) -> TopoMap {
    let mut topo = TopoMap {
        name: map.name.clone(),
        wwid: map.wwid.clone(),
        sysfs: format!("dm-{}", map.info.dev.minor),
        wp: if map.info.read_only { "ro" } else { "rw" }.into(),
        features: "0".into(),
        hwhandler: "0".into(),
        ..TopoMap::default()
    };
    let Some(t) = &map.table else {
        topo.vendor_product = NO_VENDOR_PRODUCT.into();
        return topo;
    };
    topo.size = t.length;
    topo.features = assemble::counted(&t.params.features);
    topo.hwhandler = assemble::counted(&t.params.hw_handler);
    let status = map.status.as_ref().map(|s| &s.params);
    for (gi, g) in t.params.groups.iter().enumerate() {
        let sg = status.and_then(|s| s.groups.get(gi));
        let mut facts: Vec<PathFacts> = Vec::new();
        let mut tpaths = Vec::new();
        for tp in &g.paths {
            let devt = tp.dev.to_string();
            let found = paths.iter().find(|p| p.dev_t == devt).cloned();
            let dm_state = sg
                .and_then(|s| s.paths.iter().find(|sp| sp.dev == tp.dev))
                .map(|sp| sp.state.as_str())
                .unwrap_or("undef");
            match found {
                Some(dev) if hidden(&dev) => {}
                Some(dev) => {
                    if topo.vendor_product.is_empty() {
                        topo.vendor_product = format!("{},{}", dev.vendor, dev.product);
                    }
                    let f = if how == Gather::Probe {
                        let mut debug = Vec::new();
                        let f = assemble::gather(cfg, dev, probe, how, &mut debug);
                        log.extend(f.prio_said.iter().cloned());
                        log.extend(debug.into_iter().map(|l| (3, l)));
                        f
                    } else {
                        PathFacts::unprobed(dev)
                    };
                    tpaths.push(TopoPath {
                        hcil: f.dev.hcil.clone(),
                        dev: f.dev.dev.clone(),
                        dev_t: devt,
                        dm_state: dm_state.into(),
                        chk_state: f.state.name().into(),
                        dev_state: f.dev.state.clone(),
                    });
                    facts.push(f);
                }
                None => tpaths.push(TopoPath {
                    hcil: "#:#:#:#".into(),
                    dev: "-".into(),
                    dev_t: devt,
                    dm_state: dm_state.into(),
                    chk_state: PathState::Undef.name().into(),
                    dev_state: "undef".into(),
                }),
            }
        }
        if tpaths.is_empty() {
            continue;
        }
        let (prio, _) = assemble::group_prio(&facts.iter().collect::<Vec<_>>());
        let selector = format!("{} {}", g.selector, assemble::counted(&g.selector_args));
        topo.groups.push(TopoGroup {
            selector,
            prio,
            status: sg
                .map(|s| match s.state {
                    GroupState::Active => "active",
                    GroupState::Enabled => "enabled",
                    GroupState::Disabled => "disabled",
                })
                .unwrap_or("undef")
                .into(),
            paths: tpaths,
        });
    }
    if topo.vendor_product.is_empty() {
        topo.vendor_product = NO_VENDOR_PRODUCT.into();
    }
    topo
}
