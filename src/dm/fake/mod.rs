//! An in-memory device mapper for tests: records every call, injects errors
//! per map and operation, and behaves like the kernel where the tools can
//! tell (names and UUIDs unique, open maps cannot be removed, tables the
//! multipath target would refuse are refused, resume swaps in the inactive
//! table, target messages change the reported status).

use super::status::{DmPathState, GroupState, MultipathStatus, StatusGroup, StatusPath};
use super::table::{DevRef, MultipathTable, TARGET_TYPE};
use super::{
    CreateOptions, DevNum, DeviceMapper, DmError, DmInfo, DmListEntry, DmOp, DmTarget,
    RemoveOptions, ResumeOptions, SuspendOptions, UdevFlags,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

const EINVAL: i32 = 22;

/// One recorded call, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DmCall {
    List,
    Info {
        name: String,
    },
    Table {
        name: String,
    },
    Status {
        name: String,
    },
    Create {
        name: String,
        table: Vec<DmTarget>,
        opts: CreateOptions,
    },
    Load {
        name: String,
        table: Vec<DmTarget>,
    },
    Suspend {
        name: String,
        opts: SuspendOptions,
    },
    Resume {
        name: String,
        opts: ResumeOptions,
    },
    Remove {
        name: String,
        opts: RemoveOptions,
    },
    Rename {
        name: String,
        new_name: String,
        udev: UdevFlags,
    },
    Message {
        name: String,
        sector: u64,
        msg: String,
    },
    TargetVersion {
        target: String,
    },
}

impl DmCall {
    pub fn op(&self) -> DmOp {
        match self {
            DmCall::List => DmOp::List,
            DmCall::Info { .. } => DmOp::Info,
            DmCall::Table { .. } => DmOp::Table,
            DmCall::Status { .. } => DmOp::Status,
            DmCall::Create { .. } => DmOp::Create,
            DmCall::Load { .. } => DmOp::Load,
            DmCall::Suspend { .. } => DmOp::Suspend,
            DmCall::Resume { .. } => DmOp::Resume,
            DmCall::Remove { .. } => DmOp::Remove,
            DmCall::Rename { .. } => DmOp::Rename,
            DmCall::Message { .. } => DmOp::Message,
            DmCall::TargetVersion { .. } => DmOp::TargetVersion,
        }
    }

    /// The map (or target type) the call is about.
    pub fn name(&self) -> Option<&str> {
        match self {
            DmCall::List => None,
            DmCall::Info { name }
            | DmCall::Table { name }
            | DmCall::Status { name }
            | DmCall::Create { name, .. }
            | DmCall::Load { name, .. }
            | DmCall::Suspend { name, .. }
            | DmCall::Resume { name, .. }
            | DmCall::Remove { name, .. }
            | DmCall::Rename { name, .. }
            | DmCall::Message { name, .. } => Some(name),
            DmCall::TargetVersion { target } => Some(target),
        }
    }

    /// Whether the call changes kernel state.
    pub fn is_mutating(&self) -> bool {
        !matches!(
            self.op(),
            DmOp::List | DmOp::Info | DmOp::Table | DmOp::Status | DmOp::TargetVersion
        )
    }
}

#[derive(Debug, Clone)]
struct Fault {
    map: Option<String>,
    op: DmOp,
    errno: i32,
    /// `None`: every time.
    remaining: Option<u32>,
}

#[derive(Debug, Clone, Default)]
struct FakeMap {
    uuid: String,
    dev: DevNum,
    live: Vec<DmTarget>,
    inactive: Option<Vec<DmTarget>>,
    suspended: bool,
    read_only: bool,
    open_count: u32,
    event_nr: u32,
    deferred_remove: bool,
    /// Status set by the test, instead of the synthesized one.
    status_override: Option<Vec<DmTarget>>,
    failed_paths: BTreeMap<DevRef, u32>,
    fail_counts: BTreeMap<DevRef, u32>,
    disabled_groups: BTreeSet<u32>,
    next_pg: Option<u32>,
    /// Set by `queue_if_no_path` / `fail_if_no_path` messages.
    queueing: Option<bool>,
}

#[derive(Debug)]
struct State {
    maps: BTreeMap<String, FakeMap>,
    next_minor: u32,
    calls: Vec<DmCall>,
    faults: Vec<Fault>,
    targets: BTreeMap<String, [u32; 3]>,
    /// Mutating calls of earlier runs, loaded from a state file.
    journal: Vec<String>,
}

/// The in-memory device mapper. Maps get device numbers `253:<n>` in
/// creation order.
#[derive(Debug)]
pub struct FakeDm {
    state: Mutex<State>,
}

impl Default for FakeDm {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeDm {
    /// Major number of the fake's devices.
    pub const MAJOR: u32 = 253;

    pub fn new() -> Self {
        let mut targets = BTreeMap::new();
        // Versions of a 6.1 kernel.
        targets.insert(TARGET_TYPE.to_string(), [1, 14, 0]);
        targets.insert("linear".to_string(), [1, 4, 0]);
        FakeDm {
            state: Mutex::new(State {
                maps: BTreeMap::new(),
                next_minor: 0,
                calls: Vec::new(),
                faults: Vec::new(),
                targets,
                journal: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves usable state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Add a live map directly, without recording a call (test set-up).
    /// `table` is a whole `dmsetup table` line, e.g.
    /// `0 2048 multipath 0 0 1 1 service-time 0 1 1 8:16 1`.
    pub fn add_map(&self, name: &str, uuid: &str, table: &str) -> DevNum {
        let live = parse_table_text(table);
        let mut st = self.lock();
        let dev = DevNum {
            major: Self::MAJOR,
            minor: st.next_minor,
        };
        st.next_minor += 1;
        st.maps.insert(
            name.to_string(),
            FakeMap {
                uuid: uuid.to_string(),
                dev,
                live,
                ..FakeMap::default()
            },
        );
        dev
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<DmCall> {
        self.lock().calls.clone()
    }

    /// The calls so far; the record starts empty again.
    pub fn take_calls(&self) -> Vec<DmCall> {
        std::mem::take(&mut self.lock().calls)
    }

    /// Calls that change kernel state (create, load, resume, message...).
    pub fn mutating_calls(&self) -> Vec<DmCall> {
        self.calls()
            .into_iter()
            .filter(DmCall::is_mutating)
            .collect()
    }

    /// Make `op` fail with `errno` on `map` (`None`: on every map) until
    /// [`clear_faults`](Self::clear_faults).
    pub fn fail(&self, map: Option<&str>, op: DmOp, errno: i32) {
        self.push_fault(map, op, errno, None)
    }

    /// Make the next `times` calls of `op` on `map` fail with `errno`.
    pub fn fail_times(&self, map: Option<&str>, op: DmOp, errno: i32, times: u32) {
        self.push_fault(map, op, errno, Some(times))
    }

    fn push_fault(&self, map: Option<&str>, op: DmOp, errno: i32, remaining: Option<u32>) {
        self.lock().faults.push(Fault {
            map: map.map(str::to_string),
            op,
            errno,
            remaining,
        });
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Set how many openers a map has (mounted file system, LVM on top...).
    /// Dropping to 0 completes a deferred remove.
    pub fn set_open_count(&self, name: &str, count: u32) {
        let mut st = self.lock();
        let done = match st.maps.get_mut(name) {
            Some(m) => {
                m.open_count = count;
                count == 0 && m.deferred_remove
            }
            None => false,
        };
        if done {
            st.maps.remove(name);
        }
    }

    /// Replace the synthesized status of a map with a whole `dmsetup status`
    /// line (`None`: synthesize again).
    pub fn set_status(&self, name: &str, status: Option<&str>) {
        if let Some(m) = self.lock().maps.get_mut(name) {
            m.status_override = status.map(parse_table_text);
        }
    }

    /// Bump a map's event counter, as a path failure in the kernel would.
    pub fn trigger_event(&self, name: &str) {
        if let Some(m) = self.lock().maps.get_mut(name) {
            m.event_nr += 1;
        }
    }

    /// Register or remove (`None`) a target type.
    pub fn set_target_version(&self, target: &str, version: Option<[u32; 3]>) {
        let mut st = self.lock();
        match version {
            Some(v) => st.targets.insert(target.to_string(), v),
            None => st.targets.remove(target),
        };
    }

    /// Names of the existing maps.
    pub fn map_names(&self) -> Vec<String> {
        self.lock().maps.keys().cloned().collect()
    }

    /// Record the call, then apply an injected fault if one matches.
    /// A new device with `table` live (`create`) or loaded inactive
    /// (`create_inactive`).
    fn new_device(
        &self,
        name: &str,
        table: &[DmTarget],
        opts: &CreateOptions,
        live: bool,
    ) -> Result<DmInfo, DmError> {
        let mut st = self.begin(DmCall::Create {
            name: name.into(),
            table: table.to_vec(),
            opts: opts.clone(),
        })?;
        if name.is_empty() || name.contains('/') || name.len() >= 128 {
            return Err(einval(name, DmOp::Create));
        }
        if st.maps.contains_key(name) {
            return Err(DmError::NameExists { name: name.into() });
        }
        let uuid = opts.uuid.clone().unwrap_or_default();
        if !uuid.is_empty() && st.maps.values().any(|m| m.uuid == uuid) {
            return Err(DmError::UuidExists {
                name: name.into(),
                uuid,
            });
        }
        let dev = DevNum {
            major: Self::MAJOR,
            minor: st.next_minor,
        };
        check_table(name, DmOp::Create, table).map_err(|e| e.into_refused(Some(dev)))?;
        st.next_minor += 1;
        let reported = as_kernel_reports(table);
        let (live, inactive) = if live {
            (reported, None)
        } else {
            (Vec::new(), Some(reported))
        };
        let m = FakeMap {
            uuid,
            dev,
            live,
            inactive,
            read_only: opts.read_only,
            ..FakeMap::default()
        };
        let info = m.info(name);
        st.maps.insert(name.to_string(), m);
        Ok(info)
    }

    fn begin(&self, call: DmCall) -> Result<MutexGuard<'_, State>, DmError> {
        let mut st = self.lock();
        let op = call.op();
        let name = call.name().unwrap_or("").to_string();
        st.calls.push(call);
        let hit = st.faults.iter().position(|f| {
            let on_map = f.map.is_none() || f.map.as_deref() == Some(name.as_str());
            f.op == op && on_map && f.remaining != Some(0)
        });
        if let Some(i) = hit {
            let f = &mut st.faults[i];
            let errno = f.errno;
            if let Some(r) = &mut f.remaining {
                *r -= 1;
            }
            // A create fault is DM_DEV_CREATE failing; a load fault, the
            // kernel refusing the table.
            let e = DmError::Os { name, op, errno };
            return Err(match op {
                DmOp::Load => e.into_refused(None),
                _ => e,
            });
        }
        Ok(st)
    }
}

fn parse_table_text(text: &str) -> Vec<DmTarget> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut w = l.split_ascii_whitespace();
            let start = w.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let length = w.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let target_type = w.next().unwrap_or("").to_string();
            DmTarget {
                start,
                length,
                target_type,
                params: w.collect::<Vec<_>>().join(" "),
            }
        })
        .collect()
}

/// The per-path status words of an idle path selector, as the kernel
/// reports them: service-time its in-flight size and relative throughput,
/// queue-length its in-flight count, round-robin none.
fn selector_path_info(selector: &str) -> Vec<String> {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
    match selector {
        "service-time" => words(&["0", "1"]),
        "queue-length" => words(&["0"]),
        _ => Vec::new(),
    }
}

/// A loaded table as the kernel reports it back: each path selector prints
/// its own per-path arguments (service-time `<repeat_count>
/// <relative_throughput>`, round-robin and queue-length `<repeat_count>`),
/// whatever the loaded table gave.
fn as_kernel_reports(table: &[DmTarget]) -> Vec<DmTarget> {
    table
        .iter()
        .map(|t| {
            let Some(mut mp) = (t.target_type == TARGET_TYPE)
                .then(|| t.params.parse::<MultipathTable>().ok())
                .flatten()
            else {
                return t.clone();
            };
            for g in &mut mp.groups {
                let n = match g.selector.as_str() {
                    "service-time" => 2,
                    "round-robin" | "queue-length" => 1,
                    _ => continue,
                };
                g.path_args = n;
                for p in &mut g.paths {
                    let repeat = p.args.first().cloned().unwrap_or_else(|| "1".into());
                    let throughput = p.args.get(1).cloned().unwrap_or_else(|| "1".into());
                    p.args = [repeat, throughput].into_iter().take(n as usize).collect();
                }
            }
            DmTarget {
                params: mp.to_string(),
                ..t.clone()
            }
        })
        .collect()
}

fn not_found(name: &str) -> DmError {
    DmError::NotFound { name: name.into() }
}

fn einval(name: &str, op: DmOp) -> DmError {
    DmError::Os {
        name: name.into(),
        op,
        errno: EINVAL,
    }
}

/// Refuse what the kernel would refuse: no targets, or multipath params that
/// do not parse.
fn check_table(name: &str, op: DmOp, table: &[DmTarget]) -> Result<(), DmError> {
    if table.is_empty() {
        return Err(einval(name, op));
    }
    for t in table {
        if t.target_type != TARGET_TYPE {
            continue;
        }
        // The kernel's path selectors (a module each).
        const SELECTORS: [&str; 5] = [
            "round-robin",
            "queue-length",
            "service-time",
            "historical-service-time",
            "io-affinity",
        ];
        match t.params.parse::<MultipathTable>() {
            Ok(mt)
                if mt
                    .groups
                    .iter()
                    .all(|g| SELECTORS.contains(&g.selector.as_str())) => {}
            _ => return Err(einval(name, op)),
        }
    }
    Ok(())
}

impl FakeMap {
    fn info(&self, name: &str) -> DmInfo {
        DmInfo {
            name: name.to_string(),
            uuid: self.uuid.clone(),
            dev: self.dev,
            open_count: self.open_count,
            event_nr: self.event_nr,
            target_count: self.live.len() as u32,
            suspended: self.suspended,
            read_only: self.read_only,
            live_table: !self.live.is_empty(),
            inactive_table: self.inactive.is_some(),
            deferred_remove: self.deferred_remove,
        }
    }

    fn multipath(&self) -> Option<MultipathTable> {
        match self.live.as_slice() {
            [t] if t.target_type == TARGET_TYPE => t.params.parse().ok(),
            _ => None,
        }
    }

    /// What the kernel would report: all paths active unless failed by a
    /// message, the next group active, disabled groups bypassed.
    fn synth_status(&self) -> Vec<DmTarget> {
        if let Some(s) = &self.status_override {
            return s.clone();
        }
        self.live
            .iter()
            .map(|t| {
                let params = match (t.target_type == TARGET_TYPE)
                    .then(|| t.params.parse::<MultipathTable>().ok())
                    .flatten()
                {
                    Some(table) => self.multipath_status(&table).to_string(),
                    None => String::new(),
                };
                DmTarget {
                    params,
                    ..t.clone()
                }
            })
            .collect()
    }

    fn current_pg(&self, table: &MultipathTable) -> u32 {
        match self.next_pg {
            Some(n) => n,
            None if table.groups.is_empty() => 0,
            None => table.init_pg.max(1),
        }
    }

    fn multipath_status(&self, table: &MultipathTable) -> MultipathStatus {
        let next_pg = self.current_pg(table);
        let groups: Vec<StatusGroup> = table
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let n = i as u32 + 1;
                StatusGroup {
                    // The kernel shows a group `A` only while it is the
                    // current group: chosen by the first I/O through the
                    // table, forgotten on `switch_group`. The fake does no
                    // I/O, so no group is current.
                    state: if self.disabled_groups.contains(&n) {
                        GroupState::Disabled
                    } else {
                        GroupState::Enabled
                    },
                    selector_info: vec![],
                    path_info: selector_path_info(&g.selector).len() as u32,
                    paths: g
                        .paths
                        .iter()
                        .map(|p| StatusPath {
                            dev: p.dev.clone(),
                            state: if self.failed_paths.contains_key(&p.dev) {
                                DmPathState::Failed
                            } else {
                                DmPathState::Active
                            },
                            fail_count: self.fail_counts.get(&p.dev).copied().unwrap_or(0),
                            selector_info: selector_path_info(&g.selector),
                        })
                        .collect(),
                }
            })
            .collect();
        let queueing = self
            .queueing
            .unwrap_or_else(|| table.has_feature("queue_if_no_path"));
        let no_path = groups
            .iter()
            .flat_map(|g| g.paths.iter())
            .all(|p| p.state == DmPathState::Failed);
        MultipathStatus {
            queue_io: queueing && no_path,
            pg_init_count: 0,
            extra_features: vec![],
            hw_handler: vec![],
            next_pg,
            groups,
        }
    }

    /// The target messages of dm-multipath and DM core.
    fn message(&mut self, name: &str, msg: &str) -> Result<(), DmError> {
        let bad = || einval(name, DmOp::Message);
        let words: Vec<&str> = msg.split_ascii_whitespace().collect();
        if let ["@cancel_deferred_remove"] = words.as_slice() {
            if !self.deferred_remove {
                return Err(bad());
            }
            self.deferred_remove = false;
            return Ok(());
        }
        let table = self.multipath().ok_or_else(bad)?;
        let group = |n: &str| -> Result<u32, DmError> {
            match n.parse::<u32>() {
                Ok(n) if n >= 1 && n as usize <= table.groups.len() => Ok(n),
                _ => Err(bad()),
            }
        };
        let path = |d: &str| -> Result<DevRef, DmError> {
            let dev: DevRef = d.parse().map_err(|()| bad())?;
            if table.devices().any(|x| *x == dev) {
                Ok(dev)
            } else {
                Err(bad())
            }
        };
        match words.as_slice() {
            ["fail_path", d] => {
                let dev = path(d)?;
                if !self.failed_paths.contains_key(&dev) {
                    *self.fail_counts.entry(dev.clone()).or_default() += 1;
                    self.failed_paths.insert(dev, 1);
                    self.event_nr += 1;
                }
            }
            ["reinstate_path", d] => {
                let dev = path(d)?;
                if self.failed_paths.remove(&dev).is_some() {
                    self.event_nr += 1;
                }
            }
            ["switch_group", n] => {
                let n = group(n)?;
                // The kernel re-enables every group, not only the new one.
                self.disabled_groups.clear();
                self.next_pg = Some(n);
            }
            ["enable_group", n] => {
                let n = group(n)?;
                self.disabled_groups.remove(&n);
            }
            ["disable_group", n] => {
                let n = group(n)?;
                self.disabled_groups.insert(n);
            }
            ["queue_if_no_path"] => self.queueing = Some(true),
            ["fail_if_no_path"] => self.queueing = Some(false),
            _ => return Err(bad()),
        }
        Ok(())
    }
}

impl DeviceMapper for FakeDm {
    fn list(&self) -> Result<Vec<DmListEntry>, DmError> {
        let st = self.begin(DmCall::List)?;
        Ok(st
            .maps
            .iter()
            .map(|(name, m)| DmListEntry {
                name: name.clone(),
                dev: m.dev,
                event_nr: m.event_nr,
            })
            .collect())
    }

    fn info(&self, name: &str) -> Result<Option<DmInfo>, DmError> {
        let st = self.begin(DmCall::Info { name: name.into() })?;
        Ok(st.maps.get(name).map(|m| m.info(name)))
    }

    fn table(&self, name: &str) -> Result<Vec<DmTarget>, DmError> {
        let st = self.begin(DmCall::Table { name: name.into() })?;
        st.maps
            .get(name)
            .map(|m| m.live.clone())
            .ok_or_else(|| not_found(name))
    }

    fn status(&self, name: &str) -> Result<Vec<DmTarget>, DmError> {
        let st = self.begin(DmCall::Status { name: name.into() })?;
        st.maps
            .get(name)
            .map(FakeMap::synth_status)
            .ok_or_else(|| not_found(name))
    }

    fn create(
        &self,
        name: &str,
        table: &[DmTarget],
        opts: &CreateOptions,
    ) -> Result<DmInfo, DmError> {
        self.new_device(name, table, opts, true)
    }

    /// As the kernel: the device exists with `table` inactive; the calls log
    /// shows a `create`.
    fn create_inactive(
        &self,
        name: &str,
        table: &[DmTarget],
        opts: &CreateOptions,
    ) -> Result<(), DmError> {
        self.new_device(name, table, opts, false).map(|_| ())
    }

    /// A `resume` in the calls log; a failed one removes the device.
    fn activate(&self, name: &str, opts: &CreateOptions) -> Result<DmInfo, DmError> {
        let resume = ResumeOptions {
            noflush: false,
            udev: opts.udev,
        };
        if let Err(e) = self.resume(name, resume) {
            self.lock().maps.remove(name);
            return Err(e);
        }
        self.info(name)?
            .ok_or_else(|| DmError::NotFound { name: name.into() })
    }

    fn load(&self, name: &str, table: &[DmTarget]) -> Result<(), DmError> {
        let mut st = self.begin(DmCall::Load {
            name: name.into(),
            table: table.to_vec(),
        })?;
        let m = st.maps.get_mut(name).ok_or_else(|| not_found(name))?;
        check_table(name, DmOp::Load, table).map_err(|e| e.into_refused(None))?;
        m.inactive = Some(as_kernel_reports(table));
        Ok(())
    }

    fn suspend(&self, name: &str, opts: SuspendOptions) -> Result<(), DmError> {
        let mut st = self.begin(DmCall::Suspend {
            name: name.into(),
            opts,
        })?;
        let m = st.maps.get_mut(name).ok_or_else(|| not_found(name))?;
        m.suspended = true;
        Ok(())
    }

    fn resume(&self, name: &str, opts: ResumeOptions) -> Result<(), DmError> {
        let mut st = self.begin(DmCall::Resume {
            name: name.into(),
            opts,
        })?;
        let m = st.maps.get_mut(name).ok_or_else(|| not_found(name))?;
        if let Some(t) = m.inactive.take() {
            m.live = t;
            // Path state belongs to the old table's paths.
            let devs: BTreeSet<DevRef> = m
                .multipath()
                .map(|t| t.devices().cloned().collect())
                .unwrap_or_default();
            m.failed_paths.retain(|d, _| devs.contains(d));
            m.next_pg = None;
            m.disabled_groups.clear();
            m.event_nr += 1;
        }
        m.suspended = false;
        Ok(())
    }

    fn remove(&self, name: &str, opts: RemoveOptions) -> Result<(), DmError> {
        let mut st = self.begin(DmCall::Remove {
            name: name.into(),
            opts,
        })?;
        let m = st.maps.get_mut(name).ok_or_else(|| not_found(name))?;
        if m.open_count > 0 {
            if opts.deferred {
                m.deferred_remove = true;
                return Ok(());
            }
            return Err(DmError::Busy { name: name.into() });
        }
        st.maps.remove(name);
        Ok(())
    }

    fn rename(&self, name: &str, new_name: &str, udev: UdevFlags) -> Result<(), DmError> {
        let mut st = self.begin(DmCall::Rename {
            name: name.into(),
            new_name: new_name.into(),
            udev,
        })?;
        if !st.maps.contains_key(name) {
            return Err(not_found(name));
        }
        if new_name.is_empty() || new_name.contains('/') || new_name.len() >= 128 {
            return Err(einval(name, DmOp::Rename));
        }
        if st.maps.contains_key(new_name) {
            return Err(DmError::NameExists {
                name: new_name.into(),
            });
        }
        let m = st.maps.remove(name).expect("checked above");
        st.maps.insert(new_name.to_string(), m);
        Ok(())
    }

    fn message(&self, name: &str, sector: u64, msg: &str) -> Result<Option<String>, DmError> {
        let mut st = self.begin(DmCall::Message {
            name: name.into(),
            sector,
            msg: msg.into(),
        })?;
        let m = st.maps.get_mut(name).ok_or_else(|| not_found(name))?;
        m.message(name, msg)?;
        Ok(None)
    }

    fn target_version(&self, target: &str) -> Result<Option<[u32; 3]>, DmError> {
        let st = self.begin(DmCall::TargetVersion {
            target: target.into(),
        })?;
        Ok(st.targets.get(target).copied())
    }
}

mod persist;

#[cfg(test)]
mod tests;
