//! Every editing option on copies of real-world configurations: the exact
//! resulting text, and that running the same command again changes nothing.

mod common;
use common::{edit, fixture, Machine};

/// Run `args` on `fixture`, check the result is `expected`, then run again
/// and check nothing changes (not even the backup).
fn check(fixture_name: &str, args: &[&str], expected: &str) {
    let m = Machine::new(Some(fixture_name));
    let original = fixture(fixture_name);
    let got = m.ok(args);
    assert_eq!(got, expected, "mpathconf {args:?} on {fixture_name}");
    let backup = if got == original {
        None
    } else {
        Some(original)
    };
    assert_eq!(
        m.old(),
        backup,
        "backup after mpathconf {args:?} on {fixture_name}"
    );
    assert_eq!(
        m.ok(args),
        expected,
        "second mpathconf {args:?} on {fixture_name}"
    );
    assert_eq!(m.old(), backup, "second run must not rewrite the file");
}

// ---- --enable / --disable ----

#[test]
fn disable_adds_devnode_to_empty_blacklist() {
    let r = fixture("rhel9.conf");
    check(
        "rhel9.conf",
        &["--disable"],
        &edit(
            &r,
            &[("blacklist {\n}", "blacklist {\n\tdevnode \".*\"\n}")],
        ),
    );
}

#[test]
fn disable_inserts_at_top_with_the_sections_indentation() {
    let u = fixture("ubuntu.conf");
    check(
        "ubuntu.conf",
        &["--disable"],
        &edit(
            &u,
            &[("blacklist {\n", "blacklist {\n    devnode \".*\"\n")],
        ),
    );
}

#[test]
fn disable_uncomments_an_old_style_devnode() {
    let n = fixture("netapp.conf");
    let disabled = edit(
        &n,
        &[("#       devnode \"*\"\n", "        devnode \".*\"\n")],
    );
    check("netapp.conf", &["--disable"], &disabled);
    // And --enable comments it out again.
    let m = Machine::new(None);
    m.set_conf(&disabled);
    assert_eq!(
        m.ok(&["--enable"]),
        edit(
            &n,
            &[("#       devnode \"*\"\n", "#        devnode \".*\"\n")]
        )
    );
}

#[test]
fn enable_then_disable_round_trip() {
    let m = Machine::new(Some("rhel9.conf"));
    let r = fixture("rhel9.conf");
    m.ok(&["--disable", "--with_module", "n"]);
    assert_eq!(
        m.ok(&["--enable", "--with_module", "n"]),
        edit(
            &r,
            &[("blacklist {\n}", "blacklist {\n#\tdevnode \".*\"\n}")]
        )
    );
    assert_eq!(
        m.ok(&["--disable"]),
        edit(
            &r,
            &[("blacklist {\n}", "blacklist {\n\tdevnode \".*\"\n}")]
        )
    );
}

#[test]
fn enable_keeps_crlf_and_missing_final_newline() {
    let d = fixture("disabled-crlf.conf");
    assert!(!d.ends_with('\n'));
    check(
        "disabled-crlf.conf",
        &["--enable"],
        &edit(&d, &[("    devnode \".*\"\r\n", "#    devnode \".*\"\r\n")]),
    );
}

#[test]
fn enable_without_disable_entry_changes_nothing() {
    for f in ["rhel9.conf", "ubuntu.conf", "netapp.conf", "pure.conf"] {
        check(f, &["--enable"], &fixture(f));
    }
}

#[test]
fn disable_ignores_extra_parameters() {
    let m = Machine::new(Some("ubuntu.conf"));
    let o = m.run(&[
        "--disable",
        "--user_friendly_names",
        "n",
        "--option",
        "verbosity:3",
    ]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "ignoring extra parameters on disable\n")
    );
    assert_eq!(
        m.conf(),
        edit(
            &fixture("ubuntu.conf"),
            &[("blacklist {\n", "blacklist {\n    devnode \".*\"\n")]
        )
    );
}

// ---- defaults keywords ----

#[test]
fn user_friendly_names() {
    let n = fixture("netapp.conf");
    // Only the defaults line flips; the device subsection keeps its own.
    check(
        "netapp.conf",
        &["--user_friendly_names", "y"],
        &edit(
            &n,
            &[(
                "user_friendly_names     no\n        recheck",
                "user_friendly_names     yes\n        recheck",
            )],
        ),
    );
    check("netapp.conf", &["--user_friendly_names", "n"], &n);
    let u = fixture("ubuntu.conf");
    check(
        "ubuntu.conf",
        &["--user_friendly_names", "n"],
        &edit(
            &u,
            &[(
                "    user_friendly_names yes\n",
                "    user_friendly_names no\n",
            )],
        ),
    );
    let p = fixture("pure.conf");
    check(
        "pure.conf",
        &["--user_friendly_names", "y"],
        &edit(
            &p,
            &[(
                "\t user_friendly_names no\n",
                "\t user_friendly_names yes\n",
            )],
        ),
    );
}

#[test]
fn find_multipaths() {
    let p = fixture("pure.conf");
    check(
        "pure.conf",
        &["--find_multipaths", "n"],
        &edit(
            &p,
            &[(
                "find_multipaths\t\"greedy\"\t# set",
                "find_multipaths\t\"no\"\t# set",
            )],
        ),
    );
    check("pure.conf", &["--find_multipaths", "greedy"], &p);
    let u = fixture("ubuntu.conf");
    check(
        "ubuntu.conf",
        &["--find_multipaths", "smart"],
        &edit(
            &u,
            &[("queue\n}\n", "queue\n    find_multipaths smart\n}\n")],
        ),
    );
    let r = fixture("rhel9.conf");
    check(
        "rhel9.conf",
        &["--find_multipaths", "strict"],
        &edit(
            &r,
            &[("\tfind_multipaths yes\n", "\tfind_multipaths strict\n")],
        ),
    );
    check("rhel9.conf", &["--find_multipaths", "y"], &r);
}

#[test]
fn recheck_wwid() {
    let n = fixture("netapp.conf");
    check(
        "netapp.conf",
        &["--recheck_wwid", "y"],
        &edit(
            &n,
            &[(
                "recheck_wwid            no\n",
                "recheck_wwid            yes\n",
            )],
        ),
    );
    check("netapp.conf", &["--recheck_wwid", "n"], &n);
    let u = fixture("ubuntu.conf");
    check(
        "ubuntu.conf",
        &["--recheck_wwid", "y"],
        &edit(&u, &[("queue\n}\n", "queue\n    recheck_wwid yes\n}\n")]),
    );
    check("ubuntu.conf", &["--recheck_wwid", "n"], &u);
}

#[test]
fn property_blacklist() {
    let r = fixture("rhel9.conf");
    check(
        "rhel9.conf",
        &["--property_blacklist", "n"],
        &edit(&r, &[("        property", "#        property")]),
    );
    check("rhel9.conf", &["--property_blacklist", "y"], &r);
    let p = fixture("pure.conf");
    check(
        "pure.conf",
        &["--property_blacklist", "y"],
        &edit(&p, &[("\t! property \"(SCSI", "\tproperty \"(SCSI")]),
    );
    check("pure.conf", &["--property_blacklist", "n"], &p);
    let u = fixture("ubuntu.conf");
    check(
        "ubuntu.conf",
        &["--property_blacklist", "y"],
        &format!("{u}\nblacklist_exceptions {{\n\tproperty \"(SCSI_IDENT_|ID_WWN)\"\n}}\n"),
    );
}

#[test]
fn enable_foreign() {
    let r = fixture("rhel9.conf");
    check(
        "rhel9.conf",
        &["--enable_foreign", "y"],
        &edit(&r, &[("\"^$\"", "\".*\"")]),
    );
    check("rhel9.conf", &["--enable_foreign", "n"], &r);
    let p = fixture("pure.conf");
    let on = edit(
        &p,
        &[("\t# enable_foreign \".*\"\n", "\tenable_foreign \".*\"\n")],
    );
    check("pure.conf", &["--enable_foreign", "y"], &on);
    let m = Machine::new(None);
    m.set_conf(&on);
    assert_eq!(
        m.ok(&["--enable_foreign", "n"]),
        edit(
            &p,
            &[("\t# enable_foreign \".*\"\n", "#\tenable_foreign \".*\"\n")]
        )
    );
    let u = fixture("ubuntu.conf");
    check(
        "ubuntu.conf",
        &["--enable_foreign", "y"],
        &edit(
            &u,
            &[("queue\n}\n", "queue\n    enable_foreign \".*\"\n}\n")],
        ),
    );
}

#[test]
fn option_sets_adds_quotes_and_deletes() {
    let u = fixture("ubuntu.conf");
    check(
        "ubuntu.conf",
        &["--option", "no_path_retry:fail"],
        &edit(
            &u,
            &[("no_path_retry       queue", "no_path_retry       fail")],
        ),
    );
    check(
        "ubuntu.conf",
        &["--option", "polling_interval:"],
        &edit(
            &u,
            &[(
                "    polling_interval    5      # seconds between path checks\n",
                "",
            )],
        ),
    );
    check(
        "ubuntu.conf",
        &["--option", "path_selector:queue-length 0"],
        &edit(
            &u,
            &[(
                "queue\n}\n",
                "queue\n    path_selector \"queue-length 0\"\n}\n",
            )],
        ),
    );
    // The commented-out polling_interval stays; the new line goes at the end.
    let r = fixture("rhel9.conf");
    check(
        "rhel9.conf",
        &["--option", "polling_interval:20"],
        &edit(
            &r,
            &[(
                "#\tpolling_interval 10\n}",
                "#\tpolling_interval 10\n\tpolling_interval 20\n}",
            )],
        ),
    );
    check("rhel9.conf", &["--option", "max_fds:"], &r);
}

#[test]
fn several_options_in_one_run() {
    let n = fixture("netapp.conf");
    check(
        "netapp.conf",
        &[
            "--find_multipaths",
            "yes",
            "--user_friendly_names",
            "y",
            "--recheck_wwid",
            "y",
            "--enable_foreign",
            "y",
            "--property_blacklist",
            "y",
            "--option",
            "polling_interval:15",
        ],
        &edit(
            &n,
            &[
                ("find_multipaths         no", "find_multipaths         yes"),
                ("user_friendly_names     no\n        recheck", "user_friendly_names     yes\n        recheck"),
                (
                    "recheck_wwid            no\n}",
                    "recheck_wwid            yes\n        enable_foreign \".*\"\n        polling_interval 15\n}",
                ),
                (
                    "                detect_prio             yes\n        }\n}\n",
                    "                detect_prio             yes\n        }\n}\n\nblacklist_exceptions {\n\tproperty \"(SCSI_IDENT_|ID_WWN)\"\n}\n",
                ),
            ],
        ),
    );
}

#[test]
fn missing_defaults_section_is_added() {
    let m = Machine::new(None);
    m.set_conf("blacklist {\n\tdevnode \"^sda\"\n}\n");
    assert_eq!(
        m.ok(&["--user_friendly_names", "y"]),
        "blacklist {\n\tdevnode \"^sda\"\n}\n\ndefaults {\n\tuser_friendly_names yes\n}\n"
    );
}
