//! Foreign (native NVMe multipath) maps in `multipath -l/-ll`: after the
//! native maps, with `-e` or when `enable_foreign` names `nvme`. Expected
//! output is the reference's (multipath-tools 0.15.1, tests/vm 60-nvme-loop).

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

/// The first namespace of tests/vm 60-nvme-loop: nvmet subsystem 0 reached
/// through controllers nvme0 (optimized) and nvme1 (non-optimized).
fn add_nvme(root: &Path) {
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, format!("{text}\n")).unwrap();
    };
    let l = |rel: &str, target: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, p).unwrap();
    };
    let subsys = "sys/devices/virtual/nvme-subsystem/nvme-subsys0";
    w(
        &format!("{subsys}/subsysnqn"),
        "nqn.2014-08.org.mpath-vm:nvme-target",
    );
    w(&format!("{subsys}/model"), "Linux    ");
    w(&format!("{subsys}/firmware_rev"), "6.1.0-56");
    l(
        "sys/class/nvme-subsystem/nvme-subsys0",
        "../../devices/virtual/nvme-subsystem/nvme-subsys0",
    );
    let head = format!("{subsys}/nvme0n1");
    w(
        &format!("{head}/wwid"),
        "uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    );
    w(&format!("{head}/nsid"), "1");
    w(&format!("{head}/size"), "131072");
    w(&format!("{head}/ro"), "0");
    w(&format!("{head}/dev"), "259:1");
    l(
        "sys/block/nvme0n1",
        "../devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1",
    );
    for (c, ana) in [(0, "optimized"), (1, "non-optimized")] {
        let ctl = format!("sys/devices/virtual/nvme-fabrics/ctl/nvme{c}");
        w(&format!("{ctl}/state"), "live");
        w(&format!("{ctl}/nvme0c{c}n1/ana_state"), ana);
        w(&format!("{ctl}/nvme0c{c}n1/hidden"), "1");
        l(
            &format!("{subsys}/nvme{c}"),
            &format!("../../nvme-fabrics/ctl/nvme{c}"),
        );
        l(
            &format!("sys/block/nvme0c{c}n1"),
            &format!("../devices/virtual/nvme-fabrics/ctl/nvme{c}/nvme0c{c}n1"),
        );
    }
}

const NVME: &str = "\
uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c8 [nvme]:nvme0n1 NVMe,Linux,6.1.0-56
size=131072 features='n/a' hwhandler='ANA' wp=rw
|-+- policy='n/a' prio=50 status=optimized
| `- 0:0:1 nvme0c0n1 0:0 n/a optimized     live
`-+- policy='n/a' prio=10 status=non-optimized
  `- 0:1:1 nvme0c1n1 0:0 n/a non-optimized live
";

const NVME_NAME: &str = "nqn.2014-08.org.mpath-vm:nvme-target:nsid.1\n";

fn san() -> San {
    let san = San::new(2, 1, FRIENDLY);
    add_nvme(san.root());
    // The NVMe heads are no paths: create mode makes the SCSI map only,
    // with or without -e.
    ok(&san.run(&["-e"]), CREATED);
    san
}

#[test]
fn foreign_maps_follow_the_native_ones_with_e() {
    let san = san();
    ok(&san.run(&["-ll"]), LONG);
    ok(&san.run(&["-ll", "-e"]), &format!("{LONG}{NVME}"));
    ok(&san.run(&["-l", "-e"]), &format!("{SHORT}{NVME}"));
    ok(
        &san.run(&["-v1", "-l", "-e"]),
        &format!("mpatha\n{NVME_NAME}"),
    );
    ok(&san.run(&["-v0", "-ll", "-e"]), "");
}

#[test]
fn enable_foreign_names_the_libraries() {
    let san = san();
    san.set_conf(&format!(
        "{FRIENDLY}defaults {{\n\tenable_foreign \"nvme\"\n}}\n"
    ));
    ok(&san.run(&["-ll"]), &format!("{LONG}{NVME}"));
    san.set_conf(&format!(
        "{FRIENDLY}defaults {{\n\tenable_foreign \"^$\"\n}}\n"
    ));
    ok(&san.run(&["-ll"]), LONG);
    // -e enables them all whatever the configuration says.
    ok(&san.run(&["-ll", "-e"]), &format!("{LONG}{NVME}"));
}

#[test]
fn device_arguments_select_native_maps_only() {
    let san = san();
    ok(
        &san.run(&["-ll", "-e", "/dev/mapper/mpatha"]),
        &format!("{LONG}{NVME}"),
    );
    // A name that is no path, map or WWID: no native map, and no error.
    ok(&san.run(&["-ll", "-e", "nvme0n1"]), NVME);
    ok(&san.run(&["-ll", "-e", "foo"]), NVME);
    ok(&san.run(&["-ll", "nvme0n1"]), "");
    // The node of a block device that is no path: status 1, nothing said.
    let r = san.run(&["-ll", "-e", "/dev/nvme0n1"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", ""));
    // A node that does not exist is still reported.
    let r = san.run(&["-ll", "-e", "/dev/nosuchdevice"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert_eq!(r.stderr, "'/dev/nosuchdevice' is not a valid argument\n\n");
}
