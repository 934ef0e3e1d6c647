//! The real transport: the `SG_IO` ioctl (sg version 3 interface) on the
//! block device node. The kernel enforces the command timeout.
//!
//! This is the only place in the crate that needs `unsafe`: the ioctl takes
//! a raw pointer to a header whose pointers must stay valid for the call.
#![allow(unsafe_code)]

use super::{dev_node, ioctl_error, sense_key, status, ScsiError, ScsiTransport, Sense, SgStatus};
use crate::sysroot::SysRoot;
use nix::libc;
use std::fs::OpenOptions;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

/// `struct sg_io_hdr` of `<scsi/sg.h>` (kernel UAPI).
#[repr(C)]
struct SgIoHdr {
    interface_id: libc::c_int,
    dxfer_direction: libc::c_int,
    cmd_len: libc::c_uchar,
    mx_sb_len: libc::c_uchar,
    iovec_count: libc::c_ushort,
    dxfer_len: libc::c_uint,
    dxferp: *mut libc::c_void,
    cmdp: *mut libc::c_uchar,
    sbp: *mut libc::c_uchar,
    timeout: libc::c_uint,
    flags: libc::c_uint,
    pack_id: libc::c_int,
    usr_ptr: *mut libc::c_void,
    status: libc::c_uchar,
    masked_status: libc::c_uchar,
    msg_status: libc::c_uchar,
    sb_len_wr: libc::c_uchar,
    host_status: libc::c_ushort,
    driver_status: libc::c_ushort,
    resid: libc::c_int,
    duration: libc::c_uint,
    info: libc::c_uint,
}

const SG_DXFER_NONE: libc::c_int = -1;
const SG_DXFER_FROM_DEV: libc::c_int = -3;
const SG_IO: libc::c_ulong = 0x2285;
/// Largest data-in transfer we ask for.
const MAX_XFER: usize = 1 << 24;
const SENSE_LEN: usize = 64;

const DRIVER_TIMEOUT: u16 = 0x06;
const DRIVER_SENSE: u16 = 0x08;

nix::ioctl_readwrite_bad!(sg_io_ioctl, SG_IO, SgIoHdr);

/// SCSI commands through `SG_IO` on `<root>/dev/<dev>`.
#[derive(Debug, Clone)]
pub struct SgIo {
    root: SysRoot,
}

impl SgIo {
    pub fn new(root: &SysRoot) -> Self {
        SgIo { root: root.clone() }
    }

    fn node(&self, dev: &str) -> PathBuf {
        self.root.join(dev_node(dev))
    }

    /// Send `cdb`; `data` is the data-in buffer (empty: no data). Returns
    /// the number of bytes received.
    fn send(
        &self,
        dev: &str,
        cdb: &[u8],
        data: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, ScsiError> {
        if cdb.is_empty() || cdb.len() > 16 {
            return Err(ioctl_error(
                dev,
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("CDB of {} bytes", cdb.len()),
                ),
            ));
        }
        let path = self.node(dev);
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path)
            .map_err(|source| ScsiError::Open {
                dev: dev.to_string(),
                path: path.display().to_string(),
                source,
            })?;
        let mut cmd = [0u8; 16];
        cmd[..cdb.len()].copy_from_slice(cdb);
        let mut sense = [0u8; SENSE_LEN];
        let mut hdr = SgIoHdr {
            interface_id: libc::c_int::from(b'S'),
            dxfer_direction: if data.is_empty() {
                SG_DXFER_NONE
            } else {
                SG_DXFER_FROM_DEV
            },
            cmd_len: cdb.len() as u8,
            mx_sb_len: SENSE_LEN as u8,
            iovec_count: 0,
            dxfer_len: data.len() as libc::c_uint,
            dxferp: if data.is_empty() {
                std::ptr::null_mut()
            } else {
                data.as_mut_ptr().cast()
            },
            cmdp: cmd.as_mut_ptr(),
            sbp: sense.as_mut_ptr(),
            timeout: timeout_ms,
            flags: 0,
            pack_id: 0,
            usr_ptr: std::ptr::null_mut(),
            status: 0,
            masked_status: 0,
            msg_status: 0,
            sb_len_wr: 0,
            host_status: 0,
            driver_status: 0,
            resid: 0,
            duration: 0,
            info: 0,
        };
        // SAFETY: `hdr` is a valid sg_io_hdr; its data, command and sense
        // pointers refer to live buffers (`data`, `cmd`, `sense`) of the
        // lengths it states, which outlive the call; the fd is open.
        let r = unsafe { sg_io_ioctl(file.as_raw_fd(), &mut hdr) };
        r.map_err(|e| ioctl_error(dev, io::Error::from_raw_os_error(e as i32)))?;
        let sense_len = usize::from(hdr.sb_len_wr).min(SENSE_LEN);
        outcome(
            dev,
            hdr.status,
            hdr.host_status,
            hdr.driver_status,
            &sense[..sense_len],
        )?;
        let resid = usize::try_from(hdr.resid).unwrap_or(0);
        Ok(data.len().saturating_sub(resid))
    }
}

/// What the status words of a completed SG_IO say. Timeouts (host or
/// driver) first, then sense data, then other host/driver errors, then the
/// SCSI status. NO SENSE and RECOVERED ERROR count as success.
pub(super) fn outcome(
    dev: &str,
    scsi_status: u8,
    host: u16,
    driver: u16,
    sense: &[u8],
) -> Result<(), ScsiError> {
    let dev_s = || dev.to_string();
    let sg = || SgStatus {
        status: scsi_status,
        host_status: host,
        driver_status: driver,
        sense: sense.to_vec(),
    };
    if host == super::host_status::TIME_OUT || driver & 0x0f == DRIVER_TIMEOUT {
        return Err(ScsiError::Timeout { dev: dev_s() });
    }
    let check = scsi_status & 0x7e == status::CHECK_CONDITION;
    if host == 0 && (check || driver & 0x0f == DRIVER_SENSE) {
        return match Sense::parse(sense) {
            Some(s) if s.key == sense_key::NO_SENSE || s.key == sense_key::RECOVERED_ERROR => {
                Ok(())
            }
            Some(s) => Err(ScsiError::CheckCondition {
                dev: dev_s(),
                sense: s,
                sg: sg(),
            }),
            None if check => Err(ScsiError::Status {
                dev: dev_s(),
                status: scsi_status,
                sg: sg(),
            }),
            None => Err(ScsiError::Driver {
                dev: dev_s(),
                driver,
                sg: sg(),
            }),
        };
    }
    if host != 0 {
        return Err(ScsiError::Host {
            dev: dev_s(),
            host,
            sg: sg(),
        });
    }
    if driver & 0x0f != 0 {
        return Err(ScsiError::Driver {
            dev: dev_s(),
            driver,
            sg: sg(),
        });
    }
    if scsi_status & 0x7e != 0 {
        return Err(ScsiError::Status {
            dev: dev_s(),
            status: scsi_status,
            sg: sg(),
        });
    }
    Ok(())
}

impl ScsiTransport for SgIo {
    fn data_in(
        &self,
        dev: &str,
        cdb: &[u8],
        alloc_len: usize,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, ScsiError> {
        let mut buf = vec![0u8; alloc_len.clamp(1, MAX_XFER)];
        let n = self.send(dev, cdb, &mut buf, timeout_ms)?;
        buf.truncate(n);
        Ok(buf)
    }

    fn no_data(&self, dev: &str, cdb: &[u8], timeout_ms: u32) -> Result<(), ScsiError> {
        self.send(dev, cdb, &mut [], timeout_ms).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    /// The header must match the kernel's `struct sg_io_hdr` byte for byte.
    #[test]
    fn header_layout_matches_the_kernel() {
        let want = if cfg!(target_pointer_width = "64") {
            88
        } else {
            64
        };
        assert_eq!(std::mem::size_of::<super::SgIoHdr>(), want);
    }
}
