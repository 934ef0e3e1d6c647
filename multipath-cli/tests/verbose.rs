//! `multipath -v3` and up: the paths list printed on stdout before the
//! topology, on the generated `scsi_debug`-like SAN (one LUN through two
//! hosts, ALUA prios 50/10). Expected output is the reference's
//! (multipath-tools 0.15.1 on `scsi_debug`; the debug log goes to stderr).

mod common;
use common::*;

/// Create modes: WWIDs read, priorities probed.
const LIST: &str = "\
===== paths list =====
uuid                   hcil    dev dev_t pri dm_st chk_st vend/prod/rev         dev_st \n\
1Linux_scsi_debug_2000 0:0:0:0 sda 8:0   50  undef undef  Linux,scsi_debug,0191 unknown
1Linux_scsi_debug_2000 1:0:0:0 sdb 8:16  10  undef undef  Linux,scsi_debug,0191 unknown
";

/// `-l`/`-ll` without a device argument: no WWIDs, no priorities.
const LIST_BLANK: &str = "\
===== paths list =====
uuid hcil    dev dev_t pri dm_st chk_st vend/prod/rev         dev_st \n     \
0:0:0:0 sda 8:0   -1  undef undef  Linux,scsi_debug,0191 unknown
     1:0:0:0 sdb 8:16  -1  undef undef  Linux,scsi_debug,0191 unknown
";

#[test]
fn dry_run_create_and_nothing_to_do() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&["-v3"]), &format!("{LIST}{CREATED}"));
    assert_eq!(san.maps().len(), 1);
    // Nothing to do: the list alone.
    ok(&san.run(&["-v3"]), LIST);
    // Below -v3 no list.
    ok(&san.run(&["-v2"]), "");
    // A dry run (the binding kept from the create).
    ok(&san.run(&["-f", "mpatha"]), "");
    let dry = CREATED.replacen("create: mpatha", ": mpatha", 1);
    ok(&san.run(&["-v3", "-d"]), &format!("{LIST}{dry}"));
    assert!(san.maps().is_empty());
}

#[test]
fn list_modes_without_wwids_and_priorities() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    ok(&san.run(&["-v3", "-ll"]), &format!("{LIST_BLANK}{LONG}"));
    ok(&san.run(&["-v4", "-ll"]), &format!("{LIST_BLANK}{LONG}"));
    ok(&san.run(&["-v3", "-l"]), &format!("{LIST_BLANK}{SHORT}"));
}

#[test]
fn list_modes_with_a_device_argument() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    let no_prio = LIST
        .replace(" 50  undef", " -1  undef")
        .replace(" 10  undef", " -1  undef");
    // A map name: WWIDs read, discovery order.
    ok(
        &san.run(&["-v3", "-ll", "mpatha"]),
        &format!("{no_prio}{LONG}"),
    );
    // A path: that path first.
    let mut lines: Vec<&str> = no_prio.lines().collect();
    lines.swap(2, 3);
    let sdb_first = format!("{}\n", lines.join("\n"));
    assert!(sdb_first.contains(" 1:0:0:0 sdb 8:16  -1 "), "{sdb_first}");
    ok(
        &san.run(&["-v3", "-ll", "/dev/sdb"]),
        &format!("{sdb_first}{LONG}"),
    );
}

#[test]
fn check_mode_prints_no_list() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    ok(
        &san.run(&["-v3", "-c", "/dev/sda"]),
        "DM_MULTIPATH_DEVICE_PATH=\"1\"\n",
    );
}

#[test]
fn blacklisted_paths_are_left_out_find_multipaths_ones_are_not() {
    // sdb's device node is blacklisted: neither listed nor in a map.
    let san = San::new(
        2,
        2,
        "defaults {\n\tfind_multipaths strict\n}\nblacklist {\n\tdevnode \"^sdb$\"\n}\n",
    );
    let r = san.run(&["-v3", "-d"]);
    ok(
        &r,
        "\
===== paths list =====
uuid                   hcil    dev dev_t pri dm_st chk_st vend/prod/rev         dev_st \n\
1Linux_scsi_debug_2000 0:0:0:0 sda 8:0   50  undef undef  Linux,scsi_debug,0191 unknown
1Linux_scsi_debug_2000 1:0:0:0 sdc 8:32  10  undef undef  Linux,scsi_debug,0191 unknown
1Linux_scsi_debug_2001 1:0:0:1 sdd 8:48  10  undef undef  Linux,scsi_debug,0191 unknown
",
    );
    assert!(
        r.stderr.contains("sdb: device node name blacklisted"),
        "{}",
        r.stderr
    );

    // A WWID rule needs the WWID: the list modes without a device argument
    // do not read it, so the path stays in their list.
    san.set_conf("defaults {\n\tfind_multipaths no\n}\nblacklist {\n\twwid 2001\n}\n");
    let listed = |r: &Run| -> Vec<String> {
        r.stdout
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("sd")))
            .map(str::to_string)
            .collect()
    };
    let ll = san.run(&["-v3", "-ll"]);
    assert_eq!(listed(&ll), ["sda", "sdb", "sdc", "sdd"], "{}", ll.stdout);
    let d = san.run(&["-v3", "-d"]);
    assert_eq!(d.code, 0, "{}", d.stderr);
    let rows: Vec<&str> = d.stdout.lines().skip(2).take(3).collect();
    assert!(rows[0].contains(" sda 8:0 "), "{}", d.stdout);
    assert!(rows[1].contains(" sdc 8:32 "), "{}", d.stdout);
    assert!(!rows[2].starts_with("1Linux"), "{}", d.stdout);
}
