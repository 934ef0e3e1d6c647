//! The TEST UNIT READY checkers: tur and cciss_tur.

use super::{down, reports, CheckEnv, PathState};
use crate::discovery::PathDev;
use crate::scsi::{self, sense_key, status, ScsiError, ScsiTransport};
use nix::libc;

/// Retries after UNIT ATTENTION or a transient host status.
const RETRIES: usize = 5;

/// TEST UNIT READY, retried on transient errors.
pub(super) fn tur_retried(path: &PathDev, env: &CheckEnv) -> Result<(), ScsiError> {
    tur_retried_with(env.scsi, &path.dev, env.timeout_ms)
}

/// TEST UNIT READY on `dev`, retried on transient errors.
pub(crate) fn tur_retried_with(
    t: &dyn ScsiTransport,
    dev: &str,
    timeout_ms: u32,
) -> Result<(), ScsiError> {
    let mut attempt = 0;
    loop {
        match scsi::test_unit_ready(t, dev, timeout_ms) {
            Err(e) if e.is_transient() && attempt < RETRIES => attempt += 1,
            r => return r,
        }
    }
}

/// What a TEST UNIT READY outcome means for checker `name`.
fn judge(name: &str, r: Result<(), ScsiError>) -> (PathState, String) {
    let e = match r {
        Ok(()) => return (PathState::Up, reports(name, "up")),
        Err(e) => e,
    };
    if e.scsi_status() == Some(status::RESERVATION_CONFLICT) {
        // Another initiator holds a reservation: the path itself works.
        return (PathState::Up, reports(name, "up"));
    }
    if let Some(s) = e.sense() {
        match (s.key, s.asc, s.ascq) {
            // ALUA standby.
            (sense_key::NOT_READY, 0x04, 0x0b) => {
                return (PathState::Ghost, reports(name, "in standby state"))
            }
            // ALUA state transition.
            (sense_key::NOT_READY, 0x04, 0x0a) => {
                return (PathState::Pending, reports(name, "in transitioning state"))
            }
            // LOGICAL UNIT NOT SUPPORTED: the LUN is no longer mapped.
            (sense_key::ILLEGAL_REQUEST, 0x25, 0x00) => {
                return (
                    PathState::Disconnected,
                    format!("{}: {e}", reports(name, "disconnected")),
                )
            }
            _ => {}
        }
    }
    if e.is_timeout() {
        return (PathState::Timeout, format!("{name} checker timed out: {e}"));
    }
    if e.errno() == Some(libc::ENOTTY) {
        // Not a SCSI device: upstream's "wild" state, printed as undef.
        return (
            PathState::Undef,
            format!("{name} checker not supported on this device: {e}"),
        );
    }
    down(name, e)
}

pub(super) fn tur(path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    judge("tur", tur_retried(path, env))
}

/// HP Smart Array: upstream sends TEST UNIT READY through the legacy
/// `cciss` driver's pass-through ioctl. That driver left the kernel in
/// 4.14; its successor (hpsa) exposes ordinary SCSI disks, so the command
/// goes through SG_IO like tur.
pub(super) fn cciss_tur(path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    judge("cciss_tur", tur_retried(path, env))
}
