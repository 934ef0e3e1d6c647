//! `-T`: the configuration limited to what this host uses (the present
//! paths and the existing maps); the rendering is shared with
//! `multipathd show config local` ([`mpath::config::local`]).

use crate::ctx::{Ctx, Res};
use mpath::assemble::path_info;
use mpath::config::local::{dump_local, LocalMap};

pub fn run(ctx: &Ctx) -> Res {
    let paths = ctx.scan();
    let live = ctx.live_or_empty();
    let infos: Vec<_> = paths.iter().map(path_info).collect();
    let maps: Vec<LocalMap> = live
        .iter()
        .map(|m| LocalMap {
            wwid: &m.wwid,
            name: &m.name,
        })
        .collect();
    print!("{}", dump_local(&ctx.cfg, &infos, &maps));
    Ok(())
}
