//! What `show` commands print, rendered from a [`crate::model::State`]
//! snapshot: the `%` wildcards of maps and paths (pretty with a header and
//! padded columns, or raw), `show maps status|stats`, `show status`,
//! `show wildcards`, `show daemon`, the topology and the JSON document.
//!
//! Every function reads the snapshot (and the clock reading it is given,
//! for the `%C` countdown) and returns the reply text; only the wildcards
//! upstream reads from sysfs when printing (`%k`, the FC names, the host
//! adapter) read it, under the snapshot's root, and only when asked for. An empty
//! string means "nothing to print": the server then answers `ok`, as
//! upstream does for an empty `show maps`.
//!
//! - [`wildcards`]: the wildcard tables (`%n`, `%d`, ...) and `show wildcards`;
//! - [`table`]: `show paths|maps [raw] [format F]`, `show maps status|stats`,
//!   `show map M format F`, `show path P`;
//! - [`topology`]: `show [maps] topology`, `show map M topology`;
//! - [`json`]: `show maps json`, `show map M json`;
//! - [`status`]: `show status`, `show daemon`;
//! - [`config`]: `show config local`, `show blacklist`, `show devices`.

mod config;
mod foreign;
mod json;
mod status;
mod table;
mod topology;
mod wildcards;

#[cfg(test)]
pub(crate) mod tests;

pub use config::{blacklist, config_local, devices, devices_with};
pub use json::{json_map, json_maps};
pub use status::{daemon, status};
pub use table::{
    map_one, maps, maps_stats, maps_status, maps_with, path_dev_state, paths, paths_with,
    MAPS_DEFAULT, MAPS_STATS, MAPS_STATUS, PATHS_DEFAULT,
};
pub use topology::{topology, topology_with};
pub use wildcards::wildcards;

use crate::model::{Group, Map, Path, State};
use mpath::SysRoot;
use std::collections::HashMap;
use std::time::Instant;

/// What a wildcard may look at besides its object: the time of the request
/// and look-up tables over the snapshot built once per request (paths by
/// `major:minor`, maps by WWID), so that rendering stays linear at
/// thousands of paths.
pub(crate) struct Ctx<'a> {
    pub now: Instant,
    pub root: &'a SysRoot,
    paths_by_devt: HashMap<&'a str, &'a Path>,
    maps_by_wwid: HashMap<&'a str, &'a Map>,
}

impl<'a> Ctx<'a> {
    pub fn new(st: &'a State, now: Instant) -> Self {
        let mut paths_by_devt = HashMap::with_capacity(st.paths.len());
        for p in &st.paths {
            paths_by_devt.entry(p.dev.dev_t.as_str()).or_insert(p);
        }
        let mut maps_by_wwid = HashMap::with_capacity(st.maps.len());
        for m in &st.maps {
            maps_by_wwid.entry(m.wwid.as_str()).or_insert(m);
        }
        Ctx {
            now,
            root: &st.root,
            paths_by_devt,
            maps_by_wwid,
        }
    }

    /// The map a path belongs to, if the daemon knows it.
    pub fn map_of(&self, p: &Path) -> Option<&'a Map> {
        p.map
            .as_deref()
            .and_then(|w| self.maps_by_wwid.get(w).copied())
    }

    /// The known paths of a group, in table order.
    pub fn group_paths<'g>(&'g self, g: &'g Group) -> impl Iterator<Item = &'a Path> + 'g {
        g.paths
            .iter()
            .filter_map(|devt| self.paths_by_devt.get(devt.as_str()).copied())
    }

    /// The known paths of a map, group after group, in table order.
    pub fn paths_of<'g>(&'g self, m: &'g Map) -> impl Iterator<Item = &'a Path> + 'g {
        m.groups.iter().flat_map(|g| self.group_paths(g))
    }
}
