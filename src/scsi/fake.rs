//! A scripted SCSI transport for tests.
//!
//! Replies are keyed by device, operation code and, where the command has
//! one, its page: the VPD page of an INQUIRY with EVPD, the service action
//! of MAINTENANCE IN (REPORT TARGET PORT GROUPS). A reply scripted without a
//! page answers every page of that opcode that has no reply of its own,
//! except for INQUIRY, where "no page" is the standard INQUIRY data.
//! Several replies for one key are used in order and the last one repeats,
//! so "UNIT ATTENTION, then GOOD" is two calls to [`FakeScsi::fail`] and
//! [`FakeScsi::good`].
//!
//! What is not scripted fails as a device would: a device with no script
//! at all cannot be opened (ENOENT), an unknown opcode is ILLEGAL REQUEST
//! 20/00 (invalid command operation code) and an unknown page of a known
//! opcode ILLEGAL REQUEST 24/00 (invalid field in CDB).

use super::{opcode, sense_key, status, ScsiError, ScsiTransport, Sense, SgStatus};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Mutex;

/// The driver status of a command that came back with sense data.
const DRIVER_SENSE: u16 = 0x08;

/// Sense data in fixed format (18 bytes, as Linux targets such as
/// scsi_debug return it).
pub fn fixed_sense(s: Sense) -> Vec<u8> {
    let mut d = vec![0u8; 18];
    d[0] = 0x70;
    d[2] = s.key & 0x0f;
    d[7] = 0x0a;
    d[12] = s.asc;
    d[13] = s.ascq;
    d
}

/// An error the fake produces, turned into a [`ScsiError`] naming the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeFailure {
    /// CHECK CONDITION with this sense.
    Sense(Sense),
    /// A SCSI status other than GOOD (e.g. 0x18 reservation conflict).
    Status(u8),
    /// A host (adapter) status.
    Host(u16),
    /// A driver status.
    Driver(u16),
    Timeout,
    /// The SG_IO ioctl itself fails with this errno (e.g. ENOTTY).
    Errno(i32),
    /// The device node cannot be opened (ENOENT).
    NoDevice,
}

impl FakeFailure {
    pub fn sense(key: u8, asc: u8, ascq: u8) -> Self {
        FakeFailure::Sense(Sense::new(key, asc, ascq))
    }

    fn to_error(self, dev: &str) -> ScsiError {
        let dev = dev.to_string();
        match self {
            FakeFailure::Sense(sense) => ScsiError::CheckCondition {
                dev,
                sense,
                sg: SgStatus {
                    status: status::CHECK_CONDITION,
                    driver_status: DRIVER_SENSE,
                    sense: fixed_sense(sense),
                    ..SgStatus::default()
                },
            },
            FakeFailure::Status(status) => ScsiError::Status {
                dev,
                status,
                sg: SgStatus {
                    status,
                    ..SgStatus::default()
                },
            },
            FakeFailure::Host(host) => ScsiError::Host {
                dev,
                host,
                sg: SgStatus {
                    host_status: host,
                    ..SgStatus::default()
                },
            },
            FakeFailure::Driver(driver) => ScsiError::Driver {
                dev,
                driver,
                sg: SgStatus {
                    driver_status: driver,
                    ..SgStatus::default()
                },
            },
            FakeFailure::Timeout => ScsiError::Timeout { dev },
            FakeFailure::Errno(e) => ScsiError::Ioctl {
                dev,
                source: io::Error::from_raw_os_error(e),
            },
            FakeFailure::NoDevice => ScsiError::Open {
                path: super::dev_node(&dev),
                dev,
                source: io::Error::from_raw_os_error(nix::libc::ENOENT),
            },
        }
    }
}

#[derive(Debug, Clone)]
enum Reply {
    Data(Vec<u8>),
    Good,
    Fail(FakeFailure),
}

type Key = (String, u8, Option<u8>);

/// Scripted replies per (device, opcode[, page]) and per-device failures;
/// records every command it is sent.
#[derive(Debug, Default)]
pub struct FakeScsi {
    script: Mutex<HashMap<Key, VecDeque<Reply>>>,
    device_failures: Mutex<HashMap<String, FakeFailure>>,
    calls: Mutex<Vec<(String, Vec<u8>)>>,
}

/// The page a command selects, for commands that have one.
fn page_of(cdb: &[u8]) -> Option<u8> {
    match *cdb.first()? {
        opcode::INQUIRY if cdb.get(1)? & 1 == 1 => cdb.get(2).copied(),
        opcode::MAINTENANCE_IN => cdb.get(1).map(|b| b & 0x1f),
        _ => None,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FakeScsi {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(self, dev: &str, op: u8, page: Option<u8>, r: Reply) -> Self {
        lock(&self.script)
            .entry((dev.to_string(), op, page))
            .or_default()
            .push_back(r);
        self
    }

    /// A data-in reply to `op` (with `page`, or any page if `None`).
    pub fn reply(self, dev: &str, op: u8, page: Option<u8>, data: impl Into<Vec<u8>>) -> Self {
        self.push(dev, op, page, Reply::Data(data.into()))
    }

    /// GOOD status with no data to `op`.
    pub fn good(self, dev: &str, op: u8) -> Self {
        self.push(dev, op, None, Reply::Good)
    }

    /// A failure of `op` (with `page`, or any page if `None`).
    pub fn fail(self, dev: &str, op: u8, page: Option<u8>, f: FakeFailure) -> Self {
        self.push(dev, op, page, Reply::Fail(f))
    }

    /// Standard INQUIRY data.
    pub fn inquiry(self, dev: &str, data: impl Into<Vec<u8>>) -> Self {
        self.reply(dev, opcode::INQUIRY, None, data)
    }

    /// Standard INQUIRY data of a disk with these TPGS bits.
    pub fn inquiry_tpgs(self, dev: &str, tpgs: u8) -> Self {
        self.inquiry(dev, standard_inquiry("VENDOR", "PRODUCT", tpgs))
    }

    /// A VPD page (the reply to INQUIRY with EVPD and this page code).
    pub fn vpd(self, dev: &str, page: u8, data: impl Into<Vec<u8>>) -> Self {
        self.reply(dev, opcode::INQUIRY, Some(page), data)
    }

    /// REPORT TARGET PORT GROUPS data.
    pub fn rtpg(self, dev: &str, data: impl Into<Vec<u8>>) -> Self {
        self.reply(
            dev,
            opcode::MAINTENANCE_IN,
            Some(opcode::RTPG_SERVICE_ACTION),
            data,
        )
    }

    /// TEST UNIT READY succeeds.
    pub fn tur_ok(self, dev: &str) -> Self {
        self.good(dev, opcode::TEST_UNIT_READY)
    }

    /// TEST UNIT READY fails.
    pub fn tur_fail(self, dev: &str, f: FakeFailure) -> Self {
        self.fail(dev, opcode::TEST_UNIT_READY, None, f)
    }

    /// Every command to `dev` fails (takes precedence over any script).
    pub fn fail_device(self, dev: &str, f: FakeFailure) -> Self {
        lock(&self.device_failures).insert(dev.to_string(), f);
        self
    }

    /// Every command sent so far: (device, CDB).
    pub fn calls(&self) -> Vec<(String, Vec<u8>)> {
        lock(&self.calls).clone()
    }

    /// How many commands with this opcode were sent to `dev`.
    pub fn count(&self, dev: &str, op: u8) -> usize {
        lock(&self.calls)
            .iter()
            .filter(|(d, c)| d == dev && c.first() == Some(&op))
            .count()
    }

    fn answer(&self, dev: &str, cdb: &[u8]) -> Result<Reply, ScsiError> {
        lock(&self.calls).push((dev.to_string(), cdb.to_vec()));
        if let Some(f) = lock(&self.device_failures).get(dev) {
            return Err(f.to_error(dev));
        }
        let Some(&op) = cdb.first() else {
            return Err(FakeFailure::Errno(nix::libc::EINVAL).to_error(dev));
        };
        let mut script = lock(&self.script);
        let page = page_of(cdb);
        let key = |p| (dev.to_string(), op, p);
        let exact = page.is_none() || op == opcode::INQUIRY || script.contains_key(&key(page));
        let queue = script.get_mut(&key(if exact { page } else { None }));
        let reply = match queue {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().cloned(),
            None => None,
        };
        match reply {
            Some(Reply::Fail(f)) => Err(f.to_error(dev)),
            Some(r) => Ok(r),
            None if !script.keys().any(|(d, _, _)| d == dev) => {
                Err(FakeFailure::NoDevice.to_error(dev))
            }
            None if script.keys().any(|(d, o, _)| d == dev && *o == op) => {
                Err(FakeFailure::sense(sense_key::ILLEGAL_REQUEST, 0x24, 0).to_error(dev))
            }
            None => Err(FakeFailure::sense(sense_key::ILLEGAL_REQUEST, 0x20, 0).to_error(dev)),
        }
    }
}

impl ScsiTransport for FakeScsi {
    fn data_in(
        &self,
        dev: &str,
        cdb: &[u8],
        alloc_len: usize,
        _timeout_ms: u32,
    ) -> Result<Vec<u8>, ScsiError> {
        Ok(match self.answer(dev, cdb)? {
            Reply::Data(mut d) => {
                d.truncate(alloc_len);
                d
            }
            _ => Vec::new(),
        })
    }

    fn no_data(&self, dev: &str, cdb: &[u8], _timeout_ms: u32) -> Result<(), ScsiError> {
        self.answer(dev, cdb).map(|_| ())
    }
}

/// Standard INQUIRY data (96 bytes) of a disk: vendor and product padded
/// with spaces, revision "0001", the TPGS bits in byte 5.
pub fn standard_inquiry(vendor: &str, product: &str, tpgs: u8) -> Vec<u8> {
    let mut d = vec![0u8; 96];
    d[2] = 0x06;
    d[3] = 0x02;
    d[4] = 91;
    d[5] = (tpgs & 3) << 4;
    let mut put = |off: usize, len: usize, s: &str| {
        let field = &mut d[off..off + len];
        field.fill(b' ');
        let n = s.len().min(len);
        field[..n].copy_from_slice(&s.as_bytes()[..n]);
    };
    put(8, 8, vendor);
    put(16, 16, product);
    put(32, 4, "0001");
    d
}
