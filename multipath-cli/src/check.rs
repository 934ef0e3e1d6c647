//! `-c`/`-u` (should this path be multipathed?) and `-C`/`-U` (does this map
//! have a usable path?).

use crate::ctx::{daemon_running, resolve, Ctx, Fail, Res, Target};
use crate::gate;
use mpath::assemble::path_info;
use mpath::assemble::{self, Gather};
use mpath::checker::PathState;
use mpath::discovery::PathDev;
use mpath::files::wwids::{FailedWwids, WwidsFile};
use mpath::filter::{self, Reason, Validity, ValidityInput};
use std::time::SystemTime;

/// `-c dev` (`udev == false`) and `-u dev` (`udev == true`).
pub fn valid_path(ctx: &Ctx, udev: bool) -> Res {
    let Some(arg) = ctx.args.device.clone() else {
        ctx.error("this mode needs a device argument");
        return Err(Fail);
    };
    let (validity, dev_t) = decide(ctx, &arg, udev)?;
    let now = SystemTime::now();
    let stamp = dev_t
        .as_deref()
        .and_then(|d| filter::read_stamp(&ctx.root, d).ok().flatten());
    let mut answer = filter::udev_answer(validity, stamp, now);
    if let (Some(end), Some(d)) = (answer.new_stamp, dev_t.as_deref()) {
        if let Err(e) = filter::create_stamp(&ctx.root, d, end) {
            ctx.error(format!("{e}"));
            answer = answer.stamp_failed();
        }
    }
    print!("{}", answer.render());
    match answer.exit_code(udev) {
        0 => Ok(()),
        _ => Err(Fail),
    }
}

fn decide(ctx: &Ctx, arg: &str, udev: bool) -> Res<(Validity, Option<String>)> {
    // udev runs this for every uevent of every disk: read the one disk, and
    // scan the others only when find_multipaths needs its siblings.
    let mut all: Option<Vec<PathDev>> = None;
    let one = ctx.read_one(arg);
    let p = match one
        .map(Box::new)
        .map(Target::Path)
        .or_else(|| resolve(arg, all.get_or_insert_with(|| ctx.scan()), &[]))
    {
        Some(Target::Path(p)) => p,
        _ => {
            if udev {
                ctx.log(3, format!("{arg}: not a path device"));
                return Ok((Validity::Invalid, None));
            }
            ctx.error(format!("'{arg}' is not a valid argument"));
            return Err(Fail);
        }
    };
    let live = ctx.live_or_empty();
    let multipathed = live.iter().any(|m| {
        m.table
            .as_ref()
            .is_some_and(|t| t.params.devices().any(|d| d.to_string() == p.dev_t))
    });
    let wwids = WwidsFile::load(&ctx.root).map_err(|e| {
        ctx.error(format!("{e}"));
        Fail
    })?;
    let failed = FailedWwids::new(&ctx.root);
    let holders = std::fs::read_dir(ctx.root.join(format!("/sys/block/{}/holders", p.dev)))
        .map(|d| d.count() > 0)
        .unwrap_or(false);
    let input = ValidityInput {
        mode: gate::find_mode(ctx),
        wwid: &p.wwid,
        multipathed,
        for_udev: udev,
        daemon_running: !udev || daemon_running(),
        is_disk: true,
        blacklisted: gate::blacklisted(ctx, &p),
        failed: failed.is_failed(&p.wwid),
        in_use: holders,
        in_wwids_file: !ctx.args.ignore_wwids && wwids.contains(&p.wwid),
        has_map: live.iter().any(|m| m.wwid == p.wwid),
        released: p.udev_prop("DM_MULTIPATH_DEVICE_PATH") == Some("0"),
        sibling_paths: 0,
        timeout_secs: filter::timeout_for(&ctx.cfg, &path_info(&p)),
    };
    let (mut v, mut why) = filter::path_validity_why(&input);
    if why == Reason::WaitingForSiblings {
        let paths = all.get_or_insert_with(|| ctx.scan());
        let sibling_paths = paths
            .iter()
            .filter(|q| {
                q.wwid == p.wwid && q.dev != p.dev && !ctx.filter.devnode(&q.dev).is_blacklisted()
            })
            .count();
        (v, why) = filter::path_validity_why(&ValidityInput {
            sibling_paths,
            ..input
        });
    }
    ctx.log(3, format!("{}: {:?}", p.dev, why));
    Ok((v, Some(p.dev_t.clone())))
}

/// `-C dev` / `-U dev`: exit 0 if the map has a path that is up in the
/// checker's view and active in the kernel's.
pub fn usable_paths(ctx: &Ctx) -> Res {
    let Some(arg) = ctx.args.device.clone() else {
        ctx.error("this mode needs a device argument");
        return Err(Fail);
    };
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    // Usually a map (udev runs `-U dm-N` for its events): then only its own
    // paths are read.
    let mut all: Option<Vec<PathDev>> = None;
    let target = resolve(&arg, &[], &live)
        .or_else(|| resolve(&arg, all.get_or_insert_with(|| ctx.scan()), &live));
    let m = match target {
        Some(Target::Map(n)) => live.iter().find(|m| m.name == n),
        Some(Target::Wwid(w)) => live.iter().find(|m| m.wwid == w),
        _ => None,
    };
    let Some(m) = m else {
        ctx.error(format!("{arg} is not a multipath device"));
        return Err(Fail);
    };
    let (Some(t), Some(s)) = (&m.table, &m.status) else {
        return Err(Fail);
    };
    let mut log = Vec::new();
    for d in t.params.devices() {
        let devt = d.to_string();
        let active = s
            .params
            .groups
            .iter()
            .flat_map(|g| &g.paths)
            .any(|sp| sp.dev == *d && sp.state == mpath::dm::DmPathState::Active);
        if !active {
            continue;
        }
        let found = match all.is_none().then(|| ctx.read_one(&devt)).flatten() {
            Some(p) => Some(p),
            None => all
                .get_or_insert_with(|| ctx.scan())
                .iter()
                .find(|p| p.dev_t == devt)
                .cloned(),
        };
        let Some(p) = found else {
            continue;
        };
        ctx.log(3, format!("{}: adding new path {}", m.name, p.dev));
        let f = assemble::gather(&ctx.cfg, p, &ctx.probe(), Gather::Probe, &mut log);
        if matches!(f.state, PathState::Up | PathState::Ghost) {
            ctx.logs(4, &log);
            return Ok(());
        }
    }
    ctx.logs(4, &log);
    Err(Fail)
}
