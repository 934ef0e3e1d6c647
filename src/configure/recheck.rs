//! The last look at a map's paths before its table goes to the kernel, and
//! which paths a table may name at all. Shared by `multipath` (create,
//! reload) and `multipathd` (start-up, reconfigure, new paths): the kernel
//! refuses a whole table when one device in it cannot be opened, so a path
//! that left sysfs or is offline would cost the map, not just the path.

use super::apply::{vanished_paths, without_paths};
use super::live::LiveMap;
use crate::assemble::{AssembleOpts, MapPlan};
use crate::config::Config;
use crate::discovery::PathDev;
use crate::dm::DmError;
use crate::sysroot::SysRoot;

/// Whether a path is offline (SCSI device state `offline`). The kernel
/// cannot open such a device, so it refuses a new table naming it with
/// ENXIO. The reference leaves such a path out of a new map (seen in the
/// VM: `multipath` in scenario 12, `multipathd` at start-up).
pub fn path_offline(dev: &PathDev) -> bool {
    dev.state == "offline"
}

/// Whether `dev` must stay out of the table planned for its WWID, whose
/// live map (if any) is `live`: it is offline and the map does not hold it
/// yet. A map already holding an offline path keeps it (the kernel keeps
/// the device it opened; the reference leaves such a table as it is and
/// shows the path failed), so only paths new to the kernel are kept out.
pub fn left_out_offline(dev: &PathDev, live: Option<&LiveMap>) -> bool {
    path_offline(dev) && !live.is_some_and(|l| live_holds(l, &dev.dev_t))
}

/// Whether the live map's table names the device `dev_t` (`major:minor`).
fn live_holds(live: &LiveMap, dev_t: &str) -> bool {
    live.table.as_ref().is_some_and(|t| {
        t.params
            .groups
            .iter()
            .flat_map(|g| &g.paths)
            .any(|p| p.dev.to_string() == dev_t)
    })
}

/// The SCSI device state of block device `dev` as sysfs has it now
/// (`running`, `offline`, ...); `None` when it cannot be read (the device
/// is gone, or is not SCSI).
pub fn device_state(root: &SysRoot, dev: &str) -> Option<String> {
    std::fs::read_to_string(root.join(format!("/sys/block/{dev}/device/state")))
        .ok()
        .map(|s| s.trim().to_string())
}

/// A map's plan at the moment it goes to the kernel.
#[derive(Debug)]
pub enum Replan {
    /// All its paths are still there.
    Same,
    /// Assembled again without the paths that left sysfs.
    Without(Box<MapPlan>),
    /// None is left: the map is not made.
    NoPathLeft,
}

impl Replan {
    /// The plan to hand to the kernel in place of `decided`; `None` when no
    /// path is left.
    pub fn plan<'a>(&'a self, decided: &'a MapPlan) -> Option<&'a MapPlan> {
        match self {
            Replan::Same => Some(decided),
            Replan::Without(p) => Some(p),
            Replan::NoPathLeft => None,
        }
    }
}

/// What the last look before the kernel needs: upstream checks that each
/// path is still there right before it loads a map ("failed to access
/// path") and builds the map from those left. Messages come with the
/// `multipath` verbosity they are printed at (2: the daemon logs them as
/// warnings).
pub struct Recheck<'a> {
    pub root: &'a SysRoot,
    pub cfg: &'a Config,
    pub opts: &'a AssembleOpts,
}

impl Recheck<'_> {
    /// The paths of `plan` gone since discovery reported in `msgs`, and the
    /// plan to use instead.
    pub fn replan(&self, name: &str, plan: &MapPlan, msgs: &mut Vec<(u32, String)>) -> Replan {
        let gone = vanished_paths(self.root, plan);
        if gone.is_empty() {
            return Replan::Same;
        }
        for g in &gone {
            msgs.push((2, format!("{name}: failed to access path {g}")));
        }
        match without_paths(self.cfg, plan, &gone, self.opts) {
            Some(p) => Replan::Without(Box::new(p)),
            None => Replan::NoPathLeft,
        }
    }

    /// After the kernel refused `plan` for a missing device: a path being
    /// deleted is dead to the kernel a moment before it leaves sysfs, so
    /// wait up to 2 s for one to go; then the plan without it, as
    /// [`replan`](Self::replan) (never [`Replan::Same`]). `None`: no path
    /// went, the error stands.
    pub fn after_refusal(
        &self,
        name: &str,
        plan: &MapPlan,
        err: &DmError,
        msgs: &mut Vec<(u32, String)>,
    ) -> Option<Replan> {
        self.after_refusal_within(name, plan, err, msgs, REFUSAL_WAIT)
    }

    /// [`after_refusal`](Self::after_refusal) without the wait, for the
    /// daemon, which must not stop for it: only paths already gone count.
    /// Whether to try again when one goes is the caller's: see
    /// [`refused_for_missing_device`].
    pub fn after_refusal_at_once(
        &self,
        name: &str,
        plan: &MapPlan,
        err: &DmError,
        msgs: &mut Vec<(u32, String)>,
    ) -> Option<Replan> {
        self.after_refusal_within(name, plan, err, msgs, std::time::Duration::ZERO)
    }

    fn after_refusal_within(
        &self,
        name: &str,
        plan: &MapPlan,
        err: &DmError,
        msgs: &mut Vec<(u32, String)>,
        wait: std::time::Duration,
    ) -> Option<Replan> {
        if !refused_for_missing_device(err) {
            return None;
        }
        let step = std::time::Duration::from_millis(100);
        let end = std::time::Instant::now() + wait;
        loop {
            if !vanished_paths(self.root, plan).is_empty() {
                return Some(self.replan(name, plan, msgs));
            }
            if std::time::Instant::now() >= end {
                return None;
            }
            std::thread::sleep(step);
        }
    }
}

/// Whether the kernel refused a table because a device in it could not be
/// opened (ENOENT, ENXIO, ENODEV): a path on its way out of sysfs.
pub fn refused_for_missing_device(err: &DmError) -> bool {
    use nix::errno::Errno;
    let missing = [Errno::ENOENT, Errno::ENXIO, Errno::ENODEV].map(|e| e as i32);
    matches!(err, DmError::Os { errno, .. } | DmError::Refused { errno, .. } if missing.contains(errno))
}

/// How long a refused table waits for a dying path to leave sysfs.
const REFUSAL_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assemble::{assemble, PathFacts};
    use crate::checker::PathState;
    use crate::dm::DmOp;
    use std::time::Duration;

    fn facts(name: &str, dev_t: &str) -> PathFacts {
        let mut f = PathFacts::unprobed(PathDev {
            dev: name.into(),
            dev_t: dev_t.into(),
            hcil: "1:0:0:0".into(),
            vendor: "Linux".into(),
            product: "scsi_debug".into(),
            wwid: "w1".into(),
            size: 2048,
            state: "running".into(),
            ..PathDev::default()
        });
        f.state = PathState::Up;
        f.prio = 1;
        f.prio_name = "const".into();
        f
    }

    fn plan(cfg: &Config) -> MapPlan {
        assemble(
            cfg,
            "w1",
            vec![facts("sda", "8:0"), facts("sdb", "8:16")],
            &AssembleOpts::default(),
        )
    }

    /// A sysfs tree holding the block devices `devs`, and what a
    /// [`Recheck`] needs besides.
    struct Fixture {
        dir: tempfile::TempDir,
        root: SysRoot,
        cfg: Config,
        opts: AssembleOpts,
    }

    impl Fixture {
        fn new(devs: &[&str]) -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            for d in devs {
                std::fs::create_dir_all(dir.path().join("sys/block").join(d)).unwrap();
            }
            Fixture {
                root: SysRoot::new(dir.path()),
                dir,
                cfg: Config::builtin(),
                opts: AssembleOpts::default(),
            }
        }

        fn recheck(&self) -> Recheck<'_> {
            Recheck {
                root: &self.root,
                cfg: &self.cfg,
                opts: &self.opts,
            }
        }

        fn block(&self, dev: &str) -> std::path::PathBuf {
            self.dir.path().join("sys/block").join(dev)
        }
    }

    fn refusal(errno: i32) -> DmError {
        DmError::Os {
            name: "mpatha".into(),
            op: DmOp::Create,
            errno,
        }
    }

    #[test]
    fn replan_drops_vanished_paths_and_says_so() {
        let fx = Fixture::new(&["sda"]);
        let r = fx.recheck();
        let p = plan(&fx.cfg);
        let mut msgs = Vec::new();
        let without = r.replan("mpatha", &p, &mut msgs);
        assert_eq!(msgs, [(2, "mpatha: failed to access path sdb".to_string())]);
        // The plan handed over is the new one, without sdb.
        let left = without.plan(&p).unwrap();
        let devs: Vec<&str> = left.paths.iter().map(|f| f.dev.dev.as_str()).collect();
        assert_eq!(devs, ["sda"]);

        std::fs::create_dir_all(fx.block("sdb")).unwrap();
        msgs.clear();
        let same = r.replan("mpatha", &p, &mut msgs);
        assert!(matches!(same, Replan::Same));
        assert!(std::ptr::eq(same.plan(&p).unwrap(), &p));
        assert!(msgs.is_empty());

        std::fs::remove_dir(fx.block("sda")).unwrap();
        std::fs::remove_dir(fx.block("sdb")).unwrap();
        let none = r.replan("mpatha", &p, &mut msgs);
        assert!(matches!(none, Replan::NoPathLeft));
        assert!(none.plan(&p).is_none());
        assert_eq!(msgs.len(), 2);
    }

    #[test]
    fn a_refusal_for_a_missing_device_waits_for_the_dying_path() {
        let fx = Fixture::new(&["sda", "sdb"]);
        let r = fx.recheck();
        let p = plan(&fx.cfg);
        let mut msgs = Vec::new();
        // Every path still there: the refusal stands, after the wait.
        let short = Duration::from_millis(150);
        assert!(r
            .after_refusal_within("mpatha", &p, &refusal(6), &mut msgs, short)
            .is_none());
        // Another error is not about a missing device: no wait at all.
        let t0 = std::time::Instant::now();
        assert!(r
            .after_refusal_within("mpatha", &p, &refusal(5), &mut msgs, Duration::from_secs(5))
            .is_none());
        assert!(t0.elapsed() < Duration::from_secs(1));
        // sdb leaves sysfs while the refusal waits: the plan without it.
        let sdb = fx.block("sdb");
        let remover = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(250));
            std::fs::remove_dir(sdb).unwrap();
        });
        let a = r
            .after_refusal_within("mpatha", &p, &refusal(2), &mut msgs, Duration::from_secs(5))
            .expect("sdb went");
        remover.join().unwrap();
        let Replan::Without(left) = a else {
            panic!("sda is left");
        };
        assert_eq!(left.paths.len(), 1);
        assert_eq!(msgs, [(2, "mpatha: failed to access path sdb".to_string())]);
    }

    #[test]
    fn at_once_only_a_path_already_gone_counts() {
        let fx = Fixture::new(&["sda", "sdb"]);
        let r = fx.recheck();
        let p = plan(&fx.cfg);
        let mut msgs = Vec::new();
        assert!(refused_for_missing_device(&refusal(6)));
        assert!(!refused_for_missing_device(&refusal(5)));
        assert!(r
            .after_refusal_at_once("mpatha", &p, &refusal(6), &mut msgs)
            .is_none());
        std::fs::remove_dir(fx.block("sda")).unwrap();
        // Not about a missing device: the error stands even with sda gone.
        assert!(r
            .after_refusal_at_once("mpatha", &p, &refusal(5), &mut msgs)
            .is_none());
        let Some(Replan::Without(left)) =
            r.after_refusal_at_once("mpatha", &p, &refusal(19), &mut msgs)
        else {
            panic!("sdb is left");
        };
        assert_eq!(left.paths[0].dev.dev, "sdb");
        assert_eq!(msgs, [(2, "mpatha: failed to access path sda".to_string())]);
    }

    #[test]
    fn offline_paths_stay_out_unless_the_live_map_holds_them() {
        let mut d = facts("sdc", "8:32").dev;
        assert!(!path_offline(&d));
        assert!(!left_out_offline(&d, None));
        d.state = "offline".into();
        assert!(path_offline(&d));
        assert!(left_out_offline(&d, None));
        let cfg = Config::builtin();
        let held = |paths: Vec<PathFacts>| LiveMap {
            name: "mpatha".into(),
            wwid: "w1".into(),
            info: crate::dm::DmInfo::default(),
            table: Some(crate::dm::TableLine {
                start: 0,
                length: 2048,
                params: assemble(&cfg, "w1", paths, &AssembleOpts::default()).table,
            }),
            status: None,
        };
        assert!(!left_out_offline(
            &d,
            Some(&held(vec![facts("sda", "8:0"), facts("sdc", "8:32")]))
        ));
        assert!(left_out_offline(&d, Some(&held(vec![facts("sda", "8:0")]))));
    }
}
