//! `show topology`, `show maps topology` and `show map M topology`: the
//! `multipath -ll` block of each map, rendered by [`mpath::print::TopoMap`]
//! from the daemon's state.
//!
//! Unlike `multipath -ll`, which pads the path columns per map, the daemon
//! pads them to the widest value over every path it knows (orphans
//! included), whether it prints one map or all of them.

use super::wildcards::{
    group_state, map_vendor_product, path_chk_state, path_dev_state, path_dm_state, value,
    MAP_FIELDS, PATH_FIELDS,
};
use super::Ctx;
use crate::model::{Map, Path, State};
use mpath::foreign::ForeignMap;
use mpath::print::{TopoGroup, TopoMap, TopoPath};
use std::time::Instant;

/// The topology of all maps (`only: None`) or of one map; empty when there
/// is nothing to print (the caller answers `ok`).
pub fn topology(st: &State, only: Option<&Map>) -> String {
    let ctx = Ctx::new(st, Instant::now());
    let widths = widths(&native_rows(&ctx, st));
    let mut out = String::new();
    let maps: Vec<&Map> = match only {
        Some(m) => vec![m],
        None => st.maps.iter().collect(),
    };
    for m in maps {
        out.push_str(&topo_map(&ctx, m).render_with(action(m), &widths));
    }
    out
}

/// `show [maps] topology` with foreign maps: the daemon's maps, then
/// `foreign`, the path columns padded to the widest value over both (the
/// last column too on the foreign maps' lines, as the library prints it).
/// `show map M topology` knows the daemon's maps only ([`topology`]).
pub fn topology_with(st: &State, foreign: &[ForeignMap]) -> String {
    let ctx = Ctx::new(st, Instant::now());
    let mut rows = native_rows(&ctx, st);
    rows.extend(foreign.iter().flat_map(|m| {
        m.topology
            .groups
            .iter()
            .flat_map(|g| g.paths.iter().cloned())
    }));
    let widths = widths(&rows);
    let mut out = String::new();
    for m in &st.maps {
        out.push_str(&topo_map(&ctx, m).render_with(action(m), &widths));
    }
    for m in foreign {
        out.push_str(&m.topology.render_foreign_with(m.library, &widths));
    }
    out
}

/// The header's prefix: what the daemon did to the map when it set it up
/// (`create: mpatha ...` for a map it created at start-up, as the
/// reference prints it), none for a map it found in the kernel.
fn action(m: &Map) -> Option<&str> {
    (!m.action.is_empty()).then_some(m.action.as_str())
}

fn native_rows(ctx: &Ctx<'_>, st: &State) -> Vec<TopoPath> {
    st.paths.iter().map(|p| topo_path(ctx, p)).collect()
}

/// Column widths of `%i %d %D %t %T %o` over `rows`.
fn widths(rows: &[TopoPath]) -> [usize; 6] {
    let mut w = [0; 6];
    for r in rows {
        let cols = [
            &r.hcil,
            &r.dev,
            &r.dev_t,
            &r.dm_state,
            &r.chk_state,
            &r.dev_state,
        ];
        for (w, c) in w.iter_mut().zip(cols) {
            *w = (*w).max(c.len());
        }
    }
    w
}

fn topo_path(ctx: &Ctx<'_>, p: &Path) -> TopoPath {
    TopoPath {
        hcil: value(&PATH_FIELDS, 'i', ctx, p),
        dev: value(&PATH_FIELDS, 'd', ctx, p),
        dev_t: value(&PATH_FIELDS, 'D', ctx, p),
        dm_state: path_dm_state(p).into(),
        chk_state: path_chk_state(ctx, p).into(),
        dev_state: path_dev_state(ctx, p).into(),
    }
}

/// The map as `TopoMap` prints it.
pub(crate) fn topo_map(ctx: &Ctx<'_>, m: &Map) -> TopoMap {
    TopoMap {
        name: m.name.clone(),
        wwid: m.wwid.clone(),
        sysfs: value(&MAP_FIELDS, 'd', ctx, m),
        vendor_product: map_vendor_product(ctx, m),
        size: m.size,
        features: m.features.clone(),
        hwhandler: m.hwhandler.clone(),
        wp: value(&MAP_FIELDS, 'r', ctx, m),
        groups: m
            .groups
            .iter()
            .map(|g| TopoGroup {
                selector: g.selector.clone(),
                prio: g.prio,
                status: group_state(g).into(),
                paths: ctx.group_paths(g).map(|p| topo_path(ctx, p)).collect(),
            })
            .collect(),
    }
}
