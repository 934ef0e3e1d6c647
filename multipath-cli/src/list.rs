//! `-l` and `-ll`: the topology of the maps in the kernel.

use crate::ctx::{daemon_running, selected_wwid, Ctx, Res, DAEMON_WARNING};
use mpath::assemble::Gather;
use mpath::configure;

pub fn run(ctx: &Ctx, long: bool) -> Res {
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let paths = ctx.scan();
    let only = selected_wwid(ctx, &paths, &live)?;
    let how = if long { Gather::Probe } else { Gather::Select };
    let mut out = String::new();
    for m in &live {
        if only.as_ref().is_some_and(|w| *w != m.wwid) {
            continue;
        }
        match ctx.verbosity {
            0 => {}
            1 => {
                out.push_str(&m.name);
                out.push('\n');
            }
            _ => {
                let mut log = Vec::new();
                let t = configure::live_topology(&ctx.cfg, m, &paths, &ctx.probe(), how, &mut log);
                ctx.logs(3, &log);
                out.push_str(&t.render(None));
            }
        }
    }
    print!("{out}");
    if !live.is_empty() && !daemon_running() {
        ctx.error(DAEMON_WARNING);
    }
    Ok(())
}
