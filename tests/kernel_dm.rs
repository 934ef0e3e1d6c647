//! `KernelDm` against the real kernel: create, read back, messages,
//! suspend/resume, reload, rename, remove (busy, deferred), udev sync.
//!
//! Ignored by default: they need root, device-mapper with the multipath
//! target, and two block devices that are paths to the same storage (e.g.
//! `modprobe scsi_debug add_host=2 vpd_use_hostno=0` gives sda and sdb).
//! Run them as root with the paths' device numbers:
//!
//! ```text
//! modprobe dm-multipath dm-service-time dm-round-robin
//! MPATH_TEST_PATHS="8:0 8:16" MPATH_TEST_WWID=<the paths' WWID> \
//!     cargo test --test kernel_dm -- --ignored --test-threads=1 --nocapture
//! ```
//!
//! `MPATH_TEST_WWID` (e.g. udev's `ID_SERIAL` of the paths) makes the map's
//! UUID `mpath-<WWID>`; the installed multipath udev rules fail the paths
//! of a map whose UUID names another WWID.
//!
//! `kernel_dm_lifecycle` expects udev to be running (it checks that
//! `/dev/mapper/<name>` is there as soon as create returns);
//! `kernel_dm_without_udev` expects it not to be (no `/run/udev/control`),
//! and is skipped otherwise. Maps made here are named `kdmtest*`.

use mpath::dm::{
    CreateOptions, DevNum, DevRef, DeviceMapper, DmError, DmPathState, DmTarget, KernelDm,
    MultipathTable, RemoveOptions, ResumeOptions, SuspendOptions, UdevFlags,
};
use nix::sys::stat::{major, makedev, minor};
use std::collections::HashMap;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::time::{Duration, Instant};

fn paths() -> (String, String) {
    let v = std::env::var("MPATH_TEST_PATHS")
        .expect("MPATH_TEST_PATHS must name two path devices, e.g. \"8:0 8:16\"");
    let mut it = v.split_whitespace().map(str::to_string);
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => (a, b),
        _ => panic!("MPATH_TEST_PATHS must name two path devices, e.g. \"8:0 8:16\""),
    }
}

/// Size in sectors of the device `maj:min`.
fn sectors(dev: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/sys/dev/block/{dev}/size")).unwrap();
    s.trim().parse().unwrap()
}

fn target(size: u64, params: &str) -> Vec<DmTarget> {
    let t: MultipathTable = params.parse().unwrap();
    vec![DmTarget::multipath(size, &t)]
}

fn devref(d: &str) -> DevRef {
    d.parse().unwrap()
}

/// Remove leftovers of an earlier run.
fn clean(dm: &KernelDm) {
    for e in dm.list().unwrap() {
        if e.name.starts_with("kdmtest") {
            let _ = dm.remove(&e.name, RemoveOptions::default());
        }
    }
}

/// The properties udev stored for the device `dev` with its last event.
fn udev_props(dev: DevNum) -> HashMap<String, String> {
    let db = format!("/run/udev/data/b{}:{}", dev.major, dev.minor);
    std::fs::read_to_string(&db)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("E:")?.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Whether udev's last event for `dev` set `key` to `value` (`None`: unset).
fn assert_udev(dev: DevNum, key: &str, value: Option<&str>) {
    let props = udev_props(dev);
    assert_eq!(
        props.get(key).map(String::as_str),
        value,
        "udev property {key} of {dev}"
    );
}

fn wait_gone(dm: &KernelDm, name: &str) {
    let t0 = Instant::now();
    while dm.info(name).unwrap().is_some() {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "{name} still there after 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs root, device-mapper and MPATH_TEST_PATHS (see the file header)"]
fn kernel_dm_lifecycle() {
    let dm = KernelDm::new().expect("device-mapper");
    let (p1, p2) = paths();
    let size = sectors(&p1);
    clean(&dm);
    let udev = Path::new("/run/udev/control").exists();
    assert!(udev, "this test expects udev to be running");

    let v = dm.target_version("multipath").unwrap();
    println!("multipath target version: {v:?}");
    assert!(v.is_some(), "load dm-multipath first");
    assert_eq!(dm.target_version("no-such-target").unwrap(), None);

    // Create, with udev sync: the node is there when create returns.
    let name = "kdmtest";
    // The paths' WWID: the installed udev rules (multipath -U) fail the
    // paths of a map whose UUID names another WWID.
    let wwid = std::env::var("MPATH_TEST_WWID").unwrap_or_else(|_| "kdmtest-0001".into());
    let uuid = format!("mpath-{wwid}");
    let uuid = uuid.as_str();
    // One path per group, as multipath groups scsi_debug's two ALUA port
    // groups (one group holding both fails both paths on pg_init).
    let params = format!("0 1 alua 2 1 service-time 0 1 1 {p1} 1 service-time 0 1 1 {p2} 1");
    let t0 = Instant::now();
    let info = dm
        .create(
            name,
            &target(size, &params),
            &CreateOptions {
                uuid: Some(uuid.into()),
                ..CreateOptions::default()
            },
        )
        .unwrap();
    let node = Path::new("/dev/mapper").join(name);
    let node_there = node.exists();
    println!(
        "create {name}: {:?} in {:?}; /dev/mapper/{name} exists right after: {node_there}",
        info.dev,
        t0.elapsed()
    );
    assert!(node_there, "udev sync: {} missing", node.display());
    assert_eq!(info.uuid, uuid);
    assert!(info.live_table && !info.suspended && !info.read_only);
    assert_eq!(info.target_count, 1);
    assert_eq!(info.open_count, 0);
    // The rules saw our cookie: primary source, no library fallback, no
    // subsystem flags; the multipath rules found the map ready.
    let props = udev_props(info.dev);
    println!(
        "udev after create: {:?}",
        props
            .iter()
            .filter(|(k, _)| k.starts_with("DM_UDEV")
                || k.starts_with("DM_SUBSYSTEM")
                || k.starts_with("MPATH"))
            .collect::<std::collections::BTreeMap<_, _>>()
    );
    assert_udev(info.dev, "DM_UDEV_PRIMARY_SOURCE_FLAG", Some("1"));
    assert_udev(info.dev, "DM_UDEV_DISABLE_LIBRARY_FALLBACK_FLAG", Some("1"));
    assert_udev(info.dev, "DM_SUBSYSTEM_UDEV_FLAG0", None);
    assert_udev(info.dev, "DM_SUBSYSTEM_UDEV_FLAG1", None);
    assert_udev(info.dev, "DM_SUBSYSTEM_UDEV_FLAG2", None);
    assert_udev(info.dev, "MPATH_DEVICE_READY", Some("1"));
    let node_dev = std::fs::metadata(&node).unwrap().rdev();
    assert_eq!(
        (major(node_dev), minor(node_dev)),
        (u64::from(info.dev.major), u64::from(info.dev.minor)),
        "node is the map"
    );

    // List and look-ups.
    let list = dm.list().unwrap();
    let e = list.iter().find(|e| e.name == name).expect("listed");
    assert_eq!(e.dev, info.dev);
    let by_uuid = dm.find_by_uuid(uuid).unwrap().expect("found by uuid");
    assert_eq!(by_uuid.name, name);
    assert_eq!(dm.find_by_uuid("mpath-nosuch").unwrap(), None);
    assert_eq!(dm.info("kdmtest-nosuch").unwrap(), None);

    // Table and status read back and parsed.
    let table = dm.table(name).unwrap();
    println!("table:  {}", table[0]);
    let tl = dm
        .multipath_table(name)
        .unwrap()
        .expect("a multipath table");
    assert_eq!(tl.length, size);
    assert_eq!(tl.params.groups.len(), 2);
    assert_eq!(tl.params.hw_handler_name(), Some("alua"));
    assert_eq!(
        tl.params.devices().cloned().collect::<Vec<_>>(),
        vec![devref(&p1), devref(&p2)]
    );
    let status = dm.status(name).unwrap();
    println!("status: {}", status[0]);
    let st = dm
        .multipath_status(name)
        .unwrap()
        .expect("a multipath status");
    assert_eq!(st.params.active_paths(), 2);

    // Messages.
    let ev0 = dm.event_nr(name).unwrap();
    assert_eq!(
        dm.message(name, 0, &format!("fail_path {p2}")).unwrap(),
        None
    );
    let st = dm.multipath_status(name).unwrap().unwrap();
    println!("after fail_path {p2}: {}", dm.status(name).unwrap()[0]);
    let p = st.params.path(&devref(&p2)).unwrap();
    assert_eq!(p.state, DmPathState::Failed);
    assert_eq!(p.fail_count, 1);
    // The target raises the event from a work queue: wait for it.
    let t0 = Instant::now();
    while dm.event_nr(name).unwrap() == ev0 {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "no event after fail_path"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    dm.message(name, 0, &format!("reinstate_path {p2}"))
        .unwrap();
    let st = dm.multipath_status(name).unwrap().unwrap();
    println!("after reinstate_path {p2}: {}", dm.status(name).unwrap()[0]);
    assert_eq!(
        st.params.path(&devref(&p2)).unwrap().state,
        DmPathState::Active
    );
    dm.message(name, 0, "queue_if_no_path").unwrap();
    dm.message(name, 0, "fail_if_no_path").unwrap();
    let err = dm.message(name, 0, "no_such_message").unwrap_err();
    println!("bad message: {err}");
    assert!(matches!(err, DmError::Os { errno: 22, .. }), "{err:?}");
    assert!(err.to_string().starts_with("kdmtest: message failed"));
    let err = dm
        .message("kdmtest-nosuch", 0, "fail_if_no_path")
        .unwrap_err();
    assert!(matches!(err, DmError::NotFound { .. }), "{err:?}");

    // Suspend / resume.
    dm.suspend(
        name,
        SuspendOptions {
            noflush: true,
            skip_lockfs: true,
        },
    )
    .unwrap();
    assert!(dm.info(name).unwrap().unwrap().suspended);
    dm.resume(name, ResumeOptions::default()).unwrap();
    assert!(!dm.info(name).unwrap().unwrap().suspended);

    // Reload with another table (groups swapped, round-robin, queueing),
    // flagged reload.
    let params2 =
        format!("1 queue_if_no_path 1 alua 2 1 round-robin 0 1 1 {p2} 1 round-robin 0 1 1 {p1} 1");
    let reload_opts = ResumeOptions {
        noflush: true,
        udev: UdevFlags {
            reload: true,
            ..UdevFlags::default()
        },
    };
    dm.load(name, &target(size, &params2)).unwrap();
    let i = dm.info(name).unwrap().unwrap();
    assert!(i.inactive_table && i.live_table);
    dm.resume(name, reload_opts).unwrap();
    let i = dm.info(name).unwrap().unwrap();
    assert!(!i.inactive_table && !i.suspended);
    let tl = dm.multipath_table(name).unwrap().unwrap();
    println!("reloaded table: {}", dm.table(name).unwrap()[0]);
    assert_eq!(tl.params.groups.len(), 2);
    assert!(tl.params.has_feature("queue_if_no_path"));
    assert_eq!(tl.params.groups[0].selector, "round-robin");
    assert_eq!(tl.params.groups[0].paths[0].dev, devref(&p2));
    // The provided reload (load + resume) too, back to the first table.
    dm.reload(name, &target(size, &params), reload_opts)
        .unwrap();
    let tl = dm.multipath_table(name).unwrap().unwrap();
    assert_eq!(tl.params.groups[0].selector, "service-time");
    assert!(!tl.params.has_feature("queue_if_no_path"));
    // FLAG0 reached the rules: the reload is marked unchanged.
    assert_udev(info.dev, "DM_SUBSYSTEM_UDEV_FLAG0", Some("1"));
    assert_udev(info.dev, "MPATH_UNCHANGED", Some("1"));
    // FLAG2 ("no usable paths"): the rules mark the map not ready; a
    // reload without it makes it ready again.
    let no_paths = UdevFlags {
        reload: true,
        no_usable_paths: true,
        ..UdevFlags::default()
    };
    dm.reload(
        name,
        &target(size, &params2),
        ResumeOptions {
            noflush: true,
            udev: no_paths,
        },
    )
    .unwrap();
    assert_udev(info.dev, "DM_SUBSYSTEM_UDEV_FLAG2", Some("1"));
    assert_udev(info.dev, "MPATH_DEVICE_READY", Some("0"));
    dm.reload(name, &target(size, &params), ResumeOptions::default())
        .unwrap();
    assert_udev(info.dev, "DM_SUBSYSTEM_UDEV_FLAG2", None);
    assert_udev(info.dev, "MPATH_DEVICE_READY", Some("1"));
    println!("udev flags FLAG0 (reload) and FLAG2 (no usable paths) seen by the rules");

    // A table the target refuses: the error names the map, the live table
    // stays.
    let err = dm
        .load(name, &target(size, "0 0 1 1 service-time 0 1 1 250:250 1"))
        .unwrap_err();
    println!("bad load: {err}");
    assert!(err.to_string().starts_with("kdmtest: load failed"), "{err}");
    assert!(!dm.info(name).unwrap().unwrap().inactive_table);

    // Name and UUID conflicts.
    let err = dm
        .create(name, &target(size, &params), &CreateOptions::default())
        .unwrap_err();
    assert_eq!(err, DmError::NameExists { name: name.into() });
    let err = dm
        .create(
            "kdmtest-dup",
            &target(size, &params),
            &CreateOptions {
                uuid: Some(uuid.into()),
                ..CreateOptions::default()
            },
        )
        .unwrap_err();
    println!("duplicate uuid: {err}");
    assert!(matches!(err, DmError::UuidExists { .. }), "{err:?}");
    assert_eq!(dm.info("kdmtest-dup").unwrap(), None);

    // A create whose table fails leaves no device behind.
    let err = dm
        .create(
            "kdmtest-bad",
            &target(size, "0 0 1 1 service-time 0 1 1 250:250 1"),
            &CreateOptions::default(),
        )
        .unwrap_err();
    println!("create with a bad table: {err}");
    assert!(err.to_string().starts_with("kdmtest-bad: create failed"));
    assert_eq!(dm.info("kdmtest-bad").unwrap(), None, "half-made map left");
    assert!(!Path::new("/dev/mapper/kdmtest-bad").exists());

    // Rename.
    let name2 = "kdmtest-renamed";
    dm.rename(name, name2, UdevFlags::default()).unwrap();
    println!(
        "rename: /dev/mapper/{name2} exists: {}, /dev/mapper/{name} exists: {}",
        Path::new("/dev/mapper").join(name2).exists(),
        node.exists()
    );
    assert!(Path::new("/dev/mapper").join(name2).exists());
    assert!(!node.exists());
    assert_eq!(dm.info(name).unwrap(), None);
    assert_eq!(dm.info(name2).unwrap().unwrap().uuid, uuid);
    let err = dm.rename("kdmtest-nosuch", "x", UdevFlags::default());
    assert!(matches!(err, Err(DmError::NotFound { .. })), "{err:?}");

    // A second map to rename onto: the name is taken.
    let ro = dm
        .create(
            "kdmtest-ro",
            &target(size, &params),
            &CreateOptions {
                read_only: true,
                udev: UdevFlags {
                    skip_kpartx: true,
                    ..UdevFlags::default()
                },
                ..CreateOptions::default()
            },
        )
        .unwrap();
    assert!(ro.read_only, "read-only create");
    // FLAG1 ("no kpartx") reached the rules.
    assert_udev(ro.dev, "DM_SUBSYSTEM_UDEV_FLAG1", Some("1"));
    let err = dm
        .rename(name2, "kdmtest-ro", UdevFlags::default())
        .unwrap_err();
    assert_eq!(
        err,
        DmError::NameExists {
            name: "kdmtest-ro".into()
        }
    );
    dm.remove("kdmtest-ro", RemoveOptions::default()).unwrap();

    // Remove while open: busy; deferred removal happens at the last close.
    let f = std::fs::File::open(Path::new("/dev/mapper").join(name2)).unwrap();
    assert_eq!(dm.info(name2).unwrap().unwrap().open_count, 1);
    let t0 = Instant::now();
    let err = dm.remove(name2, RemoveOptions::default()).unwrap_err();
    println!("remove while open: {err} (after {:?})", t0.elapsed());
    assert_eq!(err, DmError::Busy { name: name2.into() });
    assert_eq!(err.to_string(), "kdmtest-renamed: map in use");
    dm.remove(
        name2,
        RemoveOptions {
            deferred: true,
            ..RemoveOptions::default()
        },
    )
    .unwrap();
    let i = dm.info(name2).unwrap().expect("still there while open");
    assert!(i.deferred_remove);
    drop(f);
    wait_gone(&dm, name2);
    println!("deferred remove done after close");

    // Plain remove: device and node go.
    dm.create(name, &target(size, &params), &CreateOptions::default())
        .unwrap();
    dm.remove(name, RemoveOptions::default()).unwrap();
    assert_eq!(dm.info(name).unwrap(), None);
    assert!(!node.exists(), "udev sync: node still there after remove");
    let err = dm.remove(name, RemoveOptions::default()).unwrap_err();
    assert_eq!(err, DmError::NotFound { name: name.into() });
    assert!(matches!(dm.table(name), Err(DmError::NotFound { .. })));
    assert!(!dm
        .list()
        .unwrap()
        .iter()
        .any(|e| e.name.starts_with("kdmtest")));
    println!("lifecycle: all checks passed");
}

#[test]
#[ignore = "needs root, device-mapper, MPATH_TEST_PATHS and no running udev"]
fn kernel_dm_without_udev() {
    if Path::new("/run/udev/control").exists() {
        println!("skipped: udev is running");
        return;
    }
    let dm = KernelDm::new().expect("device-mapper");
    let (p1, p2) = paths();
    let size = sectors(&p1);
    clean(&dm);
    // One path per group, as multipath groups scsi_debug's two ALUA port
    // groups (one group holding both fails both paths on pg_init).
    let params = format!("0 1 alua 2 1 service-time 0 1 1 {p1} 1 service-time 0 1 1 {p2} 1");
    let name = "kdmtest-noudev";
    let t0 = Instant::now();
    let info = dm
        .create(name, &target(size, &params), &CreateOptions::default())
        .unwrap();
    let node = Path::new("/dev/mapper").join(name);
    let m = std::fs::symlink_metadata(&node).expect("node made without udev");
    println!(
        "no udev: create in {:?}; {} is a block device: {}",
        t0.elapsed(),
        node.display(),
        m.file_type().is_block_device()
    );
    assert!(m.file_type().is_block_device());
    assert_eq!(
        m.rdev(),
        makedev(u64::from(info.dev.major), u64::from(info.dev.minor))
    );
    let name2 = "kdmtest-noudev2";
    dm.rename(name, name2, UdevFlags::default()).unwrap();
    assert!(!node.exists());
    assert!(Path::new("/dev/mapper").join(name2).exists());
    dm.reload(name2, &target(size, &params), ResumeOptions::default())
        .unwrap();
    dm.remove(name2, RemoveOptions::default()).unwrap();
    assert!(!Path::new("/dev/mapper").join(name2).exists());
    assert_eq!(dm.info(name2).unwrap(), None);
    println!("without udev: all checks passed");
}
