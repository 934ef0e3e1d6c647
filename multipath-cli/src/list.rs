//! `-l` and `-ll`: the topology of the maps in the kernel.

use crate::ctx::{
    daemon_running, device_path, resolve, selected_wwid, Ctx, Fail, Res, DAEMON_WARNING,
};
use crate::{gate, pathlist};
use mpath::assemble::Gather;
use mpath::configure::{self, LiveMap};
use mpath::discovery::PathDev;
use mpath::foreign::{self, Enabled};
use mpath::prio::PRIO_UNDEF;

pub fn run(ctx: &Ctx, long: bool) -> Res {
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let paths = ctx.scan();
    let only = selected(ctx, &paths, &live)?;
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
        let listed = match &only {
            Native::All => true,
            Native::Wwid(w) => *w == m.wwid,
            Native::Nothing => false,
        };
        if !listed {
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
    // Foreign maps (native NVMe multipath) follow, with `-e` or when
    // `enable_foreign` names their library.
    let enabled = if ctx.args.enable_foreign {
        Enabled::All
    } else {
        Enabled::from_config(&ctx.cfg)
    };
    if enabled.any() && ctx.verbosity > 0 {
        for m in foreign::maps(&ctx.root, &enabled) {
            if ctx.verbosity == 1 {
                out.push_str(&m.name);
                out.push('\n');
            } else {
                out.push_str(&m.render());
            }
        }
    }
    print!("{out}");
    if !live.is_empty() && !daemon_running() {
        ctx.error(DAEMON_WARNING);
    }
    Ok(())
}

/// The native maps a device argument selects.
enum Native {
    All,
    /// Those of this WWID.
    Wwid(String),
    Nothing,
}

/// What the device argument selects. The reference lists no native map, and
/// still every foreign one, for a name that is no path, map or WWID
/// (`nvme0n1`, `foo`); a `/dev/` node of a block device that is no path (a
/// foreign device) ends the command with status 1 and no message; a node
/// that does not exist is reported as not a valid argument.
fn selected(ctx: &Ctx, paths: &[PathDev], live: &[LiveMap]) -> Res<Native> {
    let Some(arg) = ctx.args.device.as_deref() else {
        return Ok(Native::All);
    };
    if resolve(arg, paths, live).is_some() || arg.contains(':') {
        return Ok(selected_wwid(ctx, paths, live)?.map_or(Native::All, Native::Wwid));
    }
    match arg.strip_prefix("/dev/") {
        Some(base) if ctx.root.join(format!("/sys/block/{base}")).exists() => Err(Fail),
        Some(_) => selected_wwid(ctx, paths, live).map(|_| Native::Nothing),
        None => Ok(Native::Nothing),
    }
}
