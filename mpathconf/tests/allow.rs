//! `--allow`: devices resolved to WWIDs through a fake sysfs tree.

mod common;
use common::{edit, fixture, Machine};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

const A: &str = "3600a0980383030523424457a4a695266";
const B: &str = "3600a0980383030523424457a4a695267";
const C: &str = "3600a0980383030523424457a4a6952aa";

fn dm(root: &Path, n: u32, name: &str, uuid: &str, slaves: &[&str]) {
    let d = root.join(format!("sys/block/dm-{n}"));
    fs::create_dir_all(d.join("dm")).unwrap();
    fs::create_dir_all(d.join("slaves")).unwrap();
    fs::write(d.join("dm/name"), format!("{name}\n")).unwrap();
    fs::write(d.join("dm/uuid"), format!("{uuid}\n")).unwrap();
    for s in slaves {
        fs::create_dir_all(d.join("slaves").join(s)).unwrap();
    }
    symlink(
        format!("../../block/dm-{n}"),
        root.join(format!("sys/dev/block/253:{n}")),
    )
    .unwrap();
}

/// mpatha (dm-0, A) on sdc; its partition mpatha1 (dm-1); mpathb (dm-2, B);
/// an LVM volume (dm-3) on mpathb; an LVM volume (dm-4) on a plain disk sdd;
/// sde, a path with an NAA WWID and no map.
fn machine() -> Machine {
    let m = Machine::new(Some("netapp.conf"));
    let r = &m.root;
    fs::create_dir_all(r.join("sys/dev/block")).unwrap();
    dm(r, 0, "mpatha", &format!("mpath-{A}"), &["sdc"]);
    dm(r, 1, "mpatha1", &format!("part1-mpath-{A}"), &["dm-0"]);
    dm(r, 2, "mpathb", &format!("mpath-{B}"), &["sdb"]);
    dm(
        r,
        3,
        "vg00-data",
        "LVM-Zq3rRjCvEb2ZwE5xM0LzYtkR8",
        &["dm-2"],
    );
    dm(r, 4, "vg01-home", "LVM-Yq3rRjCvEb2ZwE5xM0LzYtkR8", &["sdd"]);
    fs::create_dir_all(r.join("sys/block/sdc/holders/dm-0")).unwrap();
    fs::create_dir_all(r.join("sys/block/sdc/sdc1")).unwrap();
    fs::write(r.join("sys/block/sdc/sdc1/partition"), "1\n").unwrap();
    symlink("../../block/sdc/sdc1", r.join("sys/dev/block/8:33")).unwrap();
    fs::create_dir_all(r.join("sys/block/sdd/holders/dm-4")).unwrap();
    fs::create_dir_all(r.join("sys/block/sde/device")).unwrap();
    fs::write(
        r.join("sys/block/sde/device/wwid"),
        "naa.600A0980383030523424457A4A6952BB\n",
    )
    .unwrap();
    fs::create_dir_all(r.join("dev/mapper")).unwrap();
    symlink("../dm-2", r.join("dev/mapper/mpathb")).unwrap();
    m
}

fn allowed(wwids: &[&str]) -> String {
    let n = fixture("netapp.conf");
    let exceptions: String = wwids.iter().map(|w| format!("\twwid \"{w}\"\n")).collect();
    let mut t = edit(
        &n,
        &[("blacklist {\n", "blacklist {\n        wwid \".*\"\n")],
    );
    t.push_str(&format!("\nblacklist_exceptions {{\n{exceptions}}}\n"));
    t
}

#[test]
fn allow_resolves_every_kind_of_argument() {
    let m = machine();
    let out = m.root.join("initrd-multipath.conf");
    let o = out.to_str().unwrap();
    let args = [
        "--allow",
        "mpatha", // dm name
        "--allow",
        "253:2", // maj:min of a map
        "--allow",
        "/dev/mapper/vg00-data", // LVM on mpathb: B again
        "--allow",
        C, // a WWID as is
        "--allow",
        "8:33", // partition of a path of mpatha: A again
        "--allow",
        "/dev/mapper/mpatha1", // kpartx partition: A again
        "--allow",
        "/dev/sde", // NAA identifier
        "--outfile",
        o,
    ];
    let r = m.run(&args);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let expected = allowed(&[A, B, C, "3600a0980383030523424457a4a6952bb"]);
    assert_eq!(fs::read_to_string(&out).unwrap(), expected);
    assert_eq!(
        m.conf(),
        fixture("netapp.conf"),
        "the source is not changed"
    );
    assert_eq!(
        m.calls(),
        "",
        "an --outfile elsewhere does not touch the module or service"
    );
    // Same again: same file, no backup of an identical file.
    let r = m.run(&args);
    assert_eq!(r.code, 0);
    assert_eq!(fs::read_to_string(&out).unwrap(), expected);
    assert!(!m.root.join("initrd-multipath.conf.old").exists());
    // Other devices replace the earlier exceptions.
    let r = m.run(&["--allow", "/dev/mapper/mpathb", "--outfile", o]);
    assert_eq!(r.code, 0);
    assert_eq!(fs::read_to_string(&out).unwrap(), allowed(&[B]));
    assert_eq!(
        fs::read_to_string(m.root.join("initrd-multipath.conf.old")).unwrap(),
        expected
    );
}

#[test]
fn allow_on_a_disabled_config_comments_devnode_out() {
    let m = machine();
    m.set_conf("blacklist {\n  devnode \".*\"\n  #wwid \".*\"\n}\nblacklist_exceptions {\n  wwid \"old\"\n  property \"(SCSI_IDENT_|ID_WWN)\"\n}\n");
    let out = m.root.join("etc/multipath.conf");
    let r = m.run(&[
        "--allow",
        "mpatha",
        "--outfile",
        out.to_str().unwrap(),
        "--with_module",
        "n",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        m.conf(),
        format!(
            "blacklist {{\n#  devnode \".*\"\n  wwid \".*\"\n}}\nblacklist_exceptions {{\n  property \"(SCSI_IDENT_|ID_WWN)\"\n  wwid \"{A}\"\n}}\n"
        )
    );
    // --enable undoes the allow list.
    m.ok(&["--enable", "--with_module", "n"]);
    assert_eq!(
        m.conf(),
        "blacklist {\n#  devnode \".*\"\n#  wwid \".*\"\n}\nblacklist_exceptions {\n  property \"(SCSI_IDENT_|ID_WWN)\"\n}\n"
    );
}

#[test]
fn allow_errors() {
    let m = machine();
    let out = m.root.join("x.conf");
    let o = out.to_str().unwrap();
    let cases = [
        ("9:99", "mpathconf: 9:99: no such block device\n"),
        (
            "/dev/nosuch",
            "mpathconf: /dev/nosuch: not a block device\n",
        ),
        (
            "vg01-home",
            "mpathconf: vg01-home: not a multipath device, nor stacked on one\n",
        ),
        ("a b", "mpathconf: a b: not a valid WWID\n"),
    ];
    for (arg, err) in cases {
        let r = m.run(&["--allow", arg, "--outfile", o]);
        assert_eq!((r.code, r.stderr.as_str()), (1, err), "{arg}");
        assert!(!out.exists());
    }
    fs::create_dir_all(m.root.join("sys/block/sdf")).unwrap();
    let r = m.run(&["--allow", "/dev/sdf", "--outfile", o]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "mpathconf: /dev/sdf: cannot determine its WWID; give the WWID instead\n"
        )
    );
}
