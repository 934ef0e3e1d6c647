//! One path check, run off the owner thread: the SCSI device state from
//! sysfs, the path checker, and the prioritizer when the path can answer.

use super::Env;
use mpath::checker::{self, CheckEnv, PathState};
use mpath::discovery::PathDev;
use mpath::prio::{self, PrioEnv};
use std::sync::Arc;

/// What to check.
pub struct CheckJob {
    pub dev: Arc<PathDev>,
    pub checker: String,
    pub prio_name: String,
    pub prio_args: String,
    /// The path's priority is known: a path found down keeps it.
    pub prio_known: bool,
    pub timeout_ms: u32,
}

/// The verdict, sent back to the owner.
#[derive(Debug, Clone)]
pub struct CheckDone {
    /// `major:minor` of the path checked.
    pub dev_t: String,
    pub dev: String,
    pub state: PathState,
    pub message: String,
    /// New priority; `None` when the prioritizer was not asked (path down).
    pub prio: Option<i32>,
    /// SCSI device state from sysfs (`running`, `offline`, ...); `None`
    /// when it could not be read.
    pub dev_state: Option<String>,
}

impl CheckJob {
    pub fn run(self, env: &Env) -> CheckDone {
        let dev_state = std::fs::read_to_string(
            env.root
                .join(format!("/sys/block/{}/device/state", self.dev.dev)),
        )
        .ok()
        .map(|s| s.trim().to_string());
        let cenv = CheckEnv {
            root: &env.root,
            scsi: env.scsi.as_ref(),
            timeout_ms: self.timeout_ms,
        };
        let (state, message) = checker::check(&self.checker, &self.dev, &cenv);
        // Up paths are asked every time; a down path only while its
        // priority is unknown (and its device is online), as upstream does.
        let online = !matches!(
            dev_state.as_deref(),
            Some("offline" | "transport-offline" | "deleted")
        );
        let ask = state.is_usable() || (!self.prio_known && online && state != PathState::Removed);
        let prio = ask.then(|| {
            let penv = PrioEnv {
                root: &env.root,
                scsi: env.scsi.as_ref(),
                timeout_ms: self.timeout_ms,
            };
            let p = prio::get_prio(&self.prio_name, &self.prio_args, &self.dev, &penv);
            prio::trace_said(&p.said);
            p.value
        });
        CheckDone {
            dev_t: self.dev.dev_t.clone(),
            dev: self.dev.dev.clone(),
            state,
            message,
            prio,
            dev_state,
        }
    }
}
