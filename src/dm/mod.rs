//! The device-mapper seam.
//!
//! Everything that talks to the kernel's device mapper goes through
//! [`DeviceMapper`]: listing maps, reading their info, table and status,
//! creating, loading, suspending, resuming, removing and renaming them, and
//! sending target messages. Map logic is written against the trait and
//! tested with [`FakeDm`], an in-memory device mapper that records every call
//! and injects errors per map and operation.
//!
//! [`KernelDm`] is the kernel backend: the DM ioctls on
//! `/dev/mapper/control` through the `devicemapper` crate, with udev cookie
//! synchronisation: every create, resume, rename and remove carries a cookie
//! with `DM_UDEV_DISABLE_LIBRARY_FALLBACK` plus the subsystem flags of
//! [`UdevFlags`] (`FLAG0` reload, `FLAG1` skip kpartx, `FLAG2` no usable
//! paths), and the call returns only after udev has processed the event, so
//! `/dev/mapper/<name>` exists and the rules have run. Create and load are
//! read-write, retried read-only on `EROFS`; reload is load + resume
//! (noflush unless flushing).
//!
//! The table and status parameter grammars live in [`table`] and [`status`].

mod fake;
mod kernel;
pub mod status;
pub mod table;

pub use fake::{DmCall, FakeDm};
pub use kernel::KernelDm;
pub use status::{DmPathState, GroupState, MultipathStatus, StatusLine};
pub use table::{DevRef, MultipathTable, ParseError, PathGroup, TableLine, TablePath};

use std::fmt;

/// DM UUIDs of multipath maps are this prefix followed by the WWID.
pub const UUID_PREFIX: &str = "mpath-";

/// The DM UUID of the multipath map for `wwid`.
pub fn map_uuid(wwid: &str) -> String {
    format!("{UUID_PREFIX}{wwid}")
}

/// The WWID in a multipath map's DM UUID (`None` for other maps; the WWID
/// must not be empty).
pub fn wwid_from_uuid(uuid: &str) -> Option<&str> {
    uuid.strip_prefix(UUID_PREFIX).filter(|w| !w.is_empty())
}

/// A device number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct DevNum {
    pub major: u32,
    pub minor: u32,
}

impl fmt::Display for DevNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.major, self.minor)
    }
}

/// One target of a table, as the DM ioctls carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmTarget {
    pub start: u64,
    pub length: u64,
    pub target_type: String,
    pub params: String,
}

impl DmTarget {
    /// The single target of a multipath map of `length` sectors.
    pub fn multipath(length: u64, table: &MultipathTable) -> Self {
        DmTarget {
            start: 0,
            length,
            target_type: table::TARGET_TYPE.to_string(),
            params: table.to_string(),
        }
    }
}

impl fmt::Display for DmTarget {
    /// The `dmsetup table` form: `<start> <length> <type> <params>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.start, self.length, self.target_type)?;
        if !self.params.is_empty() {
            write!(f, " {}", self.params)?;
        }
        Ok(())
    }
}

/// One entry of the device list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmListEntry {
    pub name: String,
    pub dev: DevNum,
    pub event_nr: u32,
}

/// What `DM_DEV_STATUS` reports about a device.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DmInfo {
    pub name: String,
    /// Empty when the device has no UUID.
    pub uuid: String,
    pub dev: DevNum,
    pub open_count: u32,
    pub event_nr: u32,
    pub target_count: u32,
    pub suspended: bool,
    pub read_only: bool,
    pub live_table: bool,
    pub inactive_table: bool,
    pub deferred_remove: bool,
}

/// udev subsystem flags passed with the cookie (upstream's meanings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UdevFlags {
    /// `DM_SUBSYSTEM_UDEV_FLAG0`: a reload; the rules set `MPATH_UNCHANGED`.
    pub reload: bool,
    /// `DM_SUBSYSTEM_UDEV_FLAG1`: do not run kpartx.
    pub skip_kpartx: bool,
    /// `DM_SUBSYSTEM_UDEV_FLAG2`: the map has no usable paths (not ready).
    pub no_usable_paths: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateOptions {
    pub uuid: Option<String>,
    pub read_only: bool,
    pub udev: UdevFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SuspendOptions {
    pub noflush: bool,
    pub skip_lockfs: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResumeOptions {
    pub noflush: bool,
    pub udev: UdevFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RemoveOptions {
    /// Remove when the last opener closes the device, if it is open now.
    pub deferred: bool,
    pub udev: UdevFlags,
}

/// The operations of the seam, for error messages and fault injection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DmOp {
    List,
    Info,
    Table,
    Status,
    Create,
    Load,
    Suspend,
    Resume,
    Remove,
    Rename,
    Message,
    TargetVersion,
}

impl DmOp {
    pub const ALL: [DmOp; 12] = [
        DmOp::List,
        DmOp::Info,
        DmOp::Table,
        DmOp::Status,
        DmOp::Create,
        DmOp::Load,
        DmOp::Suspend,
        DmOp::Resume,
        DmOp::Remove,
        DmOp::Rename,
        DmOp::Message,
        DmOp::TargetVersion,
    ];

    /// The operation whose [`Display`](fmt::Display) name is `name`.
    pub fn from_name(name: &str) -> Option<DmOp> {
        DmOp::ALL.into_iter().find(|op| op.to_string() == name)
    }
}

impl fmt::Display for DmOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DmOp::List => "list",
            DmOp::Info => "info",
            DmOp::Table => "table",
            DmOp::Status => "status",
            DmOp::Create => "create",
            DmOp::Load => "load",
            DmOp::Suspend => "suspend",
            DmOp::Resume => "resume",
            DmOp::Remove => "remove",
            DmOp::Rename => "rename",
            DmOp::Message => "message",
            DmOp::TargetVersion => "target version",
        })
    }
}

fn os_message(errno: i32) -> String {
    std::io::Error::from_raw_os_error(errno).to_string()
}

/// Errors of the device-mapper seam; each names the map.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DmError {
    #[error("{name}: no such device-mapper device")]
    NotFound { name: String },
    #[error("{name}: a device-mapper device with this name already exists")]
    NameExists { name: String },
    #[error("{name}: a device-mapper device with UUID {uuid} already exists")]
    UuidExists { name: String, uuid: String },
    #[error("{name}: map in use")]
    Busy { name: String },
    #[error("{name}: {op} failed: {}", os_message(*errno))]
    Os { name: String, op: DmOp, errno: i32 },
    /// The kernel refused a table (`DM_TABLE_LOAD`). `dev` is the device a
    /// create had made for it (removed again); `None` for a reload.
    #[error("{name}: {op} failed: {}", os_message(*errno))]
    Refused {
        name: String,
        op: DmOp,
        errno: i32,
        dev: Option<DevNum>,
    },
    /// A failure that carries no errno: udev synchronisation, a reply the
    /// kernel sent that cannot be read.
    #[error("{name}: {op} failed: {detail}")]
    Failed {
        name: String,
        op: DmOp,
        detail: String,
    },
    /// The kernel's device mapper cannot be used at all.
    #[error("device-mapper not available: {reason}")]
    Unavailable { reason: String },
    #[error("{name}: cannot parse {what}: {source}")]
    BadParams {
        name: String,
        what: &'static str,
        source: ParseError,
    },
}

impl DmError {
    /// An errno from loading a table as the kernel's refusal of it (`dev`:
    /// the device a create made for it); other errors unchanged.
    pub fn into_refused(self, dev: Option<DevNum>) -> DmError {
        match self {
            DmError::Os { name, op, errno } => DmError::Refused {
                name,
                op,
                errno,
                dev,
            },
            e => e,
        }
    }

    /// What libdevmapper logs when the kernel refuses a table, and
    /// upstream's line after it (both on stderr at the default verbosity;
    /// a reload names no device number). `None` for other errors.
    pub fn refusal_lines(&self) -> Option<[String; 2]> {
        let DmError::Refused {
            name, errno, dev, ..
        } = self
        else {
            return None;
        };
        let what = nix::errno::Errno::from_raw(*errno).desc();
        let (num, task) = match dev {
            Some(d) => (format!("({d})"), 0),
            None => (String::new(), 1),
        };
        Some([
            format!(
                "libdevmapper: ioctl/libdm-iface.c(1995): device-mapper: reload ioctl on {name} {num} failed: {what}"
            ),
            format!("dm_addmap: libdm task={task} error: {what}"),
        ])
    }

    /// The errno the kernel backend would report for this error.
    pub fn errno(&self) -> i32 {
        match self {
            DmError::NotFound { .. } => 6,                                 // ENXIO
            DmError::NameExists { .. } | DmError::UuidExists { .. } => 16, // EBUSY
            DmError::Busy { .. } => 16,
            DmError::Os { errno, .. } | DmError::Refused { errno, .. } => *errno,
            DmError::BadParams { .. } => 22,   // EINVAL
            DmError::Failed { .. } => 5,       // EIO
            DmError::Unavailable { .. } => 19, // ENODEV
        }
    }
}

/// The device-mapper operations the tools need. Maps are named by their DM
/// name. Implementations are shared between threads.
pub trait DeviceMapper: Send + Sync {
    /// All DM devices, in name order.
    fn list(&self) -> Result<Vec<DmListEntry>, DmError>;
    /// `Ok(None)` when no device has this name.
    fn info(&self, name: &str) -> Result<Option<DmInfo>, DmError>;
    /// The live table.
    fn table(&self, name: &str) -> Result<Vec<DmTarget>, DmError>;
    /// The status (`STATUSTYPE_INFO`) of each target of the live table.
    fn status(&self, name: &str) -> Result<Vec<DmTarget>, DmError>;
    /// Create a device, load `table` and resume it.
    fn create(
        &self,
        name: &str,
        table: &[DmTarget],
        opts: &CreateOptions,
    ) -> Result<DmInfo, DmError>;
    /// The first half of [`create`](Self::create), for tools that create
    /// many maps at once: the device exists with `table` loaded but is not
    /// live yet, and nothing waits for udev. The kernel numbers devices
    /// (`dm-N`, shown by `multipath -ll`) in the order they are created, so
    /// such a tool does this half in its own order and
    /// [`activate`](Self::activate), which waits for udev, concurrently.
    /// Default: the whole create.
    fn create_inactive(
        &self,
        name: &str,
        table: &[DmTarget],
        opts: &CreateOptions,
    ) -> Result<(), DmError> {
        self.create(name, table, opts).map(|_| ())
    }
    /// The second half of a create begun by
    /// [`create_inactive`](Self::create_inactive): make the table live (the
    /// udev-synchronised resume). On failure the device is removed again,
    /// as `create` does. Default: nothing left to do.
    fn activate(&self, name: &str, opts: &CreateOptions) -> Result<DmInfo, DmError> {
        let _ = opts;
        self.info(name)?
            .ok_or_else(|| DmError::NotFound { name: name.into() })
    }
    /// Load `table` into the inactive slot.
    fn load(&self, name: &str, table: &[DmTarget]) -> Result<(), DmError>;
    fn suspend(&self, name: &str, opts: SuspendOptions) -> Result<(), DmError>;
    /// Resume; an inactive table becomes live.
    fn resume(&self, name: &str, opts: ResumeOptions) -> Result<(), DmError>;
    fn remove(&self, name: &str, opts: RemoveOptions) -> Result<(), DmError>;
    fn rename(&self, name: &str, new_name: &str, udev: UdevFlags) -> Result<(), DmError>;
    /// Send a target message (sector 0 for multipath); returns the target's
    /// reply, if any.
    fn message(&self, name: &str, sector: u64, msg: &str) -> Result<Option<String>, DmError>;
    /// Version of a loaded target type (`None` when the kernel lacks it).
    fn target_version(&self, target: &str) -> Result<Option<[u32; 3]>, DmError>;

    /// The map's event counter.
    fn event_nr(&self, name: &str) -> Result<u32, DmError> {
        self.info(name)?
            .map(|i| i.event_nr)
            .ok_or_else(|| DmError::NotFound { name: name.into() })
    }

    /// Load a new table and resume: how a live map is reloaded.
    fn reload(&self, name: &str, table: &[DmTarget], opts: ResumeOptions) -> Result<(), DmError> {
        self.load(name, table)?;
        self.resume(name, opts)
    }

    /// The device whose DM UUID is `uuid`.
    fn find_by_uuid(&self, uuid: &str) -> Result<Option<DmInfo>, DmError> {
        for e in self.list()? {
            match self.info(&e.name)? {
                Some(i) if i.uuid == uuid => return Ok(Some(i)),
                _ => {}
            }
        }
        Ok(None)
    }

    /// The live table of a multipath map, parsed; `Ok(None)` when the device
    /// is not a single-target multipath map.
    fn multipath_table(&self, name: &str) -> Result<Option<TableLine>, DmError> {
        single_multipath(name, self.table(name)?, "table")
    }

    /// The status of a multipath map, parsed; `Ok(None)` when the device is
    /// not a single-target multipath map.
    fn multipath_status(&self, name: &str) -> Result<Option<StatusLine>, DmError> {
        single_multipath(name, self.status(name)?, "status")
    }
}

/// A boxed or shared device mapper is one too, so a tool can pick its
/// backend at run time (`Box<dyn DeviceMapper>`) and keep a shared fake.
macro_rules! delegate_device_mapper {
    ($($wrapper:ident),*) => {$(
        impl<T: DeviceMapper + ?Sized> DeviceMapper for $wrapper<T> {
            fn list(&self) -> Result<Vec<DmListEntry>, DmError> {
                (**self).list()
            }
            fn info(&self, name: &str) -> Result<Option<DmInfo>, DmError> {
                (**self).info(name)
            }
            fn table(&self, name: &str) -> Result<Vec<DmTarget>, DmError> {
                (**self).table(name)
            }
            fn status(&self, name: &str) -> Result<Vec<DmTarget>, DmError> {
                (**self).status(name)
            }
            fn create(
                &self,
                name: &str,
                table: &[DmTarget],
                opts: &CreateOptions,
            ) -> Result<DmInfo, DmError> {
                (**self).create(name, table, opts)
            }
            fn create_inactive(
                &self,
                name: &str,
                table: &[DmTarget],
                opts: &CreateOptions,
            ) -> Result<(), DmError> {
                (**self).create_inactive(name, table, opts)
            }
            fn activate(&self, name: &str, opts: &CreateOptions) -> Result<DmInfo, DmError> {
                (**self).activate(name, opts)
            }
            fn load(&self, name: &str, table: &[DmTarget]) -> Result<(), DmError> {
                (**self).load(name, table)
            }
            fn suspend(&self, name: &str, opts: SuspendOptions) -> Result<(), DmError> {
                (**self).suspend(name, opts)
            }
            fn resume(&self, name: &str, opts: ResumeOptions) -> Result<(), DmError> {
                (**self).resume(name, opts)
            }
            fn remove(&self, name: &str, opts: RemoveOptions) -> Result<(), DmError> {
                (**self).remove(name, opts)
            }
            fn rename(&self, name: &str, new_name: &str, udev: UdevFlags) -> Result<(), DmError> {
                (**self).rename(name, new_name, udev)
            }
            fn message(
                &self,
                name: &str,
                sector: u64,
                msg: &str,
            ) -> Result<Option<String>, DmError> {
                (**self).message(name, sector, msg)
            }
            fn target_version(&self, target: &str) -> Result<Option<[u32; 3]>, DmError> {
                (**self).target_version(target)
            }
            fn event_nr(&self, name: &str) -> Result<u32, DmError> {
                (**self).event_nr(name)
            }
            fn reload(
                &self,
                name: &str,
                table: &[DmTarget],
                opts: ResumeOptions,
            ) -> Result<(), DmError> {
                (**self).reload(name, table, opts)
            }
            fn find_by_uuid(&self, uuid: &str) -> Result<Option<DmInfo>, DmError> {
                (**self).find_by_uuid(uuid)
            }
            fn multipath_table(&self, name: &str) -> Result<Option<TableLine>, DmError> {
                (**self).multipath_table(name)
            }
            fn multipath_status(&self, name: &str) -> Result<Option<StatusLine>, DmError> {
                (**self).multipath_status(name)
            }
        }
    )*};
}

use std::sync::Arc;
delegate_device_mapper!(Box, Arc);

fn single_multipath<T: table::TargetParams>(
    name: &str,
    targets: Vec<DmTarget>,
    what: &'static str,
) -> Result<Option<table::TargetLine<T>>, DmError> {
    match targets.as_slice() {
        [t] if t.target_type == table::TARGET_TYPE => {
            t.to_string()
                .parse()
                .map(Some)
                .map_err(|source| DmError::BadParams {
                    name: name.into(),
                    what,
                    source,
                })
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_helpers() {
        assert_eq!(map_uuid("3600a0b80"), "mpath-3600a0b80");
        assert_eq!(wwid_from_uuid("mpath-3600a0b80"), Some("3600a0b80"));
        assert_eq!(wwid_from_uuid("mpath-"), None);
        assert_eq!(wwid_from_uuid("part1-mpath-3600"), None);
        assert_eq!(wwid_from_uuid("LVM-abc"), None);
    }

    #[test]
    fn error_messages_name_the_map() {
        let e = DmError::Os {
            name: "mpatha".into(),
            op: DmOp::Create,
            errno: 16,
        };
        assert_eq!(
            e.to_string(),
            format!(
                "mpatha: create failed: {}",
                std::io::Error::from_raw_os_error(16)
            )
        );
        assert_eq!(
            DmError::Busy {
                name: "mpathb".into()
            }
            .to_string(),
            "mpathb: map in use"
        );
    }

    #[test]
    fn target_display() {
        let t: MultipathTable = "0 0 1 1 service-time 0 1 1 8:16 1".parse().unwrap();
        assert_eq!(
            DmTarget::multipath(2048, &t).to_string(),
            "0 2048 multipath 0 0 1 1 service-time 0 1 1 8:16 1"
        );
    }
}
