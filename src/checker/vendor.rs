//! Hardware-specific checkers: emc_clariion, hp_sw, rdac.
//!
//! Page layouts used here (bytes of the INQUIRY reply, header included):
//!
//! * EMC/DGC VPD 0xC0 (unit path report): byte 4 LUN state (0 unbound or
//!   LUNZ, 1 bound, 2 owned by the SP this path leads to), byte 5 default
//!   owner SP, byte 8 the SP of this path, bytes 10..26 the LUN WWN.
//! * LSI/Engenio VPD 0xC9 (volume access control): bytes 4..8 "vac1",
//!   byte 8 bit 0 "current volume path" (this controller owns the volume),
//!   bit 5 I/O shipping (the controller forwards I/O, so every path is
//!   active), byte 9 low nibble preferred-path priority.

use super::tur::tur_retried;
use super::{down, reports, CheckEnv, PathState};
use crate::discovery::PathDev;
use crate::prio::{alua_group, PrioEnv};
use crate::scsi::{self, opcode, AluaState};
use std::sync::Mutex;

/// A VPD page, or the checker's verdict when the device does not give it.
fn vpd_page(
    name: &str,
    path: &PathDev,
    env: &CheckEnv,
    page: u8,
) -> Result<Vec<u8>, (PathState, String)> {
    scsi::inquiry_vpd(env.scsi, &path.dev, page, 255, env.timeout_ms).map_err(|e| {
        if e.is_timeout() {
            (PathState::Timeout, format!("{name} checker timed out: {e}"))
        } else {
            down(name, e)
        }
    })
}

/// LUN WWNs seen by emc_clariion, per device, to notice a LUN swapped
/// behind a path.
static EMC_WWNS: Mutex<Vec<(String, [u8; 16])>> = Mutex::new(Vec::new());

pub(super) fn emc_clariion(path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    const NAME: &str = "emc_clariion";
    let dev = &path.dev;
    let page = match vpd_page(NAME, path, env, 0xc0) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if page.len() < 26 {
        return down(
            NAME,
            format!(
                "{dev}: unit path report page in unknown format ({} bytes)",
                page.len()
            ),
        );
    }
    if page[4] == 0 {
        return down(NAME, format!("{dev}: logical unit is unbound or LUNZ"));
    }
    let mut wwn = [0u8; 16];
    wwn.copy_from_slice(&page[10..26]);
    {
        let mut seen = EMC_WWNS.lock().unwrap_or_else(|e| e.into_inner());
        match seen.iter_mut().find(|(d, _)| d == dev) {
            Some((_, old)) if *old != wwn => {
                *old = wwn;
                return down(NAME, format!("{dev}: logical unit WWN has changed"));
            }
            Some(_) => {}
            None => seen.push((dev.clone(), wwn)),
        }
    }
    if page[4] == 2 {
        // The SP this path leads to owns the LUN: a read shows whether
        // the LUN is usable (an inactive snapshot fails it).
        let cdb = [opcode::READ_10, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        if let Err(e) = env.scsi.data_in(dev, &cdb, 4096, env.timeout_ms) {
            return down(NAME, format!("read on the active path failed: {e}"));
        }
    }
    (PathState::Up, reports(NAME, "up"))
}

pub(super) fn hp_sw(path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    const NAME: &str = "hp_sw";
    if let Err(r) = vpd_page(NAME, path, env, 0x80) {
        return r;
    }
    // A passive controller answers INQUIRY but fails TEST UNIT READY.
    match tur_retried(path, env) {
        Ok(()) => (PathState::Up, reports(NAME, "up")),
        Err(e) => {
            tracing::debug!(path = %path.dev, "hp_sw: {e}");
            (PathState::Ghost, reports(NAME, "ghost"))
        }
    }
}

pub(super) fn rdac(path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    const NAME: &str = "rdac";
    let dev = &path.dev;
    let page = match vpd_page(NAME, path, env, 0xc9) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if page.len() < 10 || &page[4..7] != b"vac" {
        return down(
            NAME,
            format!("{dev}: volume access control page in unknown format"),
        );
    }
    // Where the array reports ALUA states, a group that cannot take I/O
    // makes the path down whatever the ownership says.
    let penv = PrioEnv {
        root: env.root,
        scsi: env.scsi,
        timeout_ms: env.timeout_ms,
    };
    if let Ok(g) = alua_group(path, &penv) {
        if matches!(
            g.state,
            AluaState::Unavailable | AluaState::Offline | AluaState::Transitioning
        ) {
            return down(
                NAME,
                format!("{dev}: target port group {} is {}", g.id, g.state.name()),
            );
        }
    }
    let owner = page[8] & 0x01 != 0;
    let ioship = page[8] & 0x20 != 0;
    if owner || ioship {
        (PathState::Up, reports(NAME, "up"))
    } else {
        (PathState::Ghost, reports(NAME, "ghost"))
    }
}
