//! `-T`: the configuration limited to what this host uses: the hardware
//! table entries that match a present path, and a `multipaths` entry per
//! existing map.

use crate::ctx::{Ctx, Res};
use conf_parser::Value;
use mpath::assemble::path_info;
use mpath::config::attrs::Attrs;
use mpath::config::dump;

pub fn run(ctx: &Ctx) -> Res {
    let paths = ctx.scan();
    let live = ctx.live_or_empty();
    let mut c = ctx.cfg.clone();
    let matched: Vec<Vec<&Attrs>> = paths
        .iter()
        .map(|p| ctx.cfg.matching_devices(&path_info(p)))
        .collect();
    let used: Vec<Attrs> = ctx
        .cfg
        .hwtable
        .iter()
        .filter(|e| matched.iter().flatten().any(|m| std::ptr::eq(*m, *e)))
        .cloned()
        .collect();
    c.hwtable = used;
    c.multipaths = live
        .iter()
        .map(|m| {
            let mut a = ctx
                .cfg
                .multipath_entry(&m.wwid)
                .cloned()
                .unwrap_or_default();
            a.set("wwid", Value::word(m.wwid.clone()));
            if m.name != m.wwid && a.get("alias").is_none() {
                a.set("alias", Value::word(m.name.clone()));
            }
            a
        })
        .collect();
    print!("{}", dump::dump(&c));
    Ok(())
}
