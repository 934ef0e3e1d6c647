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

use super::{Failure, PrioEnv, PrioResult, PRIO_UNDEF};
use crate::checker::tur::tur_retried_with;
use crate::discovery::PathDev;
use crate::scsi::{self, sense_key, ScsiError};

/// The level of the vendor prioritizers' messages (seen in the VM: printed
/// even at -v0, by create, -d and -ll, also with -ll -v1).
const REFUSED_LEVEL: u32 = 0;

/// A VPD page; a command the device completed with an error (CHECK
/// CONDITION, a bad status) is `said` with priority `prio`, anything
/// else (no reply, a timeout, a page in another format) stays quiet.
fn vpd_or_say(
    path: &PathDev,
    env: &PrioEnv,
    page: u8,
    prio: i32,
    said: &str,
) -> Result<Vec<u8>, Failure> {
    scsi::inquiry_vpd(env.scsi, &path.dev, page, 255, env.timeout_ms).map_err(|e| {
        if e.sg_status().is_some() {
            tracing::debug!(path = %path.dev, "{e}");
            Failure::said(prio, REFUSED_LEVEL, format!("{}: {said}", path.dev))
        } else {
            Failure::Quiet(e.to_string())
        }
    })
}

fn vpd(path: &PathDev, env: &PrioEnv, page: u8) -> Result<Vec<u8>, String> {
    scsi::inquiry_vpd(env.scsi, &path.dev, page, 255, env.timeout_ms).map_err(|e| e.to_string())
}

/// LUN state plus 2 when this path's SP is the LUN's default owner.
pub(super) fn emc(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let p = vpd_or_say(
        path,
        env,
        0xc0,
        PRIO_UNDEF,
        "emc prio: query command indicates error",
    )?;
    if p.len() < 9 {
        return Err(format!("{dev}: VPD page 0xc0 of {} bytes", p.len()).into());
    }
    if p[4] == 0 {
        return Err(format!("{dev}: logical unit is unbound or LUNZ").into());
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
        return Err(format!("{dev}: INQUIRY reply of {} bytes", inq.len()).into());
    }
    if !inq[8..16].starts_with(b"HITACHI") || !inq[16..32].starts_with(b"DF") {
        return Err(format!("{dev}: not a Hitachi DF array").into());
    }
    let ctrl = match inq[40] {
        b'0' => 0,
        b'1' => 1,
        c => return Err(format!("{dev}: unknown controller {:?}", char::from(c)).into()),
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
            _ if e.is_timeout() => Err(e.to_string().into()),
            _ => Ok(0),
        },
    }
}

/// Bits: 4 preferred path, 2 current owner, 1 secondary path, 8 I/O
/// shipping.
pub(super) fn rdac(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let p = vpd_or_say(
        path,
        env,
        0xc9,
        0,
        "rdac prio: inquiry command indicates error",
    )?;
    if p.len() < 10 || &p[4..7] != b"vac" {
        return Err(format!("{dev}: volume access control page in unknown format").into());
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

/// Why GET VENDOR ATTRIBUTES gave nothing.
enum GvaError {
    /// The device completed the command with an error: what ontap says
    /// then (the CDB, the status words, the sense data).
    Refused(Vec<String>),
    Other(String),
}

/// Bytes as the reference dumps them: `0x%02x` each followed by a space.
fn hex_bytes(b: &[u8]) -> String {
    b.iter().map(|x| format!("0x{x:02x} ")).collect()
}

/// The lines ontap prints about command `cdb` completed with error `e`.
fn scsi_error_dump(dev: &str, cdb: &[u8], e: &ScsiError) -> Option<Vec<String>> {
    let sg = e.sg_status()?;
    Some(vec![
        format!("{dev}: ontap prio: SCSI error"),
        format!("- SCSI CDB: {}", hex_bytes(cdb)),
        format!(
            "- masked_status=0x{:02x}, host_status=0x{:02x}, driver_status=0x{:02x}",
            sg.masked_status(),
            sg.host_status,
            sg.driver_status
        ),
        format!("- SCSI sense data: {}", hex_bytes(&sg.sense)),
    ])
}

/// GET VENDOR ATTRIBUTES page `page` (NetApp). The reply starts with a
/// 4-byte length and echoes the command signature in bytes 4..8.
fn netapp_gva(path: &PathDev, env: &PrioEnv, page: u8) -> Result<Vec<u8>, GvaError> {
    const LEN: u8 = 128;
    let cdb = [0xc0, 0, 0x01, 0x0a, 0x98, 0x0a, page, LEN, 0, 0];
    let r = env
        .scsi
        .data_in(&path.dev, &cdb, LEN.into(), env.timeout_ms)
        .map_err(|e| match scsi_error_dump(&path.dev, &cdb, &e) {
            Some(lines) => GvaError::Refused(lines),
            None => GvaError::Other(e.to_string()),
        })?;
    if r.len() < 8 || r[4..8] != [0x0a, 0x98, 0x0a, 0x01] {
        return Err(GvaError::Other(format!(
            "{}: GVA reply in unknown format",
            path.dev
        )));
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
/// through the partner (proxy). 0 when the array does not answer GVA
/// (with the command and the error said when the device refused it).
pub(super) fn ontap(path: &PathDev, env: &PrioEnv) -> PrioResult {
    let gva = match netapp_gva(path, env, 0x41) {
        Ok(r) => r,
        Err(GvaError::Refused(lines)) => {
            return Err(Failure::Said {
                prio: 0,
                level: REFUSED_LEVEL,
                lines,
            })
        }
        Err(GvaError::Other(e)) => {
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

/// An integer as C's `%i` reads it: optional sign, then hex (`0x`), octal
/// (leading `0`) or decimal digits; the value and the rest of `s`.
fn c_int(s: &str) -> Option<(i64, &str)> {
    let (neg, t) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let v = i64::from_str_radix(&digits[..end], radix).ok()?;
    Some((if neg { -v } else { v }, &digits[end..]))
}

/// A whitespace-delimited word after optional whitespace (C's `%s`), and
/// the rest.
fn c_word(s: &str) -> Option<(&str, &str)> {
    let t = s.trim_start();
    let end = t.find(char::is_whitespace).unwrap_or(t.len());
    (end > 0).then(|| (&t[..end], &t[end..]))
}

/// The datacore prio_args in the three forms the reference accepts:
/// `timeout=<n> preferredsds=<name>`, `preferredsds=<name> timeout=<n>`
/// and `preferredsds=<name>` (anything may follow the name); the name and
/// the timeout if given.
fn datacore_args(args: &str) -> Option<(&str, Option<i64>)> {
    if let Some((t, rest)) = args.strip_prefix("timeout=").and_then(c_int) {
        if let Some((name, _)) = rest
            .trim_start()
            .strip_prefix("preferredsds=")
            .and_then(c_word)
        {
            return Some((name, Some(t)));
        }
    }
    let (name, rest) = args.strip_prefix("preferredsds=").and_then(c_word)?;
    let timeout = rest
        .trim_start()
        .strip_prefix("timeout=")
        .and_then(|r| c_int(r.trim_start()))
        .map(|(t, _)| t);
    Some((name, timeout))
}

/// Arguments `preferredsds=<name>` with an optional `timeout=<ms>` before
/// or after: 1 when the SDS name in the INQUIRY data (16 bytes at 112)
/// contains the preferred name, else 0 (also when the INQUIRY fails).
/// Arguments it cannot use are said, with priority 0.
pub(super) fn datacore(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let say = |m: &str| Failure::said(0, REFUSED_LEVEL, format!("{dev}: datacore prio: {m}"));
    let Some((preferred, timeout)) = datacore_args(args) else {
        return Err(say("unexpected prio_args format"));
    };
    if preferred.len() <= 1 {
        return Err(say("prio args: preferredsds too short (1 character min)"));
    }
    let timeout = timeout
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(env.timeout_ms);
    let inq = match scsi::inquiry(env.scsi, dev, 255, timeout) {
        Ok(i) => i,
        Err(e) => {
            tracing::debug!(path = %dev, "datacore: {e}");
            return Ok(0);
        }
    };
    let name = inq.get(112..).unwrap_or_default();
    let name = &name[..name.len().min(16)];
    let name = name.split(|&b| b == 0).next().unwrap_or_default();
    let name = String::from_utf8_lossy(name);
    Ok(i32::from(name.contains(preferred)))
}
