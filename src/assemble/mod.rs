//! Map assembly: from the paths of one WWID and the configuration to the
//! map upstream builds for them: path groups and their order, the initial
//! group, selector, features, hardware handler and the dm table line.
//!
//! Everything here is pure: path facts (checker state, priority, ALUA
//! support) are gathered beforehand by [`facts`], so the policies are
//! tested on plain values.

pub mod facts;
mod pgpolicy;

pub use facts::{gather, Gather, Probe};
pub use pgpolicy::PgPolicy;

use crate::checker::PathState;
use crate::config::resolve::{Origin, PathInfo};
use crate::config::Config;
use crate::discovery::PathDev;
use crate::dm::{DevRef, MultipathTable, PathGroup, TablePath};
use crate::prio::PRIO_UNDEF;
use conf_parser::Value;

/// One path with what was learnt about it for assembly.
#[derive(Debug, Clone)]
pub struct PathFacts {
    pub dev: PathDev,
    pub checker: String,
    pub state: PathState,
    pub prio_name: String,
    pub prio_args: String,
    /// [`PRIO_UNDEF`] when not computed or failed.
    pub prio: i32,
    /// What the prioritizer said for the user, `(level, line)`
    /// ([`crate::prio::Prio::said`]): the caller prints it where the
    /// reference does.
    pub prio_said: Vec<(u32, String)>,
    /// Whether probing again would say it again ([`crate::prio::Prio::repeats`]).
    pub prio_said_repeats: bool,
    /// ALUA support (INQUIRY TPGS bits, 0 when none or unknown).
    pub tpgs: u8,
    /// ALUA target port group id.
    pub tpg: Option<u16>,
}

impl PathFacts {
    /// Facts with nothing probed (checker and prioritizer not run).
    pub fn unprobed(dev: PathDev) -> Self {
        PathFacts {
            dev,
            checker: String::new(),
            state: PathState::Undef,
            prio_name: String::new(),
            prio_args: String::new(),
            prio: PRIO_UNDEF,
            prio_said: Vec::new(),
            prio_said_repeats: true,
            tpgs: 0,
            tpg: None,
        }
    }

    pub fn info(&self) -> PathInfo<'_> {
        path_info(&self.dev)
    }

    /// Up or ghost: counts as enabled for group priorities.
    pub fn usable(&self) -> bool {
        matches!(self.state, PathState::Up | PathState::Ghost)
    }

    /// `major:minor` as a table device.
    pub fn devref(&self) -> DevRef {
        self.dev
            .dev_t
            .parse()
            .unwrap_or_else(|_| DevRef::Node(format!("/dev/{}", self.dev.dev)))
    }
}

pub fn path_info(d: &PathDev) -> PathInfo<'_> {
    PathInfo {
        vendor: &d.vendor,
        product: &d.product,
        revision: &d.revision,
        protocol: &d.protocol,
        wwid: &d.wwid,
    }
}

/// `no_path_retry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoPathRetry {
    Unset,
    Fail,
    Queue,
    Retries(i64),
}

impl NoPathRetry {
    pub fn from_value(v: Option<&Value>) -> Self {
        match v {
            None => NoPathRetry::Unset,
            Some(v) => match (v.as_int(), v.as_str()) {
                (Some(0), _) | (_, Some("fail")) => NoPathRetry::Fail,
                (Some(n), _) => NoPathRetry::Retries(n),
                (_, Some("queue")) => NoPathRetry::Queue,
                _ => NoPathRetry::Unset,
            },
        }
    }

    /// Whether the map queues I/O when no path is left.
    pub fn queues(self) -> bool {
        matches!(self, NoPathRetry::Queue | NoPathRetry::Retries(_))
    }
}

/// A features string (`"2 pg_init_retries 50"`) as its words.
pub fn feature_words(s: &str) -> Vec<String> {
    let mut w = s.split_whitespace();
    let n: usize = w.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    w.take(n).map(str::to_string).collect()
}

/// Words back to a counted string.
pub fn counted(words: &[String]) -> String {
    let mut s = words.len().to_string();
    for w in words {
        s.push(' ');
        s.push_str(w);
    }
    s
}

/// A counted features string without `word`.
pub fn without_feature(features: &str, word: &str) -> String {
    let w: Vec<String> = feature_words(features)
        .into_iter()
        .filter(|f| f != word)
        .collect();
    counted(&w)
}

/// Options from the command line that change assembly.
#[derive(Debug, Clone, Default)]
pub struct AssembleOpts {
    /// `multipath -p`.
    pub force_policy: Option<PgPolicy>,
}

/// A priority group of a planned map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indices into [`MapPlan::paths`].
    pub paths: Vec<usize>,
    pub prio: i32,
    pub enabled: usize,
}

/// The map upstream would build.
#[derive(Debug, Clone)]
pub struct MapPlan {
    pub wwid: String,
    /// Size in sectors (of the first path).
    pub size: u64,
    pub paths: Vec<PathFacts>,
    pub groups: Vec<Group>,
    /// 1-based.
    pub init_pg: u32,
    pub pgpolicy: PgPolicy,
    pub selector: String,
    pub features: String,
    pub hwhandler: String,
    pub no_path_retry: NoPathRetry,
    /// `skip_kpartx yes`: udev is told (cookie flag) not to map partitions.
    pub skip_kpartx: bool,
    pub table: MultipathTable,
    /// `-v3` lines: each setting and where it came from.
    pub log: Vec<String>,
}

impl MapPlan {
    pub fn vendor_product(&self) -> String {
        self.paths
            .first()
            .map(|p| format!("{},{}", p.dev.vendor, p.dev.product))
            .unwrap_or_default()
    }
}

fn word(cfg: &Config, name: &str, p: &PathInfo<'_>) -> Option<(String, Origin)> {
    cfg.resolve_text(name, p)
}

fn yes(cfg: &Config, name: &str, p: &PathInfo<'_>) -> bool {
    word(cfg, name, p).is_some_and(|(v, _)| v == "yes")
}

/// Average priority of a group's usable paths with a defined priority;
/// 0 when no path is usable, [`PRIO_UNDEF`] when none has a priority.
pub fn group_prio(paths: &[&PathFacts]) -> (i32, usize) {
    let usable: Vec<&&PathFacts> = paths.iter().filter(|p| p.usable()).collect();
    if usable.is_empty() {
        return (0, 0);
    }
    let defined: Vec<i64> = usable
        .iter()
        .filter(|p| p.prio != PRIO_UNDEF)
        .map(|p| p.prio as i64)
        .collect();
    let prio = if defined.is_empty() {
        PRIO_UNDEF
    } else {
        (defined.iter().sum::<i64>() / defined.len() as i64) as i32
    };
    (prio, usable.len())
}

/// Build the map for `wwid` from its paths (in discovery order).
pub fn assemble(cfg: &Config, wwid: &str, paths: Vec<PathFacts>, opts: &AssembleOpts) -> MapPlan {
    let mut log = Vec::new();
    let no_path;
    let first = match paths.first() {
        Some(p) => &p.dev,
        None => {
            no_path = PathDev::default();
            &no_path
        }
    };
    let size = first.size;
    let mut pi = path_info(first);
    pi.wwid = wwid;

    // Grouping policy: -p, then detection (every path prioritised from ALUA
    // state), then the configuration chain.
    let all_alua = !paths.is_empty()
        && paths
            .iter()
            .all(|p| matches!(p.prio_name.as_str(), "alua" | "sysfs"));
    let pgpolicy = if let Some(p) = opts.force_policy {
        log.push(format!(
            "{wwid}: path_grouping_policy = {} {}",
            p.name(),
            Origin::CommandLine
        ));
        p
    } else if yes(cfg, "detect_pgpolicy", &pi) && all_alua {
        let p = if yes(cfg, "detect_pgpolicy_use_tpg", &pi) {
            PgPolicy::GroupByTpg
        } else {
            PgPolicy::GroupByPrio
        };
        log.push(format!(
            "{wwid}: path_grouping_policy = {} {}",
            p.name(),
            Origin::Autodetected
        ));
        p
    } else {
        let (v, o) = word(cfg, "path_grouping_policy", &pi)
            .unwrap_or_else(|| ("failover".into(), Origin::Builtin));
        let p = PgPolicy::from_name(&v).unwrap_or(PgPolicy::Failover);
        log.push(format!("{wwid}: path_grouping_policy = {} {o}", p.name()));
        p
    };
    // group_by_tpg needs a TPG on every path.
    let pgpolicy = if pgpolicy == PgPolicy::GroupByTpg && paths.iter().any(|p| p.tpg.is_none()) {
        PgPolicy::Failover
    } else {
        pgpolicy
    };

    let (selector, o) = word(cfg, "path_selector", &pi)
        .unwrap_or_else(|| ("service-time 0".into(), Origin::Builtin));
    log.push(format!("{wwid}: path_selector = \"{selector}\" {o}"));

    let no_path_retry =
        NoPathRetry::from_value(cfg.resolve("no_path_retry", &pi).map(|(v, _)| v).as_ref());
    let (features_cfg, _) =
        word(cfg, "features", &pi).unwrap_or_else(|| ("0".into(), Origin::Builtin));
    let mut features: Vec<String> = Vec::new();
    let mut no_path_retry = no_path_retry;
    for f in feature_words(&features_cfg) {
        match f.as_str() {
            // Deprecated in features: becomes no_path_retry queue if unset.
            "queue_if_no_path" => {
                if no_path_retry == NoPathRetry::Unset {
                    no_path_retry = NoPathRetry::Queue;
                }
            }
            "retain_attached_hw_handler" => {}
            _ => features.push(f),
        }
    }
    if no_path_retry.queues() {
        features.push("queue_if_no_path".into());
    }
    let bio = features
        .windows(2)
        .any(|w| w[0] == "queue_mode" && w[1] == "bio");
    let features = counted(&features);
    log.push(format!("{wwid}: features = \"{features}\""));

    // Hardware handler: the one the kernel attached, else configured (an
    // ALUA handler only if every path supports ALUA), else ALUA when every
    // path supports it.
    let every_tpgs = !paths.is_empty() && paths.iter().all(|p| p.tpgs != 0);
    let attached = paths.iter().find_map(|p| p.dev.dh_state.clone());
    let hwhandler = if bio {
        // A bio-based map has no hardware handler (seen in the VM: the
        // reference writes "0" with queue_mode bio, even over an attached
        // alua handler).
        "0".into()
    } else if let (true, Some(h)) = (yes(cfg, "retain_attached_hw_handler", &pi), attached) {
        format!("1 {h}")
    } else if let Some((h, _)) = word(cfg, "hardware_handler", &pi) {
        if h.split_whitespace().nth(1) == Some("alua") && !every_tpgs {
            "0".into()
        } else {
            h
        }
    } else if every_tpgs {
        "1 alua".into()
    } else {
        "0".into()
    };
    log.push(format!("{wwid}: hardware_handler = \"{hwhandler}\""));

    // Groups, sorted by priority (more usable paths first on ties), stable.
    let mut groups: Vec<Group> = pgpolicy
        .group(&paths)
        .into_iter()
        .map(|g| {
            let members: Vec<&PathFacts> = g.iter().map(|&i| &paths[i]).collect();
            let (prio, enabled) = group_prio(&members);
            Group {
                paths: g,
                prio,
                enabled,
            }
        })
        .collect();
    groups.sort_by(|a, b| b.prio.cmp(&a.prio).then(b.enabled.cmp(&a.enabled)));

    // Initial group: the best group with usable paths.
    let mut init_pg = 1u32;
    let mut best: Option<(i32, usize)> = None;
    for (i, g) in groups.iter().enumerate() {
        if g.enabled == 0 {
            continue;
        }
        if best.is_none_or(|(p, e)| g.prio > p || (g.prio == p && g.enabled > e)) {
            best = Some((g.prio, g.enabled));
            init_pg = i as u32 + 1;
        }
    }

    let mut sel_words = selector.split_whitespace();
    let sel_name = sel_words.next().unwrap_or("service-time").to_string();
    let sel_args: Vec<String> = sel_words.skip(1).map(str::to_string).collect();
    let table = MultipathTable {
        features: feature_words(&features),
        hw_handler: feature_words(&hwhandler),
        init_pg: if groups.is_empty() { 0 } else { init_pg },
        groups: groups
            .iter()
            .map(|g| {
                PathGroup::new(
                    sel_name.clone(),
                    sel_args.clone(),
                    g.paths
                        .iter()
                        // rr_min_io_rq and rr_weight are ignored keywords in
                        // 0.15: every path's repeat count is 1.
                        .map(|&i| TablePath {
                            dev: paths[i].devref(),
                            args: vec!["1".to_string()],
                        })
                        .collect(),
                )
            })
            .collect(),
    };
    let skip_kpartx = yes(cfg, "skip_kpartx", &pi);
    MapPlan {
        wwid: wwid.to_string(),
        size,
        paths,
        groups,
        init_pg,
        pgpolicy,
        selector,
        features,
        hwhandler,
        no_path_retry,
        skip_kpartx,
        table,
        log,
    }
}

/// Whether the live table already is what `plan` would load (upstream
/// reloads only when something differs). The kernel echoes per-path
/// selector values of its own, so only the devices and their grouping,
/// the selector, hardware handler and features are compared.
pub fn table_matches(plan: &MultipathTable, live: &MultipathTable) -> bool {
    let mut a = plan.features.clone();
    let mut b = live.features.clone();
    a.sort();
    b.sort();
    if a != b || plan.hw_handler != live.hw_handler || plan.groups.len() != live.groups.len() {
        return false;
    }
    plan.groups.iter().zip(&live.groups).all(|(x, y)| {
        x.selector == y.selector
            && x.selector_args == y.selector_args
            && x.paths
                .iter()
                .map(|p| &p.dev)
                .eq(y.paths.iter().map(|p| &p.dev))
    })
}

#[cfg(test)]
mod tests;
