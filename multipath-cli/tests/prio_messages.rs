//! What the prioritizers say when the array refuses their command, in the
//! reference's words and at its levels (multipath-tools 0.15.1 on
//! scsi_debug in the VM, scenario 19): the fake disks answer INQUIRY and
//! TEST UNIT READY only, so a vendor VPD page is refused with ILLEGAL
//! REQUEST, as scsi_debug does.

mod common;
use common::*;

fn conf(prio: &str) -> String {
    format!(
        "defaults {{\n\tuser_friendly_names yes\n\tfind_multipaths off\n\tdetect_prio no\n\
         \tpath_grouping_policy group_by_prio\n\tprio {prio}\n}}\n"
    )
}

fn said(r: &Run, what: &str) -> Vec<String> {
    r.stderr
        .lines()
        .filter(|l| l.contains(what))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_refused_vendor_command_is_said_at_every_verbosity() {
    let san = San::new(2, 1, FRIENDLY);
    san.set_conf(&conf("emc"));
    let msg = |d: &str| format!("{d}: emc prio: query command indicates error");
    let once = [msg("sda"), msg("sdb")];
    let twice = [msg("sda"), msg("sdb"), msg("sda"), msg("sdb")];
    // Create and dry runs: while discovering and again as the map takes its
    // paths, even at -v0.
    for args in [&["-d"][..], &["-d", "-v0"], &["-v0"]] {
        let r = san.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(said(&r, "emc prio"), twice, "{args:?}");
    }
    assert!(san.run(&["-ll"]).stdout.contains("prio=-1"));
    // -ll probes each path once, whatever the verbosity; -l does not.
    for args in [&["-ll"][..], &["-ll", "-v1"], &["-ll", "-v0"]] {
        assert_eq!(said(&san.run(args), "emc prio"), once, "{args:?}");
    }
    assert_eq!(said(&san.run(&["-l"]), "emc prio"), Vec::<String>::new());
}

#[test]
fn rdac_gives_zero_and_iet_speaks_only_from_the_default_verbosity() {
    let san = San::new(2, 1, FRIENDLY);
    san.set_conf(&conf("rdac"));
    let r = san.run(&["-d", "-v0"]);
    assert_eq!(said(&r, "rdac prio").len(), 4, "{}", r.stderr);
    assert!(san.run(&["-d"]).stdout.contains("prio=0"));
    san.set_conf(&conf("iet\n\tprio_args \"preferredip=10.0.0.1\""));
    let r = san.run(&["-d"]);
    assert_eq!(
        said(&r, "BY_PATH"),
        [
            "sda failed to get BY_PATH property",
            "sdb failed to get BY_PATH property",
        ]
        .repeat(2)
    );
    assert!(r.stdout.contains("prio=0"), "{}", r.stdout);
    assert_eq!(
        said(&san.run(&["-d", "-v1"]), "BY_PATH"),
        Vec::<String>::new()
    );
    // Arguments it cannot use: said once per run, for the first path.
    san.set_conf(&conf("iet"));
    let r = san.run(&["-d"]);
    assert_eq!(said(&r, "prio_args"), ["sda unexpected prio_args format"]);
}
