//! `-l` and `-ll`: the topology of the maps in the kernel.

use crate::ctx::{
    daemon_running, device_path, selection_target, target_wwid, Ctx, Fail, Res, Selected, Target,
    DAEMON_WARNING,
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
    // A `/dev/` node of a block device that is no path (a foreign device)
    // ends the command with status 1 and no message, as the reference.
    let (only, target) = selection_target(ctx, &paths, &live)?;
    if only == Selected::OtherNode || refused_argument(ctx, target.as_ref(), &live) {
        return Err(Fail);
    }
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
        if !only.wants(&m.wwid) {
            continue;
        }
        let hidden = |p: &PathDev| gate::hidden_from_listing(ctx, p);
        if ctx.verbosity >= 2 {
            gate::say_discarded(ctx, m, &paths, hidden);
        }
        // `-ll` probes the paths whatever the verbosity: what its
        // prioritizers say at levels 0 and 1 shows (seen in the VM).
        let topo = (ctx.verbosity >= 2 || long).then(|| {
            let mut log = Vec::new();
            let t =
                configure::live_topology(&ctx.cfg, m, &paths, &hidden, &ctx.probe(), how, &mut log);
            ctx.says(&log);
            t
        });
        match (ctx.verbosity, topo) {
            (0, _) => {}
            (1, _) => {
                out.push_str(&m.name);
                out.push('\n');
            }
            (_, Some(t)) => out.push_str(&t.render(None)),
            (_, None) => {}
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
    // The reference warns only when it listed a map.
    if live.iter().any(|m| only.wants(&m.wwid)) && !daemon_running() {
        ctx.log(2, DAEMON_WARNING);
    }
    Ok(())
}

/// A device argument the reference lists nothing for, silently and with
/// status 1 (seen in the VM): a path it would not discover (see
/// [`gate::hidden_from_listing`]) or whose WWID is blacklisted, and a map
/// name or WWID blacklisted by `wwid`.
fn refused_argument(ctx: &Ctx, target: Option<&Target>, live: &[LiveMap]) -> bool {
    let Some(t) = target else {
        return false;
    };
    if let Target::Path(p) = t {
        if gate::hidden_from_listing(ctx, p) {
            return true;
        }
    }
    let wwid = target_wwid(t, live);
    !wwid.is_empty() && ctx.filter.wwid(&wwid).is_blacklisted()
}
