//! The configuration limited to what this host uses, as `multipath -T` and
//! `multipathd show config local` print it: the hardware table entries that
//! match a present path, and a `multipaths` entry per existing map.

use super::dump::{self, head};
use super::{Attrs, Config, PathInfo};
use conf_parser::keywords::Section;
use conf_parser::Value;

/// A multipath map that exists (in the kernel, or in the daemon's state).
#[derive(Debug, Clone, Copy)]
pub struct LocalMap<'a> {
    pub wwid: &'a str,
    /// The map's name: its alias, or the WWID.
    pub name: &'a str,
}

/// The hardware table entries some path in `paths` matches, in table order.
fn used_hwes<'c>(cfg: &'c Config, paths: &[PathInfo<'_>]) -> Vec<&'c Attrs> {
    let matched: Vec<Vec<&Attrs>> = paths.iter().map(|p| cfg.matching_devices(p)).collect();
    cfg.hwtable
        .iter()
        .filter(|e| matched.iter().flatten().any(|m| std::ptr::eq(*m, *e)))
        .collect()
}

/// `cfg` in `multipath.conf` syntax, its `devices` section limited to the
/// entries `paths` use and its `multipaths` section to `maps`.
pub fn dump_local(cfg: &Config, paths: &[PathInfo<'_>], maps: &[LocalMap<'_>]) -> String {
    let mut out = head(cfg, used_hwes(cfg, paths));
    if maps.is_empty() {
        return out;
    }
    out.push_str("multipaths {\n");
    for m in maps {
        let mut a = cfg.multipath_entry(m.wwid).cloned().unwrap_or_default();
        a.set("wwid", Value::word(m.wwid.to_string()));
        if m.name != m.wwid && a.get("alias").is_none() {
            a.set("alias", Value::word(m.name.to_string()));
        }
        out.push_str("\tmultipath {\n");
        dump::attrs(&mut out, 2, Section::Multipath, &a);
        out.push_str("\t}\n");
    }
    out.push_str("}\n");
    out
}
