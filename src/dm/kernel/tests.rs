//! Hermetic tests of the kernel backend's pure parts: cookie flags, error
//! mapping, table checks, info flags. The ioctls themselves are exercised
//! against a real kernel by `tests/kernel_dm.rs` (ignored: root + dm).

use super::*;
use devicemapper::errors::Error as Core;

fn ioctl_error(errno: Errno) -> devicemapper::DmError {
    devicemapper::DmError::Core(Core::Ioctl(0, None, None, Box::new(errno)))
}

#[test]
fn cookie_flags_follow_the_multipath_rules() {
    // Always: udev, not the library, manages the nodes.
    assert_eq!(cookie_flags(UdevFlags::default()).bits(), 0x0020);
    let reload = UdevFlags {
        reload: true,
        ..UdevFlags::default()
    };
    // FLAG0: the rules set MPATH_UNCHANGED.
    assert_eq!(cookie_flags(reload).bits(), 0x0020 | 0x0100);
    let no_kpartx = UdevFlags {
        skip_kpartx: true,
        ..UdevFlags::default()
    };
    assert_eq!(cookie_flags(no_kpartx).bits(), 0x0020 | 0x0200);
    let no_paths = UdevFlags {
        no_usable_paths: true,
        ..UdevFlags::default()
    };
    assert_eq!(cookie_flags(no_paths).bits(), 0x0020 | 0x0400);
    let all = UdevFlags {
        reload: true,
        skip_kpartx: true,
        no_usable_paths: true,
    };
    assert_eq!(cookie_flags(all).bits(), 0x0720);
    // Never the primary-source flag (the crate adds it with the cookie) nor
    // a rule-disabling flag.
    for f in [reload, no_kpartx, no_paths, all] {
        let b = cookie_flags(f);
        assert!(!b.contains(DmUdevFlags::DM_UDEV_PRIMARY_SOURCE_FLAG));
        assert!(!b.intersects(
            DmUdevFlags::DM_UDEV_DISABLE_DM_RULES_FLAG
                | DmUdevFlags::DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG
                | DmUdevFlags::DM_UDEV_DISABLE_DISK_RULES_FLAG
                | DmUdevFlags::DM_UDEV_DISABLE_OTHER_RULES_FLAG
        ));
    }
}

#[test]
fn subsystem_flag_bits_match_the_crate_constants() {
    // The crate's own constants sit below the subsystem byte.
    assert_eq!(DmUdevFlags::DM_UDEV_DISABLE_LIBRARY_FALLBACK.bits(), 0x20);
    assert_eq!(DmUdevFlags::all().bits() & 0xff00, 0);
}

#[test]
fn errno_mapping() {
    assert_eq!(
        map_error("mpatha", DmOp::Table, &ioctl_error(Errno::ENXIO)),
        DmError::NotFound {
            name: "mpatha".into()
        }
    );
    assert_eq!(
        map_error("mpatha", DmOp::Remove, &ioctl_error(Errno::EBUSY)),
        DmError::Busy {
            name: "mpatha".into()
        }
    );
    // EBUSY elsewhere stays an OS error naming map and operation.
    let e = map_error("mpatha", DmOp::Suspend, &ioctl_error(Errno::EBUSY));
    assert_eq!(e.errno(), 16);
    assert!(e.to_string().starts_with("mpatha: suspend failed: "), "{e}");
    let e = map_error("mpatha", DmOp::Message, &ioctl_error(Errno::EINVAL));
    assert_eq!(
        e,
        DmError::Os {
            name: "mpatha".into(),
            op: DmOp::Message,
            errno: 22
        }
    );
    // ENXIO from the list or a version query is no missing map.
    assert!(matches!(
        map_error(DM_SELF, DmOp::List, &ioctl_error(Errno::ENXIO)),
        DmError::Os { errno: 6, .. }
    ));
}

#[test]
fn errors_without_errno_keep_the_detail() {
    let e = map_error(
        "mpatha",
        DmOp::Resume,
        &devicemapper::DmError::Core(Core::UdevSync("No space left on device".into())),
    );
    assert_eq!(
        e.to_string(),
        "mpatha: resume failed: udev synchronisation failed: No space left on device"
    );
    assert_eq!(e.errno(), 5);
    let e = map_error(
        "mpatha",
        DmOp::Status,
        &devicemapper::DmError::Dm(
            devicemapper::ErrorEnum::Invalid,
            "Invalid DM target parameters returned from kernel".into(),
        ),
    );
    assert_eq!(
        e.to_string(),
        "mpatha: status failed: Invalid DM target parameters returned from kernel"
    );
}

#[test]
fn unavailable_reasons() {
    let missing = io::Error::from(io::ErrorKind::NotFound);
    let r = open_failure_reason(&missing, false);
    assert!(r.contains("modprobe dm-mod"), "{r}");
    let r = open_failure_reason(&missing, true);
    assert!(r.contains("does not exist although"), "{r}");
    let denied = io::Error::from_raw_os_error(13);
    let r = open_failure_reason(&denied, true);
    assert!(r.contains("root is needed"), "{r}");
    let e = DmError::Unavailable { reason: r };
    assert!(e
        .to_string()
        .starts_with("device-mapper not available: cannot open /dev/mapper/control: "));
    assert_eq!(e.errno(), 19);
}

#[test]
fn table_checks_before_the_ioctl() {
    let ok = DmTarget {
        start: 0,
        length: 2048,
        target_type: "multipath".into(),
        params: "0 0 1 1 service-time 0 1 1 8:16 1".into(),
    };
    let raw = raw_table("mpatha", DmOp::Load, std::slice::from_ref(&ok)).unwrap();
    assert_eq!(
        raw,
        vec![(0, 2048, "multipath".to_string(), ok.params.clone())]
    );
    let einval = |t: DmTarget| {
        assert_eq!(
            raw_table("mpatha", DmOp::Load, &[t]),
            Err(DmError::Os {
                name: "mpatha".into(),
                op: DmOp::Load,
                errno: 22
            })
        )
    };
    // The crate would panic on a type longer than the ioctl field.
    einval(DmTarget {
        target_type: "a-very-long-target-type".into(),
        ..ok.clone()
    });
    einval(DmTarget {
        target_type: String::new(),
        ..ok.clone()
    });
    einval(DmTarget {
        params: "0 0\0 1".into(),
        ..ok.clone()
    });
    assert!(raw_table("mpatha", DmOp::Create, &[]).is_err());
}

#[test]
fn names_the_ioctl_cannot_carry() {
    let long = "m".repeat(128);
    assert!(matches!(
        dm_name(&long, DmOp::Create),
        Err(DmError::Os { errno: 22, .. })
    ));
    assert!(dm_name(&"m".repeat(127), DmOp::Create).is_ok());
    assert!(dm_name("", DmOp::Rename).is_err());
}

#[test]
fn info_flags() {
    let mut i = DmInfo::default();
    apply_flags(
        &mut i,
        DmFlags::DM_SUSPEND | DmFlags::DM_ACTIVE_PRESENT | DmFlags::DM_DEFERRED_REMOVE,
    );
    assert!(i.suspended && i.live_table && i.deferred_remove);
    assert!(!i.read_only && !i.inactive_table);
    apply_flags(
        &mut i,
        DmFlags::DM_READONLY | DmFlags::DM_INACTIVE_PRESENT | DmFlags::DM_ACTIVE_PRESENT,
    );
    assert!(i.read_only && i.inactive_table && i.live_table);
    assert!(!i.suspended && !i.deferred_remove);
}

#[test]
fn node_fallback_rename_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mpatha"), b"").unwrap();
    nodes::rename(dir.path(), "mpatha", "mpathb");
    assert!(!dir.path().join("mpatha").exists());
    assert!(dir.path().join("mpathb").exists());
    // Missing nodes are no error.
    nodes::rename(dir.path(), "nosuch", "other");
    nodes::remove(dir.path(), "mpathb");
    assert!(!dir.path().join("mpathb").exists());
    nodes::remove(dir.path(), "mpathb");
}
