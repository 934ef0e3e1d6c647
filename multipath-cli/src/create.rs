//! CREATE mode (no option), `-d` (dry run) and `-r` (force reload): build
//! the maps of every path that should be multipathed.

use crate::ctx::{
    daemon_running, device_path, selection, Ctx, Fail, Res, Selected, DAEMON_WARNING,
};
use crate::delegate::{delegate, Delegated};
use crate::{gate, pathlist};
use mpath::assemble::MapPlan;
use mpath::assemble::{self, AssembleOpts, Gather, PathFacts, PgPolicy};
use mpath::configure::{self, scsi_tmo, Action, ApplyEnv, ApplyLog, Recheck, Replan};
use mpath::dm::{DeviceMapper, DmError, DmTarget};
use mpath::files::bindings::Bindings;
use mpath::files::wwids::{FailedWwids, WwidsFile};
use mpath::prio::PRIO_UNDEF;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

pub struct CreateOpts {
    pub dry_run: bool,
    pub force_reload: bool,
}

/// Create, reload or (`dry_run`) show the maps. `bindings` is the file as
/// read (and checked) at start-up; `None` when it could not be read.
pub fn run(ctx: &Ctx, o: CreateOpts, mut bindings: Option<Bindings>) -> Res {
    // `-r`: the daemon reloads every map itself (the device argument and
    // the other switches then do not matter).
    if o.force_reload && !o.dry_run {
        if let Delegated::Done(r) = delegate(ctx, "reconfigure all", None) {
            return r;
        }
    }
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let paths = ctx.scan();
    // Reading the live maps, the reference drops their blacklisted paths
    // and says so (the maps themselves are only changed by what follows).
    for m in &live {
        gate::say_discarded(ctx, m, &paths, |p| gate::rejected(ctx, p));
    }

    // Limit to the device argument's map; a blacklisted path gets none,
    // and the command fails (exit 1, as the reference).
    let arg_path = device_path(ctx, &paths, &live);
    if let Some(p) = &arg_path {
        if gate::blacklisted(ctx, p) {
            ctx.log(3, format!("{}: blacklisted", p.dev));
            return Err(Fail);
        }
    }
    let only = selection(ctx, &paths, &live)?;
    if only == Selected::OtherNode {
        ctx.invalid_argument(ctx.args.device.as_deref().unwrap_or_default());
        return Err(Fail);
    }

    let mut wwids = WwidsFile::load(&ctx.root).map_err(|e| {
        ctx.error(format!("{e}"));
        Fail
    })?;
    let failed = FailedWwids::new(&ctx.root);

    let usable: Vec<_> = paths
        .iter()
        .filter(|p| {
            let b = gate::blacklisted(ctx, p);
            if b {
                ctx.log(3, format!("{}: blacklisted", p.dev));
            }
            !b
        })
        .cloned()
        .collect();
    // Every path is probed while discovering, as upstream does (its
    // prioritizers speak then, and again for each map's paths below);
    // `-v3` lists them with their priorities. The facts are kept for the
    // maps below.
    let mut probed: HashMap<String, PathFacts> = HashMap::new();
    let mut out = String::new();
    let mut log = Vec::new();
    for p in usable.iter().filter(|p| !p.wwid.is_empty()) {
        let f = assemble::gather(&ctx.cfg, p.clone(), &ctx.probe(), Gather::Probe, &mut log);
        ctx.says(&f.prio_said);
        probed.insert(p.dev_t.clone(), f);
    }
    if ctx.verbosity >= 3 {
        ctx.logs(3, &log);
        let first = arg_path.as_ref().map(|p| p.dev_t.as_str());
        out.push_str(&pathlist::render(ctx, &usable, first, true, |p| {
            probed.get(&p.dev_t).map_or(PRIO_UNDEF, |f| f.prio)
        }));
    }
    // An offline path would make the kernel refuse a table that opens it:
    // the reference leaves it out of a new map (seen in the VM, scenario
    // 12), but a live map already holding it keeps it on -r (scenario 17).
    let online = usable.into_iter().filter(|p| {
        let lm = live.iter().find(|m| m.wwid == p.wwid);
        let off = configure::left_out_offline(p, lm);
        if off {
            ctx.log(3, format!("{}: path offline, left out", p.dev));
        }
        !off
    });
    let groups = configure::coalesce(online.collect());
    let force_policy = ctx
        .args
        .force_pgpolicy
        .as_deref()
        .and_then(PgPolicy::from_name);
    let aopts = AssembleOpts { force_policy };
    let daemon = daemon_running();
    // Decide every map first, in order (names are allocated here); each
    // map's messages are kept and printed in that order at the end.
    let mut maps: Vec<Decided> = Vec::new();
    for (wwid, group) in groups {
        if !only.wants(&wwid) {
            continue;
        }
        let mut d = Decided::default();
        let lm = live.iter().find(|m| m.wwid == wwid);
        if !gate::wants_map(ctx, &wwid, group.len(), lm.is_some(), &wwids) {
            d.say(3, format!("{wwid}: not multipathed (find_multipaths)"));
            maps.push(d);
            continue;
        }
        let mut log = Vec::new();
        let facts: Vec<PathFacts> = group
            .into_iter()
            .map(|p| match probed.remove(&p.dev_t) {
                Some(f) => f,
                None => assemble::gather(&ctx.cfg, p, &ctx.probe(), Gather::Probe, &mut log),
            })
            .collect();
        // Said again as the map takes its paths, after its name is chosen
        // (the reference asks its prioritizers again then).
        let prio_said: Vec<(u32, String)> = facts
            .iter()
            .filter(|f| f.prio_said_repeats)
            .flat_map(|f| f.prio_said.clone())
            .collect();
        let plan = assemble::assemble(&ctx.cfg, &wwid, facts, &aopts);
        log.extend(plan.log.iter().cloned());
        d.says(3, log);
        let in_use = |name: &str| {
            live.iter()
                .find(|m| m.name == name && m.wwid != wwid)
                .map(|m| m.wwid.clone())
        };
        let choice = configure::select_alias(
            &ctx.cfg,
            &wwid,
            &plan.paths[0].dev,
            bindings.as_mut(),
            lm.map(|m| m.name.as_str()),
            // A dry run allocates and records a binding too (the reference
            // writes the bindings file on `-d`, not the wwids file).
            ctx.args.bindings_read_only,
            &in_use,
        );
        d.says(1, choice.messages);
        if choice.saved {
            if let Some(b) = &bindings {
                d.say(1, b.updated_message());
            }
        }
        d.msgs.extend(prio_said);
        // Without `-r`, a live map that already holds every path of the
        // plan is left as it is: neither a changed configuration (policy,
        // features) nor a new name (user_friendly_names switched, a
        // multipaths alias) touches it; the reference changes it only on a
        // forced reload.
        if !o.force_reload && lm.is_some_and(|l| configure::holds_all_paths(l, &plan)) {
            let name = lm.map_or(choice.name, |l| l.name.clone());
            d.say(3, format!("{name}: no change needed"));
            maps.push(d);
            continue;
        }
        let name = choice.name;
        let action = configure::select_action(&plan, &name, lm, o.force_reload);
        if action == Action::Nothing {
            d.say(3, format!("{name}: no change needed"));
            maps.push(d);
            continue;
        }
        d.map = Some((name, action, plan));
        maps.push(d);
    }

    let recheck = Recheck {
        root: &ctx.root,
        cfg: &ctx.cfg,
        opts: &aopts,
    };
    let tmo_said = AtomicBool::new(false);
    let drive = |maps: &[Decided]| {
        drive(
            dm.as_ref(),
            maps,
            &recheck,
            daemon,
            ctx.args.retain_queueing,
            &tmo_said,
        )
    };
    let done = if o.dry_run { Vec::new() } else { drive(&maps) };

    // A map whose table the kernel refused is tried again at each of its
    // other paths, in discovery order, as the reference does.
    let position: HashMap<&str, usize> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.dev_t.as_str(), i))
        .collect();
    let mut retried = if o.dry_run {
        Vec::new()
    } else {
        retry_refused(&maps, &done, &position, drive)
    };
    let first_position = |plan: &MapPlan| {
        plan.paths
            .iter()
            .filter_map(|f| position.get(f.dev.dev_t.as_str()))
            .min()
            .copied()
            .unwrap_or(usize::MAX)
    };
    let mut ok = true;
    let mut done = done.into_iter();
    let mut which = 0;
    for d in maps {
        if let Some((_, _, plan)) = &d.map {
            say_attempts(ctx, &mut retried, first_position(plan));
        }
        for (level, m) in &d.msgs {
            ctx.log(*level, m);
        }
        let Some((name, action, mut plan)) = d.map else {
            continue;
        };
        which += 1;
        if !o.dry_run {
            let mut k: Driven = done.next().expect("one result per map to change");
            for (level, m) in &k.before {
                ctx.log(*level, m);
            }
            if let Err(e) = &k.res {
                for (level, m) in refusal(e, &name, &action) {
                    ctx.log(level, m);
                }
            }
            // The last attempt decides.
            if let Some(last) = retried.iter().rposition(|a| a.map == which - 1) {
                k = retried[last].taken.take().expect("one final attempt");
            }
            match k.replan {
                Replan::Same => {}
                Replan::Without(p) => plan = *p,
                // Every path vanished: nothing was sent to the kernel.
                Replan::NoPathLeft => continue,
            }
            let mut log = ApplyLog::default();
            configure::record(
                &mut ApplyEnv {
                    dm: dm.as_ref(),
                    root: &ctx.root,
                    wwids: Some(&mut wwids),
                    failed: &failed,
                },
                &action,
                &plan,
                &k.res,
                &mut log,
            );
            ctx.logs(3, &log.debug);
            for e in &log.errors {
                ctx.error(e);
            }
            if let Err(e) = k.res {
                // A refused table ends as the reference's does: said above,
                // the map ignored, the exit status 0.
                if !matches!(e, DmError::Refused { .. }) {
                    // The error names the map.
                    ctx.error(format!("{e}"));
                    ok = false;
                }
                continue;
            }
            for (level, m) in &k.msgs {
                ctx.log(*level, m);
            }
            if k.queueing_off {
                plan.features = assemble::without_feature(&plan.features, "queue_if_no_path");
            }
        }
        match ctx.verbosity {
            0 => {}
            1 => {
                out.push_str(&name);
                out.push('\n');
            }
            _ => {
                let lm = live.iter().find(|m| m.wwid == plan.wwid);
                let topo = configure::plan_topology(&plan, &name, lm);
                // A dry run names no action: the reference prints ": mpatha ...";
                // so does a forced reload that renames the map.
                let verb = match action {
                    _ if o.dry_run => Some(""),
                    Action::Rename { .. } if o.force_reload => Some(""),
                    _ => action.verb(),
                };
                out.push_str(&topo.render(verb));
            }
        }
    }
    say_attempts(ctx, &mut retried, usize::MAX);
    print!("{out}");
    // The reference warns only when a map of the selection exists.
    if !o.dry_run
        && !daemon
        && ctx
            .live(&dm)
            .is_ok_and(|l| l.iter().any(|m| only.wants(&m.wwid)))
    {
        ctx.log(2, DAEMON_WARNING);
    }
    if ok {
        Ok(())
    } else {
        Err(Fail)
    }
}

/// What is said when the kernel refused map `name`'s table, as the
/// reference: libdevmapper's line and upstream's after it, then the map
/// ignored (a create) or dropped from this run (a reload; the kernel keeps
/// its table). Nothing for other errors.
fn refusal(e: &DmError, name: &str, action: &Action) -> Vec<(u32, String)> {
    let Some(lines) = e.refusal_lines() else {
        return Vec::new();
    };
    let verdict = if *action == Action::Create {
        "ignoring map"
    } else {
        "removing map"
    };
    let mut out: Vec<(u32, String)> = lines.into_iter().map(|l| (2, l)).collect();
    out.push((2, format!("{name}: {verdict}")));
    out
}

/// One more attempt at a map whose table was refused: at the path in
/// discovery order `pos`, for the `map`-th map with an action.
struct Attempt {
    pos: usize,
    map: usize,
    msgs: Vec<(u32, String)>,
    printed: bool,
    /// Taken by the print loop when it is the map's last attempt.
    taken: Option<Driven>,
}

/// The reference walks the paths in discovery order and builds the map of
/// each path not yet in one; a map the kernel refused gives its paths back,
/// so it is tried again at each of its other paths. Here the first attempts
/// are `done` (made concurrently); the others follow, round by round, until
/// each map is made or out of paths.
fn retry_refused(
    maps: &[Decided],
    done: &[Driven],
    position: &HashMap<&str, usize>,
    drive: impl Fn(&[Decided]) -> Vec<Driven>,
) -> Vec<Attempt> {
    let todo: Vec<&(String, Action, MapPlan)> =
        maps.iter().filter_map(|d| d.map.as_ref()).collect();
    let mut pending: Vec<(usize, std::collections::VecDeque<usize>)> = Vec::new();
    for (j, (m, k)) in todo.iter().zip(done).enumerate() {
        if !matches!(k.res, Err(DmError::Refused { .. })) {
            continue;
        }
        let mut at: Vec<usize> =
            m.2.paths
                .iter()
                .filter_map(|f| position.get(f.dev.dev_t.as_str()).copied())
                .collect();
        at.sort_unstable();
        pending.push((j, at.into_iter().skip(1).collect()));
    }
    let mut out = Vec::new();
    loop {
        let mut round: Vec<(usize, usize)> = pending
            .iter_mut()
            .filter_map(|(j, q)| q.pop_front().map(|p| (*j, p)))
            .collect();
        if round.is_empty() {
            return out;
        }
        round.sort_by_key(|&(_, p)| p);
        let again: Vec<Decided> = round
            .iter()
            .map(|&(j, _)| Decided {
                msgs: Vec::new(),
                map: Some(todo[j].clone()),
            })
            .collect();
        for ((j, pos), k) in round.into_iter().zip(drive(&again)) {
            let (name, action, _) = todo[j];
            let mut msgs = k.before.clone();
            if let Err(e) = &k.res {
                msgs.extend(refusal(e, name, action));
            }
            if !matches!(k.res, Err(DmError::Refused { .. })) {
                pending.retain(|(m, _)| *m != j);
            }
            out.push(Attempt {
                pos,
                map: j,
                msgs,
                printed: false,
                taken: Some(k),
            });
        }
    }
}

/// Print the further attempts made at paths before `upto` (in discovery
/// order), each once.
fn say_attempts(ctx: &Ctx, attempts: &mut [Attempt], upto: usize) {
    let mut due: Vec<&mut Attempt> = attempts
        .iter_mut()
        .filter(|a| !a.printed && a.pos < upto)
        .collect();
    due.sort_by_key(|a| a.pos);
    for a in due {
        for (level, m) in &a.msgs {
            ctx.log(*level, m);
        }
        a.printed = true;
    }
}

/// One multipath group as decided before anything is done: its messages in
/// print order and, when the kernel must be told, the map.
#[derive(Default)]
struct Decided {
    msgs: Vec<(u32, String)>,
    map: Option<(String, Action, MapPlan)>,
}

impl Decided {
    fn say(&mut self, level: u32, m: String) {
        self.msgs.push((level, m));
    }
    fn says(&mut self, level: u32, ms: Vec<String>) {
        self.msgs.extend(ms.into_iter().map(|m| (level, m)));
    }
}

/// What happened to one map in the kernel.
struct Driven {
    /// Messages up to the hand-over to the kernel (vanished paths, `addmap`).
    before: Vec<(u32, String)>,
    /// The plan, if paths vanished since discovery.
    replan: Replan,
    res: Result<(), DmError>,
    /// Messages after a success, printed after the create's own.
    msgs: Vec<(u32, String)>,
    /// `queue_if_no_path` was switched off (no daemon to end the queueing).
    queueing_off: bool,
}

impl Driven {
    /// The outcome of staging, before the rest is done.
    fn staged(before: Vec<(u32, String)>, replan: Replan, res: Result<(), DmError>) -> Driven {
        Driven {
            before,
            replan,
            res,
            msgs: Vec::new(),
            queueing_off: false,
        }
    }
}

/// Maps created, reloaded or renamed at once at most. Each waits for udev to
/// run its rules (`/dev/mapper` nodes, kpartx, blkid); udev runs several
/// devices' rules in parallel, so overlapping the waits is where the time
/// goes, while the reference does one map after the other.
const CONCURRENT_MAPS: usize = 8;

/// Tell the kernel about every decided map: [`configure::stage`] in order
/// (the kernel numbers new devices in that order), the udev-synchronised
/// rest concurrently, then what upstream does after each (`switch_group`
/// to the best group; without a daemon, `fail_if_no_path` unless `-Q`).
/// One result per map with an action, in order.
fn drive(
    dm: &dyn DeviceMapper,
    maps: &[Decided],
    recheck: &Recheck<'_>,
    daemon: bool,
    retain_queueing: bool,
    tmo_said: &AtomicBool,
) -> Vec<Driven> {
    let todo: Vec<&(String, Action, MapPlan)> =
        maps.iter().filter_map(|d| d.map.as_ref()).collect();
    let next = Mutex::new(0usize);
    // The ordered part, under the lock: the last look at the paths, the
    // `addmap` line, the staging.
    let stage = |i: usize| -> Driven {
        let (name, action, plan) = todo[i];
        let mut before = Vec::new();
        let replan = recheck.replan(name, plan, &mut before);
        let Some(now) = replan.plan(plan) else {
            return Driven::staged(before, replan, Ok(()));
        };
        let what = if *action == Action::Create {
            "addmap"
        } else {
            "reload"
        };
        // The paths' SCSI timeouts, before the table goes in.
        let tmo = scsi_tmo::set_map_tmo(recheck.root, recheck.cfg, name, now);
        if let Some(m) = tmo.unsupported {
            // Said once a run, as the reference does.
            let first = !tmo_said.swap(true, std::sync::atomic::Ordering::Relaxed);
            before.push((if first { 2 } else { 3 }, m));
        }
        before.extend(tmo.log);
        let hand_over = |p: &MapPlan, before: &mut Vec<(u32, String)>| {
            let target = DmTarget::multipath(p.size, &p.table);
            if let Action::Rename { from, .. } = action {
                before.push((2, format!("{}: rename {from} to {name}", p.wwid)));
            }
            before.push((2, format!("{name}: {what} [{target}]")));
            configure::stage(dm, action, name, p)
        };
        let mut res = hand_over(now, &mut before);
        let mut again = None;
        if let Err(e) = &res {
            // Once more, without the paths that went meanwhile.
            if let Some(a) = recheck.after_refusal(name, now, e, &mut before) {
                res = match a.plan(now) {
                    Some(p) => hand_over(p, &mut before),
                    None => Ok(()),
                };
                again = Some(a);
            }
        }
        Driven::staged(before, again.unwrap_or(replan), res)
    };
    let one = |i: usize, mut k: Driven| -> Driven {
        let (name, action, plan) = todo[i];
        let Some(plan) = k.replan.plan(plan) else {
            return k;
        };
        if k.res.is_ok() {
            k.res = configure::commit(dm, action, name, plan);
        }
        if k.res.is_err() {
            return k;
        }
        // Client mode, after every create, reload or rename: upstream's
        // domap() switches to the best group. The kernel forgets the group
        // the udev reads made current (`dmsetup status` shows every group
        // `E`, `-ll` status=enabled) and starts the next I/O from it.
        let msg = format!("switch_group {}", plan.init_pg.max(1));
        if dm.message(name, 0, &msg).is_err() {
            k.msgs.push((0, format!("DM message failed [{msg}]")));
        }
        if !daemon && !retain_queueing && plan.no_path_retry.queues() {
            k.msgs.push((
                3,
                format!("{name}: multipathd not running, unset queue_if_no_path feature"),
            ));
            match dm.message(name, 0, "fail_if_no_path") {
                // What is printed is what the kernel now does.
                Ok(_) => k.queueing_off = true,
                Err(e) => k.msgs.push((1, format!("{name}: {e}"))),
            }
        }
        k
    };
    let mut out: Vec<(usize, Driven)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..CONCURRENT_MAPS.min(todo.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let (i, staged) = {
                            let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                            let i = *n;
                            if i >= todo.len() {
                                break;
                            }
                            *n += 1;
                            (i, stage(i))
                        };
                        mine.push((i, one(i, staged)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("map worker panicked"))
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, k)| k).collect()
}
