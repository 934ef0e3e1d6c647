//! The kernel backend of the device-mapper seam: the DM ioctls on
//! `/dev/mapper/control`, through the `devicemapper` crate.
//!
//! **udev.** Create (its resume), resume, remove and rename carry a udev
//! cookie: a SysV semaphore is allocated, the kernel puts the cookie into the
//! uevent, the dm rules decode the flags (`dmsetup udevflags`) and finally
//! release the semaphore (`dmsetup udevcomplete`), and only then does the
//! call return. The cookie's flags are `DM_UDEV_PRIMARY_SOURCE_FLAG` and
//! `DM_UDEV_DISABLE_LIBRARY_FALLBACK` plus the multipath subsystem flags of
//! [`UdevFlags`] (see [`cookie_flags`]), which is what the installed
//! `*-dm-mpath.rules` and `*-kpartx.rules` read. The crate does this for
//! resume and remove; a rename is issued by this backend itself
//! (`rename.rs`), because the crate's rename takes no udev flags. When udev
//! is not running (no `/run/udev/control`) no cookie is sent, nothing waits,
//! and this backend makes and removes the `/dev/mapper/<name>` nodes itself,
//! as libdevmapper does in that case.
//!
//! **Limits of the crate** (0.34): names and UUIDs must be ASCII (the
//! rename keeps that rule too); the udev wait has no time limit (a system
//! whose rules never call `dmsetup udevcomplete` would block, as it does
//! with libdevmapper's tools; the same holds for our rename).

use super::{
    CreateOptions, DevNum, DeviceMapper, DmError, DmInfo, DmListEntry, DmOp, DmTarget,
    RemoveOptions, ResumeOptions, SuspendOptions, UdevFlags,
};
use devicemapper::{DevId, DmFlags, DmName, DmOptions, DmUdevFlags, DmUuid, DM};
use nix::errno::Errno;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use tracing::{debug, warn};

const CONTROL: &str = "/dev/mapper/control";
/// Present while the kernel has device-mapper (built in or `dm-mod` loaded).
const MISC_DM: &str = "/sys/class/misc/device-mapper";
/// udevd's control socket: udev is running when it exists.
const UDEV_CONTROL: &str = "/run/udev/control";
const MAPPER_DIR: &str = "/dev/mapper";

/// The name errors carry when no map is involved (list, open).
const DM_SELF: &str = "device-mapper";

/// The cookie's subsystem flags (libdevmapper's `DM_SUBSYSTEM_UDEV_FLAG0..2`,
/// bits 8-10 of the cookie's flag half). The dm rules export them as
/// `DM_SUBSYSTEM_UDEV_FLAG0..2`; for multipath maps FLAG0 means "reload"
/// (-> `MPATH_UNCHANGED`), FLAG1 "no kpartx", FLAG2 "no usable paths"
/// (-> `MPATH_DEVICE_READY=0`).
const SUBSYSTEM_UDEV_FLAG0: u32 = 0x0100;
const SUBSYSTEM_UDEV_FLAG1: u32 = 0x0200;
const SUBSYSTEM_UDEV_FLAG2: u32 = 0x0400;

/// Longest target type name the ioctl carries (`DM_MAX_TYPE_NAME` less the
/// NUL).
const MAX_TARGET_TYPE: usize = 15;

/// The flags of the udev cookie for an operation with `udev` flags.
pub(crate) fn cookie_flags(udev: UdevFlags) -> DmUdevFlags {
    let mut bits = DmUdevFlags::DM_UDEV_DISABLE_LIBRARY_FALLBACK.bits();
    if udev.reload {
        bits |= SUBSYSTEM_UDEV_FLAG0;
    }
    if udev.skip_kpartx {
        bits |= SUBSYSTEM_UDEV_FLAG1;
    }
    if udev.no_usable_paths {
        bits |= SUBSYSTEM_UDEV_FLAG2;
    }
    DmUdevFlags::from_bits_retain(bits)
}

fn udev_running() -> bool {
    Path::new(UDEV_CONTROL).exists()
}

/// The kernel's device mapper, through `/dev/mapper/control`.
pub struct KernelDm {
    dm: DM,
}

impl std::fmt::Debug for KernelDm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KernelDm")
    }
}

impl KernelDm {
    /// Open `/dev/mapper/control` and check that the kernel answers.
    pub fn new() -> Result<Self, DmError> {
        if let Err(e) = std::fs::File::open(CONTROL) {
            return Err(DmError::Unavailable {
                reason: open_failure_reason(&e, Path::new(MISC_DM).exists()),
            });
        }
        let dm = DM::new().map_err(|e| DmError::Unavailable {
            reason: format!("cannot open {CONTROL}: {}", detail(&e)),
        })?;
        let version = dm.version().map_err(|e| DmError::Unavailable {
            reason: format!(
                "{CONTROL} does not answer the version ioctl: {}",
                errno_of(&e).map_or_else(|| detail(&e), os_message)
            ),
        })?;
        debug!(?version, "device-mapper ioctl interface");
        Ok(KernelDm { dm })
    }

    /// The info of the device `id` names (`Ok(None)`: no such device). One
    /// `DM_TABLE_STATUS` ioctl, which also tells the live table's target
    /// count.
    fn lookup(&self, id: &DevId<'_>, what: &str) -> Result<Option<DmInfo>, DmError> {
        match self.dm.table_status(id, table_opts()) {
            Ok((di, targets)) => Ok(Some(to_info(&di, targets.len(), what))),
            Err(e) if errno_of(&e) == Some(Errno::ENXIO as i32) => Ok(None),
            Err(e) => Err(map_error(what, DmOp::Info, &e)),
        }
    }

    /// [`map_error`], except that `ENXIO` while the map exists comes from
    /// the target (a path device that cannot be opened), not "no such map".
    fn error(&self, name: &str, op: DmOp, e: &devicemapper::DmError) -> DmError {
        let err = map_error(name, op, e);
        if matches!(err, DmError::NotFound { .. }) && matches!(self.info(name), Ok(Some(_))) {
            return DmError::Os {
                name: name.into(),
                op,
                errno: Errno::ENXIO as i32,
            };
        }
        err
    }

    fn targets(&self, name: &str, op: DmOp, opts: DmOptions) -> Result<Vec<DmTarget>, DmError> {
        let n = dm_name(name, op)?;
        let (_, targets) = self
            .dm
            .table_status(&DevId::Name(n), opts)
            .map_err(|e| self.error(name, op, &e))?;
        Ok(targets
            .into_iter()
            .map(|(start, length, target_type, params)| DmTarget {
                start,
                length,
                target_type,
                params,
            })
            .collect())
    }

    /// Load `table`, read-only when asked, and retried read-only when the
    /// kernel refuses write access (`EROFS`: a read-only path).
    fn load_table(
        &self,
        name: &str,
        op: DmOp,
        table: &[DmTarget],
        read_only: bool,
    ) -> Result<(), DmError> {
        let n = dm_name(name, op)?;
        let raw = raw_table(name, op, table)?;
        let id = DevId::Name(n);
        let flags = if read_only {
            DmFlags::DM_READONLY
        } else {
            DmFlags::empty()
        };
        match self
            .dm
            .table_load(&id, &raw, DmOptions::default().set_flags(flags))
        {
            Ok(_) => Ok(()),
            Err(e) if !read_only && errno_of(&e) == Some(Errno::EROFS as i32) => {
                debug!(map = name, "table refused read-write, loading it read-only");
                self.dm
                    .table_load(
                        &id,
                        &raw,
                        DmOptions::default().set_flags(DmFlags::DM_READONLY),
                    )
                    .map(|_| ())
                    .map_err(|e| self.error(name, op, &e))
            }
            Err(e) => Err(self.error(name, op, &e)),
        }
    }

    fn do_resume(&self, name: &str, op: DmOp, opts: ResumeOptions) -> Result<(), DmError> {
        let n = dm_name(name, op)?;
        // Skip lockfs: a reload of a multipath map keeps the same data, so
        // the implicit suspend must not freeze the file system on top.
        let mut flags = DmFlags::DM_SKIP_LOCKFS;
        if opts.noflush {
            flags |= DmFlags::DM_NOFLUSH;
        }
        let di = self
            .dm
            .device_suspend(
                &DevId::Name(n),
                DmOptions::default()
                    .set_flags(flags)
                    .set_udev_flags(cookie_flags(opts.udev)),
            )
            .map_err(|e| self.error(name, op, &e))?;
        if !udev_running() {
            let d = di.device();
            nodes::ensure(
                Path::new(MAPPER_DIR),
                name,
                DevNum {
                    major: d.major,
                    minor: d.minor,
                },
            );
        }
        Ok(())
    }

    /// Remove a device whose create failed half-way (`error` says why).
    fn remove_half_made(&self, name: &str, opts: &CreateOptions, error: &DmError) {
        warn!(map = name, %error, "create failed; removing the half-made device");
        let cleanup = RemoveOptions {
            deferred: false,
            udev: opts.udev,
        };
        if let Err(e2) = self.do_remove(name, cleanup) {
            warn!(map = name, error = %e2, "cannot remove the half-made device");
        }
    }

    fn do_remove(&self, name: &str, opts: RemoveOptions) -> Result<(), DmError> {
        let n = dm_name(name, DmOp::Remove)?;
        let flags = if opts.deferred {
            DmFlags::DM_DEFERRED_REMOVE
        } else {
            DmFlags::empty()
        };
        // The crate retries a busy device a few times (200 ms apart) before
        // giving up with EBUSY.
        self.dm
            .device_remove(
                &DevId::Name(n),
                DmOptions::default()
                    .set_flags(flags)
                    .set_udev_flags(cookie_flags(opts.udev)),
            )
            .map_err(|e| match errno_of(&e) {
                Some(n) if n == Errno::EBUSY as i32 => DmError::Busy { name: name.into() },
                _ => map_error(name, DmOp::Remove, &e),
            })?;
        if !udev_running() && self.info(name)?.is_none() {
            nodes::remove(Path::new(MAPPER_DIR), name);
        }
        Ok(())
    }
}

impl DeviceMapper for KernelDm {
    /// One `DM_LIST_DEVICES` ioctl.
    fn list(&self) -> Result<Vec<DmListEntry>, DmError> {
        let devs = self
            .dm
            .list_devices()
            .map_err(|e| map_error(DM_SELF, DmOp::List, &e))?;
        let mut out: Vec<DmListEntry> = devs
            .into_iter()
            .map(|(name, dev, event_nr)| DmListEntry {
                name: name.to_string(),
                dev: DevNum {
                    major: dev.major,
                    minor: dev.minor,
                },
                // Kernels before DM 4.37 do not report it in the list.
                event_nr: event_nr.unwrap_or(0),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn info(&self, name: &str) -> Result<Option<DmInfo>, DmError> {
        // A name the ioctl cannot carry names no device.
        match DmName::new(name) {
            Ok(n) => self.lookup(&DevId::Name(n), name),
            Err(_) => Ok(None),
        }
    }

    fn table(&self, name: &str) -> Result<Vec<DmTarget>, DmError> {
        self.targets(name, DmOp::Table, table_opts())
    }

    fn status(&self, name: &str) -> Result<Vec<DmTarget>, DmError> {
        self.targets(name, DmOp::Status, DmOptions::default())
    }

    fn create(
        &self,
        name: &str,
        table: &[DmTarget],
        opts: &CreateOptions,
    ) -> Result<DmInfo, DmError> {
        self.create_inactive(name, table, opts)?;
        self.activate(name, opts)
    }

    /// `DM_DEV_CREATE` and the table load; a failed load removes the empty
    /// device again.
    fn create_inactive(
        &self,
        name: &str,
        table: &[DmTarget],
        opts: &CreateOptions,
    ) -> Result<(), DmError> {
        let n = dm_name(name, DmOp::Create)?;
        raw_table(name, DmOp::Create, table)?;
        let uuid = opts.uuid.as_deref().filter(|u| !u.is_empty());
        let u = uuid
            .map(|u| {
                DmUuid::new(u).map_err(|_| DmError::Os {
                    name: name.into(),
                    op: DmOp::Create,
                    errno: Errno::EINVAL as i32,
                })
            })
            .transpose()?;
        let ro = if opts.read_only {
            DmFlags::DM_READONLY
        } else {
            DmFlags::empty()
        };
        let made = self
            .dm
            .device_create(n, u, DmOptions::default().set_flags(ro));
        if let Err(e) = &made {
            let e = e.clone();
            if errno_of(&e) == Some(Errno::EBUSY as i32) {
                // The name or the UUID is taken: say which.
                if self.info(name)?.is_some() {
                    return Err(DmError::NameExists { name: name.into() });
                }
                if let Some(uuid) = uuid {
                    return Err(DmError::UuidExists {
                        name: name.into(),
                        uuid: uuid.into(),
                    });
                }
            }
            return Err(map_error(name, DmOp::Create, &e));
        }
        let dev = made.ok().map(|di| {
            let d = di.device();
            DevNum {
                major: d.major,
                minor: d.minor,
            }
        });
        // From here on a failure must not leave an empty device behind.
        let loaded = self
            .load_table(name, DmOp::Create, table, opts.read_only)
            .map_err(|e| e.into_refused(dev));
        if let Err(e) = loaded {
            self.remove_half_made(name, opts, &e);
            return Err(e);
        }
        Ok(())
    }

    /// The udev-synchronised resume that makes a created map live; a failure
    /// removes the device.
    fn activate(&self, name: &str, opts: &CreateOptions) -> Result<DmInfo, DmError> {
        let resume = ResumeOptions {
            noflush: false,
            udev: opts.udev,
        };
        if let Err(e) = self.do_resume(name, DmOp::Create, resume) {
            self.remove_half_made(name, opts, &e);
            return Err(e);
        }
        self.info(name)?
            .ok_or_else(|| DmError::NotFound { name: name.into() })
    }

    fn load(&self, name: &str, table: &[DmTarget]) -> Result<(), DmError> {
        self.load_table(name, DmOp::Load, table, false)
            .map_err(|e| e.into_refused(None))
    }

    fn suspend(&self, name: &str, opts: SuspendOptions) -> Result<(), DmError> {
        let n = dm_name(name, DmOp::Suspend)?;
        let mut flags = DmFlags::DM_SUSPEND;
        if opts.noflush {
            flags |= DmFlags::DM_NOFLUSH;
        }
        if opts.skip_lockfs {
            flags |= DmFlags::DM_SKIP_LOCKFS;
        }
        self.dm
            .device_suspend(&DevId::Name(n), DmOptions::default().set_flags(flags))
            .map(|_| ())
            .map_err(|e| self.error(name, DmOp::Suspend, &e))
    }

    fn resume(&self, name: &str, opts: ResumeOptions) -> Result<(), DmError> {
        self.do_resume(name, DmOp::Resume, opts)
    }

    fn remove(&self, name: &str, opts: RemoveOptions) -> Result<(), DmError> {
        self.do_remove(name, opts)
    }

    /// `DM_DEV_RENAME` with the udev cookie of `udev`, issued by this
    /// backend (see the module documentation).
    fn rename(&self, name: &str, new_name: &str, udev: UdevFlags) -> Result<(), DmError> {
        let with_udev = udev_running();
        rename::rename(self.dm.file(), name, new_name, udev, with_udev)?;
        if !with_udev {
            nodes::rename(Path::new(MAPPER_DIR), name, new_name);
        }
        Ok(())
    }

    fn message(&self, name: &str, sector: u64, msg: &str) -> Result<Option<String>, DmError> {
        let n = dm_name(name, DmOp::Message)?;
        if msg.is_empty() || msg.contains('\0') {
            return Err(DmError::Os {
                name: name.into(),
                op: DmOp::Message,
                errno: Errno::EINVAL as i32,
            });
        }
        let (_, reply) = self
            .dm
            .target_msg(&DevId::Name(n), Some(sector), msg)
            .map_err(|e| self.error(name, DmOp::Message, &e))?;
        Ok(reply.filter(|r| !r.is_empty()))
    }

    /// From `DM_LIST_VERSIONS`: only target types whose module is loaded
    /// are listed (`modprobe dm-multipath` first).
    fn target_version(&self, target: &str) -> Result<Option<[u32; 3]>, DmError> {
        let versions = self
            .dm
            .list_versions()
            .map_err(|e| map_error(target, DmOp::TargetVersion, &e))?;
        Ok(versions
            .into_iter()
            .find(|(t, ..)| t == target)
            .map(|(_, a, b, c)| [a, b, c]))
    }

    /// One ioctl by UUID instead of the provided list + info per device.
    fn find_by_uuid(&self, uuid: &str) -> Result<Option<DmInfo>, DmError> {
        match DmUuid::new(uuid) {
            Ok(u) => self.lookup(&DevId::Uuid(u), uuid),
            Err(_) => Ok(None),
        }
    }
}

/// Options that make `DM_TABLE_STATUS` return the table, not the status.
fn table_opts() -> DmOptions {
    DmOptions::default().set_flags(DmFlags::DM_STATUS_TABLE)
}

fn dm_name(name: &str, op: DmOp) -> Result<&DmName, DmError> {
    DmName::new(name).map_err(|_| DmError::Os {
        name: name.into(),
        op,
        errno: Errno::EINVAL as i32,
    })
}

/// The table as the crate takes it, refusing what the kernel could not be
/// sent (the crate would panic on a long target type).
fn raw_table(
    name: &str,
    op: DmOp,
    table: &[DmTarget],
) -> Result<Vec<(u64, u64, String, String)>, DmError> {
    let bad = |t: &DmTarget| {
        t.target_type.is_empty()
            || t.target_type.len() > MAX_TARGET_TYPE
            || t.target_type.contains('\0')
            || t.params.contains('\0')
    };
    if table.is_empty() || table.iter().any(bad) {
        return Err(DmError::Os {
            name: name.into(),
            op,
            errno: Errno::EINVAL as i32,
        });
    }
    Ok(table
        .iter()
        .map(|t| (t.start, t.length, t.target_type.clone(), t.params.clone()))
        .collect())
}

fn to_info(di: &devicemapper::DeviceInfo, target_count: usize, name: &str) -> DmInfo {
    let d = di.device();
    let mut info = DmInfo {
        name: di
            .name()
            .map_or_else(|| name.to_string(), |n| n.to_string()),
        uuid: di.uuid().map(|u| u.to_string()).unwrap_or_default(),
        dev: DevNum {
            major: d.major,
            minor: d.minor,
        },
        open_count: u32::try_from(di.open_count()).unwrap_or(0),
        event_nr: di.event_nr(),
        target_count: u32::try_from(target_count).unwrap_or(u32::MAX),
        ..DmInfo::default()
    };
    apply_flags(&mut info, di.flags());
    info
}

/// The state bits of a `DM_DEV_STATUS`-style reply.
fn apply_flags(info: &mut DmInfo, flags: DmFlags) {
    info.suspended = flags.contains(DmFlags::DM_SUSPEND);
    info.read_only = flags.contains(DmFlags::DM_READONLY);
    info.live_table = flags.contains(DmFlags::DM_ACTIVE_PRESENT);
    info.inactive_table = flags.contains(DmFlags::DM_INACTIVE_PRESENT);
    info.deferred_remove = flags.contains(DmFlags::DM_DEFERRED_REMOVE);
}

/// The errno of a failed ioctl (`None` for the crate's other errors).
fn errno_of(e: &devicemapper::DmError) -> Option<i32> {
    match e {
        devicemapper::DmError::Core(devicemapper::errors::Error::Ioctl(_, _, _, errno)) => {
            Some(**errno as i32)
        }
        _ => None,
    }
}

/// What went wrong, for errors that carry no errno.
fn detail(e: &devicemapper::DmError) -> String {
    use devicemapper::errors::Error as Core;
    match e {
        devicemapper::DmError::Core(Core::UdevSync(s)) => {
            format!("udev synchronisation failed: {s}")
        }
        devicemapper::DmError::Core(Core::IoctlResultTooLarge) => {
            "the kernel's reply does not fit in an ioctl buffer".into()
        }
        devicemapper::DmError::Core(Core::InvalidArgument(s)) => format!("invalid argument: {s}"),
        devicemapper::DmError::Core(Core::ContextInit(s) | Core::GeneralIo(s)) => s.clone(),
        devicemapper::DmError::Core(other) => other.to_string(),
        devicemapper::DmError::Dm(_, s) => s.clone(),
    }
}

fn os_message(errno: i32) -> String {
    io::Error::from_raw_os_error(errno).to_string()
}

/// A crate error as ours, for map `name` and operation `op`.
fn map_error(name: &str, op: DmOp, e: &devicemapper::DmError) -> DmError {
    match errno_of(e) {
        Some(errno) => errno_error(name, op, errno),
        None => DmError::Failed {
            name: name.into(),
            op,
            detail: detail(e),
        },
    }
}

/// An ioctl's errno as ours. `ENXIO` is the DM core's "no such device"
/// (targets report bad arguments as `EINVAL`).
fn errno_error(name: &str, op: DmOp, errno: i32) -> DmError {
    let named_device = !matches!(op, DmOp::List | DmOp::TargetVersion);
    if named_device && errno == Errno::ENXIO as i32 {
        DmError::NotFound { name: name.into() }
    } else if op == DmOp::Remove && errno == Errno::EBUSY as i32 {
        DmError::Busy { name: name.into() }
    } else {
        DmError::Os {
            name: name.into(),
            op,
            errno,
        }
    }
}

/// Why `/dev/mapper/control` cannot be opened, for the "device-mapper not
/// available" error. `in_kernel`: the kernel has device-mapper.
fn open_failure_reason(e: &io::Error, in_kernel: bool) -> String {
    match e.kind() {
        io::ErrorKind::NotFound if !in_kernel => format!(
            "{CONTROL} does not exist and the kernel has no device-mapper \
             (load it: modprobe dm-mod)"
        ),
        io::ErrorKind::NotFound => format!(
            "{CONTROL} does not exist although the kernel has device-mapper \
             (is /dev a devtmpfs?)"
        ),
        io::ErrorKind::PermissionDenied => {
            format!("cannot open {CONTROL}: {e} (root is needed)")
        }
        _ => format!("cannot open {CONTROL}: {e}"),
    }
}

/// The `/dev/mapper` nodes, kept by this backend when udev is not running
/// (libdevmapper's "library fallback"). Failures are logged: the DM
/// operation itself succeeded.
mod nodes {
    use super::*;
    use nix::sys::stat::{makedev, mknod, Mode, SFlag};

    fn node_path(dir: &Path, name: &str) -> PathBuf {
        dir.join(name)
    }

    /// Whether `path` is the block device `dev`.
    fn is_node(path: &Path, dev: DevNum) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|m| {
            m.file_type().is_block_device()
                && m.rdev() == makedev(u64::from(dev.major), u64::from(dev.minor))
        })
    }

    /// Make `dir/name` the block device `dev` (mode 0600, as libdevmapper).
    pub(super) fn ensure(dir: &Path, name: &str, dev: DevNum) {
        let path = node_path(dir, name);
        if is_node(&path, dev) {
            return;
        }
        let r = std::fs::create_dir_all(dir)
            .and_then(|()| match std::fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            })
            .and_then(|()| {
                mknod(
                    &path,
                    SFlag::S_IFBLK,
                    Mode::from_bits_truncate(0o600),
                    makedev(u64::from(dev.major), u64::from(dev.minor)),
                )
                .map_err(io::Error::from)
            });
        match r {
            Ok(()) => {
                debug!(map = name, node = %path.display(), %dev, "made device node (no udev)")
            }
            Err(e) => {
                warn!(map = name, node = %path.display(), error = %e, "cannot make device node")
            }
        }
    }

    pub(super) fn remove(dir: &Path, name: &str) {
        let path = node_path(dir, name);
        match std::fs::remove_file(&path) {
            Ok(()) => debug!(map = name, node = %path.display(), "removed device node (no udev)"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                warn!(map = name, node = %path.display(), error = %e, "cannot remove device node")
            }
        }
    }

    pub(super) fn rename(dir: &Path, old: &str, new: &str) {
        let (from, to) = (node_path(dir, old), node_path(dir, new));
        match std::fs::rename(&from, &to) {
            Ok(()) => debug!(map = new, node = %to.display(), "renamed device node (no udev)"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                warn!(map = old, node = %from.display(), error = %e, "cannot rename device node")
            }
        }
    }
}

mod rename;

#[cfg(test)]
mod tests;
