//! The `%` wildcards: one table per object (map, path, path group), each
//! entry a key, the header `show ... format` prints above the column, and
//! the function rendering the value from the daemon's [`State`].
//!
//! The order of the tables is upstream's: `show wildcards` lists them as
//! they stand here. `%k` (`max_sectors_kb`), the FC names and the host
//! adapter are read from sysfs when rendered, as upstream reads them when
//! printing; VPD page data, which the daemon does not track, prints what
//! upstream prints when it has none.

use super::Ctx;
use crate::model::{Failback, Group, Map, Path, Queueing};
use mpath::checker::PathState;
use mpath::discovery::{max_sectors_kb, transport};
use mpath::print::path as pp;
use std::fmt::Write;

/// One wildcard of objects of type `T`.
pub(crate) struct Field<T> {
    pub key: char,
    pub header: &'static str,
    pub value: fn(&Ctx<'_>, &T) -> String,
}

impl<T> Field<T> {
    const fn new(key: char, header: &'static str, value: fn(&Ctx<'_>, &T) -> String) -> Self {
        Field { key, header, value }
    }
}

/// The index of wildcard `key` in `fields`.
pub(crate) fn lookup<T>(fields: &[Field<T>], key: char) -> Option<usize> {
    fields.iter().position(|f| f.key == key)
}

/// A wildcard table with the context it renders in, as the core's table
/// renderer takes it.
pub(crate) struct Columns<'c, 'a, T: 'static> {
    pub(super) ctx: &'c Ctx<'a>,
    pub(super) fields: &'static [Field<T>],
}

impl<'c, 'a, T> Columns<'c, 'a, T> {
    pub fn new(ctx: &'c Ctx<'a>, fields: &'static [Field<T>]) -> Self {
        Columns { ctx, fields }
    }
}

impl<T> mpath::print::table::Columns<T> for Columns<'_, '_, T> {
    fn find(&self, key: char) -> Option<usize> {
        lookup(self.fields, key)
    }

    fn header(&self, col: usize) -> &str {
        self.fields[col].header
    }

    fn value(&self, col: usize, item: &T) -> String {
        (self.fields[col].value)(self.ctx, item)
    }
}

/// The value of wildcard `key` for `item`; empty for an unknown key.
pub(crate) fn value<T>(fields: &[Field<T>], key: char, ctx: &Ctx<'_>, item: &T) -> String {
    lookup(fields, key)
        .map(|i| (fields[i].value)(ctx, item))
        .unwrap_or_default()
}

/// Map wildcards (25).
pub(crate) static MAP_FIELDS: [Field<Map>; 25] = [
    Field::new('n', "name", |_, m| m.name.clone()),
    Field::new('w', "uuid", |_, m| m.wwid.clone()),
    Field::new('d', "sysfs", |_, m| map_sysfs(m)),
    Field::new('F', "failback", |_, m| map_failback(m)),
    Field::new('Q', "queueing", map_queueing),
    Field::new('N', "paths", |c, m| active_paths(c, m).to_string()),
    Field::new('r', "write_prot", |_, m| map_write_prot(m)),
    Field::new('t', "dm-st", |_, m| map_dm_state(m)),
    Field::new('S', "size", |_, m| mpath::print::size(m.size)),
    Field::new('f', "features", |_, m| m.features.clone()),
    // The model counts no separate "map failures"; queueing timeouts are
    // the times the map ended up failing I/O.
    Field::new('x', "failures", |_, m| m.stats.q_timeouts.to_string()),
    Field::new('h', "hwhandler", |_, m| m.hwhandler.clone()),
    Field::new('A', "action", |_, m| m.action.clone()),
    Field::new('0', "path_faults", |_, m| m.stats.path_faults.to_string()),
    Field::new('1', "switch_grp", |_, m| m.stats.switch_grp.to_string()),
    Field::new('2', "map_loads", |_, m| m.stats.map_loads.to_string()),
    Field::new('3', "total_q_time", |_, m| m.stats.total_q_time.to_string()),
    Field::new('4', "q_timeouts", |_, m| m.stats.q_timeouts.to_string()),
    Field::new('s', "vend/prod", map_vendor_product),
    Field::new('v', "vend", |c, m| first_of(c, m, |p| &p.dev.vendor)),
    Field::new('p', "prod", |c, m| first_of(c, m, |p| &p.dev.product)),
    Field::new('e', "rev", |c, m| first_of(c, m, |p| &p.dev.revision)),
    Field::new('G', "foreign", |_, _| "--".into()),
    Field::new('g', "vpd page data", |_, _| UNDEF_BRACKETS.into()),
    Field::new('k', "max_sectors_kb", |c, m| {
        sectors_kb(c, m.minor.map(|n| format!("dm-{n}")))
    }),
];

/// Path wildcards (28).
pub(crate) static PATH_FIELDS: [Field<Path>; 28] = [
    Field::new('w', "uuid", |_, p| p.dev.wwid.clone()),
    Field::new('i', "hcil", |_, p| pp::hcil(&p.dev)),
    Field::new('d', "dev", |_, p| pp::dev(&p.dev)),
    Field::new('D', "dev_t", |_, p| pp::dev_t(&p.dev)),
    Field::new('t', "dm_st", |_, p| path_dm_state(p).into()),
    Field::new('o', "dev_st", |c, p| path_dev_state(c, p).into()),
    Field::new('T', "chk_st", |c, p| path_chk_state(c, p).into()),
    Field::new('s', "vend/prod/rev", |_, p| pp::vend_prod_rev(&p.dev)),
    Field::new('c', "checker", |_, p| or(&p.checker, "(null)")),
    Field::new('C', "next_check", path_next_check),
    Field::new('p', "pri", |_, p| p.prio.to_string()),
    Field::new('S', "size", |_, p| mpath::print::size(p.dev.size)),
    Field::new('z', "serial", |_, p| p.dev.serial.clone()),
    Field::new('M', "marginal_st", |_, p| marginal(p.marginal).into()),
    Field::new('m', "multipath", path_multipath),
    Field::new('N', "host WWNN", |c, p| {
        transport::host_wwnn(c.root, &p.dev)
    }),
    Field::new('n', "target WWNN", |_, p| transport::target_wwnn(&p.dev)),
    Field::new('R', "host WWPN", |c, p| {
        transport::host_wwpn(c.root, &p.dev)
    }),
    Field::new('r', "target WWPN", |c, p| {
        transport::target_wwpn(c.root, &p.dev)
    }),
    Field::new('a', "host adapter", |c, p| {
        transport::host_adapter(c.root, &p.dev)
    }),
    Field::new('G', "foreign", |_, _| "--".into()),
    Field::new('g', "vpd page data", |_, _| UNDEF_BRACKETS.into()),
    Field::new('0', "failures", |_, p| p.fail_count.to_string()),
    Field::new('P', "protocol", |_, p| or(&p.dev.protocol, "undef")),
    Field::new('I', "init_st", |_, p| p.init.name().into()),
    Field::new('L', "LUN hex", |_, p| path_lun_hex(p)),
    Field::new('A', "TPG", |_, p| path_tpg(p)),
    Field::new('k', "max_sectors_kb", |c, p| {
        sectors_kb(c, (!p.dev.dev.is_empty()).then(|| p.dev.dev.clone()))
    }),
];

/// Path group wildcards (4); used by the topology and the JSON document,
/// not offered to `show ... format` and not listed by `show wildcards`.
pub(crate) static GROUP_FIELDS: [Field<Group>; 4] = [
    Field::new('s', "selector", |_, g| g.selector.clone()),
    Field::new('p', "pri", |_, g| g.prio.to_string()),
    Field::new('t', "dm_st", |_, g| group_state(g).into()),
    Field::new('M', "marginal_st", |c, g| {
        marginal(group_marginal(c, g)).into()
    }),
];

const UNDEF_BRACKETS: &str = transport::UNDEF;

/// `%k`: `queue/max_sectors_kb` of block device `name`, `n/a` without one
/// or when sysfs does not have it.
fn sectors_kb(ctx: &Ctx<'_>, name: Option<String>) -> String {
    name.and_then(|n| max_sectors_kb(ctx.root, &n))
        .unwrap_or_else(|| "n/a".into())
}

/// Length of the `%C` and `%F` progress bars.
const PROGRESS_LEN: u32 = 10;

/// `XXXXX..... 3/5`: `cur` of `total` as a 10-character bar and the count.
pub(crate) fn progress(cur: u32, total: u32) -> String {
    let mut s = String::new();
    if total > 0 {
        let x = (u64::from(PROGRESS_LEN) * u64::from(cur) / u64::from(total)) as usize;
        let x = x.min(PROGRESS_LEN as usize);
        s.push_str(&"X".repeat(x));
        s.push_str(&".".repeat(PROGRESS_LEN as usize - x));
    }
    let _ = write!(s, " {cur}/{total}");
    s
}

// ---- maps ----

fn map_sysfs(m: &Map) -> String {
    match m.minor {
        Some(minor) => format!("dm-{minor}"),
        None => "undef".into(),
    }
}

fn map_failback(m: &Map) -> String {
    match m.failback {
        Failback::Immediate => "immediate".into(),
        Failback::Followover => "followover".into(),
        Failback::Manual => "manual".into(),
        Failback::Undef => "undef".into(),
        Failback::Deferred(secs) => match m.failback_tick {
            Some(tick) if tick > 0 => progress(tick, secs),
            _ => format!("deferred:{secs}"),
        },
    }
}

fn map_queueing(ctx: &Ctx<'_>, m: &Map) -> String {
    if m.queueing_disabled {
        return "off".into();
    }
    match m.no_path_retry {
        Queueing::Fail => "off".into(),
        Queueing::Queue => "on".into(),
        Queueing::Unset | Queueing::Retries(0) => "-".into(),
        Queueing::Retries(n) => match m.retry_left {
            Some(secs) if secs > 0 => format!("{secs} sec"),
            _ if active_paths(ctx, m) > 0 => format!("{n} chk"),
            _ => "off".into(),
        },
    }
}

/// Paths of the map the checker finds usable (up or ghost): `%N`.
pub(crate) fn active_paths(ctx: &Ctx<'_>, m: &Map) -> usize {
    ctx.paths_of(m).filter(|p| p.chk.is_usable()).count()
}

fn map_write_prot(m: &Map) -> String {
    match m.read_only {
        Some(true) => "ro",
        Some(false) => "rw",
        None => "undef",
    }
    .into()
}

fn map_dm_state(m: &Map) -> String {
    match m.suspended {
        Some(true) => "suspend",
        Some(false) => "active",
        None => "undef",
    }
    .into()
}

/// `VENDOR,PRODUCT` of the first path that has both, `##,##` if none.
pub(crate) fn map_vendor_product(ctx: &Ctx<'_>, m: &Map) -> String {
    ctx.paths_of(m)
        .find(|p| !p.dev.vendor.is_empty() && !p.dev.product.is_empty())
        .map(|p| format!("{},{}", p.dev.vendor, p.dev.product))
        .unwrap_or_else(|| "##,##".into())
}

/// The first non-empty `what` among the map's paths, `##` if none.
fn first_of(ctx: &Ctx<'_>, m: &Map, what: fn(&Path) -> &String) -> String {
    ctx.paths_of(m)
        .map(what)
        .find(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "##".into())
}

// ---- paths ----

/// `s`, or `fallback` when `s` is empty.
fn or(s: &str, fallback: &str) -> String {
    if s.is_empty() { fallback } else { s }.to_string()
}

pub(crate) fn path_dm_state(p: &Path) -> &'static str {
    p.dm.map_or("undef", |s| s.as_str())
}

/// `%o`: `unknown` outside a map, else `offline` or `running` from the
/// SCSI device state (every other state counts as running).
pub(crate) fn path_dev_state(ctx: &Ctx<'_>, p: &Path) -> &'static str {
    if ctx.map_of(p).is_none() {
        "unknown"
    } else if matches!(p.dev.state.as_str(), "offline" | "transport-offline") {
        "offline"
    } else {
        "running"
    }
}

/// `%T`: the checker's verdict, `undef` outside a map.
pub(crate) fn path_chk_state(ctx: &Ctx<'_>, p: &Path) -> &'static str {
    if ctx.map_of(p).is_none() {
        "undef"
    } else {
        p.chk.name()
    }
}

fn path_next_check(ctx: &Ctx<'_>, p: &Path) -> String {
    if ctx.map_of(p).is_none() {
        return "orphan".into();
    }
    progress(p.ticks_left(ctx.now), p.interval)
}

fn path_multipath(ctx: &Ctx<'_>, p: &Path) -> String {
    match &p.map {
        None => "[orphan]".into(),
        Some(_) => ctx
            .map_of(p)
            .map_or_else(|| "[unknown]".into(), |m| m.name.clone()),
    }
}

/// `%L`: the LUN in SAM (8-byte) encoding, as the kernel's
/// `int_to_scsilun` lays it out: LUN 1 is `0x0001000000000000`.
fn path_lun_hex(p: &Path) -> String {
    let parts: Vec<&str> = p.dev.hcil.split(':').collect();
    let lun = match parts[..] {
        [_, _, _, l] => l.parse::<u64>().ok(),
        _ => None,
    };
    let hex = match lun {
        None => u64::MAX,
        Some(l) => {
            ((l & 0x0000_0000_0000_ffff) << 48)
                | ((l & 0x0000_0000_ffff_0000) << 16)
                | ((l & 0x0000_ffff_0000_0000) >> 16)
                | ((l & 0xffff_0000_0000_0000) >> 48)
        }
    };
    format!("0x{hex:016x}")
}

fn path_tpg(p: &Path) -> String {
    match p.tpg {
        Some(t) => format!("0x{t:04x}"),
        None => UNDEF_BRACKETS.into(),
    }
}

fn marginal(m: bool) -> &'static str {
    if m {
        "marginal"
    } else {
        "normal"
    }
}

// ---- path groups ----

pub(crate) fn group_state(g: &Group) -> &'static str {
    g.state.map_or("undef", |s| s.as_str())
}

/// A group is marginal when it holds paths and all of them are marginal
/// (marginal_pathgroups puts marginal paths in groups of their own).
fn group_marginal(ctx: &Ctx<'_>, g: &Group) -> bool {
    let mut paths = ctx.group_paths(g).peekable();
    paths.peek().is_some() && paths.all(|p| p.marginal)
}

// ---- show status ----

/// The checker state names of `show status`, in upstream's order.
pub(crate) const CHECKER_STATES: [&str; 11] = [
    "wild",
    "unchecked",
    "down",
    "up",
    "shaky",
    "ghost",
    "pending",
    "timeout",
    "removed",
    "delayed",
    "disconnected",
];

/// Index of a checker state in [`CHECKER_STATES`]. A path never checked
/// counts as `unchecked`.
pub(crate) fn checker_state_index(s: PathState) -> usize {
    match s {
        PathState::Undef => 1,
        PathState::Down => 2,
        PathState::Up => 3,
        PathState::Shaky => 4,
        PathState::Ghost => 5,
        PathState::Pending => 6,
        PathState::Timeout => 7,
        PathState::Removed => 8,
        PathState::Delayed => 9,
        PathState::Disconnected => 10,
    }
}

/// `show wildcards`.
pub fn wildcards() -> String {
    let mut s = String::from("multipath format wildcards:\n");
    for f in &MAP_FIELDS {
        let _ = writeln!(s, "%{}  {}", f.key, f.header);
    }
    s.push_str("\npath format wildcards:\n");
    for f in &PATH_FIELDS {
        let _ = writeln!(s, "%{}  {}", f.key, f.header);
    }
    s
}
