//! Gathering the facts assembly needs about a path: its checker and its
//! state, its prioritizer and priority, its ALUA support. This is where
//! SCSI I/O happens (through the [`ScsiTransport`] seam).

use super::{path_info, PathFacts};
use crate::checker::{self, CheckEnv, PathState};
use crate::config::resolve::Origin;
use crate::config::Config;
use crate::discovery::PathDev;
use crate::prio::{self, PrioEnv, PRIO_UNDEF};
use crate::scsi::{self, ScsiTransport};
use crate::sysroot::SysRoot;

/// Where the probes go.
pub struct Probe<'a> {
    pub root: &'a SysRoot,
    pub scsi: &'a dyn ScsiTransport,
}

/// How much to learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gather {
    /// Select checker and prioritizer but run neither (`multipath -l`).
    Select,
    /// Run the checker and the prioritizer too (create, `-ll`).
    Probe,
}

fn word(cfg: &Config, name: &str, d: &PathDev) -> Option<(String, Origin)> {
    cfg.resolve_text(name, &path_info(d))
}

/// The checker timeout in ms: `checker_timeout`, else the SCSI device's
/// command timeout from sysfs, else 30 s.
pub fn timeout_ms(cfg: &Config, root: &SysRoot, d: &PathDev) -> u32 {
    let secs = word(cfg, "checker_timeout", d)
        .and_then(|(v, _)| v.parse::<u32>().ok())
        .filter(|v| *v > 0)
        .or_else(|| {
            let path = root.join(format!("/sys/block/{}/device/timeout", d.dev));
            crate::sysfs::with_file(&path, |b| std::str::from_utf8(b).ok()?.trim().parse().ok())
                .ok()
                .flatten()
        })
        .unwrap_or(30);
    secs.saturating_mul(1000)
}

/// Learn what assembly needs about `dev`. `log` receives upstream-style
/// `-v3` lines (`sda: path_checker = tur (setting: ...)`).
pub fn gather(
    cfg: &Config,
    dev: PathDev,
    probe: &Probe<'_>,
    how: Gather,
    log: &mut Vec<String>,
) -> PathFacts {
    let tmo = timeout_ms(cfg, probe.root, &dev);
    let cenv = CheckEnv {
        root: probe.root,
        scsi: probe.scsi,
        timeout_ms: tmo,
    };
    let penv = PrioEnv {
        root: probe.root,
        scsi: probe.scsi,
        timeout_ms: tmo,
    };
    let mut f = PathFacts::unprobed(dev);
    let name = f.dev.dev.clone();
    let usable_state = !matches!(
        f.dev.state.as_str(),
        "offline" | "transport-offline" | "deleted"
    );
    if usable_state {
        f.tpgs = scsi::inquiry_tpgs(probe.scsi, &name, tmo).unwrap_or(0);
    }
    if f.tpgs != 0 {
        f.tpg = prio::tpg_id(&f.dev, &penv);
    }

    let auto_checker =
        if word(cfg, "detect_checker", &f.dev).is_some_and(|(v, _)| v == "yes") && usable_state {
            checker::autodetect(&f.dev, &cenv)
        } else {
            None
        };
    let (chk, o) = match auto_checker {
        Some(c) => (c.to_string(), Origin::Autodetected),
        None => {
            word(cfg, "path_checker", &f.dev).unwrap_or_else(|| ("tur".into(), Origin::Builtin))
        }
    };
    log.push(format!("{name}: path_checker = {chk} {o}"));
    f.checker = chk;

    let auto_prio =
        if word(cfg, "detect_prio", &f.dev).is_some_and(|(v, _)| v == "yes") && usable_state {
            prio::autodetect(&f.dev, &penv)
        } else {
            None
        };
    let (pname, o) = match auto_prio {
        Some(p) => (p.to_string(), Origin::Autodetected),
        None => word(cfg, "prio", &f.dev).unwrap_or_else(|| ("const".into(), Origin::Builtin)),
    };
    let (pargs, ao) =
        word(cfg, "prio_args", &f.dev).unwrap_or_else(|| (String::new(), Origin::Builtin));
    log.push(format!("{name}: prio = {pname} {o}"));
    log.push(format!("{name}: prio args = \"{pargs}\" {ao}"));
    f.prio_name = pname;
    f.prio_args = pargs;

    if how == Gather::Probe {
        let (state, msg) = checker::check(&f.checker, &f.dev, &cenv);
        if !msg.is_empty() {
            log.push(format!("{name}: {msg}"));
        }
        f.state = state;
        // Upstream asks the prioritizer about every path whose device is
        // online; for a path the checker finds down, only while its
        // priority is still unknown (always the case here).
        if usable_state && state != PathState::Removed {
            let p = prio::get_prio(&f.prio_name, &f.prio_args, &f.dev, &penv);
            f.prio = p.value;
            f.prio_said = p.said;
            f.prio_said_repeats = p.repeats;
        } else {
            f.prio = PRIO_UNDEF;
        }
        log.push(format!("{name}: {} prio = {}", f.prio_name, f.prio));
    }
    f
}
