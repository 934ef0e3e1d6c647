//! `DM_DEV_RENAME` issued directly, so that the udev cookie carries our
//! flags (the crate's `DM::device_rename` takes none), and the udev
//! synchronisation of libdevmapper around it.
//!
//! **The cookie protocol.** The cookie is a SysV semaphore key:
//! `DM_COOKIE_MAGIC << 16` plus a random, non-zero low half. The semaphore
//! is created with the value 1 (udev's share) and incremented before the
//! ioctl (ours). The ioctl carries the cookie in `event_nr`, its upper 16
//! bits replaced by the udev flags; the kernel puts it into the uevent, and
//! the dm rules finally run `dmsetup udevcomplete <cookie>`, which takes
//! udev's share. When the kernel says it sent a uevent
//! (`DM_UEVENT_GENERATED_FLAG`) we take our share and wait for zero; in every
//! case the semaphore is removed at the end.
//!
//! `unsafe` is needed for the ioctl (a raw pointer to the buffer) and the
//! three SysV semaphore calls; each use says why it is sound.
#![allow(unsafe_code)]

use super::{cookie_flags, dm_name, errno_error, DmError, DmOp, UdevFlags};
use devicemapper::DmUdevFlags;
use devicemapper_sys::{
    dm_ioctl, DM_COOKIE_MAGIC, DM_DEV_RENAME_CMD, DM_IOCTL, DM_NAME_LEN, DM_UDEV_FLAGS_SHIFT,
    DM_UEVENT_GENERATED_FLAG,
};
use nix::errno::Errno;
use nix::libc;
use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::os::fd::AsRawFd;
use tracing::{debug, warn};

const NAME_LEN: usize = DM_NAME_LEN as usize;

/// The rename ioctl's buffer: the header, then the new name (NUL-terminated)
/// at `data_start`.
#[repr(C)]
#[derive(Debug)]
pub(super) struct RenameIoctl {
    pub(super) hdr: dm_ioctl,
    pub(super) new_name: [u8; NAME_LEN],
}

nix::ioctl_readwrite!(dm_dev_rename, DM_IOCTL, DM_DEV_RENAME_CMD, dm_ioctl);

/// The rename request of map `name` to `new_name`, without a cookie
/// (`event_nr` 0). Both names must be valid DM names (non-empty ASCII
/// without NUL, shorter than `DM_NAME_LEN`).
pub(super) fn request(name: &str, new_name: &str) -> Result<Box<RenameIoctl>, DmError> {
    let bad = |n: &str| DmError::Os {
        name: n.into(),
        op: DmOp::Rename,
        errno: Errno::EINVAL as i32,
    };
    for n in [name, new_name] {
        if n.contains('\0') {
            return Err(bad(n));
        }
        dm_name(n, DmOp::Rename)?;
    }
    let mut req = Box::new(RenameIoctl {
        hdr: dm_ioctl::default(),
        new_name: [0; NAME_LEN],
    });
    // The oldest interface (4.0.0) that has the rename, as the crate asks.
    req.hdr.version = [4, 0, 0];
    req.hdr.data_start = size_of::<dm_ioctl>() as u32;
    req.hdr.data_size = size_of::<RenameIoctl>() as u32;
    // dm_name() guarantees ASCII and a length below NAME_LEN: the copies
    // keep their terminating NUL.
    for (d, s) in req.hdr.name.iter_mut().zip(name.bytes()) {
        *d = s as libc::c_char;
    }
    req.new_name[..new_name.len()].copy_from_slice(new_name.as_bytes());
    Ok(req)
}

/// `event_nr` for `cookie` with udev `flags`: the flags, plus the primary
/// source flag, in the upper half, the cookie's random part in the lower.
pub(super) fn event_nr(cookie: u32, flags: DmUdevFlags) -> u32 {
    let flags = flags | DmUdevFlags::DM_UDEV_PRIMARY_SOURCE_FLAG;
    (flags.bits() << DM_UDEV_FLAGS_SHIFT) | (cookie & 0xffff)
}

/// Rename map `name` to `new_name` through `control` (`/dev/mapper/control`),
/// with a udev cookie carrying `udev` when udev runs (`with_udev`), and wait
/// for udev's rules to finish with the uevent.
pub(super) fn rename(
    control: &File,
    name: &str,
    new_name: &str,
    udev: UdevFlags,
    with_udev: bool,
) -> Result<(), DmError> {
    let mut req = request(name, new_name)?;
    let sync_failed = |e: Errno| DmError::Failed {
        name: name.into(),
        op: DmOp::Rename,
        detail: format!("udev synchronisation failed: {}", e.desc()),
    };
    let cookie = if with_udev {
        Cookie::create().map_err(sync_failed)?
    } else {
        None
    };
    if let Some(c) = &cookie {
        req.hdr.event_nr = event_nr(c.key, cookie_flags(udev));
        c.add(1).map_err(sync_failed)?;
        debug!(
            map = name,
            cookie = format_args!("{:#x}", req.hdr.event_nr),
            "rename with udev cookie"
        );
    }
    let ptr = std::ptr::from_mut::<RenameIoctl>(&mut req).cast::<dm_ioctl>();
    // SAFETY: `ptr` points to a live, exclusively borrowed `RenameIoctl`
    // whose `data_size` is its whole size: the kernel reads and writes at
    // most that many bytes, and any bytes are a valid `RenameIoctl`.
    let r = unsafe { dm_dev_rename(control.as_raw_fd(), ptr) };
    if let Err(errno) = r {
        // No uevent: dropping the cookie removes the semaphore.
        return Err(if errno == Errno::EBUSY {
            DmError::NameExists {
                name: new_name.into(),
            }
        } else {
            errno_error(name, DmOp::Rename, errno as i32)
        });
    }
    if let Some(c) = cookie {
        if req.hdr.flags & DM_UEVENT_GENERATED_FLAG != 0 {
            // The rename is done: a failed wait is only logged, as the
            // reference ignores dm_udev_wait's result.
            if let Err(e) = c.wait() {
                warn!(map = new_name, error = %e, "cannot wait for udev after the rename");
            }
        }
    }
    Ok(())
}

/// A udev cookie's SysV semaphore, removed when dropped.
#[derive(Debug)]
struct Cookie {
    key: u32,
    semid: libc::c_int,
}

impl Cookie {
    /// How many random keys to try before giving up on `EEXIST`.
    const ATTEMPTS: u32 = 64;

    /// A new semaphore with the value 1, under a fresh cookie; `None` when
    /// the kernel has no SysV IPC (then, as the crate, no cookie at all).
    fn create() -> Result<Option<Cookie>, Errno> {
        for attempt in 0..Self::ATTEMPTS {
            let random = RandomState::new().hash_one((std::process::id(), attempt)) as u16;
            if random == 0 {
                continue;
            }
            let key = (DM_COOKIE_MAGIC << DM_UDEV_FLAGS_SHIFT) | u32::from(random);
            // SAFETY: semget takes no pointers.
            let semid = unsafe {
                libc::semget(
                    key as libc::key_t,
                    1,
                    0o600 | libc::IPC_CREAT | libc::IPC_EXCL,
                )
            };
            if semid < 0 {
                match Errno::last() {
                    Errno::EEXIST => continue,
                    Errno::ENOSYS => {
                        debug!("no SysV semaphores: rename without a udev cookie");
                        return Ok(None);
                    }
                    e => return Err(e),
                }
            }
            let cookie = Cookie { key, semid };
            cookie.add(1)?;
            return Ok(Some(cookie));
        }
        warn!("no free udev cookie after {} attempts", Self::ATTEMPTS);
        Err(Errno::EEXIST)
    }

    /// One `semop` on the semaphore; `EINTR` repeats it.
    fn op(&self, sem_op: libc::c_short, sem_flg: libc::c_short) -> Result<(), Errno> {
        let mut sb = libc::sembuf {
            sem_num: 0,
            sem_op,
            sem_flg,
        };
        loop {
            // SAFETY: `sb` is one valid sembuf, and we pass a count of 1.
            if unsafe { libc::semop(self.semid, &mut sb, 1) } == 0 {
                return Ok(());
            }
            match Errno::last() {
                Errno::EINTR => continue,
                e => return Err(e),
            }
        }
    }

    fn add(&self, n: libc::c_short) -> Result<(), Errno> {
        self.op(n, 0)
    }

    /// Take our share, then wait until udev has taken its own (the value
    /// reaches 0), then remove the semaphore.
    fn wait(self) -> Result<(), Errno> {
        self.op(-1, libc::IPC_NOWAIT as libc::c_short)?;
        self.op(0, 0)
    }
}

impl Drop for Cookie {
    fn drop(&mut self) {
        // SAFETY: IPC_RMID reads no fourth argument.
        if unsafe { libc::semctl(self.semid, 0, libc::IPC_RMID) } < 0 {
            warn!(
                cookie = format_args!("{:#x}", self.key),
                error = %Errno::last(),
                "cannot remove the udev cookie's semaphore"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The NUL-terminated name in a header field.
    fn c_name(n: &[libc::c_char]) -> String {
        let bytes: Vec<u8> = n.iter().map(|&c| c as u8).take_while(|&b| b != 0).collect();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_buffer_is_the_header_then_the_name() {
        assert_eq!(size_of::<dm_ioctl>(), 312);
        assert_eq!(size_of::<RenameIoctl>(), 312 + 128);
        assert_eq!(std::mem::offset_of!(RenameIoctl, new_name), 312);
    }

    #[test]
    fn request_places_both_names() {
        let r = request("mpatha", "3600140512345678").unwrap();
        assert_eq!(r.hdr.version, [4, 0, 0]);
        assert_eq!(c_name(&r.hdr.name), "mpatha");
        assert!(r.hdr.uuid.iter().all(|&c| c == 0));
        assert_eq!(r.hdr.data_start, 312);
        assert_eq!(r.hdr.data_size, 440);
        assert_eq!(&r.new_name[..17], b"3600140512345678\0");
        assert!(r.new_name[16..].iter().all(|&b| b == 0));
        // A plain rename: no DM_UUID_FLAG, no cookie yet.
        assert_eq!(r.hdr.flags, 0);
        assert_eq!(r.hdr.event_nr, 0);
    }

    #[test]
    fn the_longest_names_keep_their_nul() {
        let long = "x".repeat(NAME_LEN - 1);
        let r = request(&long, &long).unwrap();
        assert_eq!(c_name(&r.hdr.name), long);
        assert_eq!(r.hdr.name[NAME_LEN - 1], 0);
        assert_eq!(&r.new_name[..NAME_LEN - 1], long.as_bytes());
        assert_eq!(r.new_name[NAME_LEN - 1], 0);
    }

    #[test]
    fn bad_names_are_einval_naming_the_name() {
        let too_long = "x".repeat(NAME_LEN);
        for (old, new, bad) in [
            (too_long.as_str(), "b", too_long.as_str()),
            ("a", too_long.as_str(), too_long.as_str()),
            ("", "b", ""),
            ("a", "", ""),
            ("a", "b\0c", "b\0c"),
            ("a", "é", "é"),
        ] {
            match request(old, new) {
                Err(DmError::Os { name, op, errno }) => {
                    assert_eq!(name, bad);
                    assert_eq!(op, DmOp::Rename);
                    assert_eq!(errno, Errno::EINVAL as i32);
                }
                other => panic!("{old:?} -> {new:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn event_nr_carries_the_flags_and_the_cookie() {
        let cookie = (DM_COOKIE_MAGIC << 16) | 0x1234;
        // The reference's plain rename: PRIMARY_SOURCE | DISABLE_LIBRARY_FALLBACK.
        assert_eq!(
            event_nr(cookie, cookie_flags(UdevFlags::default())),
            0x0060_1234
        );
        let no_kpartx = UdevFlags {
            skip_kpartx: true,
            ..UdevFlags::default()
        };
        assert_eq!(event_nr(cookie, cookie_flags(no_kpartx)), 0x0260_1234);
        assert_eq!(event_nr(0xffff, DmUdevFlags::empty()), 0x0040_ffff);
    }

    #[test]
    fn the_cookie_magic_is_libdevmappers() {
        assert_eq!(DM_COOKIE_MAGIC, 0x0D4D);
        assert_eq!(DM_UEVENT_GENERATED_FLAG, 0x2000);
    }
}
