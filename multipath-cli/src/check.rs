//! `-c`/`-u` (should this path be multipathed?) and `-C`/`-U` (does this map
//! have a usable path?).

use crate::ctx::{arg_form, daemon_running, resolve, ArgForm, Ctx, Fail, Res, Target};
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
    let p = match path_arg(ctx, arg, udev)? {
        Some(p) => p,
        // A block device that is no SCSI path (a dm map for `-u`, NVMe, a
        // loop device): not a path, said as such.
        None => return Ok((Validity::Invalid, None)),
    };
    // udev runs this for every uevent of every disk: the disk is read
    // alone, the others are scanned only when find_multipaths needs its
    // siblings.
    let mut all: Option<Vec<PathDev>> = None;
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

/// The path `-c`/`-u` is asked about; `None` for a block device that is
/// no path. As the reference: `-u` takes a kernel name (`sda`, `/dev/sda`)
/// and fails without a word when no block device has it; `-c` takes a
/// `/dev/` node only, refuses a map's node or a name, and fails on a
/// `maj:min` (its check of the holders looks for `/sys/block/<maj:min>`).
fn path_arg(ctx: &Ctx, arg: &str, udev: bool) -> Res<Option<PathDev>> {
    const NEEDS_PATH: &str = "the -c option requires a path to check";
    let name = match (udev, arg_form(arg)) {
        (true, ArgForm::Node(base)) => base,
        (true, _) => arg,
        (false, ArgForm::Node(base)) => base,
        (false, ArgForm::Name) => {
            ctx.error(NEEDS_PATH);
            return Err(Fail);
        }
        (false, ArgForm::DevT) => {
            ctx.error(format!(
                "sysfs_is_multipathed: error scanning /sys/block/{arg}/holders"
            ));
            return Err(Fail);
        }
    };
    let sys = ctx.root.join(format!("/sys/block/{name}"));
    if name.contains('/') || !sys.exists() {
        if udev {
            ctx.log(3, format!("{arg}: no such block device"));
        } else if name.starts_with("mapper/") {
            ctx.error(NEEDS_PATH);
        } else {
            ctx.invalid_argument(arg);
        }
        return Err(Fail);
    }
    if !udev && sys.join("dm").exists() {
        ctx.error(NEEDS_PATH);
        return Err(Fail);
    }
    if let Some(p) = ctx.read_one(name) {
        return Ok(Some(p));
    }
    // Not readable alone: look for it among all paths.
    match resolve(&format!("/dev/{name}"), &ctx.scan(), &[]) {
        Some(Target::Path(p)) => Ok(Some(*p)),
        _ => {
            ctx.log(3, format!("{arg}: not a path device"));
            Ok(None)
        }
    }
}

/// `-U dev`: [`usable_paths`] for the udev rules (`PROGRAM=="multipath -U
/// -v1 %k"`). Only inside a udev event: without one (no `DEVPATH` in the
/// environment, as from a shell) the answer is status 1 whatever the map,
/// as with the reference (seen in the VM).
pub fn udev_usable_paths(ctx: &Ctx) -> Res {
    if std::env::var_os("DEVPATH").is_none() {
        ctx.log(3, "-U: not run by udev (no DEVPATH in the environment)");
        return Err(Fail);
    }
    usable_paths(ctx)
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
    // A dm device's kernel name, node or `maj:min`, as the reference: not
    // a map name or WWID. Only the map's own paths are read.
    let name = match arg_form(&arg) {
        ArgForm::Node(base) => Some(base.to_string()),
        ArgForm::DevT => std::fs::read_link(ctx.root.join(format!("/sys/dev/block/{arg}")))
            .ok()
            .and_then(|l| Some(l.file_name()?.to_str()?.to_string())),
        ArgForm::Name => Some(arg.clone()),
    };
    let minor = name
        .as_deref()
        .and_then(|n| n.strip_prefix("dm-"))
        .and_then(|n| n.parse::<u32>().ok());
    let Some(minor) = minor else {
        match name.filter(|n| ctx.root.join(format!("/sys/block/{n}")).exists()) {
            Some(_) => ctx.error(format!("{arg} is not a dm device")),
            // The reference's words: looked up by device number (type 1)
            // or by name (type 3).
            None => match arg_form(&arg) {
                ArgForm::DevT => ctx.error(format!(
                    "get_udev_device: failed to look up {arg} with type 1"
                )),
                ArgForm::Name => ctx.error(format!(
                    "get_udev_device: failed to look up {arg} with type 3"
                )),
                ArgForm::Node(_) => ctx.error(format!("{arg}: no such block device")),
            },
        }
        return Err(Fail);
    };
    let mut all: Option<Vec<PathDev>> = None;
    let Some(m) = live.iter().find(|m| m.info.dev.minor == minor) else {
        ctx.error(format!("{arg} is not a multipath device"));
        return Err(Fail);
    };
    let (Some(t), Some(s)) = (&m.table, &m.status) else {
        return Err(Fail);
    };
    // As the reference: every path of the table is looked up and named
    // first (not for udev's -U, which says nothing), then the active ones
    // are checked in table order.
    let announce = !udev_mode(ctx);
    let mut paths = Vec::new();
    for d in t.params.devices() {
        let devt = d.to_string();
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
        if announce {
            ctx.log(2, format!("{}: adding new path {}", m.name, p.dev));
        }
        let active = s
            .params
            .groups
            .iter()
            .flat_map(|g| &g.paths)
            .any(|sp| sp.dev == *d && sp.state == mpath::dm::DmPathState::Active);
        paths.push((p, active));
    }
    let dm_name = format!("dm-{minor}");
    let mut log = Vec::new();
    for (p, _) in paths.into_iter().filter(|(_, active)| *active) {
        let dev = p.dev.clone();
        let f = assemble::gather(&ctx.cfg, p, &ctx.probe(), Gather::Probe, &mut log);
        if matches!(f.state, PathState::Up | PathState::Ghost) {
            ctx.logs(4, &log);
            if announce {
                ctx.log(3, format!("{dm_name}: path {dev} is usable"));
                ctx.log(3, format!("{dm_name}: usable paths found"));
            }
            return Ok(());
        }
    }
    ctx.logs(4, &log);
    if announce {
        ctx.log(2, format!("{dm_name}: no usable paths found"));
    }
    Err(Fail)
}

/// `-U` (rather than `-C`).
fn udev_mode(ctx: &Ctx) -> bool {
    ctx.args.mode == crate::args::Mode::UdevUsablePaths
}
