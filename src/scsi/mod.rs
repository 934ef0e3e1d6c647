//! SCSI commands over SG_IO, behind a transport trait (fake in tests).
//!
//! Checkers and prioritizers never open a device themselves for SCSI
//! commands: they go through [`ScsiTransport`]. [`SgIo`] is the real one (the
//! `SG_IO` ioctl on `/dev/<dev>`), [`FakeScsi`] replays scripted replies.
//!
//! Everything a device sends back is untrusted: the parsers here
//! ([`vpd83_target_port_group`], [`parse_rtpg`], ...) check every length
//! against the bytes actually received and never index past them.

mod fake;
mod script;
mod sgio;
mod vpd;

#[cfg(test)]
pub(crate) mod tests;

pub use fake::{fixed_sense, standard_inquiry, FakeFailure, FakeScsi};
pub use script::{rtpg_page, vpd83_page, vpd83_with_tpg};
pub use sgio::SgIo;
pub use vpd::{
    parse_rtpg, vpd80_serial, vpd83_relative_port, vpd83_target_port_group, AluaState,
    TargetPortGroup,
};

use std::io;

/// SCSI operation codes used here.
pub mod opcode {
    pub const TEST_UNIT_READY: u8 = 0x00;
    pub const INQUIRY: u8 = 0x12;
    pub const READ_10: u8 = 0x28;
    /// MAINTENANCE IN; service action 0x0A is REPORT TARGET PORT GROUPS.
    pub const MAINTENANCE_IN: u8 = 0xA3;
    pub const RTPG_SERVICE_ACTION: u8 = 0x0A;
}

/// Sense keys used here.
pub mod sense_key {
    pub const NO_SENSE: u8 = 0x0;
    pub const RECOVERED_ERROR: u8 = 0x1;
    pub const NOT_READY: u8 = 0x2;
    pub const MEDIUM_ERROR: u8 = 0x3;
    pub const HARDWARE_ERROR: u8 = 0x4;
    pub const ILLEGAL_REQUEST: u8 = 0x5;
    pub const UNIT_ATTENTION: u8 = 0x6;
    pub const ABORTED_COMMAND: u8 = 0xB;
}

/// SCSI status bytes (SAM) that are not GOOD and not CHECK CONDITION.
pub mod status {
    pub const CHECK_CONDITION: u8 = 0x02;
    pub const BUSY: u8 = 0x08;
    pub const RESERVATION_CONFLICT: u8 = 0x18;
    pub const TASK_SET_FULL: u8 = 0x28;
}

/// The sense key and additional sense code (qualifier) of a CHECK CONDITION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sense {
    pub key: u8,
    pub asc: u8,
    pub ascq: u8,
}

impl Sense {
    pub const fn new(key: u8, asc: u8, ascq: u8) -> Self {
        Sense { key, asc, ascq }
    }

    /// Decode sense data in fixed (0x70/0x71) or descriptor (0x72/0x73)
    /// format. `None` if the buffer is too short or of another format.
    pub fn parse(buf: &[u8]) -> Option<Sense> {
        let code = buf.first()? & 0x7f;
        match code {
            0x70 | 0x71 => Some(Sense {
                key: buf.get(2)? & 0x0f,
                // Fixed format: ASC/ASCQ only exist when the additional
                // length reaches them.
                asc: buf.get(12).copied().unwrap_or(0),
                ascq: buf.get(13).copied().unwrap_or(0),
            }),
            0x72 | 0x73 => Some(Sense {
                key: buf.get(1)? & 0x0f,
                asc: buf.get(2).copied().unwrap_or(0),
                ascq: buf.get(3).copied().unwrap_or(0),
            }),
            _ => None,
        }
    }
}

/// Host (adapter) status codes of the Linux SCSI midlayer that mean "try
/// again" rather than "the path is broken".
pub mod host_status {
    pub const BUS_BUSY: u16 = 0x02;
    pub const TIME_OUT: u16 = 0x03;
    pub const SOFT_ERROR: u16 = 0x0b;
    pub const IMM_RETRY: u16 = 0x0c;
    pub const REQUEUE: u16 = 0x0d;
    pub const TRANSPORT_DISRUPTED: u16 = 0x0e;
}

/// What the kernel returned for a command that completed with an error: the
/// status words of the `sg_io_hdr` and the sense bytes it wrote
/// (`sb_len_wr` of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SgStatus {
    pub status: u8,
    pub host_status: u16,
    pub driver_status: u16,
    pub sense: Vec<u8>,
}

impl SgStatus {
    /// The SCSI status shifted right by one, as the kernel's `masked_status`.
    pub fn masked_status(&self) -> u8 {
        (self.status >> 1) & 0x7f
    }
}

/// A SCSI command that did not complete with GOOD status, or could not be
/// sent. Every message names the device. The errors of a command that
/// completed keep what the kernel returned ([`ScsiError::sg_status`]).
#[derive(Debug, thiserror::Error)]
pub enum ScsiError {
    #[error("{dev}: cannot open {path}: {source}")]
    Open {
        dev: String,
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("{dev}: SG_IO failed: {source}")]
    Ioctl {
        dev: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "{dev}: check condition sense key {:#x} asc {:#x} ascq {:#x}",
        sense.key,
        sense.asc,
        sense.ascq
    )]
    CheckCondition {
        dev: String,
        sense: Sense,
        sg: SgStatus,
    },
    #[error("{dev}: SCSI status {status:#04x}")]
    Status {
        dev: String,
        status: u8,
        sg: SgStatus,
    },
    #[error("{dev}: host status {host:#x}")]
    Host {
        dev: String,
        host: u16,
        sg: SgStatus,
    },
    #[error("{dev}: driver status {driver:#x}")]
    Driver {
        dev: String,
        driver: u16,
        sg: SgStatus,
    },
    #[error("{dev}: timeout")]
    Timeout { dev: String },
    /// The command completed but what came back cannot be used.
    #[error("{dev}: {what}")]
    BadReply { dev: String, what: String },
}

impl ScsiError {
    pub fn bad_reply(dev: &str, what: impl Into<String>) -> Self {
        ScsiError::BadReply {
            dev: dev.to_string(),
            what: what.into(),
        }
    }

    /// The sense data of a CHECK CONDITION.
    pub fn sense(&self) -> Option<Sense> {
        match self {
            ScsiError::CheckCondition { sense, .. } => Some(*sense),
            _ => None,
        }
    }

    /// The status words and sense bytes of a command that completed with an
    /// error (not for timeouts, nor commands that could not be sent).
    pub fn sg_status(&self) -> Option<&SgStatus> {
        match self {
            ScsiError::CheckCondition { sg, .. }
            | ScsiError::Status { sg, .. }
            | ScsiError::Host { sg, .. }
            | ScsiError::Driver { sg, .. } => Some(sg),
            _ => None,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, ScsiError::Timeout { .. })
    }

    /// The SCSI status byte, for errors that are a plain status.
    pub fn scsi_status(&self) -> Option<u8> {
        match self {
            ScsiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Errors worth retrying at once: UNIT ATTENTION and the host statuses
    /// that ask for a retry.
    pub fn is_transient(&self) -> bool {
        match self {
            ScsiError::CheckCondition { sense, .. } => sense.key == sense_key::UNIT_ATTENTION,
            ScsiError::Host { host, .. } => matches!(
                *host,
                host_status::BUS_BUSY
                    | host_status::SOFT_ERROR
                    | host_status::IMM_RETRY
                    | host_status::REQUEUE
                    | host_status::TRANSPORT_DISRUPTED
            ),
            _ => false,
        }
    }

    /// The OS error number behind an ioctl or open failure.
    pub fn errno(&self) -> Option<i32> {
        match self {
            ScsiError::Open { source, .. } | ScsiError::Ioctl { source, .. } => {
                source.raw_os_error()
            }
            _ => None,
        }
    }
}

/// How SCSI commands reach a device.
pub trait ScsiTransport: Send + Sync {
    /// Data-in command (INQUIRY, REPORT TARGET PORT GROUPS...) on the block
    /// device `dev` (kernel name like "sda"); returns the bytes received
    /// (truncated to what the device sent).
    fn data_in(
        &self,
        dev: &str,
        cdb: &[u8],
        alloc_len: usize,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, ScsiError>;
    /// No-data command (TEST UNIT READY).
    fn no_data(&self, dev: &str, cdb: &[u8], timeout_ms: u32) -> Result<(), ScsiError>;
}

/// The 6-byte INQUIRY CDB; `page` `Some` sets EVPD.
pub fn inquiry_cdb(page: Option<u8>, alloc_len: u16) -> [u8; 6] {
    let [hi, lo] = alloc_len.to_be_bytes();
    match page {
        Some(p) => [opcode::INQUIRY, 0x01, p, hi, lo, 0],
        None => [opcode::INQUIRY, 0, 0, hi, lo, 0],
    }
}

/// Standard INQUIRY data (at most `alloc_len` bytes, at most 255 asked).
pub fn inquiry(
    t: &dyn ScsiTransport,
    dev: &str,
    alloc_len: u8,
    timeout_ms: u32,
) -> Result<Vec<u8>, ScsiError> {
    let cdb = inquiry_cdb(None, alloc_len.into());
    t.data_in(dev, &cdb, alloc_len.into(), timeout_ms)
}

/// A VPD page by INQUIRY with EVPD. The reply is checked to be that page
/// (byte 1) and cut to the page length it announces.
pub fn inquiry_vpd(
    t: &dyn ScsiTransport,
    dev: &str,
    page: u8,
    alloc_len: u16,
    timeout_ms: u32,
) -> Result<Vec<u8>, ScsiError> {
    let cdb = inquiry_cdb(Some(page), alloc_len);
    let mut buf = t.data_in(dev, &cdb, alloc_len.into(), timeout_ms)?;
    if buf.len() < 4 {
        return Err(ScsiError::bad_reply(
            dev,
            format!("VPD page {page:#04x}: reply of {} bytes", buf.len()),
        ));
    }
    if buf[1] != page {
        return Err(ScsiError::bad_reply(
            dev,
            format!("VPD page {page:#04x}: device returned page {:#04x}", buf[1]),
        ));
    }
    let len = 4 + usize::from(u16::from_be_bytes([buf[2], buf[3]]));
    buf.truncate(len);
    Ok(buf)
}

/// TPGS bits (0..3) of standard INQUIRY byte 5: 0 no ALUA, 1 implicit only,
/// 2 explicit only, 3 both.
pub fn inquiry_tpgs(t: &dyn ScsiTransport, dev: &str, timeout_ms: u32) -> Result<u8, ScsiError> {
    let buf = inquiry(t, dev, 36, timeout_ms)?;
    tpgs_of_inquiry(&buf)
        .ok_or_else(|| ScsiError::bad_reply(dev, format!("INQUIRY reply of {} bytes", buf.len())))
}

/// TPGS bits of standard INQUIRY data (also the sysfs `inquiry` attribute).
pub fn tpgs_of_inquiry(inq: &[u8]) -> Option<u8> {
    inq.get(5).map(|b| (b >> 4) & 0x3)
}

/// TEST UNIT READY.
pub fn test_unit_ready(t: &dyn ScsiTransport, dev: &str, timeout_ms: u32) -> Result<(), ScsiError> {
    t.no_data(dev, &[opcode::TEST_UNIT_READY, 0, 0, 0, 0, 0], timeout_ms)
}

/// REPORT TARGET PORT GROUPS (length-only header format). Asks again with
/// a larger buffer once if the device has more to say than fitted.
pub fn report_target_port_groups(
    t: &dyn ScsiTransport,
    dev: &str,
    timeout_ms: u32,
) -> Result<Vec<u8>, ScsiError> {
    let rtpg = |len: u32| {
        let [a, b, c, d] = len.to_be_bytes();
        let cdb = [
            opcode::MAINTENANCE_IN,
            opcode::RTPG_SERVICE_ACTION,
            0,
            0,
            0,
            0,
            a,
            b,
            c,
            d,
            0,
            0,
        ];
        t.data_in(dev, &cdb, len as usize, timeout_ms)
    };
    const FIRST: u32 = 4096;
    const MAX: u32 = 1 << 20;
    let buf = rtpg(FIRST)?;
    if buf.len() >= 4 {
        let want = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]).saturating_add(4);
        if want > FIRST && buf.len() >= FIRST as usize {
            return rtpg(want.min(MAX));
        }
    }
    Ok(buf)
}

/// The kernel name in `/dev` for a path device: `/dev/<dev>`, with `!` (as
/// sysfs spells `cciss!c0d0`) turned into `/`.
pub(crate) fn dev_node(dev: &str) -> String {
    format!("/dev/{}", dev.replace('!', "/"))
}

/// An `io::Error` as a [`ScsiError::Ioctl`] (for transports that fail
/// before reaching the device).
pub(crate) fn ioctl_error(dev: &str, source: io::Error) -> ScsiError {
    ScsiError::Ioctl {
        dev: dev.to_string(),
        source,
    }
}
