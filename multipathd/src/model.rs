//! What the daemon knows: its maps and paths, as one plain value.
//!
//! The state owner ([`crate::owner`]) holds the only mutable [`State`]; after
//! every change it publishes a clone as the snapshot that `show` commands
//! render ([`crate::format`]), so a `show` never waits behind path I/O or a
//! reconfigure. Path facts that do not change between rescans sit behind an
//! `Arc`, which keeps the clone cheap at thousands of paths.

use mpath::checker::PathState;
use mpath::discovery::PathDev;
use mpath::dm::{DmPathState, GroupState};
use mpath::SysRoot;
use std::sync::Arc;
use std::time::Instant;

/// The daemon's life cycle, as `show daemon` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaemonState {
    Init,
    Startup,
    Configure,
    Idle,
    Running,
    Shutdown,
}

impl DaemonState {
    pub fn name(self) -> &'static str {
        match self {
            DaemonState::Init => "init",
            DaemonState::Startup => "startup",
            DaemonState::Configure => "configure",
            DaemonState::Idle => "idle",
            DaemonState::Running => "running",
            DaemonState::Shutdown => "shutdown",
        }
    }
}

/// How far the daemon got with a path (`%I`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitState {
    New,
    Failed,
    UdevMissing,
    UdevRequested,
    Ok,
    Removed,
    Partial,
}

impl InitState {
    pub fn name(self) -> &'static str {
        match self {
            InitState::New => "new",
            InitState::Failed => "failed",
            InitState::UdevMissing => "udev-missing",
            InitState::UdevRequested => "udev-requested",
            InitState::Ok => "ok",
            InitState::Removed => "removed",
            InitState::Partial => "partial",
        }
    }
}

/// A path the daemon monitors.
#[derive(Debug, Clone)]
pub struct Path {
    /// What discovery found (name, dev_t, H:C:T:L, vendor, WWID, ...).
    pub dev: Arc<PathDev>,
    /// Checker name (`%c`), empty before selection.
    pub checker: String,
    /// Last checker verdict (`%T`).
    pub chk: PathState,
    /// Priority (`%p`), [`mpath::prio::PRIO_UNDEF`] when unknown.
    pub prio: i32,
    pub prio_name: String,
    pub prio_args: String,
    /// ALUA target port group (`%A`).
    pub tpg: Option<u16>,
    /// State in the kernel map (`%t`); `None` when not in a map's status.
    pub dm: Option<DmPathState>,
    /// The kernel's fail count for the path (`%0`).
    pub fail_count: u32,
    /// WWID of the map the path belongs to; `None` for an orphan.
    pub map: Option<String>,
    /// Checker interval in seconds (`%C` total).
    pub interval: u32,
    /// When the next check is due (`%C` progress).
    pub next_check: Instant,
    /// Failed by `fail path`: the checker leaves it alone until
    /// `reinstate path`.
    pub admin_failed: bool,
    /// A check is running for the path.
    pub pending: bool,
    pub init: InitState,
    /// Marginal (`%M`).
    pub marginal: bool,
}

impl Path {
    /// Seconds until the next check, as the `%C` bar counts them.
    pub fn ticks_left(&self, now: Instant) -> u32 {
        let left = self.next_check.saturating_duration_since(now).as_secs_f64();
        (left.ceil() as u32).min(self.interval)
    }
}

/// When a map switches back to a better group (`%F`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failback {
    Undef,
    Immediate,
    Followover,
    Manual,
    /// After this many seconds.
    Deferred(u32),
}

/// Queueing policy when all paths are down (`no_path_retry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queueing {
    Unset,
    Fail,
    Queue,
    /// This many checker intervals.
    Retries(u32),
}

/// Per-map counters (`%0`..`%4`, `show maps stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapStats {
    pub path_faults: u32,
    pub switch_grp: u32,
    pub map_loads: u32,
    /// Seconds spent queueing with no usable path.
    pub total_q_time: u32,
    pub q_timeouts: u32,
}

/// A path group as the kernel has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Selector with its argument count: `service-time 0`.
    pub selector: String,
    /// Group priority computed from its paths' priorities.
    pub prio: i32,
    /// Kernel state; `None` when the status could not be read.
    pub state: Option<GroupState>,
    /// Member paths by `major:minor`, in table order.
    pub paths: Vec<String>,
}

/// A multipath map the daemon monitors.
#[derive(Debug, Clone)]
pub struct Map {
    /// DM name: alias or WWID (`%n`).
    pub name: String,
    pub wwid: String,
    /// dm minor (`%d` = `dm-<minor>`), `None` before creation.
    pub minor: Option<u32>,
    /// Size in sectors (`%S`).
    pub size: u64,
    /// Features with their count, as the kernel echoes them (`%f`).
    pub features: String,
    /// Hardware handler with its count (`%h`).
    pub hwhandler: String,
    pub groups: Vec<Group>,
    /// `None` = undef.
    pub read_only: Option<bool>,
    /// `None` = undef (`%t`: active / suspend).
    pub suspended: Option<bool>,
    pub failback: Failback,
    /// Seconds counted so far towards a deferred failback (`%F` progress),
    /// `None` while not counting.
    pub failback_tick: Option<u32>,
    /// Configured no_path_retry.
    pub no_path_retry: Queueing,
    /// `disablequeueing` was issued.
    pub queueing_disabled: bool,
    /// Seconds left in recovery mode (all paths down with retries), `None`
    /// when not in recovery.
    pub retry_left: Option<u32>,
    /// Retries exhausted: queueing switched off until a path returns.
    pub retries_exhausted: bool,
    /// Last action taken on the map (`%A`).
    pub action: String,
    pub stats: MapStats,
    /// Checker interval used for the map's retry countdown.
    pub polling_interval: u32,
}

/// Everything `show` commands read.
#[derive(Debug, Clone)]
pub struct State {
    pub pid: u32,
    pub daemon: DaemonState,
    pub pending_reconfigure: bool,
    /// Reconfigurations carried out so far (see [`Published::reconf_requested`]
    /// in the daemon).
    pub reconfigures: u64,
    /// Maps in the order the daemon adopted or created them.
    pub maps: Vec<Map>,
    /// Paths in discovery order, new ones appended.
    pub paths: Vec<Path>,
    /// Where the few wildcards that upstream reads from sysfs when it
    /// prints (`%k`, the FC names, the host adapter) read it.
    pub root: SysRoot,
}

impl State {
    pub fn new(pid: u32, root: SysRoot) -> Self {
        State {
            root,
            pid,
            daemon: DaemonState::Init,
            pending_reconfigure: false,
            reconfigures: 0,
            maps: Vec::new(),
            paths: Vec::new(),
        }
    }

    pub fn map_by_wwid(&self, wwid: &str) -> Option<&Map> {
        self.maps.iter().find(|m| m.wwid == wwid)
    }

    /// A map by alias, WWID, `dm-N`, or `/dev/...` of either.
    pub fn find_map(&self, key: &str) -> Option<&Map> {
        let key = key
            .strip_prefix("/dev/mapper/")
            .or_else(|| key.strip_prefix("/dev/"))
            .unwrap_or(key);
        if let Some(minor) = key.strip_prefix("dm-").and_then(|n| n.parse::<u32>().ok()) {
            if let Some(m) = self.maps.iter().find(|m| m.minor == Some(minor)) {
                return Some(m);
            }
        }
        self.maps
            .iter()
            .find(|m| m.name == key)
            .or_else(|| self.maps.iter().find(|m| m.wwid == key))
    }

    /// A path by kernel name or `major:minor` (a `/dev/` prefix is dropped).
    pub fn find_path(&self, key: &str) -> Option<&Path> {
        let key = key.strip_prefix("/dev/").unwrap_or(key);
        self.paths
            .iter()
            .find(|p| p.dev.dev == key || p.dev.dev_t == key)
    }

    /// The paths of `map`, in table order (paths no longer known are skipped).
    pub fn paths_of<'a>(&'a self, map: &'a Map) -> impl Iterator<Item = &'a Path> + 'a {
        map.groups
            .iter()
            .flat_map(|g| g.paths.iter())
            .filter_map(|devt| self.paths.iter().find(|p| &p.dev.dev_t == devt))
    }
}
