use super::*;
use crate::assemble::{assemble, AssembleOpts, PathFacts};
use crate::checker::PathState;
use crate::dm::FakeDm;
use crate::files::bindings::Bindings;

fn dev(name: &str, dev_t: &str, wwid: &str) -> PathDev {
    PathDev {
        dev: name.into(),
        dev_t: dev_t.into(),
        hcil: "1:0:0:0".into(),
        vendor: "Linux".into(),
        product: "scsi_debug".into(),
        wwid: wwid.into(),
        size: 2048,
        state: "running".into(),
        ..PathDev::default()
    }
}

fn facts(d: PathDev) -> PathFacts {
    let mut f = PathFacts::unprobed(d);
    f.state = PathState::Up;
    f.prio = 1;
    f.prio_name = "const".into();
    f
}

#[test]
fn coalesce_keeps_first_seen_order_and_drops_empty_wwids() {
    let g = coalesce(vec![
        dev("sda", "8:0", "w1"),
        dev("sdb", "8:16", "w2"),
        dev("sdc", "8:32", ""),
        dev("sdd", "8:48", "w1"),
    ]);
    let names: Vec<(String, Vec<String>)> = g
        .into_iter()
        .map(|(w, ps)| (w, ps.into_iter().map(|p| p.dev).collect()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("w1".to_string(), vec!["sda".to_string(), "sdd".to_string()]),
            ("w2".to_string(), vec!["sdb".to_string()]),
        ]
    );
}

#[test]
fn actions_against_live_maps() {
    let cfg = Config::builtin();
    let plan = assemble(
        &cfg,
        "w1",
        vec![
            facts(dev("sda", "8:0", "w1")),
            facts(dev("sdb", "8:16", "w1")),
        ],
        &AssembleOpts::default(),
    );
    assert_eq!(
        plan.table.to_string(),
        "0 0 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1"
    );
    let dm = FakeDm::new();
    assert_eq!(select_action(&plan, "mpatha", None, false), Action::Create);
    // The kernel echoes service-time with two per-path values: still the same map.
    dm.add_map(
        "mpatha",
        "mpath-w1",
        "0 2048 multipath 0 0 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1",
    );
    let live = live_maps(&dm).unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].wwid, "w1");
    assert_eq!(
        select_action(&plan, "mpatha", Some(&live[0]), false),
        Action::Nothing
    );
    assert_eq!(
        select_action(&plan, "mpatha", Some(&live[0]), true),
        Action::Reload { forced: true }
    );
    assert_eq!(
        select_action(&plan, "mpathb", Some(&live[0]), false),
        Action::Rename {
            from: "mpatha".into(),
            forced: false
        }
    );
    // One path missing from the live map: reload.
    dm.add_map(
        "other",
        "mpath-w2",
        "0 2048 multipath 0 0 1 1 service-time 0 1 2 8:0 1 1",
    );
    let live = live_maps(&dm).unwrap();
    assert_eq!(
        select_action(&plan, "other", Some(&live[1]), false),
        Action::Reload { forced: false }
    );
}

#[test]
fn non_multipath_devices_are_not_live_maps() {
    let dm = FakeDm::new();
    dm.add_map("vg-root", "LVM-abc", "0 2048 linear 8:0 0");
    dm.add_map(
        "mpatha",
        "mpath-w1",
        "0 2048 multipath 0 0 1 1 service-time 0 1 2 8:0 1 1",
    );
    let live = live_maps(&dm).unwrap();
    assert_eq!(
        live.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["mpatha"]
    );
}

#[test]
fn names_from_multipaths_bindings_or_wwid() {
    let t = tempfile::tempdir().unwrap();
    let root = SysRoot::new(t.path());
    let first = dev("sda", "8:0", "w1");
    let none = |_: &str| None;
    // Plain config: the WWID.
    let cfg = Config::builtin();
    let mut b = Bindings::load(&root).unwrap();
    let c = select_alias(&cfg, "w1", &first, Some(&mut b), None, false, &none);
    assert_eq!(c.name, "w1");
    // user_friendly_names: a new binding, written to the file.
    let cfg = Config::from_str_with("f", "defaults {\n user_friendly_names yes\n}\n");
    let c = select_alias(&cfg, "w1", &first, Some(&mut b), None, false, &none);
    assert_eq!(c.name, "mpatha");
    let c = select_alias(&cfg, "w2", &first, Some(&mut b), None, false, &none);
    assert_eq!(c.name, "mpathb");
    let text = std::fs::read_to_string(Bindings::path_in(&root)).unwrap();
    assert!(text.ends_with("mpatha w1\nmpathb w2\n"), "{text}");
    // A name held by another WWID's map is skipped.
    let held = |n: &str| (n == "mpathc").then(|| "w9".to_string());
    let c = select_alias(&cfg, "w3", &first, Some(&mut b), None, false, &held);
    assert_eq!(c.name, "mpathd");
    // multipaths alias wins.
    let cfg = Config::from_str_with(
        "f",
        "defaults {\n user_friendly_names yes\n}\nmultipaths {\n multipath {\n wwid w1\n alias db\n }\n}\n",
    );
    let c = select_alias(&cfg, "w1", &first, Some(&mut b), None, false, &none);
    assert_eq!(c.name, "db");
    // Read-only bindings and an unknown WWID: the WWID, with a message.
    let cfg = Config::from_str_with("f", "defaults {\n user_friendly_names yes\n}\n");
    let c = select_alias(&cfg, "w7", &first, Some(&mut b), None, true, &none);
    assert_eq!(c.name, "w7");
    assert_eq!(c.messages.len(), 1);
}

#[test]
fn member_uevent_only_when_udev_has_not_decided() {
    use super::member_uevent_needed;
    let props = |v: &[(&str, &str)]| PathDev {
        udev: v
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..PathDev::default()
    };
    assert!(member_uevent_needed(&props(&[])));
    assert!(member_uevent_needed(&props(&[(
        "DM_MULTIPATH_DEVICE_PATH",
        "0"
    )])));
    assert!(!member_uevent_needed(&props(&[(
        "DM_MULTIPATH_DEVICE_PATH",
        "1"
    )])));
    assert!(member_uevent_needed(&props(&[
        ("DM_MULTIPATH_DEVICE_PATH", "1"),
        ("FIND_MULTIPATHS_WAIT_UNTIL", "1795279438"),
    ])));
    assert!(!member_uevent_needed(&props(&[
        ("DM_MULTIPATH_DEVICE_PATH", "1"),
        ("FIND_MULTIPATHS_WAIT_UNTIL", "0"),
    ])));
}

#[test]
fn a_path_gone_from_sysfs_is_left_out_and_the_map_regrouped() {
    let t = tempfile::tempdir().unwrap();
    let root = SysRoot::new(t.path());
    for d in ["sda", "sdc"] {
        std::fs::create_dir_all(t.path().join("sys/block").join(d)).unwrap();
    }
    let cfg = Config::builtin();
    let opts = AssembleOpts::default();
    let plan = assemble(
        &cfg,
        "w1",
        vec![
            facts(dev("sda", "8:0", "w1")),
            facts(dev("sdb", "8:16", "w1")),
            facts(dev("sdc", "8:32", "w1")),
        ],
        &opts,
    );
    let gone = vanished_paths(&root, &plan);
    assert_eq!(gone, ["sdb"]);
    let left = without_paths(&cfg, &plan, &gone, &opts).unwrap();
    let devs: Vec<&str> = left.paths.iter().map(|p| p.dev.dev.as_str()).collect();
    assert_eq!(devs, ["sda", "sdc"]);
    assert!(!left.table.to_string().contains("8:16"), "{}", left.table);
    assert!(left.table.to_string().contains("8:32"), "{}", left.table);
    assert!(without_paths(&cfg, &plan, &["sda", "sdb", "sdc"], &opts).is_none());
    // All there: nothing to drop.
    std::fs::create_dir_all(t.path().join("sys/block/sdb")).unwrap();
    assert!(vanished_paths(&root, &plan).is_empty());
}

/// A reload the admin forced (`-r`, `reconfigure all`) lets udev run its
/// rules in full; one because the table changed is flagged as a reload (the
/// rules then set MPATH_UNCHANGED). Renames follow the same rule.
#[test]
fn forced_reloads_are_not_flagged_to_udev() {
    let cfg = Config::builtin();
    let plan = assemble(
        &cfg,
        "w1",
        vec![facts(dev("sda", "8:0", "w1"))],
        &AssembleOpts::default(),
    );
    // The udev reload flag of each resume when `action` makes map `name`.
    let resumes = |action: Action, name: &str| {
        let dm = FakeDm::new();
        dm.add_map("mpatha", "mpath-w1", "0 2048 multipath 0 0 0 0");
        commit(&dm, &action, name, &plan).unwrap();
        dm.calls()
            .into_iter()
            .filter_map(|c| match c {
                crate::dm::DmCall::Resume { opts, .. } => Some(opts.udev.reload),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(resumes(Action::Reload { forced: true }, "mpatha"), [false]);
    assert_eq!(resumes(Action::Reload { forced: false }, "mpatha"), [true]);
    let rename = |forced| Action::Rename {
        from: "mpatha".into(),
        forced,
    };
    assert_eq!(resumes(rename(true), "mpathb"), [false]);
    assert_eq!(resumes(rename(false), "mpathb"), [true]);
}

#[test]
fn skip_kpartx_reaches_udev_on_create_reload_and_rename() {
    use crate::dm::DmCall;
    let cfg = Config::from_str_with("multipath.conf", "defaults {\n\tskip_kpartx yes\n}\n");
    let plan = assemble(
        &cfg,
        "w1",
        vec![facts(dev("sda", "8:0", "w1"))],
        &AssembleOpts::default(),
    );
    assert!(plan.skip_kpartx);
    let dm = FakeDm::new();
    for a in [
        Action::Create,
        Action::Reload { forced: true },
        Action::Rename {
            from: "mpatha".into(),
            forced: false,
        },
    ] {
        let name = if matches!(a, Action::Rename { .. }) {
            "data"
        } else {
            "mpatha"
        };
        stage(&dm, &a, name, &plan).unwrap();
        commit(&dm, &a, name, &plan).unwrap();
    }
    let flags: Vec<bool> = dm
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            DmCall::Create { opts, .. } => Some(opts.udev.skip_kpartx),
            DmCall::Resume { opts, .. } => Some(opts.udev.skip_kpartx),
            DmCall::Rename { udev, .. } => Some(udev.skip_kpartx),
            _ => None,
        })
        .collect();
    assert!(flags.len() >= 4 && flags.iter().all(|&f| f), "{flags:?}");
    // Off by default.
    let plan = assemble(
        &Config::builtin(),
        "w1",
        vec![facts(dev("sda", "8:0", "w1"))],
        &AssembleOpts::default(),
    );
    assert!(!plan.skip_kpartx);
}
