//! The modes of `multipath` end to end on a generated sysfs tree, the fake
//! device mapper and the fake SCSI transport (no root needed). Expected
//! output is the reference's (multipath-tools 0.15.1 on a `scsi_debug` LUN
//! seen through two hosts, ALUA prios 50/10; see tests/vm).

mod common;
use common::*;

const TABLE: &str =
    "0 131072 multipath 0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1";

#[test]
fn create_list_and_create_again() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    assert_eq!(
        san.maps(),
        [(
            "mpatha".to_string(),
            "mpath-1Linux_scsi_debug_2000".to_string(),
            TABLE.to_string()
        )]
    );
    assert!(san
        .read("/etc/multipath/bindings")
        .ends_with("#\nmpatha 1Linux_scsi_debug_2000\n"));
    assert!(san
        .read("/etc/multipath/wwids")
        .ends_with("# Valid WWIDs:\n/1Linux_scsi_debug_2000/\n"));
    ok(&san.run(&["-ll"]), LONG);
    ok(&san.run(&["-l"]), SHORT);
    ok(&san.run(&["-v1", "-l"]), "mpatha\n");
    ok(&san.run(&["-ll", "mpatha"]), LONG);
    // Device arguments as the reference reads them: a `/dev/` node, a
    // `maj:min` or a WWID select the path's map; a bare kernel name (`sda`,
    // `dm-0`) is taken for a map name, which no map has: nothing listed,
    // exit 0, and no warning about multipathd.
    for arg in ["/dev/sda", "8:0", "1Linux_scsi_debug_2000", "/dev/dm-0"] {
        ok(&san.run(&["-ll", arg]), LONG);
    }
    for arg in ["sda", "dm-0", "sdz"] {
        let r = san.run(&["-ll", arg]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (0, "", ""),
            "-ll {arg}"
        );
        let r = san.run(&["-v1", "-l", arg]);
        assert_eq!((r.code, r.stdout.as_str()), (0, ""), "-v1 -l {arg}");
    }
    // A `maj:min` of no block device, a node that does not exist: exit 1.
    let r = san.run(&["-ll", "8:240"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    let r = san.run(&["-ll", "/dev/sdz"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);

    // Nothing to do the second time.
    ok(&san.run(&[]), "");
    // Created inactive, then made live (the udev wait), then `switch_group`
    // to the best group, as upstream does.
    assert_eq!(
        san.dm_calls(),
        ["create mpatha", "resume mpatha", "message mpatha"]
    );
    let r = san.run(&["-d"]);
    ok(&r, "");
}

#[test]
fn dry_run_prints_without_a_verb_and_creates_nothing() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    ok(&san.run(&["-f", "mpatha"]), "");
    // The binding stays; a dry run uses it and changes nothing.
    ok(
        &san.run(&["-d"]),
        &CREATED.replacen("create: mpatha", ": mpatha", 1),
    );
    assert!(san.maps().is_empty());
    assert_eq!(
        san.dm_calls(),
        [
            "create mpatha",
            "resume mpatha",
            "message mpatha",
            "remove mpatha"
        ]
    );
}

#[test]
fn flush_one_unknown_open_and_all() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    ok(&san.run(&["-f", "mpatha"]), "");
    assert!(san.maps().is_empty());

    let r = san.run(&["-f", "nosuchmap"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert_eq!(r.stderr, "nosuchmap is not a multipath device\n");

    ok(&san.run(&[]), CREATED);
    san.edit_dm(|v| v["maps"][0]["open_count"] = 1.into());
    let r = san.run(&["-f", "mpatha"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(san.maps().len(), 1);
    san.edit_dm(|v| v["maps"][0]["open_count"] = 0.into());

    ok(&san.run(&["-F"]), "");
    assert!(san.maps().is_empty());
    assert_eq!(
        san.dm_calls(),
        [
            "create mpatha",
            "resume mpatha",
            "message mpatha",
            "remove mpatha",
            "create mpatha",
            "resume mpatha",
            "message mpatha",
            "remove mpatha"
        ]
    );
}

#[test]
fn valid_path_under_strict() {
    let san = San::new(2, 1, "defaults {\n\tfind_multipaths strict\n}\n");
    let r = san.run(&["-c", "/dev/sda"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "DM_MULTIPATH_DEVICE_PATH=\"0\"\n"),
        "{}",
        r.stderr
    );
    // Strict: an unknown WWID gets no map.
    ok(&san.run(&[]), "");
    assert!(san.maps().is_empty());

    ok(
        &san.run(&["-a", "/dev/sda"]),
        "wwid '1Linux_scsi_debug_2000' added\n",
    );
    ok(
        &san.run(&["-c", "/dev/sda"]),
        "DM_MULTIPATH_DEVICE_PATH=\"1\"\n",
    );
    // Without friendly names the map is named by its WWID.
    ok(
        &san.run(&[]),
        &CREATED.replacen(
            "mpatha (1Linux_scsi_debug_2000)",
            "1Linux_scsi_debug_2000",
            1,
        ),
    );
    ok(
        &san.run(&["-w", "/dev/sda"]),
        "wwid '1Linux_scsi_debug_2000' removed\n",
    );
    ok(
        &san.run(&["-w", "/dev/sda"]),
        "wwid '1Linux_scsi_debug_2000' not in wwids file\n",
    );
    // Removed lines are commented out, as the reference.
    assert!(san
        .read("/etc/multipath/wwids")
        .ends_with("# Valid WWIDs:\n#1Linux_scsi_debug_2000/\n"));
    // Any word that is no alias is taken as the WWID itself, even a
    // kernel name.
    ok(&san.run(&["-a", "sda"]), "wwid 'sda' added\n");
    ok(&san.run(&["-w", "sda"]), "wwid 'sda' removed\n");
    ok(
        &san.run(&["-w", "nosuchname"]),
        "wwid 'nosuchname' not in wwids file\n",
    );
    ok(&san.run(&["-W"]), "successfully reset wwids\n");
    assert!(san
        .read("/etc/multipath/wwids")
        .ends_with("# Valid WWIDs:\n/1Linux_scsi_debug_2000/\n"));
    // A bindings alias stands for its WWID.
    std::fs::write(
        san.root().join("etc/multipath/bindings"),
        "mpathq 3600a0b800000001\n",
    )
    .unwrap();
    ok(
        &san.run(&["-a", "mpathq"]),
        "wwid '3600a0b800000001' added\n",
    );
}

#[test]
fn forced_multibus_policy() {
    let san = San::new(2, 1, FRIENDLY);
    let r = san.run(&["-p", "multibus"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "\
create: mpatha (1Linux_scsi_debug_2000) undef Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=undef
`-+- policy='service-time 0' prio=30 status=undef
  |- 0:0:0:0 sda 8:0  undef ready running
  `- 1:0:0:0 sdb 8:16 undef ready running
"
    );
    assert_eq!(
        san.maps()[0].2,
        "0 131072 multipath 0 1 alua 1 1 service-time 0 2 2 8:0 1 1 8:16 1 1"
    );
}

#[test]
fn blacklisted_path_is_left_out() {
    let san = San::new(
        2,
        1,
        "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n}\nblacklist {\n\tdevnode \"sdb\"\n}\n",
    );
    let r = san.run(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "\
create: mpatha (1Linux_scsi_debug_2000) undef Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=undef
`-+- policy='service-time 0' prio=50 status=undef
  `- 0:0:0:0 sda 8:0 undef ready running
"
    );
    assert_eq!(
        san.maps()[0].2,
        "0 131072 multipath 0 1 alua 1 1 service-time 0 1 2 8:0 1 1"
    );
    // The blacklisted device as the argument: nothing, exit 1 (as the reference).
    for args in [&["/dev/sdb"][..], &["-d", "/dev/sdb"][..]] {
        let r = san.run(args);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (1, ""),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn three_luns_in_sysfs_path_order() {
    let san = San::new(2, 3, FRIENDLY);
    let r = san.run(&["-v1"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "mpatha\nmpathb\nmpathc\n"),
        "{}",
        r.stderr
    );
    let maps = san.maps();
    let got: Vec<(&str, &str)> = maps
        .iter()
        .map(|(n, u, _)| (n.as_str(), u.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("mpatha", "mpath-1Linux_scsi_debug_2000"),
            ("mpathb", "mpath-1Linux_scsi_debug_2001"),
            ("mpathc", "mpath-1Linux_scsi_debug_2002"),
        ]
    );
    // LUN 1 is sdb through host 0 and sde through host 1.
    assert!(maps[1].2.ends_with("8:16 1 1 service-time 0 1 2 8:64 1 1"));
    ok(&san.run(&["-v1", "-l"]), "mpatha\nmpathb\nmpathc\n");
    let r = san.run(&["-ll", "mpathb"]);
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .starts_with("mpathb (1Linux_scsi_debug_2001) dm-1 Linux,scsi_debug\n"));
    assert!(r.stdout.contains("0:0:0:1 sdb 8:16 "), "{}", r.stdout);
    assert!(r.stdout.contains("1:0:0:1 sde 8:64 "), "{}", r.stdout);
}

#[test]
fn create_failure_marks_the_wwid_and_goes_on() {
    let san = San::new(2, 3, FRIENDLY);
    san.edit_dm(|v| {
        v["faults"] = serde_json::json!([{ "map": "mpathb", "op": "create", "errno": 5 }])
    });
    let r = san.run(&["-v1"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "mpatha\nmpathc\n"),
        "{}",
        r.stderr
    );
    let names: Vec<String> = san.maps().into_iter().map(|m| m.0).collect();
    assert_eq!(names, ["mpatha", "mpathc"]);
    assert!(san
        .root()
        .join("run/multipath/failed_wwids/1Linux_scsi_debug_2001")
        .exists());
    assert!(!san.read("/etc/multipath/wwids").contains("2001"));
}

/// Maps are made live concurrently; one whose resume fails is removed
/// again, marked failed, and the others and the messages keep their order.
#[test]
fn activation_failure_removes_the_map_and_goes_on() {
    let san = San::new(2, 4, FRIENDLY);
    san.edit_dm(|v| {
        v["faults"] = serde_json::json!([{ "map": "mpathc", "op": "resume", "errno": 5 }])
    });
    let r = san.run(&["-v2"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let names: Vec<String> = san.maps().into_iter().map(|m| m.0).collect();
    assert_eq!(names, ["mpatha", "mpathb", "mpathd"]);
    let created: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("create: "))
        .collect();
    assert_eq!(created.len(), 3, "{}", r.stdout);
    assert!(created[0].starts_with("create: mpatha "));
    assert!(created[2].starts_with("create: mpathd "));
    let order: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|n| n.starts_with("mpath"))
        .collect();
    assert_eq!(
        order,
        ["mpatha", "mpathb", "mpathc", "mpathc", "mpathd"],
        "{}",
        r.stderr
    );
    assert!(san
        .root()
        .join("run/multipath/failed_wwids/1Linux_scsi_debug_2002")
        .exists());
    // The numbering follows the order of the names.
    let r = san.run(&["-ll", "mpathd"]);
    assert!(
        r.stdout
            .starts_with("mpathd (1Linux_scsi_debug_2003) dm-3 "),
        "{}",
        r.stdout
    );
}

/// An offline path would make the kernel refuse the table: it is left out
/// of the new map, as the reference does.
#[test]
fn offline_path_is_left_out_of_a_new_map() {
    let san = San::new(2, 2, FRIENDLY);
    // LUN 0 through host 1 (sdc).
    std::fs::write(san.root().join("sys/block/sdc/device/state"), "offline\n").unwrap();
    let r = san.run(&["-v1"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "mpatha\nmpathb\n"),
        "{}",
        r.stderr
    );
    let maps = san.maps();
    assert!(maps[0].2.ends_with(" 1 2 8:0 1 1"), "{}", maps[0].2);
    assert!(!maps[0].2.contains("8:32"), "{}", maps[0].2);
    assert!(maps[1].2.contains("8:48"), "{}", maps[1].2);
    // Back, then offline again while mpatha holds it: -r keeps it in the
    // table (the kernel keeps the device it has open), as the reference.
    std::fs::write(san.root().join("sys/block/sdc/device/state"), "running\n").unwrap();
    assert_eq!(san.run(&["-r"]).code, 0);
    assert!(san.maps()[0].2.contains("8:32"), "{}", san.maps()[0].2);
    std::fs::write(san.root().join("sys/block/sdc/device/state"), "offline\n").unwrap();
    let r = san.run(&["-r"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(san.maps()[0].2.contains("8:32"), "{}", san.maps()[0].2);
}

#[test]
fn invalid_device_argument() {
    let san = San::new(2, 1, FRIENDLY);
    // The first run gives the bindings file its header (and says so).
    let r = san.run(&["/dev/nosuchdevice"]);
    assert!(r.stderr.starts_with("_check_bindings_file"), "{}", r.stderr);
    let r = san.run(&["/dev/nosuchdevice"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    // The reference's message ends in an empty line.
    assert_eq!(r.stderr, "'/dev/nosuchdevice' is not a valid argument\n\n");
    // Log lines carry the monotonic clock's seconds: `12.345678 | `.
    let (stamp, rest) = r.raw_stderr.split_once(" | ").unwrap();
    let (secs, micros) = stamp.split_once('.').unwrap();
    assert!(
        secs.parse::<u64>().is_ok() && micros.len() == 6,
        "{}",
        r.raw_stderr
    );
    assert_eq!(rest, r.stderr);
    assert!(san.maps().is_empty());
}

#[test]
fn dump_local_config() {
    let san = San::new(2, 1, FRIENDLY);
    let r = san.run(&["-T"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("defaults {\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("\n\tuser_friendly_names \"yes\"\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("\n\tfind_multipaths \"off\"\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn fakes_need_a_fixture_root() {
    // Without MPATH_SYSROOT the fake variables are ignored: this run would
    // need the kernel (and root), so it must not find the fake's map.
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_multipath"))
        .args(["-v1", "-l"])
        .env_remove("MPATH_SYSROOT")
        .env("MPATH_FAKE_DM", san.dm_file())
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&o.stdout), "mpatha\n");
}

#[test]
fn valid_path_smart_reads_siblings_and_usable_map() {
    // Smart: the WWID is on a second disk, so the disk is a multipath path
    // (the sibling is found by scanning, the argument is read alone).
    let san = San::new(2, 1, "defaults {\n\tfind_multipaths smart\n}\n");
    for arg in ["/dev/sda", "/dev/sdb"] {
        ok(&san.run(&["-c", arg]), "DM_MULTIPATH_DEVICE_PATH=\"1\"\n");
    }
    // `-c` wants a `/dev/` node (a bare name is refused; a `maj:min` fails
    // in the holders check, with no verdict), `-u` a kernel name.
    let r = san.run(&["-c", "sdb"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert_eq!(r.stderr, "the -c option requires a path to check\n");
    let r = san.run(&["-c", "8:16"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    for arg in ["sdb", "/dev/sdb"] {
        let r = san.run(&["-u", arg]);
        assert!(
            r.stdout.contains("DM_MULTIPATH_DEVICE_PATH"),
            "-u {arg}: {r:?}"
        );
    }
    for arg in ["8:16", "sdz", "1Linux_scsi_debug_2000"] {
        let r = san.run(&["-u", arg]);
        assert_eq!((r.code, r.stdout.as_str()), (1, ""), "-u {arg}");
    }
    // One disk alone: maybe (smart waits for a sibling).
    let single = San::new(1, 1, "defaults {\n\tfind_multipaths smart\n}\n");
    let r = single.run(&["-c", "/dev/sda"]);
    assert!(
        r.stdout.ends_with("DM_MULTIPATH_DEVICE_PATH=\"2\"\n"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    // -C on the map, by name and by dm node: its paths are up.
    let san = San::new(
        2,
        1,
        "defaults {\n\tfind_multipaths off\n\tuser_friendly_names yes\n}\n",
    );
    assert_eq!(san.run(&[]).code, 0);
    // -C takes the map's kernel name or node, not its name or WWID, and
    // no path.
    for arg in ["dm-0", "/dev/dm-0"] {
        let r = san.run(&["-C", arg]);
        assert_eq!(r.code, 0, "-C {arg}: {}", r.stderr);
    }
    for arg in [
        "mpatha",
        "1Linux_scsi_debug_2000",
        "/dev/mapper/mpatha",
        "/dev/sda",
        "8:0",
    ] {
        let r = san.run(&["-C", arg]);
        assert_eq!(r.code, 1, "-C {arg}: {}", r.stderr);
    }
    let r = san.run(&["-C", "/dev/sda"]);
    assert_eq!(r.stderr, "/dev/sda is not a dm device\n");
    let r = san.run(&["-C", "/dev/dm-7"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // -U answers only inside a udev event (DEVPATH set), as the reference.
    let r = san.run(&["-U", "-v1", "dm-0"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    let event = [("DEVPATH", "/devices/virtual/block/dm-0")];
    let r = san.run_env(&["-U", "-v1", "dm-0"], &event);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn dry_run_records_the_binding_not_the_wwid() {
    // As the reference on a fresh system: `-d` names the map mpatha and
    // writes the binding, but creates nothing and leaves the wwids file alone.
    let san = San::new(
        2,
        1,
        "defaults {\n\tfind_multipaths off\n\tuser_friendly_names yes\n}\n",
    );
    let r = san.run(&["-d"]);
    assert!(
        r.stdout
            .starts_with(": mpatha (1Linux_scsi_debug_2000) undef"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(san.maps().is_empty());
    assert!(san
        .read("/etc/multipath/bindings")
        .contains("\nmpatha 1Linux_scsi_debug_2000\n"));
    assert!(!san.root().join("etc/multipath/wwids").exists());
}

#[test]
fn create_and_flush_device_argument_forms() {
    // Create: a bare kernel name is a map name no map has (nothing done,
    // exit 0); an alias of the bindings file names its WWID even when no
    // map exists yet; a node or `maj:min` names the path's map.
    let san = San::new(2, 2, FRIENDLY);
    for arg in ["sda", "-d"] {
        let r = san.run(&[arg]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        if arg == "-d" {
            assert!(r.stdout.starts_with(": mpatha "), "{}", r.stdout);
        } else {
            assert_eq!(r.stdout, "");
        }
    }
    assert!(san.maps().is_empty());
    for arg in ["mpatha", "/dev/sda", "8:0", "1Linux_scsi_debug_2000"] {
        let r = san.run(&[arg]);
        assert_eq!(r.code, 0, "{arg}: {}", r.stderr);
        assert!(
            r.stdout
                .starts_with("create: mpatha (1Linux_scsi_debug_2000) "),
            "{arg}: {}",
            r.stdout
        );
        assert_eq!(san.maps().len(), 1, "{arg}");
        assert_eq!(san.run(&["-F"]).code, 0);
    }
    // -f: a map name or a map's node; not its WWID, a bare `dm-N` or a path.
    assert_eq!(san.run(&[]).code, 0);
    for arg in ["1Linux_scsi_debug_2000", "dm-0", "sda", "/dev/sda", "8:0"] {
        let r = san.run(&["-f", arg]);
        assert_eq!((r.code, r.stdout.as_str()), (1, ""), "-f {arg}");
        assert_eq!(san.maps().len(), 2, "-f {arg}");
    }
    // mpathb's node by its dm minor; mpatha is made again each time.
    let dm_node = |name: &str| {
        let st = san.dm_state();
        let m = st["maps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .cloned();
        let dev = m.unwrap()["dev"].as_str().unwrap().to_string();
        format!("/dev/dm-{}", dev.split_once(':').unwrap().1)
    };
    let b_node = dm_node("mpathb");
    for (arg, left) in [
        (b_node.as_str(), "mpatha"),
        ("mpatha", "mpathb"),
        ("/dev/mapper/mpatha", "mpathb"),
    ] {
        let r = san.run(&["-f", arg]);
        assert_eq!(r.code, 0, "-f {arg}: {}", r.stderr);
        let names: Vec<String> = san.maps().into_iter().map(|m| m.0).collect();
        assert_eq!(names, [left], "-f {arg}");
        assert_eq!(san.run(&[]).code, 0);
    }
}

#[test]
fn friendly_name_kept_when_friendly_names_are_off() {
    // A map made as mpatha, then user_friendly_names off: create and the
    // dry run leave it alone (the reference prints nothing); `-r` renames
    // it to its WWID.
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    san.set_conf("defaults {\n\tfind_multipaths off\n}\n");
    ok(&san.run(&["-d"]), "");
    ok(&san.run(&[]), "");
    assert_eq!(san.maps()[0].0, "mpatha");
    let r = san.run(&["-r"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(san.maps()[0].0, "1Linux_scsi_debug_2000");
    // The reverse: the WWID name stays when friendly names are switched on.
    san.set_conf(FRIENDLY);
    ok(&san.run(&["-d"]), "");
    ok(&san.run(&[]), "");
    assert_eq!(san.maps()[0].0, "1Linux_scsi_debug_2000");
    assert_eq!(san.run(&["-r"]).code, 0);
    assert_eq!(san.maps()[0].0, "mpatha");
}

/// `-l`/`-ll` on live maps after the blacklist changed, as the reference
/// (seen in the VM): a path blacklisted by device node, vendor/product or
/// protocol is left out of its map (a map left with none shows `##,##` and
/// no groups); `wwid` and `property` rules do not hide paths from the
/// listing. A device argument for such a path, or a map whose WWID is
/// blacklisted, lists nothing with status 1.
#[test]
fn listing_leaves_out_blacklisted_paths() {
    let base = "defaults {\n\tfind_multipaths off\n\tuser_friendly_names yes\n}\n";
    let san = San::new(2, 2, base);
    assert_eq!(san.run(&[]).code, 0);
    let with = |extra: &str| san.set_conf(&format!("{base}{extra}"));
    let listing = |args: &[&str]| {
        let r = san.run(args);
        (r.code, r.stdout)
    };

    with("blacklist {\n\tdevnode \"^sda$\"\n}\n");
    let (rc, out) = listing(&["-l"]);
    assert_eq!(rc, 0);
    assert!(!out.contains(" sda "), "{out}");
    assert!(out.contains(" sdc "), "{out}");
    assert!(out.contains(" sdb ") && out.contains(" sdd "), "{out}");
    assert_eq!(listing(&["-l", "/dev/sda"]), (1, String::new()));
    assert_eq!(listing(&["-v3", "-l", "/dev/sda"]), (1, String::new()));
    let (rc, out) = listing(&["-l", "/dev/sdc"]);
    assert_eq!(rc, 0);
    assert!(
        out.starts_with("mpatha ") && !out.contains(" sda "),
        "{out}"
    );

    with("blacklist {\n\tdevnode \".*\"\n}\n");
    let (rc, out) = listing(&["-l"]);
    assert_eq!(rc, 0);
    assert_eq!(
        out,
        "mpatha (1Linux_scsi_debug_2000) dm-0 ##,##\n\
         size=64M features='0' hwhandler='1 alua' wp=rw\n\
         mpathb (1Linux_scsi_debug_2001) dm-1 ##,##\n\
         size=64M features='0' hwhandler='1 alua' wp=rw\n"
    );
    // A map named by its name or WWID is still listed.
    let (rc, out) = listing(&["-l", "mpatha"]);
    assert_eq!((rc, out.lines().count()), (0, 2), "{out}");

    with("blacklist {\n\tdevice {\n\t\tvendor Linux\n\t\tproduct scsi_debug\n\t}\n}\n");
    assert!(listing(&["-l"]).1.contains("dm-0 ##,##\n"));

    // wwid: not applied to the listing; a map or path argument with that
    // WWID lists nothing.
    with("blacklist {\n\twwid 1Linux_scsi_debug_2000\n}\n");
    let (rc, out) = listing(&["-l"]);
    assert_eq!(rc, 0);
    assert!(out.contains(" sda ") && out.contains(" sdc "), "{out}");
    assert_eq!(listing(&["-l", "mpatha"]), (1, String::new()));
    assert_eq!(listing(&["-l", "/dev/sda"]), (1, String::new()));
    assert_eq!(listing(&["-l", "mpathb"]).0, 0);

    // property: not applied to the listing either.
    with("blacklist_exceptions {\n\tproperty \"^NOPE$\"\n}\n");
    let (rc, out) = listing(&["-l"]);
    assert_eq!(rc, 0);
    assert!(out.contains(" sda ") && out.contains(" sdd "), "{out}");
}

/// A bio-based map gets no hardware handler, even over an attached one
/// (the reference, seen in the VM: scenario 19, `queue_mode bio`).
#[test]
fn queue_mode_bio_has_no_hardware_handler() {
    let san = San::new(2, 1, FRIENDLY);
    let r = san.run(&["-d"]);
    assert!(r.stdout.contains("hwhandler='1 alua'"), "{}", r.stdout);
    san.set_conf(&format!(
        "{FRIENDLY}overrides {{\n\tfeatures \"2 queue_mode bio\"\n}}\n"
    ));
    let r = san.run(&["-d"]);
    assert!(
        r.stdout
            .contains("features='2 queue_mode bio' hwhandler='0' wp=undef"),
        "{}",
        r.stdout
    );
}
