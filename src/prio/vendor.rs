//! Hardware-specific prioritizers: emc, hds, hp_sw, ontap, rdac, datacore.
//!
//! Page layouts (bytes of the INQUIRY reply, header included):
//!
//! * EMC/DGC VPD 0xC0: byte 4 LUN state (0 unbound, 1 bound, 2 owned by
//!   this path's SP), byte 5 default owner SP, byte 8 this path's SP.
//! * LSI/Engenio VPD 0xC9: bytes 4..7 "vac", byte 8 bit 0 current owner,
//!   bit 5 I/O shipping, byte 9 low nibble preferred path (1 preferred,
//!   2 secondary).
//! * Hitachi DF (AMS) standard INQUIRY: vendor "HITACHI", product "DF...",
//!   byte 40 controller ('0' or '1'), bytes 44..48 LDEV number in hex.
//! * NetApp: vendor command GET VENDOR ATTRIBUTES (opcode 0xC0) page 0x41
//!   names the transport; VPD 0xC1 bit 1 of byte 19 marks a proxy path.
//! * DataCore: the SDS name at byte 112 of the standard INQUIRY data.
//!
//! These follow the behaviour described in the inventory (§5.2); they have
//! not been tried against the hardware.

use super::{PrioEnv, PrioResult};
use crate::checker::tur::tur_retried_with;
use crate::discovery::PathDev;
use crate::scsi::{self, sense_key};

fn vpd(path: &PathDev, env: &PrioEnv, page: u8) -> Result<Vec<u8>, String> {
    scsi::inquiry_vpd(env.scsi, &path.dev, page, 255, env.timeout_ms).map_err(|e| e.to_string())
}

/// LUN state plus 2 when this path's SP is the LUN's default owner.
pub(super) fn emc(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let p = vpd(path, env, 0xc0)?;
    if p.len() < 9 {
        return Err(format!("{dev}: VPD page 0xc0 of {} bytes", p.len()));
    }
    if p[4] == 0 {
        return Err(format!("{dev}: logical unit is unbound or LUNZ"));
    }
    let default_owner = p[5] == p[8];
    Ok(i32::from(p[4].min(2)) + if default_owner { 2 } else { 0 })
}

/// 1 when the path's controller is the one the LDEV number's parity
/// prefers (even LDEVs controller 0, odd ones controller 1), else 0.
pub(super) fn hds(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let inq = scsi::inquiry(env.scsi, dev, 255, env.timeout_ms).map_err(|e| e.to_string())?;
    if inq.len() < 48 {
        return Err(format!("{dev}: INQUIRY reply of {} bytes", inq.len()));
    }
    if !inq[8..16].starts_with(b"HITACHI") || !inq[16..32].starts_with(b"DF") {
        return Err(format!("{dev}: not a Hitachi DF array"));
    }
    let ctrl = match inq[40] {
        b'0' => 0,
        b'1' => 1,
        c => return Err(format!("{dev}: unknown controller {:?}", char::from(c))),
    };
    let last = char::from(inq[47])
        .to_digit(16)
        .ok_or_else(|| format!("{dev}: LDEV number is not hex"))?;
    Ok(i32::from(last % 2 == ctrl))
}

/// TEST UNIT READY: 4 when it works (active controller), 2 when the
/// controller is in standby (NOT READY 04/02), 0 for other failures.
pub(super) fn hp_sw(path: &PathDev, env: &PrioEnv) -> PrioResult {
    match tur_retried_with(env.scsi, &path.dev, env.timeout_ms) {
        Ok(()) => Ok(4),
        Err(e) => match e.sense() {
            Some(s) if (s.key, s.asc, s.ascq) == (sense_key::NOT_READY, 0x04, 0x02) => Ok(2),
            _ if e.is_timeout() => Err(e.to_string()),
            _ => Ok(0),
        },
    }
}

/// Bits: 4 preferred path, 2 current owner, 1 secondary path, 8 I/O
/// shipping.
pub(super) fn rdac(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let p = vpd(path, env, 0xc9)?;
    if p.len() < 10 || &p[4..7] != b"vac" {
        return Err(format!(
            "{dev}: volume access control page in unknown format"
        ));
    }
    let mut prio = 0;
    if p[8] & 0x01 != 0 {
        prio |= 2;
    }
    match p[9] & 0x0f {
        0x1 => prio |= 4,
        0x2 => prio |= 1,
        _ => {}
    }
    if p[8] & 0x20 != 0 {
        prio |= 8;
    }
    Ok(prio)
}

/// GET VENDOR ATTRIBUTES page `page` (NetApp). The reply starts with a
/// 4-byte length and echoes the command signature in bytes 4..8.
fn netapp_gva(path: &PathDev, env: &PrioEnv, page: u8) -> Result<Vec<u8>, String> {
    const LEN: u8 = 128;
    let cdb = [0xc0, 0, 0x01, 0x0a, 0x98, 0x0a, page, LEN, 0, 0];
    let r = env
        .scsi
        .data_in(&path.dev, &cdb, LEN.into(), env.timeout_ms)
        .map_err(|e| e.to_string())?;
    if r.len() < 8 || r[4..8] != [0x0a, 0x98, 0x0a, 0x01] {
        return Err(format!("{}: GVA reply in unknown format", path.dev));
    }
    Ok(r)
}

/// Whether the path goes through the partner controller (VPD 0xC1).
fn netapp_proxy(path: &PathDev, env: &PrioEnv) -> Result<bool, String> {
    let p = vpd(path, env, 0xc1)?;
    if p.len() < 20 || p[8..14] != [0x0a, 0x98, 0x0a, 0x00, 0xc1, 0x00] {
        return Err(format!("{}: proxy page in unknown format", path.dev));
    }
    Ok(p[19] & 0x02 != 0)
}

/// iSCSI with a hardware initiator 3, software initiator 2; FCP 4, or 1
/// through the partner (proxy). 0 when the array does not answer GVA.
pub(super) fn ontap(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let gva = match netapp_gva(path, env, 0x41) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(path = %path.dev, "ontap: {e}");
            return Ok(0);
        }
    };
    let total = u32::from_be_bytes([gva[0], gva[1], gva[2], gva[3]]);
    if total > 8 && gva.get(8) == Some(&0x41) {
        let name = gva.get(12..).unwrap_or_default();
        if name.starts_with(b"ism_sw") || name.starts_with(b"iswt") {
            return Ok(2);
        }
        if name.starts_with(b"ism_sn") {
            return Ok(3);
        }
    }
    match netapp_proxy(path, env) {
        Ok(true) => Ok(1),
        Ok(false) => Ok(4),
        Err(e) => {
            tracing::debug!(path = %path.dev, "ontap: {e}");
            Ok(4)
        }
    }
}

/// Arguments `preferredsds=<name> [timeout=<ms>]`: 1 when the SDS name in
/// the INQUIRY data contains the preferred name, else 0.
pub(super) fn datacore(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let mut preferred = None;
    let mut timeout = env.timeout_ms;
    for a in args.split_whitespace() {
        if let Some(v) = a.strip_prefix("preferredsds=") {
            preferred = Some(v);
        } else if let Some(v) = a.strip_prefix("timeout=") {
            timeout = v
                .parse()
                .map_err(|_| format!("{dev}: datacore: bad timeout {v:?}"))?;
        }
    }
    let preferred = preferred
        .filter(|p| !p.is_empty())
        .ok_or_else(|| format!("{dev}: datacore needs prio_args preferredsds=<name>"))?;
    let inq = scsi::inquiry(env.scsi, dev, 255, timeout).map_err(|e| e.to_string())?;
    let name = inq.get(112..).ok_or_else(|| {
        format!(
            "{dev}: INQUIRY reply of {} bytes has no SDS name",
            inq.len()
        )
    })?;
    let name = name.split(|&b| b == 0).next().unwrap_or_default();
    let name = String::from_utf8_lossy(name);
    Ok(i32::from(name.contains(preferred)))
}
