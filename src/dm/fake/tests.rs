//! Tests of the in-memory device mapper.

use super::*;

const TABLE: &str = "0 0 2 1 service-time 0 2 1 8:16 1 8:32 1 service-time 0 1 1 8:48 1";
/// `TABLE` as the kernel reports it back: service-time's own path arguments.
const KERNEL_TABLE: &str =
    "0 0 2 1 service-time 0 2 2 8:16 1 1 8:32 1 1 service-time 0 1 2 8:48 1 1";

fn mp(params: &str) -> Vec<DmTarget> {
    vec![DmTarget::multipath(2048, &params.parse().unwrap())]
}

fn create(dm: &FakeDm, name: &str, wwid: &str) -> DmInfo {
    dm.create(
        name,
        &mp(TABLE),
        &CreateOptions {
            uuid: Some(crate::dm::map_uuid(wwid)),
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn create_list_info_table_status() {
    let dm = FakeDm::new();
    let info = create(&dm, "mpatha", "3600a");
    assert_eq!(
        info.dev,
        DevNum {
            major: 253,
            minor: 0
        }
    );
    assert_eq!(info.uuid, "mpath-3600a");
    create(&dm, "mpathb", "3600b");
    let names: Vec<_> = dm.list().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["mpatha", "mpathb"]);
    assert_eq!(dm.info("mpathb").unwrap().unwrap().dev.minor, 1);
    assert_eq!(dm.info("nope").unwrap(), None);
    let t = dm.multipath_table("mpatha").unwrap().unwrap();
    assert_eq!(t.length, 2048);
    assert_eq!(t.params.to_string(), KERNEL_TABLE);
    let s = dm.multipath_status("mpatha").unwrap().unwrap();
    assert_eq!(
        s.params.to_string(),
        // As the kernel reports a map no I/O went to yet: no group current,
        // service-time's idle path info `0 1`.
        "2 0 0 0 2 1 E 0 2 2 8:16 A 0 0 1 8:32 A 0 0 1 E 0 1 2 8:48 A 0 0 1"
    );
    assert_eq!(
        dm.find_by_uuid("mpath-3600b").unwrap().unwrap().name,
        "mpathb"
    );
    assert_eq!(dm.find_by_uuid("mpath-x").unwrap(), None);
    assert!(matches!(dm.table("nope"), Err(DmError::NotFound { .. })));
}

#[test]
fn names_and_uuids_are_unique() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "3600a");
    let opts = CreateOptions {
        uuid: Some("mpath-3600a".into()),
        ..Default::default()
    };
    assert!(matches!(
        dm.create("mpathz", &mp(TABLE), &opts),
        Err(DmError::UuidExists { .. })
    ));
    assert!(matches!(
        dm.create("mpatha", &mp(TABLE), &CreateOptions::default()),
        Err(DmError::NameExists { .. })
    ));
    // The record keeps failed attempts too.
    assert_eq!(dm.mutating_calls().len(), 3);
}

#[test]
fn refuses_bad_tables() {
    let dm = FakeDm::new();
    let bad = vec![DmTarget {
        start: 0,
        length: 8,
        target_type: "multipath".into(),
        params: "0 0 1 1 service-time 0 1 1 sdb 1".into(),
    }];
    let e = dm
        .create("mpatha", &bad, &CreateOptions::default())
        .unwrap_err();
    assert_eq!(e.errno(), 22);
    assert!(e.to_string().starts_with("mpatha: create failed: "), "{e}");
    assert!(dm.map_names().is_empty());
    create(&dm, "mpatha", "1");
    assert!(dm.load("mpatha", &bad).is_err());
    assert!(!dm.info("mpatha").unwrap().unwrap().inactive_table);
}

#[test]
fn reload_swaps_tables_and_bumps_events() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "1");
    let new = "1 queue_if_no_path 0 1 1 round-robin 0 1 1 8:16 1000";
    dm.load("mpatha", &mp(new)).unwrap();
    let i = dm.info("mpatha").unwrap().unwrap();
    assert!(i.inactive_table);
    assert_eq!(
        dm.multipath_table("mpatha")
            .unwrap()
            .unwrap()
            .params
            .to_string(),
        KERNEL_TABLE
    );
    dm.resume("mpatha", ResumeOptions::default()).unwrap();
    assert_eq!(
        dm.multipath_table("mpatha")
            .unwrap()
            .unwrap()
            .params
            .to_string(),
        new
    );
    assert_eq!(dm.event_nr("mpatha").unwrap(), 1);
    dm.reload("mpatha", &mp(TABLE), ResumeOptions::default())
        .unwrap();
    assert_eq!(dm.event_nr("mpatha").unwrap(), 2);
    let ops: Vec<DmOp> = dm.mutating_calls().iter().map(DmCall::op).collect();
    assert_eq!(
        ops,
        [
            DmOp::Create,
            DmOp::Load,
            DmOp::Resume,
            DmOp::Load,
            DmOp::Resume
        ]
    );
}

#[test]
fn suspend_resume_flags() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "1");
    let opts = SuspendOptions {
        noflush: true,
        skip_lockfs: true,
    };
    dm.suspend("mpatha", opts).unwrap();
    assert!(dm.info("mpatha").unwrap().unwrap().suspended);
    dm.resume("mpatha", ResumeOptions::default()).unwrap();
    assert!(!dm.info("mpatha").unwrap().unwrap().suspended);
    assert!(dm.calls().contains(&DmCall::Suspend {
        name: "mpatha".into(),
        opts
    }));
}

#[test]
fn remove_in_use_and_deferred() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "1");
    dm.set_open_count("mpatha", 1);
    let e = dm.remove("mpatha", RemoveOptions::default()).unwrap_err();
    assert_eq!(
        e,
        DmError::Busy {
            name: "mpatha".into()
        }
    );
    assert_eq!(e.to_string(), "mpatha: map in use");
    let deferred = RemoveOptions {
        deferred: true,
        ..Default::default()
    };
    dm.remove("mpatha", deferred).unwrap();
    assert!(dm.info("mpatha").unwrap().unwrap().deferred_remove);
    dm.message("mpatha", 0, "@cancel_deferred_remove").unwrap();
    assert!(!dm.info("mpatha").unwrap().unwrap().deferred_remove);
    dm.remove("mpatha", deferred).unwrap();
    dm.set_open_count("mpatha", 0);
    assert!(dm.map_names().is_empty());
    create(&dm, "mpathb", "2");
    dm.remove("mpathb", RemoveOptions::default()).unwrap();
    assert!(matches!(
        dm.remove("mpathb", RemoveOptions::default()),
        Err(DmError::NotFound { .. })
    ));
}

#[test]
fn rename() {
    let dm = FakeDm::new();
    create(&dm, "3600a", "3600a");
    create(&dm, "mpathb", "3600b");
    assert!(matches!(
        dm.rename("3600a", "mpathb", UdevFlags::default()),
        Err(DmError::NameExists { .. })
    ));
    dm.rename("3600a", "mpatha", UdevFlags::default()).unwrap();
    assert_eq!(dm.map_names(), ["mpatha", "mpathb"]);
    assert_eq!(dm.info("mpatha").unwrap().unwrap().uuid, "mpath-3600a");
}

#[test]
fn messages_change_status() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "1");
    dm.message("mpatha", 0, "fail_path 8:32").unwrap();
    dm.message("mpatha", 0, "fail_path 8:32").unwrap();
    let s = dm.multipath_status("mpatha").unwrap().unwrap().params;
    let p = s.path(&DevRef::devt(8, 32)).unwrap();
    assert_eq!((p.state, p.fail_count), (DmPathState::Failed, 1));
    assert_eq!(dm.event_nr("mpatha").unwrap(), 1);
    dm.message("mpatha", 0, "reinstate_path 8:32").unwrap();
    dm.message("mpatha", 0, "disable_group 1").unwrap();
    dm.message("mpatha", 0, "disable_group 2").unwrap();
    dm.message("mpatha", 0, "switch_group 2").unwrap();
    dm.message("mpatha", 0, "disable_group 1").unwrap();
    let s = dm.multipath_status("mpatha").unwrap().unwrap().params;
    assert_eq!(s.next_pg, 2);
    assert_eq!(s.groups[0].state, GroupState::Disabled);
    // Re-enabled by the switch; not current (`A`) until I/O goes through it.
    assert_eq!(s.groups[1].state, GroupState::Enabled);
    assert_eq!(
        s.path(&DevRef::devt(8, 32)).unwrap().state,
        DmPathState::Active
    );
    dm.message("mpatha", 0, "enable_group 1").unwrap();
    for bad in [
        "switch_group 3",
        "switch_group 0",
        "fail_path 8:99",
        "frobnicate",
        "",
    ] {
        assert_eq!(
            dm.message("mpatha", 0, bad).unwrap_err().errno(),
            22,
            "{bad}"
        );
    }
}

#[test]
fn queueing_shows_in_status() {
    let dm = FakeDm::new();
    dm.add_map(
        "mpatha",
        "mpath-1",
        "0 2048 multipath 1 queue_if_no_path 0 1 1 service-time 0 1 1 8:16 1",
    );
    dm.message("mpatha", 0, "fail_path 8:16").unwrap();
    assert!(
        dm.multipath_status("mpatha")
            .unwrap()
            .unwrap()
            .params
            .queue_io
    );
    dm.message("mpatha", 0, "fail_if_no_path").unwrap();
    assert!(
        !dm.multipath_status("mpatha")
            .unwrap()
            .unwrap()
            .params
            .queue_io
    );
}

#[test]
fn injected_faults() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "1");
    create(&dm, "mpathb", "2");
    dm.fail(Some("mpatha"), DmOp::Message, 5);
    let e = dm.message("mpatha", 0, "fail_if_no_path").unwrap_err();
    assert_eq!(
        e,
        DmError::Os {
            name: "mpatha".into(),
            op: DmOp::Message,
            errno: 5
        }
    );
    assert!(dm.message("mpatha", 0, "fail_if_no_path").is_err());
    dm.message("mpathb", 0, "fail_if_no_path").unwrap();
    dm.clear_faults();
    dm.message("mpatha", 0, "fail_if_no_path").unwrap();

    // Transient busy: the second remove succeeds (what -R retries rely on).
    dm.fail_times(None, DmOp::Remove, 16, 1);
    assert_eq!(
        dm.remove("mpathb", RemoveOptions::default())
            .unwrap_err()
            .errno(),
        16
    );
    dm.remove("mpathb", RemoveOptions::default()).unwrap();
    assert_eq!(dm.take_calls().len(), 8);
    assert!(dm.calls().is_empty());

    dm.fail(None, DmOp::List, 12);
    assert!(dm.list().is_err());
    assert!(dm.find_by_uuid("mpath-1").is_err());
}

#[test]
fn status_override_and_bad_params() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "1");
    dm.set_status(
        "mpatha",
        Some("0 2048 multipath 2 0 0 0 1 1 A 0 1 2 8:16 A 0 0 1"),
    );
    let s = dm.multipath_status("mpatha").unwrap().unwrap();
    assert_eq!(s.params.groups[0].paths[0].selector_info, ["0", "1"]);
    dm.set_status("mpatha", Some("0 2048 multipath 2 0 0 0 1 1 Z"));
    let e = dm.multipath_status("mpatha").unwrap_err();
    assert!(
        e.to_string().starts_with("mpatha: cannot parse status: "),
        "{e}"
    );
    dm.add_map("lin", "", "0 100 linear 8:0 0");
    assert_eq!(dm.multipath_table("lin").unwrap(), None);
    assert_eq!(dm.status("lin").unwrap()[0].to_string(), "0 100 linear");
}

#[test]
fn target_versions() {
    let dm = FakeDm::new();
    assert_eq!(dm.target_version("multipath").unwrap(), Some([1, 14, 0]));
    dm.set_target_version("multipath", None);
    assert_eq!(dm.target_version("multipath").unwrap(), None);
}

#[test]
fn usable_across_threads() {
    let dm = std::sync::Arc::new(FakeDm::new());
    let hs: Vec<_> = (0..4)
        .map(|i| {
            let dm = dm.clone();
            std::thread::spawn(move || create(&dm, &format!("m{i}"), &i.to_string()))
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(dm.map_names().len(), 4);
    let _: &dyn DeviceMapper = &*dm;
}

#[test]
fn state_round_trips_through_json() {
    let dm = FakeDm::new();
    create(&dm, "mpatha", "3600a");
    create(&dm, "mpathb", "3600b");
    dm.remove("mpatha", RemoveOptions::default()).unwrap();
    dm.set_open_count("mpathb", 1);
    dm.message("mpathb", 0, "fail_path 8:32").unwrap();
    dm.fail_times(Some("mpathc"), DmOp::Create, 5, 1);
    let json = dm.to_json();

    let again = FakeDm::from_json(&json).unwrap();
    assert_eq!(again.map_names(), ["mpathb"]);
    let info = again.info("mpathb").unwrap().unwrap();
    assert_eq!((info.dev.minor, info.open_count), (1, 1));
    assert_eq!(info.uuid, "mpath-3600b");
    assert_eq!(
        again
            .multipath_table("mpathb")
            .unwrap()
            .unwrap()
            .params
            .to_string(),
        KERNEL_TABLE
    );
    let s = again.multipath_status("mpathb").unwrap().unwrap().params;
    assert_eq!(
        s.path(&DevRef::devt(8, 32)).unwrap().state,
        DmPathState::Failed
    );
    // The fault is still armed, and new maps get fresh minors.
    let t = [DmTarget {
        start: 0,
        length: 2048,
        target_type: "multipath".into(),
        params: TABLE.into(),
    }];
    assert!(again
        .create("mpathc", &t, &CreateOptions::default())
        .is_err());
    let info = again
        .create("mpathc", &t, &CreateOptions::default())
        .unwrap();
    assert_eq!(info.dev.minor, 2);
    // The journal keeps the earlier run's calls.
    let json = again.to_json();
    assert!(json.contains("\"create mpatha\""), "{json}");
    assert!(json.contains("\"remove mpatha\""), "{json}");
    assert!(json.contains("\"create mpathc\""), "{json}");
    assert!(FakeDm::from_json("{\"bogus\": 1}").is_err());
    assert!(FakeDm::from_json("").unwrap().map_names().is_empty());
}
