//! The owner's work on maps: configure (startup and reconfigure), adopting
//! kernel maps, keeping the model in step with the kernel, and the path
//! policies (fail/reinstate, regroup on priority changes, failback,
//! no_path_retry), plus paths coming and going.

use super::owner::{MapExtra, Owner, PathExtra};
use super::uevent::{Action as UAction, Uevent};
use crate::model::{Failback, Group, InitState, Map, MapStats, Path, Queueing};
use mpath::assemble::{self, AssembleOpts, Gather, PathFacts};
use mpath::checker::PathState;
use mpath::configure::{self, ApplyEnv, LiveMap, Recheck, Replan};
use mpath::discovery::PathDev;
use mpath::dm::{DmPathState, RemoveOptions, StatusLine, TableLine};
use mpath::files::bindings::Bindings;
use mpath::files::wwids::{FailedWwids, WwidsFile};
use mpath::filter::{self, Candidate, CreateInput, FindMode};
use mpath::prio;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn failback_of(v: Option<String>) -> Failback {
    match v.as_deref() {
        Some("immediate") => Failback::Immediate,
        Some("followover") => Failback::Followover,
        Some("manual") => Failback::Manual,
        Some(n) => n.parse().map(Failback::Deferred).unwrap_or(Failback::Undef),
        None => Failback::Undef,
    }
}

fn queueing_of(v: Option<String>) -> Queueing {
    match v.as_deref() {
        Some("queue") => Queueing::Queue,
        Some("fail") => Queueing::Fail,
        Some(n) => match n.parse::<u32>() {
            Ok(0) => Queueing::Fail,
            Ok(n) => Queueing::Retries(n),
            Err(_) => Queueing::Unset,
        },
        None => Queueing::Unset,
    }
}

impl Owner {
    fn is_blacklisted(&self, p: &PathDev) -> bool {
        let uid = configure::uid_attribute(&self.env.cfg, &p.vendor, &p.product);
        let v = self.env.filter.path(&Candidate::new(p, &p.udev, &uid));
        if let Some(m) = v.log_message(&p.dev) {
            tracing::debug!("{m}");
        }
        v.is_blacklisted()
    }

    fn new_path(&self, f: &PathFacts, map: Option<String>) -> Path {
        Path {
            dev: Arc::new(f.dev.clone()),
            checker: f.checker.clone(),
            chk: f.state,
            prio: f.prio,
            prio_name: f.prio_name.clone(),
            prio_args: f.prio_args.clone(),
            tpg: f.tpg,
            dm: None,
            fail_count: 0,
            map,
            interval: self.polling_interval(),
            next_check: Instant::now(),
            admin_failed: false,
            pending: false,
            init: InitState::Ok,
            marginal: false,
        }
    }

    fn remember_facts(&mut self, f: &PathFacts) {
        let timeout_ms = assemble::facts::timeout_ms(&self.env.cfg, &self.env.root, &f.dev);
        self.paths_extra.insert(
            f.dev.dev_t.clone(),
            PathExtra {
                tpgs: f.tpgs,
                timeout_ms,
            },
        );
    }

    /// The facts of a known path, for assembly.
    fn facts_of(&self, p: &Path) -> PathFacts {
        PathFacts {
            dev: (*p.dev).clone(),
            checker: p.checker.clone(),
            state: p.chk,
            prio_name: p.prio_name.clone(),
            prio_args: p.prio_args.clone(),
            prio: p.prio,
            prio_said: Vec::new(),
            prio_said_repeats: true,
            tpgs: self.paths_extra.get(&p.dev.dev_t).map_or(0, |e| e.tpgs),
            tpg: p.tpg,
        }
    }

    /// Discover every path, group by WWID, create or reload what should be,
    /// adopt the kernel's maps. With `reload_all`, every map is reloaded.
    pub fn configure(&mut self, reload_all: bool) {
        let env = Arc::clone(&self.env);
        let scan = configure::discover(&env.cfg, &env.root);
        for p in &scan.problems {
            tracing::warn!("{p}");
        }
        let live = match configure::live_maps(env.dm.as_ref()) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!("cannot list multipath maps: {e}");
                Vec::new()
            }
        };
        let devs: Vec<PathDev> = scan
            .paths
            .into_iter()
            .filter(|p| !self.is_blacklisted(p))
            .collect();
        // Paths are listed in discovery order (sysfs order), as upstream does.
        let order: std::collections::HashMap<String, usize> = devs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.dev.clone(), i))
            .collect();
        let facts = gather_all(&env, devs);
        let mut by_wwid: Vec<(String, Vec<PathFacts>)> = Vec::new();
        for f in facts {
            if f.dev.wwid.is_empty() {
                continue;
            }
            match by_wwid.iter_mut().find(|(w, _)| *w == f.dev.wwid) {
                Some((_, v)) => v.push(f),
                None => by_wwid.push((f.dev.wwid.clone(), vec![f])),
            }
        }
        let mut bindings = Bindings::load(&env.root)
            .map_err(|e| tracing::error!("{e}"))
            .ok();
        let mut wwids = WwidsFile::load(&env.root)
            .map_err(|e| tracing::error!("{e}"))
            .ok();
        let mode = FindMode::from_config(&env.cfg);

        let old_paths = std::mem::take(&mut self.st.paths);
        let old_maps = std::mem::take(&mut self.st.maps);
        self.offline_out.clear();
        self.refused.clear();
        let mut adopted: Vec<(String, String)> = Vec::new(); // (name, wwid)
                                                             // The action each map keeps showing (see `lasting_action`).
        let mut actions: std::collections::HashMap<String, &'static str> = Default::default();
        for (wwid, facts) in by_wwid {
            let lm = live.iter().find(|m| m.wwid == wwid);
            for f in &facts {
                self.remember_facts(f);
            }
            // The kernel would refuse the whole table for an offline path it
            // does not hold yet: such a path waits outside as an orphan, and
            // find_multipaths counts only the paths left.
            let (out, facts): (Vec<PathFacts>, Vec<PathFacts>) = facts
                .into_iter()
                .partition(|f| configure::left_out_offline(&f.dev, lm));
            for f in &out {
                let p = self.new_path(f, None);
                self.st.paths.push(p);
                self.leave_out_offline(&f.dev.dev);
            }
            if facts.is_empty() {
                continue;
            }
            let wanted = filter::should_create(&CreateInput {
                mode,
                wwid: &wwid,
                paths: facts.len(),
                in_wwids_file: wwids.as_ref().is_some_and(|w| w.contains(&wwid)),
                has_map: lm.is_some(),
                device_given: false,
            });
            if !wanted {
                tracing::debug!("{wwid}: not multipathed (find_multipaths)");
                for f in &facts {
                    let p = self.new_path(f, None);
                    self.st.paths.push(p);
                }
                continue;
            }
            let Some((plan, name, ok)) = establish(
                &env,
                &wwid,
                facts,
                &live,
                bindings.as_mut(),
                wwids.as_mut(),
                reload_all,
            ) else {
                // Every path left sysfs meanwhile; a live map is still
                // monitored (below).
                continue;
            };
            let in_map = match ok {
                Ok(action) => {
                    actions.insert(wwid.clone(), lasting_action(&action));
                    adopted.push((name.clone(), wwid.clone()));
                    self.maps_extra.insert(
                        wwid.clone(),
                        MapExtra {
                            next_pg: plan.init_pg,
                        },
                    );
                    Some(wwid.clone())
                }
                Err(e) => {
                    tracing::error!("{name}: {e}");
                    if lm.is_none() && configure::refused_for_missing_device(&e) {
                        self.refused.insert(wwid.clone());
                    }
                    lm.map(|_| wwid.clone())
                }
            };
            for f in &plan.paths {
                let p = self.new_path(f, in_map.clone());
                self.st.paths.push(p);
            }
            if in_map.is_some() && !adopted.iter().any(|(_, w)| *w == wwid) {
                adopted.push((lm.map_or(name, |m| m.name.clone()), wwid));
            }
        }
        // Kernel maps none of whose paths was found are monitored too.
        for lm in &live {
            if !adopted.iter().any(|(_, w)| *w == lm.wwid) {
                adopted.push((lm.name.clone(), lm.wwid.clone()));
            }
        }
        self.st
            .paths
            .sort_by_key(|p| order.get(&p.dev.dev).copied().unwrap_or(usize::MAX));
        // Runtime state survives a reconfigure.
        for p in &mut self.st.paths {
            if let Some(o) = old_paths
                .iter()
                .find(|o| o.dev.dev_t == p.dev.dev_t && o.dev.dev == p.dev.dev)
            {
                p.admin_failed = o.admin_failed;
                p.interval = o.interval;
                p.next_check = o.next_check;
                p.marginal = o.marginal;
            }
        }
        for (name, wwid) in adopted {
            let mut m = self.empty_map(&name, &wwid);
            m.action = actions.get(&wwid).copied().unwrap_or_default().into();
            if let Some(o) = old_maps.iter().find(|o| o.wwid == wwid) {
                m.stats = o.stats;
                m.queueing_disabled = o.queueing_disabled;
                m.retry_left = o.retry_left;
                m.retries_exhausted = o.retries_exhausted;
            }
            self.st.maps.push(m);
            self.sync_map(&wwid);
        }
        if let Some(b) = &mut bindings {
            if !Bindings::path_in(&env.root).exists() && !env.bindings_read_only {
                if let Err(e) = b.save() {
                    tracing::error!("{e}");
                }
            }
        }
        self.dirty = true;
    }

    /// A map with its policies from the configuration; kernel fields are
    /// filled by [`Owner::sync_map`].
    fn empty_map(&self, name: &str, wwid: &str) -> Map {
        let first = self
            .st
            .paths
            .iter()
            .find(|p| p.map.as_deref() == Some(wwid))
            .map(|p| (*p.dev).clone())
            .unwrap_or_else(|| PathDev {
                wwid: wwid.to_string(),
                ..PathDev::default()
            });
        let cfg = &self.env.cfg;
        Map {
            name: name.to_string(),
            wwid: wwid.to_string(),
            minor: None,
            size: 0,
            features: "0".into(),
            hwhandler: "0".into(),
            groups: Vec::new(),
            read_only: None,
            suspended: None,
            failback: failback_of(configure::setting(cfg, "failback", &first)),
            failback_tick: None,
            no_path_retry: queueing_of(configure::setting(cfg, "no_path_retry", &first)),
            queueing_disabled: false,
            retry_left: None,
            retries_exhausted: false,
            action: String::new(),
            stats: MapStats::default(),
            polling_interval: self.polling_interval(),
        }
    }

    fn map_idx(&self, wwid: &str) -> Option<usize> {
        self.st.maps.iter().position(|m| m.wwid == wwid)
    }

    /// Read the map's info, table and status from the kernel into the
    /// model. A map that is gone is dropped (its paths become orphans).
    pub fn sync_map(&mut self, wwid: &str) {
        let Some(mi) = self.map_idx(wwid) else {
            return;
        };
        let name = self.st.maps[mi].name.clone();
        let dm = Arc::clone(&self.env.dm);
        let info = match dm.info(&name) {
            Ok(Some(i)) => i,
            Ok(None) => {
                tracing::info!(map = %name, "{name}: map removed");
                self.drop_map(wwid);
                return;
            }
            Err(e) => {
                tracing::error!("{e}");
                return;
            }
        };
        let table: Option<TableLine> = dm.multipath_table(&name).ok().flatten();
        let status: Option<StatusLine> = dm.multipath_status(&name).ok().flatten();
        let m = &mut self.st.maps[mi];
        m.minor = Some(info.dev.minor);
        m.read_only = Some(info.read_only);
        m.suspended = Some(info.suspended);
        if let Some(t) = &table {
            m.size = t.length;
            m.features = assemble::counted(&t.params.features);
            m.hwhandler = assemble::counted(&t.params.hw_handler);
            m.groups = t
                .params
                .groups
                .iter()
                .enumerate()
                .map(|(gi, g)| Group {
                    selector: format!("{} {}", g.selector, assemble::counted(&g.selector_args)),
                    prio: 0,
                    state: status
                        .as_ref()
                        .and_then(|s| s.params.groups.get(gi))
                        .map(|sg| sg.state),
                    paths: g.paths.iter().map(|p| p.dev.to_string()).collect(),
                })
                .collect();
        }
        if let Some(s) = &status {
            if let Some(x) = self.maps_extra.get_mut(wwid) {
                x.next_pg = s.params.next_pg;
            }
            for sg in &s.params.groups {
                for sp in &sg.paths {
                    let devt = sp.dev.to_string();
                    if let Some(p) = self.st.paths.iter_mut().find(|p| p.dev.dev_t == devt) {
                        p.dm = Some(sp.state);
                        p.fail_count = sp.fail_count;
                        if p.map.is_none() {
                            p.map = Some(wwid.to_string());
                        }
                    }
                }
            }
        }
        self.update_group_prios(mi);
        self.dirty = true;
    }

    fn update_group_prios(&mut self, mi: usize) {
        let prios: Vec<i32> = self.st.maps[mi]
            .groups
            .iter()
            .map(|g| {
                let facts: Vec<PathFacts> = g
                    .paths
                    .iter()
                    .filter_map(|d| self.st.paths.iter().find(|p| &p.dev.dev_t == d))
                    .map(|p| self.facts_of(p))
                    .collect();
                assemble::group_prio(&facts.iter().collect::<Vec<_>>()).0
            })
            .collect();
        for (g, p) in self.st.maps[mi].groups.iter_mut().zip(prios) {
            g.prio = p;
        }
    }

    fn drop_map(&mut self, wwid: &str) {
        self.st.maps.retain(|m| m.wwid != wwid);
        self.maps_extra.remove(wwid);
        for p in &mut self.st.paths {
            if p.map.as_deref() == Some(wwid) {
                p.map = None;
                p.dm = None;
            }
        }
        self.dirty = true;
    }

    fn message(&self, name: &str, msg: &str) -> bool {
        match self.env.dm.message(name, 0, msg) {
            Ok(_) => true,
            Err(e) => {
                tracing::error!("{e}");
                false
            }
        }
    }

    /// Make the kernel follow the checkers: fail paths found down, reinstate
    /// paths found up; then failback.
    pub fn enforce(&mut self, wwid: &str) {
        let Some(mi) = self.map_idx(wwid) else {
            return;
        };
        let name = self.st.maps[mi].name.clone();
        let members: Vec<String> = self.st.maps[mi]
            .groups
            .iter()
            .flat_map(|g| g.paths.clone())
            .collect();
        let mut changed = false;
        for devt in members {
            let Some(pi) = self.st.paths.iter().position(|p| p.dev.dev_t == devt) else {
                continue;
            };
            let p = &self.st.paths[pi];
            if p.admin_failed || p.pending || !self.fresh.contains(&devt) {
                continue;
            }
            let dev = p.dev.dev.clone();
            match (p.chk, p.dm) {
                (s, Some(DmPathState::Failed))
                    if s.is_usable() && self.message(&name, &format!("reinstate_path {devt}")) =>
                {
                    tracing::info!(map = %name, path = %dev, "{name}: reinstated path {dev} ({devt})");
                    self.st.paths[pi].dm = Some(DmPathState::Active);
                    changed = true;
                }
                (
                    PathState::Down
                    | PathState::Timeout
                    | PathState::Disconnected
                    | PathState::Removed,
                    Some(DmPathState::Active),
                ) if self.message(&name, &format!("fail_path {devt}")) => {
                    tracing::info!(map = %name, path = %dev, "checker failed path {devt} in map {name}");
                    self.st.paths[pi].dm = Some(DmPathState::Failed);
                    self.st.maps[mi].stats.path_faults += 1;
                    changed = true;
                }
                _ => {}
            }
        }
        if changed {
            self.sync_map(wwid);
        }
        self.failback(wwid);
        self.queueing_check(wwid);
    }

    /// The best group (1-based): the highest priority among groups with a
    /// usable path.
    fn best_group(&self, m: &Map) -> Option<u32> {
        let mut best: Option<(usize, i32)> = None;
        for (gi, g) in m.groups.iter().enumerate() {
            let usable = g.paths.iter().any(|d| {
                self.st.paths.iter().any(|p| {
                    &p.dev.dev_t == d && p.chk.is_usable() && p.dm != Some(DmPathState::Failed)
                })
            });
            if usable && best.is_none_or(|(_, bp)| g.prio > bp) {
                best = Some((gi, g.prio));
            }
        }
        best.map(|(gi, _)| gi as u32 + 1)
    }

    fn failback(&mut self, wwid: &str) {
        let Some(mi) = self.map_idx(wwid) else {
            return;
        };
        let m = &self.st.maps[mi];
        if m.failback != Failback::Immediate || m.groups.len() < 2 {
            return;
        }
        let Some(best) = self.best_group(m) else {
            return;
        };
        let next = self.maps_extra.get(wwid).map_or(0, |x| x.next_pg);
        if next != 0 && next != best {
            let name = m.name.clone();
            if self.message(&name, &format!("switch_group {best}")) {
                tracing::info!(map = %name, "{name}: switch to path group #{best}");
                self.st.maps[mi].stats.switch_grp += 1;
                self.sync_map(wwid);
            }
        }
    }

    fn usable_paths(&self, m: &Map) -> usize {
        self.st
            .paths_of(m)
            .filter(|p| p.chk.is_usable() && !p.admin_failed)
            .count()
    }

    /// no_path_retry N: enter recovery when the last path is gone, leave it
    /// when one returns.
    fn queueing_check(&mut self, wwid: &str) {
        let Some(mi) = self.map_idx(wwid) else {
            return;
        };
        let m = &self.st.maps[mi];
        let Queueing::Retries(n) = m.no_path_retry else {
            return;
        };
        if m.queueing_disabled {
            return;
        }
        let usable = self.usable_paths(m);
        let name = m.name.clone();
        let m = &mut self.st.maps[mi];
        if usable == 0 {
            if m.retry_left.is_none() && !m.retries_exhausted {
                m.retry_left = Some(n * m.polling_interval + 1);
                tracing::info!(map = %name, "{name}: Entering recovery mode: max_retries={n}");
            }
        } else if m.retry_left.is_some() || m.retries_exhausted {
            let exhausted = m.retries_exhausted;
            m.retry_left = None;
            m.retries_exhausted = false;
            tracing::info!(map = %name, "{name}: queue_if_no_path enabled, leaving recovery mode");
            if exhausted {
                self.message(&name, "queue_if_no_path");
                self.to_sync.insert(wwid.to_string());
            }
        }
    }

    /// One second of the recovery countdowns.
    pub fn queueing_tick(&mut self) {
        let mut expired = Vec::new();
        for m in &mut self.st.maps {
            if let Some(left) = m.retry_left {
                m.stats.total_q_time += 1;
                if left <= 1 {
                    m.retry_left = None;
                    m.retries_exhausted = true;
                    m.stats.q_timeouts += 1;
                    expired.push((m.name.clone(), m.wwid.clone()));
                } else {
                    m.retry_left = Some(left - 1);
                }
            }
        }
        for (name, wwid) in expired {
            tracing::info!(map = %name, "{name}: Disable queueing");
            self.message(&name, "fail_if_no_path");
            self.to_sync.insert(wwid);
        }
    }

    /// Rebuild the map's table from its current paths (discovery order) and
    /// reload it when the kernel's differs, or always with `force`.
    pub fn regroup(&mut self, wwid: &str, force: bool) -> bool {
        let Some(mi) = self.map_idx(wwid) else {
            return false;
        };
        let facts: Vec<PathFacts> = self
            .st
            .paths
            .iter()
            .filter(|p| p.map.as_deref() == Some(wwid))
            .map(|p| self.facts_of(p))
            .collect();
        let name = self.st.maps[mi].name.clone();
        if facts.is_empty() {
            return self.last_path_gone(wwid);
        }
        let plan = assemble::assemble(&self.env.cfg, wwid, facts, &AssembleOpts::default());
        let live = self.env.dm.multipath_table(&name).ok().flatten();
        let same = live.as_ref().is_some_and(|t| {
            t.length == plan.size && assemble::table_matches(&plan.table, &t.params)
        });
        if same && !force {
            return true;
        }
        set_tmo(&self.env, &name, &plan);
        tracing::info!(map = %name, "{name}: reload [{}]", plan.table);
        let target = [mpath::dm::DmTarget::multipath(plan.size, &plan.table)];
        let mut opts = configure::RELOAD;
        opts.udev.skip_kpartx = plan.skip_kpartx;
        match self.env.dm.reload(&name, &target, opts) {
            Ok(()) => {
                let m = &mut self.st.maps[mi];
                m.stats.map_loads += 1;
                m.action = lasting_action(&configure::Action::Reload { forced: force }).into();
                self.to_sync.insert(wwid.to_string());
                // The new table has every path active: apply the checkers'
                // verdicts to all of them again.
                for p in &self.st.paths {
                    if p.map.as_deref() == Some(wwid) {
                        self.fresh.insert(p.dev.dev_t.clone());
                    }
                }
                true
            }
            Err(e) => {
                tracing::error!("{name}: {e}");
                false
            }
        }
    }

    /// The map lost its last path: remove it if nobody has it open, else
    /// keep it (with queueing as configured).
    fn last_path_gone(&mut self, wwid: &str) -> bool {
        let Some(mi) = self.map_idx(wwid) else {
            return false;
        };
        let name = self.st.maps[mi].name.clone();
        let open = self
            .env
            .dm
            .info(&name)
            .ok()
            .flatten()
            .map_or(0, |i| i.open_count);
        if open > 0 {
            tracing::info!(map = %name, "{name}: last path deleted, map in use: kept");
            return false;
        }
        match self.env.dm.remove(&name, RemoveOptions::default()) {
            Ok(()) => {
                tracing::info!(map = %name, "{name}: last path deleted, map removed");
                self.drop_map(wwid);
                true
            }
            Err(e) => {
                tracing::error!("{name}: {e}");
                false
            }
        }
    }

    pub fn uevent(&mut self, u: Uevent) {
        if u.is_dm() {
            let minor = u.name[3..].parse::<u32>().ok();
            let Some(w) = self
                .st
                .maps
                .iter()
                .find(|m| m.minor.is_some() && m.minor == minor)
                .map(|m| m.wwid.clone())
            else {
                return;
            };
            if u.action == UAction::Remove {
                self.drop_map(&w);
            } else {
                self.to_sync.insert(w);
            }
            return;
        }
        if !u.is_path() {
            return;
        }
        match u.action {
            UAction::Remove => {
                self.remove_path(&u.name);
            }
            UAction::Add | UAction::Change => {
                if self.st.paths.iter().any(|p| p.dev.dev == u.name) {
                    return;
                }
                self.add_path_async(&u.name);
            }
            UAction::Other(_) => {}
        }
    }

    /// Read a new path from sysfs and udev; `Err` says why it is not used.
    pub fn read_new_path(&self, name: &str) -> Result<PathDev, String> {
        let dev = configure::discover_one(&self.env.cfg, &self.env.root, name)?;
        if self.is_blacklisted(&dev) {
            return Err("blacklisted".into());
        }
        Ok(dev)
    }

    /// Probe a new path off the owner thread; it comes back as
    /// `Msg::Gathered`.
    fn add_path_async(&mut self, name: &str) {
        let dev = match self.read_new_path(name) {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!("{name}: not added: {e}");
                return;
            }
        };
        let env = Arc::clone(&self.env);
        let tx = self.tx.clone();
        self.rt.spawn_blocking(move || {
            let mut log = Vec::new();
            let f = assemble::gather(&env.cfg, dev, &env.probe(), Gather::Probe, &mut log);
            prio::trace_said(&f.prio_said);
            let _ = tx.send(super::Msg::Gathered(Box::new(f)));
        });
    }

    /// A new path's facts are in: join its map, or make one.
    pub fn path_gathered(&mut self, f: PathFacts) {
        // A known path is not added twice, except an orphan back from
        // offline: its new facts take its place in the list (the reference
        // keeps such a path where it was in `show paths`).
        let slot = match self.st.paths.iter().position(|p| p.dev.dev == f.dev.dev) {
            None => None,
            Some(i) if self.rejoining.remove(&f.dev.dev) && self.st.paths[i].map.is_none() => {
                Some(i)
            }
            Some(_) => return,
        };
        let put = |o: &mut Owner, p: Path| match slot {
            Some(i) => o.st.paths[i] = p,
            None => o.st.paths.push(p),
        };
        self.remember_facts(&f);
        let wwid = f.dev.wwid.clone();
        tracing::info!(path = %f.dev.dev, "{}: add path (uevent)", f.dev.dev);
        if wwid.is_empty() {
            put(self, self.new_path(&f, None));
            return;
        }
        // A new path is not in any table yet: offline, it would make the
        // kernel refuse the map's reload or creation.
        if configure::path_offline(&f.dev) {
            put(self, self.new_path(&f, None));
            self.leave_out_offline(&f.dev.dev);
            return;
        }
        if self.map_idx(&wwid).is_some() {
            put(self, self.new_path(&f, Some(wwid.clone())));
            self.regroup(&wwid, false);
            return;
        }
        put(self, self.new_path(&f, None));
        if let Err(e) = self.create_for(&wwid, false) {
            tracing::debug!("{wwid}: {e}");
        }
    }

    /// Make a map for `wwid` from the known paths with it, if find_multipaths
    /// allows (or `forced`: `add map`).
    pub fn create_for(&mut self, wwid: &str, forced: bool) -> Result<(), String> {
        let env = Arc::clone(&self.env);
        let live = configure::live_maps(env.dm.as_ref()).unwrap_or_default();
        let lm = live.iter().find(|m| m.wwid == wwid);
        let mut facts: Vec<PathFacts> = Vec::new();
        let mut out: Vec<String> = Vec::new();
        for i in 0..self.st.paths.len() {
            let p = &self.st.paths[i];
            if p.dev.wwid != wwid || p.map.is_some() {
                continue;
            }
            // An orphan's device state is from when it was found; one gone
            // offline since would cost the whole map.
            let _ = refresh_state(&env.root, &mut self.st.paths[i]);
            let p = &self.st.paths[i];
            if configure::left_out_offline(&p.dev, lm) {
                out.push(p.dev.dev.clone());
            } else {
                facts.push(self.facts_of(p));
            }
        }
        for d in &out {
            self.leave_out_offline(d);
        }
        if facts.is_empty() {
            return Err(format!("{wwid}: no path"));
        }
        let mut wwids = WwidsFile::load(&env.root).ok();
        let wanted = forced
            || filter::should_create(&CreateInput {
                mode: FindMode::from_config(&env.cfg),
                wwid,
                paths: facts.len(),
                in_wwids_file: wwids.as_ref().is_some_and(|w| w.contains(wwid)),
                has_map: false,
                device_given: false,
            });
        if !wanted {
            tracing::debug!("{wwid}: not multipathed (find_multipaths)");
            return Ok(());
        }
        let mut bindings = Bindings::load(&env.root).ok();
        let Some((plan, name, r)) = establish(
            &env,
            wwid,
            facts,
            &live,
            bindings.as_mut(),
            wwids.as_mut(),
            false,
        ) else {
            return Err(format!("{wwid}: no path left"));
        };
        let action = match r {
            Ok(a) => a,
            Err(e) => {
                tracing::error!("{name}: {e}");
                if configure::refused_for_missing_device(&e) {
                    self.refused.insert(wwid.to_string());
                }
                return Err(e.to_string());
            }
        };
        // Only the paths the kernel got: those left out (offline, gone from
        // sysfs) stay orphans.
        for p in &mut self.st.paths {
            if p.dev.wwid == wwid
                && p.map.is_none()
                && plan.paths.iter().any(|f| f.dev.dev_t == p.dev.dev_t)
            {
                p.map = Some(wwid.to_string());
            }
        }
        self.maps_extra.insert(
            wwid.to_string(),
            MapExtra {
                next_pg: plan.init_pg,
            },
        );
        let mut m = self.empty_map(&name, wwid);
        m.action = lasting_action(&action).into();
        self.st.maps.push(m);
        self.sync_map(wwid);
        Ok(())
    }

    /// Keep the orphan `dev` out of its map while it is offline: the kernel
    /// would refuse a table naming it. [`Owner::recheck_offline`] reads its
    /// state again every polling interval.
    fn leave_out_offline(&mut self, dev: &str) {
        if !self.offline_out.insert(dev.to_string()) {
            return;
        }
        tracing::info!(path = %dev, "{dev}: path offline, left out");
        let next = Instant::now() + Duration::from_secs(self.polling_interval().into());
        if let Some(p) = self.st.paths.iter_mut().find(|p| p.dev.dev == dev) {
            p.next_check = next;
        }
        self.dirty = true;
    }

    /// The offline paths left out of their map, each once per polling
    /// interval: one whose SCSI device state is no longer `offline` is
    /// probed again as a new path, which joins its map (or makes one). The
    /// checkers do not run on orphans, so nothing else would notice it is
    /// back.
    pub fn recheck_offline(&mut self, now: Instant) {
        if self.offline_out.is_empty() {
            return;
        }
        let polling = Duration::from_secs(self.polling_interval().into());
        let mut back = Vec::new();
        for p in &mut self.st.paths {
            if p.map.is_some() || p.next_check > now || !self.offline_out.contains(&p.dev.dev) {
                continue;
            }
            p.next_check = now + polling;
            // Unreadable: the device is going away; its remove uevent
            // forgets it.
            let Some(changed) = refresh_state(&self.env.root, p) else {
                continue;
            };
            self.dirty |= changed;
            if !configure::path_offline(&p.dev) {
                back.push(p.dev.dev.clone());
            }
        }
        for dev in back {
            tracing::info!(path = %dev, "{dev}: path no longer offline, adding it");
            self.offline_out.remove(&dev);
            // The orphan stays listed until its new facts replace it.
            self.rejoining.insert(dev.clone());
            self.add_path_async(&dev);
            self.dirty = true;
        }
        // A path that joined a map meanwhile (found in its table) or left
        // is no longer waiting.
        let paths = &self.st.paths;
        self.offline_out
            .retain(|d| paths.iter().any(|p| p.dev.dev == *d && p.map.is_none()));
    }

    /// A path went away: take it out of its map and forget it.
    pub fn remove_path(&mut self, name: &str) -> bool {
        let Some(pi) = self.st.paths.iter().position(|p| p.dev.dev == name) else {
            return false;
        };
        let p = self.st.paths.remove(pi);
        self.paths_extra.remove(&p.dev.dev_t);
        self.offline_out.remove(name);
        self.rejoining.remove(name);
        tracing::info!(path = %name, "{name}: remove path");
        if let Some(w) = p.map {
            self.regroup(&w, false);
        } else if self.refused.remove(&p.dev.wwid) && self.map_idx(&p.dev.wwid).is_none() {
            // The device the kernel could not open is likely this one: the
            // map from the paths left (find_multipaths allowed it before).
            tracing::info!("{}: trying the map again without {name}", p.dev.wwid);
            if let Err(e) = self.create_for(&p.dev.wwid, true) {
                tracing::debug!("{e}");
            }
        }
        self.dirty = true;
        true
    }

    /// Maps the kernel refused for a device it could not open
    /// ([`Owner::refused`]): an orphan of theirs gone from sysfs is
    /// forgotten, as its remove uevent would (which may come later, or not
    /// at all), and the map is tried again without it. A WWID that got its
    /// map, or has no orphan left, is no longer waiting.
    pub fn retry_refused(&mut self) {
        if self.refused.is_empty() {
            return;
        }
        let root = &self.env.root;
        let gone: Vec<String> = self
            .st
            .paths
            .iter()
            .filter(|p| p.map.is_none() && self.refused.contains(&p.dev.wwid))
            .filter(|p| !root.join(format!("/sys/block/{}", p.dev.dev)).exists())
            .map(|p| p.dev.dev.clone())
            .collect();
        for d in gone {
            self.remove_path(&d);
        }
        let paths = &self.st.paths;
        self.refused
            .retain(|w| paths.iter().any(|p| p.map.is_none() && p.dev.wwid == *w));
    }
}

/// Read `p`'s SCSI device state from sysfs again into its facts: whether
/// it changed, `None` when it cannot be read (the device is going away).
fn refresh_state(root: &mpath::SysRoot, p: &mut Path) -> Option<bool> {
    let state = configure::device_state(root, &p.dev.dev)?;
    if state == p.dev.state {
        return Some(false);
    }
    Arc::make_mut(&mut p.dev).state = state;
    Some(true)
}

/// Build the map for `wwid` from `facts` and bring the kernel in line with
/// it: name it (multipaths alias, bindings, WWID), choose the action against
/// the `live` maps and carry it out. Right before the table goes to the
/// kernel, paths gone from sysfs are left out, and a table refused for a
/// missing device is tried once more without a path that went meanwhile
/// (as `multipath` does). Returns the plan handed to the kernel, the name
/// and the action taken (or why it failed); `None` when every path left
/// sysfs and nothing was done.
fn establish(
    env: &super::Env,
    wwid: &str,
    facts: Vec<PathFacts>,
    live: &[LiveMap],
    bindings: Option<&mut Bindings>,
    wwids: Option<&mut WwidsFile>,
    reload_all: bool,
) -> Option<(
    assemble::MapPlan,
    String,
    Result<configure::Action, mpath::dm::DmError>,
)> {
    let opts = AssembleOpts::default();
    let plan = assemble::assemble(&env.cfg, wwid, facts, &opts);
    for l in &plan.log {
        tracing::trace!("{l}");
    }
    let lm = live.iter().find(|m| m.wwid == wwid);
    let in_use = |name: &str| {
        live.iter()
            .find(|m| m.name == name && m.wwid != wwid)
            .map(|m| m.wwid.clone())
    };
    let choice = configure::select_alias(
        &env.cfg,
        wwid,
        &plan.paths[0].dev,
        bindings,
        lm.map(|m| m.name.as_str()),
        env.bindings_read_only,
        &in_use,
    );
    for m in &choice.messages {
        tracing::error!("{m}");
    }
    let name = choice.name;
    let action = configure::select_action(&plan, &name, lm, reload_all);
    let Some(verb) = action.verb() else {
        // Nothing goes to the kernel.
        return Some((plan, name, Ok(action)));
    };
    let recheck = Recheck {
        root: &env.root,
        cfg: &env.cfg,
        opts: &opts,
    };
    let mut msgs = Vec::new();
    let replan = recheck.replan(&name, &plan, &mut msgs);
    log_recheck(&mut msgs);
    let now = replan.plan(&plan)?;
    set_tmo(env, &name, now);
    let dm = env.dm.as_ref();
    let hand_over = |p: &assemble::MapPlan| {
        tracing::info!(map = %name, "{name}: {verb} [{}]", p.table);
        configure::stage(dm, &action, &name, p)
    };
    let mut res = hand_over(now);
    let mut again = None;
    if let Err(e) = &res {
        // Only a path already gone counts here: the owner thread does not
        // wait for one to go. When none has, the caller keeps the WWID in
        // `Owner::refused`, and the map is tried again once one goes.
        if let Some(a) = recheck.after_refusal_at_once(&name, now, e, &mut msgs) {
            log_recheck(&mut msgs);
            res = match a.plan(now) {
                Some(p) => hand_over(p),
                None => Ok(()),
            };
            again = Some(a);
        }
    }
    let plan = match again.unwrap_or(replan) {
        Replan::Same => plan,
        Replan::Without(p) => *p,
        // Every path went while the kernel refused the table.
        Replan::NoPathLeft => return None,
    };
    let res = res.and_then(|()| configure::commit(dm, &action, &name, &plan));
    let failed = FailedWwids::new(&env.root);
    let mut log = configure::ApplyLog::default();
    configure::record(
        &mut ApplyEnv {
            dm,
            root: &env.root,
            wwids,
            failed: &failed,
        },
        &action,
        &plan,
        &res,
        &mut log,
    );
    log_apply(log);
    Some((plan, name, res.map(|()| action)))
}

/// The SCSI timeouts of `plan`'s paths, written right before its table
/// goes to the kernel: on every creation and reload, as the reference sets
/// them whenever it sets up a map (path added or removed, priorities
/// regrouped, reconfigure).
fn set_tmo(env: &super::Env, name: &str, plan: &assemble::MapPlan) {
    let tmo = configure::scsi_tmo::set_map_tmo(&env.root, &env.cfg, name, plan);
    if let Some(m) = tmo.unsupported {
        tracing::debug!("{m}");
    }
    for (level, m) in tmo.log {
        if level <= 1 {
            tracing::error!(map = %name, "{m}");
        } else {
            tracing::debug!(map = %name, "{m}");
        }
    }
}

/// What a map shows as its action (`%A`, the `create:` of `show topology`)
/// after the daemon did `action` to it. Only a creation lasts: the
/// reference shows `create:` on the maps it made at start-up (VM probe 97),
/// and nothing on maps it reloaded, at start-up (scenario 40) or for a path
/// deleted and rescanned (scenario 20).
fn lasting_action(action: &configure::Action) -> &'static str {
    match action {
        configure::Action::Create => "create",
        _ => "",
    }
}

/// The re-check's messages are `multipath`'s verbosity 2: warnings here.
fn log_recheck(msgs: &mut Vec<(u32, String)>) {
    for (_, m) in msgs.drain(..) {
        tracing::warn!("{m}");
    }
}

fn log_apply(log: configure::ApplyLog) {
    for l in log.debug {
        tracing::debug!("{l}");
    }
    for l in log.errors {
        tracing::error!("{l}");
    }
}

/// Probe paths on a few threads at once (start-up with thousands of LUNs).
fn gather_all(env: &super::Env, devs: Vec<PathDev>) -> Vec<PathFacts> {
    let n = devs.len();
    if n == 0 {
        return Vec::new();
    }
    let workers = n.clamp(1, 16);
    let chunk = n.div_ceil(workers);
    let chunks: Vec<Vec<PathDev>> = devs.chunks(chunk).map(|c| c.to_vec()).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| {
                s.spawn(move || {
                    let probe = env.probe();
                    c.into_iter()
                        .map(|d| {
                            let mut log = Vec::new();
                            let f = assemble::gather(&env.cfg, d, &probe, Gather::Probe, &mut log);
                            for l in log {
                                tracing::trace!("{l}");
                            }
                            prio::trace_said(&f.prio_said);
                            f
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}
