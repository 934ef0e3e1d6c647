use super::*;

fn path(dev: &str, dev_t: &str, prio: i32, state: PathState) -> PathFacts {
    PathFacts {
        dev: PathDev {
            dev: dev.into(),
            dev_t: dev_t.into(),
            vendor: "Linux".into(),
            product: "scsi_debug".into(),
            wwid: "1Linux_scsi_debug_2000".into(),
            size: 131072,
            dh_state: Some("alua".into()),
            ..PathDev::default()
        },
        checker: "tur".into(),
        state,
        prio_name: "sysfs".into(),
        prio_args: String::new(),
        prio,
        prio_said: Vec::new(),
        prio_said_repeats: true,
        tpgs: 1,
        tpg: Some(prio as u16),
    }
}

fn cfg(text: &str) -> Config {
    Config::from_str_with("/etc/multipath.conf", text)
}

#[test]
fn alua_two_paths_gives_the_references_table() {
    // The reference's `addmap` line for scsi_debug with two hosts (tests/vm 10-sd-2paths).
    let p = vec![
        path("sda", "8:0", 50, PathState::Up),
        path("sdb", "8:16", 10, PathState::Up),
    ];
    let m = assemble(
        &cfg(""),
        "1Linux_scsi_debug_2000",
        p,
        &AssembleOpts::default(),
    );
    assert_eq!(m.pgpolicy, PgPolicy::GroupByPrio);
    assert_eq!(
        m.table.to_string(),
        "0 1 alua 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1"
    );
    assert_eq!((m.groups[0].prio, m.groups[1].prio), (50, 10));
}

#[test]
fn group_by_prio_sorts_groups_and_keeps_path_order() {
    let p = vec![
        path("sda", "8:0", 50, PathState::Up),
        path("sdq", "65:0", 10, PathState::Up),
        path("sdag", "66:0", 1, PathState::Up),
        path("sdaw", "67:0", 50, PathState::Up),
    ];
    let m = assemble(&cfg(""), "w", p, &AssembleOpts::default());
    assert_eq!(
        m.table.to_string(),
        "0 1 alua 3 1 service-time 0 2 1 8:0 1 67:0 1 service-time 0 1 1 65:0 1 service-time 0 1 1 66:0 1"
    );
}

#[test]
fn best_group_skips_groups_without_usable_paths() {
    let p = vec![
        path("sda", "8:0", 50, PathState::Down),
        path("sdb", "8:16", 10, PathState::Up),
    ];
    let m = assemble(&cfg(""), "w", p, &AssembleOpts::default());
    // The group of the failed path has priority 0 and sorts last.
    assert_eq!(m.groups[0].paths, vec![1]);
    assert_eq!(m.init_pg, 1);
    assert_eq!(m.groups[1].prio, 0);
}

#[test]
fn forced_multibus_and_configured_policies() {
    let p = || {
        vec![
            path("sda", "8:0", 50, PathState::Up),
            path("sdb", "8:16", 10, PathState::Up),
        ]
    };
    let m = assemble(
        &cfg(""),
        "w",
        p(),
        &AssembleOpts {
            force_policy: Some(PgPolicy::Multibus),
        },
    );
    assert_eq!(
        m.table.to_string(),
        "0 1 alua 1 1 service-time 0 2 1 8:0 1 8:16 1"
    );
    assert_eq!(m.groups[0].prio, 30);
    // detect_pgpolicy off: the configured policy applies.
    let c = cfg("defaults {\n detect_pgpolicy no\n path_grouping_policy multibus\n path_selector \"round-robin 0\"\n}\n");
    let m = assemble(&c, "w", p(), &AssembleOpts::default());
    assert_eq!(
        m.table.to_string(),
        "0 1 alua 1 1 round-robin 0 2 1 8:0 1 8:16 1"
    );
    let mut q = p();
    for f in &mut q {
        f.prio_name = "const".into();
    }
    let m = assemble(&cfg(""), "w", q, &AssembleOpts::default());
    assert_eq!(m.pgpolicy, PgPolicy::Failover);
}

#[test]
fn features_and_no_path_retry() {
    let p = || {
        vec![
            path("sda", "8:0", 50, PathState::Up),
            path("sdb", "8:16", 10, PathState::Up),
        ]
    };
    let c = cfg("defaults {\n no_path_retry 12\n features \"2 pg_init_retries 50\"\n rr_weight priorities\n rr_min_io_rq 100\n}\n");
    let m = assemble(&c, "w", p(), &AssembleOpts::default());
    assert_eq!(m.features, "3 pg_init_retries 50 queue_if_no_path");
    assert_eq!(
        m.table.to_string(),
        "3 pg_init_retries 50 queue_if_no_path 1 alua 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1"
    );
    // Deprecated queue_if_no_path in features becomes no_path_retry queue.
    let c = cfg("defaults {\n features \"1 queue_if_no_path\"\n}\n");
    let m = assemble(&c, "w", p(), &AssembleOpts::default());
    assert_eq!(
        (m.features.as_str(), m.no_path_retry),
        ("1 queue_if_no_path", NoPathRetry::Queue)
    );
    let c = cfg("defaults {\n no_path_retry fail\n features \"1 queue_if_no_path\"\n}\n");
    let m = assemble(&c, "w", p(), &AssembleOpts::default());
    assert_eq!(m.features, "0");
}

#[test]
fn hardware_handler_rules() {
    let mut p = vec![path("sda", "8:0", 1, PathState::Up)];
    p[0].dev.dh_state = None;
    let m = assemble(&cfg(""), "w", p.clone(), &AssembleOpts::default());
    assert_eq!(m.hwhandler, "1 alua", "every path ALUA");
    p[0].tpgs = 0;
    let m = assemble(&cfg(""), "w", p.clone(), &AssembleOpts::default());
    assert_eq!(m.hwhandler, "0");
    p[0].dev.dh_state = Some("rdac".into());
    let m = assemble(&cfg(""), "w", p, &AssembleOpts::default());
    assert_eq!(m.hwhandler, "1 rdac", "attached handler retained");
}

#[test]
fn live_table_with_kernel_echo_matches_plan() {
    let p = vec![
        path("sda", "8:0", 50, PathState::Up),
        path("sdb", "8:16", 10, PathState::Up),
    ];
    let m = assemble(&cfg(""), "w", p, &AssembleOpts::default());
    let live: MultipathTable =
        "0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1"
            .parse()
            .unwrap();
    assert!(table_matches(&m.table, &live));
    let other: MultipathTable = "0 1 alua 1 1 service-time 0 2 2 8:0 1 1 8:16 1 1"
        .parse()
        .unwrap();
    assert!(!table_matches(&m.table, &other));
}
