//! `-l` and `-ll`: the topology of the maps in the kernel.

use crate::ctx::{daemon_running, device_path, selected_wwid, Ctx, Res, DAEMON_WARNING};
use crate::{gate, pathlist};
use mpath::assemble::Gather;
use mpath::configure;
use mpath::discovery::PathDev;
use mpath::prio::PRIO_UNDEF;

pub fn run(ctx: &Ctx, long: bool) -> Res {
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let paths = ctx.scan();
    let only = selected_wwid(ctx, &paths, &live)?;
    let how = if long { Gather::Probe } else { Gather::Select };
    // `-v3`: the paths list, without priorities (upstream's list modes
    // discover without them) and with WWIDs only when a device argument
    // made it read them.
    let mut out = String::new();
    if ctx.verbosity >= 3 {
        let wwid = ctx.args.device.is_some();
        let listed: Vec<PathDev> = paths
            .iter()
            .filter(|p| !gate::blacklisted_as_read(ctx, p, wwid))
            .cloned()
            .collect();
        let first = device_path(ctx, &paths, &live).map(|p| p.dev_t);
        out = pathlist::render(ctx, &listed, first.as_deref(), wwid, |_| PRIO_UNDEF);
    }
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
