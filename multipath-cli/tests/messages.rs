//! What `multipath` says on stderr at the default verbosity, in the
//! reference's words (multipath-tools 0.15.1, seen in the VM: tests/vm
//! scenarios 10, 12, 16, 17), on a generated sysfs tree with the fakes.
//! `Run::stderr` has the log stamps taken off; `modes.rs` checks them.

mod common;
use common::*;

fn bindings(san: &San) -> String {
    san.root()
        .join("etc/multipath/bindings")
        .display()
        .to_string()
}

fn lines(r: &Run) -> Vec<&str> {
    r.stderr.lines().collect()
}

#[test]
fn first_create_rewrites_the_bindings_header_and_names_the_scsi_timeouts_once() {
    let san = San::new(2, 2, FRIENDLY);
    let r = san.run(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b = bindings(&san);
    let header = format!("_check_bindings_file: failed to read header from {b}");
    let updated = format!("updated bindings file {b}");
    let l = lines(&r);
    assert_eq!(l[0], header);
    assert_eq!(l[1], updated, "the header written");
    assert_eq!(l[2], updated, "mpatha bound");
    assert_eq!(
        l[3],
        "sda: setting scsi timeouts is unsupported for protocol scsi:unspec"
    );
    assert!(l[4].starts_with("mpatha: addmap ["), "{l:?}");
    assert_eq!(l[5], updated, "mpathb bound");
    assert!(l[6].starts_with("mpathb: addmap ["), "{l:?}");
    assert_eq!(
        l[7],
        "Warning: multipath devices exist, but multipathd service is not running"
    );
    assert_eq!(l.len(), 8, "{l:?}");
    // Nothing to do: only the warning. At -v1 not even that.
    let r = san.run(&[]);
    assert_eq!(
        lines(&r),
        ["Warning: multipath devices exist, but multipathd service is not running"]
    );
    let r = san.run(&["-v1"]);
    assert_eq!(r.stderr, "");
    // At -v1 the writes are still said, the missing header is not (seen in
    // the VM, scenario 26).
    let fresh = San::new(2, 2, FRIENDLY);
    let r = fresh.run(&["-v1"]);
    let b = bindings(&fresh);
    let updated = format!("updated bindings file {b}");
    assert_eq!(lines(&r), [updated.as_str(); 3]);
    // A dry run on a fresh file says the same about the bindings file.
    let fresh = San::new(2, 1, FRIENDLY);
    let r = fresh.run(&["-d"]);
    let b = bindings(&fresh);
    assert_eq!(
        lines(&r),
        [
            format!("_check_bindings_file: failed to read header from {b}"),
            format!("updated bindings file {b}"),
            format!("updated bindings file {b}"),
        ]
    );
}

#[test]
fn lines_the_bindings_file_cannot_use() {
    let san = San::new(2, 2, FRIENDLY);
    std::fs::write(
        san.root().join("etc/multipath/bindings"),
        "# comment\nmpathb 1Linux_scsi_debug_2001\nthis line has too many fields here\n\
         mpathb 1Linux_scsi_debug_2099\nmpathq\n",
    )
    .unwrap();
    let r = san.run(&["-d"]);
    let b = bindings(&san);
    let l = lines(&r);
    assert_eq!(
        l[..5],
        [
            format!("_check_bindings_file: failed to read header from {b}"),
            "invalid line 3 in bindings file, extra args \"has\"".to_string(),
            "ERROR: multiple bindings for alias \"mpathb\" in bindings file on line 4, \
             discarding binding to WWID 1Linux_scsi_debug_2099"
                .to_string(),
            "invalid line 5 in bindings file, missing WWID".to_string(),
            format!("updated bindings file {b}"),
        ]
    );
}

#[test]
fn reload_with_a_new_name_says_rename_before_reload() {
    let san = San::new(2, 1, FRIENDLY);
    assert_eq!(san.run(&[]).code, 0);
    san.set_conf(
        "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n}\n\
         multipaths {\n\tmultipath {\n\t\twwid 1Linux_scsi_debug_2000\n\t\talias data1\n\t}\n}\n",
    );
    let r = san.run(&["-r"]);
    let l = lines(&r);
    assert_eq!(
        l[1], "1Linux_scsi_debug_2000: rename mpatha to data1",
        "{l:?}"
    );
    assert!(l[2].starts_with("data1: reload ["), "{l:?}");
}

#[test]
fn usable_paths_names_every_path_of_the_table() {
    let san = San::new(2, 1, FRIENDLY);
    assert_eq!(san.run(&[]).code, 0);
    let r = san.run(&["-C", "/dev/dm-0"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        lines(&r),
        ["mpatha: adding new path sda", "mpatha: adding new path sdb"]
    );
    let r = san.run(&["-C", "mpatha"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r),
        ["get_udev_device: failed to look up mpatha with type 3"]
    );
    let r = san.run(&["-c", "8:0"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r),
        ["sysfs_is_multipathed: error scanning /sys/block/8:0/holders"]
    );
    let r = san.run(&["-ll", "8:240"]);
    assert_eq!(
        lines(&r),
        [
            "get_udev_device: failed to look up 8:240 with type 1",
            "8:240: cannot find block device"
        ]
    );
}

#[test]
fn listing_names_the_paths_the_blacklist_hides() {
    let san = San::new(2, 2, FRIENDLY);
    assert_eq!(san.run(&[]).code, 0);
    san.set_conf(&format!(
        "{FRIENDLY}blacklist {{\n\tdevnode \"^sd[ab]$\"\n}}\n"
    ));
    let r = san.run(&["-ll"]);
    // mpatha has sda and sdc, mpathb sdb and sdd, one path per group: each
    // hidden path leaves its group empty, numbered among the groups left.
    assert_eq!(
        lines(&r)[..4],
        [
            "sda: error 2 in pathinfo, discarding path",
            "mpatha: removing empty pathgroup 0",
            "sdb: error 2 in pathinfo, discarding path",
            "mpathb: removing empty pathgroup 0",
        ]
    );
    san.set_conf(&format!("{FRIENDLY}blacklist {{\n\tdevnode \"^sd\"\n}}\n"));
    let r = san.run(&["-ll", "mpatha"]);
    assert_eq!(
        lines(&r)[..4],
        [
            "sda: error 2 in pathinfo, discarding path",
            "mpatha: removing empty pathgroup 0",
            "sdc: error 2 in pathinfo, discarding path",
            "mpatha: removing empty pathgroup 0",
        ]
    );
}

#[test]
fn create_and_dry_run_name_the_live_paths_the_blacklist_now_hides() {
    let san = San::new(2, 2, FRIENDLY);
    assert_eq!(san.run(&[]).code, 0);
    let before = san.maps();
    // Both paths of mpatha hidden: said in every mode, the map left alone.
    san.set_conf(&format!(
        "{FRIENDLY}blacklist {{\n\tdevnode \"^sd[ac]$\"\n}}\n"
    ));
    let said = [
        "sda: error 2 in pathinfo, discarding path",
        "mpatha: removing empty pathgroup 0",
        "sdc: error 2 in pathinfo, discarding path",
        "mpatha: removing empty pathgroup 0",
    ];
    for args in [&["-d"][..], &[], &["-d", "mpatha"]] {
        let r = san.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(lines(&r)[..4], said, "{args:?}");
        assert_eq!(san.maps(), before, "{args:?}");
    }
    // One path hidden: -r reloads the map without it.
    san.set_conf(&format!(
        "{FRIENDLY}blacklist {{\n\tdevnode \"^sda$\"\n}}\n"
    ));
    let r = san.run(&["-r"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r)[..2], said[..2]);
    let after = san.maps();
    let mpatha = after.iter().find(|m| m.0 == "mpatha").expect("mpatha");
    assert!(!mpatha.2.contains(" 8:0 "), "{}", mpatha.2);
    // The WWID blacklisted: create reads WWIDs, so its paths count too.
    let wwid = wwid(1);
    san.set_conf(&format!("{FRIENDLY}blacklist {{\n\twwid \"{wwid}\"\n}}\n"));
    let r = san.run(&["-d"]);
    assert_eq!(
        lines(&r)[..4],
        [
            "sdb: error 2 in pathinfo, discarding path",
            "mpathb: removing empty pathgroup 0",
            "sdd: error 2 in pathinfo, discarding path",
            "mpathb: removing empty pathgroup 0",
        ]
    );
}

#[test]
fn every_mode_but_the_udev_checks_gives_the_bindings_file_its_header() {
    let san = San::new(2, 1, FRIENDLY);
    let r = san.run(&["-c", "/dev/sda"]);
    assert_eq!(r.stderr, "");
    assert!(!san.root().join("etc/multipath/bindings").exists());
    let r = san.run(&["-ll"]);
    let b = bindings(&san);
    assert_eq!(
        lines(&r),
        [
            format!("_check_bindings_file: failed to read header from {b}"),
            format!("updated bindings file {b}"),
        ]
    );
    assert!(san
        .read("/etc/multipath/bindings")
        .starts_with("# Multipath bindings, Version : 1.0\n"));
    // -B leaves the file alone.
    let other = San::new(2, 1, FRIENDLY);
    let r = other.run(&["-B", "-ll"]);
    assert_eq!(lines(&r).len(), 1, "{}", r.stderr);
    assert!(!other.root().join("etc/multipath/bindings").exists());
}

#[test]
fn a_table_the_kernel_refuses_is_tried_at_each_path_then_ignored() {
    // The fake kernel, as the real one, has no such path selector.
    let san = San::new(2, 2, FRIENDLY);
    san.set_conf(&format!(
        "{FRIENDLY}overrides {{\n\tpath_selector \"no-such-selector 0\"\n}}\n"
    ));
    let r = san.run(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(san.maps().is_empty());
    let said: Vec<&str> = lines(&r)
        .into_iter()
        .filter(|l| {
            !l.contains(": addmap [") && !l.contains("scsi timeouts") && !l.contains("bindings")
        })
        .collect();
    let refused = |m: &str| {
        [
            format!("libdevmapper: ioctl/libdm-iface.c(1995): device-mapper: reload ioctl on {m} (253:0) failed: Invalid argument"),
            "dm_addmap: libdm task=0 error: Invalid argument".to_string(),
            format!("{m}: ignoring map"),
        ]
    };
    // Paths in discovery order: sda (mpatha), sdb (mpathb), sdc, sdd.
    let want: Vec<String> = ["mpatha", "mpathb", "mpatha", "mpathb"]
        .iter()
        .flat_map(|m| refused(m))
        .collect();
    assert_eq!(said, want, "{}", r.stderr);
    let addmaps = lines(&r)
        .iter()
        .filter(|l| l.contains(": addmap ["))
        .count();
    assert_eq!(addmaps, 4, "{}", r.stderr);
}

#[test]
fn a_reload_the_kernel_refuses_leaves_the_map_as_it_was() {
    let san = San::new(2, 1, FRIENDLY);
    assert_eq!(san.run(&[]).code, 0);
    let before = san.maps();
    san.set_conf(&format!(
        "{FRIENDLY}overrides {{\n\tpath_selector \"no-such-selector 0\"\n}}\n"
    ));
    let r = san.run(&["-r"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(san.maps(), before);
    let refused = [
        "libdevmapper: ioctl/libdm-iface.c(1995): device-mapper: reload ioctl on mpatha  failed: Invalid argument",
        "dm_addmap: libdm task=1 error: Invalid argument",
        "mpatha: removing map",
    ];
    let said: Vec<&str> = lines(&r)
        .into_iter()
        .filter(|l| refused.contains(l))
        .collect();
    // Tried at each of its two paths.
    assert_eq!(said, [refused, refused].concat(), "{}", r.stderr);
}
