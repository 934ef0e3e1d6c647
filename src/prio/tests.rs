use super::*;
use crate::checker::tests::{c9, path, Tree, DEAD_DEVICE};
use crate::scsi::tests::{rtpg_data, vpd83_with_tpg};
use crate::scsi::{opcode, standard_inquiry, FakeFailure, FakeScsi};

fn penv<'a>(tree: &'a Tree, fake: &'a FakeScsi) -> PrioEnv<'a> {
    PrioEnv {
        root: &tree.root,
        scsi: fake,
        timeout_ms: 1000,
    }
}

fn prio(name: &str, args: &str, tree: &Tree, fake: &FakeScsi, p: &PathDev) -> i32 {
    get_prio(name, args, p, &penv(tree, fake)).value
}

/// The priority of `sda` and what the prioritizer said.
fn said_of(name: &str, args: &str, fake: &FakeScsi) -> (i32, Vec<(u32, String)>) {
    let p = get_prio(name, args, &path("sda"), &penv(&Tree::new(), fake));
    (p.value, p.said)
}

fn said(level: u32, lines: &[&str]) -> Vec<(u32, String)> {
    lines.iter().map(|l| (level, l.to_string())).collect()
}

/// A scsi_debug-like disk: standard INQUIRY answered, vendor-specific VPD
/// pages and opcodes refused with ILLEGAL REQUEST (CHECK CONDITION).
fn refusing() -> FakeScsi {
    FakeScsi::new().inquiry_tpgs("sda", 1)
}

fn prio_of(name: &str, args: &str, fake: &FakeScsi) -> i32 {
    prio(name, args, &Tree::new(), fake, &path("sda"))
}

#[test]
fn const_random_and_unknown() {
    let fake = FakeScsi::new();
    assert_eq!(prio_of("const", "", &fake), 1);
    for _ in 0..200 {
        let r = prio_of("random", "", &fake);
        assert!((1..=10).contains(&r), "{r}");
    }
    assert_eq!(prio_of("bogus", "", &fake), PRIO_UNDEF);
    assert!(fake.calls().is_empty());
}

#[test]
fn sysfs_prio_from_access_state() {
    let t = Tree::new();
    let fake = FakeScsi::new();
    let p = path("sda");
    let cases = [
        ("active/optimized", 50),
        ("active/non-optimized", 10),
        ("lba-dependent", 5),
        ("standby", 1),
        ("unavailable", 0),
        ("offline", 0),
        ("transitioning", 0),
    ];
    for (state, want) in cases {
        t.attr("sda", "device/access_state", format!("{state}\n"));
        t.attr("sda", "device/preferred_path", "0\n");
        assert_eq!(prio("sysfs", "", &t, &fake, &p), want, "{state}");
        t.attr("sda", "device/preferred_path", "1\n");
        let bonus = if state == "active/optimized" { 0 } else { 80 };
        assert_eq!(
            prio("sysfs", "", &t, &fake, &p),
            want + bonus,
            "{state} pref"
        );
        assert_eq!(
            prio("sysfs", "exclusive_pref_bit", &t, &fake, &p),
            want + 80,
            "{state} exclusive"
        );
    }
    t.attr("sda", "device/access_state", "weird\n");
    assert_eq!(prio("sysfs", "", &t, &fake, &p), PRIO_UNDEF);
    // Nothing in sysfs: what discovery recorded, else undefined.
    let mut q = path("sdb");
    assert_eq!(prio("sysfs", "", &t, &fake, &q), PRIO_UNDEF);
    q.access_state = Some("active/non-optimized".into());
    q.preferred_path = true;
    assert_eq!(prio("sysfs", "", &t, &fake, &q), 90);
    assert!(fake.calls().is_empty());
}

fn alua_fake(tpgs: u8, tpg: u16, groups: &[(u8, bool, u16, &[u16])]) -> FakeScsi {
    FakeScsi::new()
        .inquiry_tpgs("sda", tpgs)
        .vpd("sda", 0x83, vpd83_with_tpg(tpg, 1))
        .rtpg("sda", rtpg_data(groups))
}

#[test]
fn alua_prio_from_rtpg() {
    let groups: &[(u8, bool, u16, &[u16])] = &[
        (0, false, 1, &[1]),
        (1, false, 2, &[2]),
        (2, true, 3, &[3]),
        (4, false, 4, &[4]),
        (3, false, 5, &[5]),
        (0, true, 6, &[6]),
    ];
    for (tpg, want, want_excl) in [
        (1, 50, 50),
        (2, 10, 10),
        (3, 81, 81),
        (4, 5, 5),
        (5, 0, 0),
        (6, 50, 130),
    ] {
        let fake = alua_fake(1, tpg, groups);
        assert_eq!(prio_of("alua", "", &fake), want, "tpg {tpg}");
        assert_eq!(
            prio_of("alua", "exclusive_pref_bit", &fake),
            want_excl,
            "tpg {tpg}"
        );
    }
    // Not ALUA, unknown group, RTPG failing or garbage.
    assert_eq!(prio_of("alua", "", &alua_fake(0, 1, groups)), PRIO_UNDEF);
    assert_eq!(prio_of("alua", "", &alua_fake(1, 9, groups)), PRIO_UNDEF);
    let failing = FakeScsi::new()
        .inquiry_tpgs("sda", 3)
        .vpd("sda", 0x83, vpd83_with_tpg(1, 1))
        .fail(
            "sda",
            opcode::MAINTENANCE_IN,
            None,
            FakeFailure::sense(5, 0x20, 0),
        );
    assert_eq!(prio_of("alua", "", &failing), PRIO_UNDEF);
    let garbage = FakeScsi::new()
        .inquiry_tpgs("sda", 3)
        .vpd("sda", 0x83, vpd83_with_tpg(1, 1))
        .rtpg("sda", vec![0xff, 0xff, 0xff, 0xff, 0x00, 0x01]);
    assert_eq!(prio_of("alua", "", &garbage), PRIO_UNDEF);
    // No TPG designator.
    let no_tpg = FakeScsi::new()
        .inquiry_tpgs("sda", 1)
        .vpd("sda", 0x83, vec![0, 0x83, 0, 0])
        .rtpg("sda", rtpg_data(groups));
    assert_eq!(prio_of("alua", "", &no_tpg), PRIO_UNDEF);
    // The sysfs copy of VPD 0x83 spares the INQUIRY.
    let t = Tree::new();
    t.attr("sda", "device/vpd_pg83", vpd83_with_tpg(2, 1));
    let fake = FakeScsi::new()
        .inquiry_tpgs("sda", 1)
        .rtpg("sda", rtpg_data(groups));
    assert_eq!(prio("alua", "", &t, &fake, &path("sda")), 10);
    let dead = FakeScsi::new().fail_device("sda", FakeFailure::Timeout);
    assert_eq!(prio_of("alua", "", &dead), PRIO_UNDEF);
}

#[test]
fn ana_prio_from_sysfs() {
    let t = Tree::new();
    let fake = FakeScsi::new();
    let mut p = path("nvme0c0n1");
    p.protocol = "nvme:tcp".into();
    for (s, want) in [
        ("optimized", 50),
        ("non-optimized", 10),
        ("inaccessible", 1),
        ("change", 1),
        ("persistent-loss", 0),
        ("nonsense", PRIO_UNDEF),
    ] {
        t.attr("nvme0c0n1", "ana_state", format!("{s}\n"));
        assert_eq!(prio("ana", "", &t, &fake, &p), want, "{s}");
    }
    assert_eq!(prio("ana", "", &t, &fake, &path("nvme1c1n1")), PRIO_UNDEF);
}

fn c0(state: u8, default_sp: u8, sp: u8) -> Vec<u8> {
    crate::checker::tests::c0(state, default_sp, sp, 0)
}

#[test]
fn emc_prio() {
    let f = |page| FakeScsi::new().vpd("sda", 0xc0, page);
    assert_eq!(prio_of("emc", "", &f(c0(2, 1, 1))), 4);
    assert_eq!(prio_of("emc", "", &f(c0(2, 0, 1))), 2);
    assert_eq!(prio_of("emc", "", &f(c0(1, 1, 1))), 3);
    assert_eq!(prio_of("emc", "", &f(c0(1, 0, 1))), 1);
    assert_eq!(prio_of("emc", "", &f(c0(0, 0, 0))), PRIO_UNDEF);
    assert_eq!(
        prio_of("emc", "", &f(vec![0, 0xc0, 0, 3, 2, 0, 0])),
        PRIO_UNDEF
    );
    assert_eq!(prio_of("emc", "", &f(vec![0, 0xc1, 0, 0])), PRIO_UNDEF);
}

fn hitachi(ctrl: u8, ldev: &str) -> Vec<u8> {
    let mut d = standard_inquiry("HITACHI", "DF600F", 0);
    d[40] = ctrl;
    d[44..48].copy_from_slice(ldev.as_bytes());
    d
}

#[test]
fn hds_prio() {
    let f = |d| FakeScsi::new().inquiry("sda", d);
    assert_eq!(prio_of("hds", "", &f(hitachi(b'0', "001A"))), 1);
    assert_eq!(prio_of("hds", "", &f(hitachi(b'1', "001A"))), 0);
    assert_eq!(prio_of("hds", "", &f(hitachi(b'1', "0013"))), 1);
    assert_eq!(prio_of("hds", "", &f(hitachi(b'0', "0013"))), 0);
    assert_eq!(prio_of("hds", "", &f(hitachi(b'2', "0013"))), PRIO_UNDEF);
    assert_eq!(prio_of("hds", "", &f(hitachi(b'0', "001G"))), PRIO_UNDEF);
    assert_eq!(
        prio_of("hds", "", &f(standard_inquiry("HITACHI", "OPEN-V", 0))),
        PRIO_UNDEF
    );
    assert_eq!(prio_of("hds", "", &f(vec![0u8; 20])), PRIO_UNDEF);
}

#[test]
fn hp_sw_prio() {
    assert_eq!(prio_of("hp_sw", "", &FakeScsi::new().tur_ok("sda")), 4);
    let standby = FakeScsi::new().tur_fail("sda", FakeFailure::sense(2, 4, 2));
    assert_eq!(prio_of("hp_sw", "", &standby), 2);
    let failed = FakeScsi::new().tur_fail("sda", FakeFailure::sense(4, 0x44, 0));
    assert_eq!(prio_of("hp_sw", "", &failed), 0);
    let timeout = FakeScsi::new().tur_fail("sda", FakeFailure::Timeout);
    assert_eq!(prio_of("hp_sw", "", &timeout), PRIO_UNDEF);
}

#[test]
fn rdac_prio_bits() {
    let f = |p| FakeScsi::new().vpd("sda", 0xc9, p);
    assert_eq!(prio_of("rdac", "", &f(c9(0x01, 0x01))), 6);
    assert_eq!(prio_of("rdac", "", &f(c9(0x00, 0x02))), 1);
    assert_eq!(prio_of("rdac", "", &f(c9(0x21, 0x01))), 14);
    assert_eq!(prio_of("rdac", "", &f(c9(0x00, 0x00))), 0);
    let mut bad = c9(1, 1);
    bad[5] = b'x';
    assert_eq!(prio_of("rdac", "", &f(bad)), PRIO_UNDEF);
    assert_eq!(prio_of("rdac", "", &FakeScsi::new()), PRIO_UNDEF);
}

fn gva(name: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; 12];
    r[3] = 40;
    r[4..8].copy_from_slice(&[0x0a, 0x98, 0x0a, 0x01]);
    r[8] = 0x41;
    r.extend_from_slice(name);
    r.resize(44, 0);
    r
}

fn c1(proxy: bool) -> Vec<u8> {
    let mut p = vec![0u8; 24];
    p[1] = 0xc1;
    p[3] = 20;
    p[8..14].copy_from_slice(&[0x0a, 0x98, 0x0a, 0x00, 0xc1, 0x00]);
    p[19] = if proxy { 0x02 } else { 0 };
    p
}

#[test]
fn ontap_prio() {
    let f = |name: &[u8], proxy| {
        FakeScsi::new()
            .reply("sda", 0xc0, None, gva(name))
            .vpd("sda", 0xc1, c1(proxy))
    };
    assert_eq!(prio_of("ontap", "", &f(b"ism_sw", false)), 2);
    assert_eq!(prio_of("ontap", "", &f(b"iswt", false)), 2);
    assert_eq!(prio_of("ontap", "", &f(b"ism_sn", false)), 3);
    assert_eq!(prio_of("ontap", "", &f(b"fcp", false)), 4);
    assert_eq!(prio_of("ontap", "", &f(b"fcp", true)), 1);
    let fake = f(b"fcp", true);
    prio_of("ontap", "", &fake);
    assert_eq!(
        fake.calls()[0].1,
        vec![0xc0, 0, 1, 0x0a, 0x98, 0x0a, 0x41, 128, 0, 0]
    );
    // No GVA answer at all: 0.
    assert_eq!(
        prio_of("ontap", "", &FakeScsi::new().vpd("sda", 0xc1, c1(false))),
        0
    );
    // A GVA reply in another format: go by the proxy page.
    let odd = FakeScsi::new()
        .reply("sda", 0xc0, None, vec![0u8; 6])
        .vpd("sda", 0xc1, c1(true));
    assert_eq!(prio_of("ontap", "", &odd), 0);
}

#[test]
fn datacore_prio() {
    let mut inq = standard_inquiry("DataCore", "Virtual Disk", 0);
    inq.resize(140, 0);
    inq[112..119].copy_from_slice(b"SDS-one");
    inq[128..131].copy_from_slice(b"two");
    let fake = FakeScsi::new().inquiry("sda", inq);
    assert_eq!(prio_of("datacore", "preferredsds=SDS-one", &fake), 1);
    assert_eq!(
        prio_of("datacore", "preferredsds=one timeout=500", &fake),
        1
    );
    assert_eq!(
        prio_of("datacore", "timeout=0x1f4 preferredsds=one", &fake),
        1
    );
    assert_eq!(
        prio_of("datacore", "preferredsds=one timeout=soon", &fake),
        1
    );
    assert_eq!(prio_of("datacore", "preferredsds=SDS-two", &fake), 0);
    // Only 16 bytes of the name count.
    assert_eq!(prio_of("datacore", "preferredsds=two", &fake), 0);
    // A short INQUIRY reply or a failing one: 0, without a word.
    let short = FakeScsi::new().inquiry("sda", standard_inquiry("DataCore", "x", 0));
    assert_eq!(said_of("datacore", "preferredsds=SDS", &short), (0, vec![]));
    let dead = FakeScsi::new().fail_device("sda", FakeFailure::sense(5, 0x24, 0));
    assert_eq!(said_of("datacore", "preferredsds=SDS", &dead), (0, vec![]));
}

/// Arguments datacore cannot use: priority 0 and the reference's words at
/// level 0 (seen in the VM on scsi_debug, also at -v0), without a command.
#[test]
fn datacore_says_what_is_wrong_with_its_arguments() {
    let fake = refusing();
    let format = said(0, &["sda: datacore prio: unexpected prio_args format"]);
    for args in [
        "",
        "preferredsds=",
        "timeout=10",
        "timeout=abc preferredsds=xy",
        "name=xy",
    ] {
        assert_eq!(
            said_of("datacore", args, &fake),
            (0, format.clone()),
            "{args:?}"
        );
    }
    let short = said(
        0,
        &["sda: datacore prio: prio args: preferredsds too short (1 character min)"],
    );
    for args in ["preferredsds=x", "timeout=500 preferredsds=x"] {
        assert_eq!(
            said_of("datacore", args, &fake),
            (0, short.clone()),
            "{args:?}"
        );
    }
    assert!(fake.calls().is_empty());
}
#[test]
fn weightedpath_prio() {
    let t = Tree::new();
    let fake = FakeScsi::new();
    let mut p = path("sdc");
    p.hcil = "4:0:1:2".into();
    p.serial = "0395J1FR904324".into();
    let w = |args: &str, p: &PathDev| prio("weightedpath", args, &t, &fake, p);
    assert_eq!(w("hbtl 1:.:.:. 2 4:.:.:. 4", &p), 4);
    assert_eq!(w("devname sda$ 10 sdc$ 20", &p), 20);
    assert_eq!(w("devname sd 10 sdc$ 20", &p), 10);
    assert_eq!(w("serial .*J1FR.*324 7", &p), 7);
    assert_eq!(w("devname sdx 1", &p), 0);
    assert_eq!(w("devname sdc", &p), 0);
    assert_eq!(w("devname ( 1", &p), PRIO_UNDEF);
    assert_eq!(w("devname sdc x", &p), PRIO_UNDEF);
    assert_eq!(w("colour red 1", &p), 0);
    assert_eq!(w("", &p), 0);
    // An FC path: its target WWNN is the node name discovery recorded.
    p.protocol = "scsi:fcp".into();
    p.tgt_node_name = "0x50060e8000000001".into();
    t.file("/sys/class/fc_host/host4/node_name", "0x200100e08ba0aea0\n");
    t.file("/sys/class/fc_host/host4/port_name", "0x210100e08ba0aea0\n");
    t.file(
        "/sys/class/fc_transport/target4:0:1/port_name",
        "0x50060e8000000002\n",
    );
    assert_eq!(
        w("wwn 0x200100e08ba0aea0:0x210100e08ba0aea0:.*:.* 3", &p),
        3
    );
    assert_eq!(
        w("wwn .*:.*:0x50060e8000000001:0x50060e8000000002$ 9", &p),
        9
    );
    // FC, but sysfs has no names for host 5.
    p.hcil = "5:0:0:0".into();
    assert_eq!(
        w(r"wwn ^\[unknown\]:\[unknown\]:0x5006.*:\[unknown\]$ 5", &p),
        5
    );
    // Not FC: nothing but the target node name (an iSCSI target here).
    p.protocol = "scsi:iscsi".into();
    p.tgt_node_name = "iqn.2003-01.org.example:t".into();
    assert_eq!(w(r"wwn ^\[undef\]:\[undef\]:iqn\..*:\[undef\]$ 6", &p), 6);
}

#[test]
fn iet_prio() {
    let t = Tree::new();
    let fake = FakeScsi::new();
    let with_id_path = |dev: &str, id_path: &str| {
        let mut p = path(dev);
        p.udev = vec![("ID_PATH".into(), id_path.into())];
        p
    };
    let sdd = with_id_path(
        "sdd",
        "ip-192.168.1.10:3260-iscsi-iqn.2001-04.com.example:disk-lun-1",
    );
    let sda = with_id_path("sda", "pci-0000:00:1f.2-ata-1");
    let w = |args: &str, p: &PathDev| get_prio("iet", args, p, &penv(&t, &fake));
    assert_eq!(w("preferredip=192.168.1.10", &sdd).value, 20);
    assert_eq!(w("preferredip=192.168.1.11", &sdd).value, 0);
    let p = w("preferredip=192.168.1.10", &sda);
    assert_eq!((p.value, p.said), (0, vec![]));
    // No ID_PATH (scsi_debug; a /dev/disk/by-path link alone does not do,
    // seen in the VM): 0, said at level 2 every time.
    t.symlink(
        "/dev/disk/by-path/ip-192.168.1.10:3260-iscsi-iqn.2001-04.com.example:disk-lun-1",
        "../../sde",
    );
    for _ in 0..2 {
        let p = w("preferredip=192.168.1.10", &path("sde"));
        assert_eq!(
            (p.value, p.said),
            (0, said(2, &["sde failed to get BY_PATH property"]))
        );
    }
}

/// Arguments iet cannot use: said once per process (level 2), for the
/// first path asked; every path gets 0 (seen in the VM). The only test
/// that gives iet such arguments.
#[test]
fn iet_says_once_that_its_arguments_are_unusable() {
    let fake = FakeScsi::new();
    let first = get_prio("iet", "foo=bar", &path("sda"), &penv(&Tree::new(), &fake));
    assert_eq!(
        (first.value, first.said),
        (0, said(2, &["sda unexpected prio_args format"]))
    );
    // A caller reusing this answer for a second probe must not repeat it.
    assert!(!first.repeats);
    for args in ["", "preferredip=bogus", "preferredip=::1", "foo=bar"] {
        assert_eq!(said_of("iet", args, &fake), (0, vec![]), "{args:?}");
    }
}

/// The vendor prioritizers on a disk that refuses their command (scsi_debug
/// in the VM): the reference's priority and words, at level 0.
#[test]
fn vendor_prioritizers_say_a_refused_command() {
    let fake = refusing();
    assert_eq!(
        said_of("emc", "", &fake),
        (
            PRIO_UNDEF,
            said(0, &["sda: emc prio: query command indicates error"])
        )
    );
    assert_eq!(
        said_of("rdac", "", &fake),
        (
            0,
            said(0, &["sda: rdac prio: inquiry command indicates error"])
        )
    );
    assert_eq!(
        said_of("ontap", "", &fake),
        (
            0,
            said(
                0,
                &[
                    "sda: ontap prio: SCSI error",
                    "- SCSI CDB: 0xc0 0x00 0x01 0x0a 0x98 0x0a 0x41 0x80 0x00 0x00 ",
                    "- masked_status=0x01, host_status=0x00, driver_status=0x08",
                    "- SCSI sense data: 0x70 0x00 0x05 0x00 0x00 0x00 0x00 0x0a 0x00 0x00 0x00 0x00 0x20 0x00 0x00 0x00 0x00 0x00 ",
                ]
            )
        )
    );
    // Silent ones: hds (not a Hitachi DF), hp_sw (TUR works).
    assert_eq!(said_of("hds", "", &fake), (PRIO_UNDEF, vec![]));
    assert_eq!(said_of("hp_sw", "", &fake.tur_ok("sda")), (4, vec![]));
    // A device that cannot be reached, or times out, is not said.
    for f in [FakeFailure::Timeout, FakeFailure::NoDevice] {
        let dead = FakeScsi::new().fail_device("sda", f);
        assert_eq!(said_of("emc", "", &dead), (PRIO_UNDEF, vec![]), "{f:?}");
        assert_eq!(said_of("rdac", "", &dead), (PRIO_UNDEF, vec![]), "{f:?}");
        assert_eq!(said_of("ontap", "", &dead).1, vec![], "{f:?}");
    }
}

#[test]
fn weightedpath_and_ana_say_what_the_reference_says() {
    let fake = FakeScsi::new();
    assert_eq!(said_of("weightedpath", "", &fake), (0, vec![]));
    assert_eq!(
        said_of("weightedpath", "foo sd.* 3", &fake),
        (0, said(0, &["sda: weightedpath - Invalid arguments"]))
    );
    assert_eq!(
        said_of("ana", "", &fake),
        (
            PRIO_UNDEF,
            said(2, &["sda: ANA error: couldn't get ctrl info"])
        )
    );
}

#[test]
fn path_latency_ranks() {
    assert_eq!(latency::rank(0.5, 10.0), 10);
    assert_eq!(latency::rank(1.0, 10.0), 10);
    assert_eq!(latency::rank(10.0, 10.0), 9);
    assert_eq!(latency::rank(11.0, 10.0), 8);
    assert_eq!(latency::rank(100.0, 10.0), 8);
    assert_eq!(latency::rank(1e8, 10.0), 2);
    assert_eq!(latency::rank(2e8, 10.0), 1);
    // Finer scales have more ranks, and slower is never better.
    let mut last = i32::MAX;
    for us in [0.5, 2.0, 50.0, 1e3, 1e5, 1e7, 1e9] {
        let r = latency::rank(us, 1.778);
        assert!(r <= last && r >= 1, "{us}: {r}");
        last = r;
    }
    let t = Tree::new();
    let fake = FakeScsi::new();
    // Its own device: the reads run under a per-path key, and another test
    // probing every prioritizer on sda at the same time would make this one
    // "busy".
    t.file("/dev/sdlat", vec![0u8; 4096]);
    // The reads are real and timed: a loaded machine must not turn a slow
    // measurement into a failed one (the other tests use 1 s).
    let slow_ok = PrioEnv {
        timeout_ms: 60_000,
        ..penv(&t, &fake)
    };
    let p = get_prio(
        "path_latency",
        "io_num=20 base_num=10",
        &path("sdlat"),
        &slow_ok,
    )
    .value;
    assert!((1..=10).contains(&p), "{p}");
    // Out-of-range arguments take the defaults.
    let p = get_prio(
        "path_latency",
        "io_num=5000 base_num=0.5",
        &path("sdlat"),
        &slow_ok,
    )
    .value;
    assert!(p >= 1, "{p}");
    assert_eq!(
        prio("path_latency", "", &t, &fake, &path("sdz")),
        PRIO_UNDEF
    );
}

#[test]
fn every_known_prio_survives_a_dead_device() {
    let t = Tree::new();
    for f in DEAD_DEVICE {
        let fake = FakeScsi::new().fail_device("sdq", f);
        let refused = matches!(f, FakeFailure::Sense(_));
        for name in KNOWN {
            let args = match *name {
                "datacore" => "preferredsds=xy",
                "iet" => "preferredip=10.0.0.1",
                _ => "",
            };
            let r = prio(name, args, &t, &fake, &path("sdq"));
            match *name {
                "const" => assert_eq!(r, 1),
                "random" => assert!((1..=10).contains(&r)),
                // No answer from the array means "not the preferred one".
                "ontap" => assert!(r >= 0),
                "hp_sw" if f != FakeFailure::Timeout => assert_eq!(r, 0),
                // Arguments or udev decide, or a failed INQUIRY means 0.
                "datacore" | "iet" | "weightedpath" => assert_eq!(r, 0, "{name} {f:?}"),
                "rdac" if refused => assert_eq!(r, 0),
                _ => assert_eq!(r, PRIO_UNDEF, "{name} {f:?}"),
            }
        }
    }
}

#[test]
fn detect_prio() {
    let t = Tree::new();
    let det = |fake: &FakeScsi, p: &PathDev| autodetect(p, &penv(&t, fake));
    let sda = path("sda");
    assert_eq!(det(&FakeScsi::new().inquiry_tpgs("sda", 0), &sda), None);
    assert_eq!(det(&FakeScsi::new(), &sda), None);
    // ALUA without a readable access_state: alua.
    assert_eq!(
        det(&FakeScsi::new().inquiry_tpgs("sda", 1), &sda),
        Some("alua")
    );
    t.attr("sda", "device/access_state", "active/optimized\n");
    assert_eq!(
        det(&FakeScsi::new().inquiry_tpgs("sda", 1), &sda),
        Some("sysfs")
    );
    // RDAC arrays use alua unless they are explicit-only.
    let rdac = |tpgs| {
        FakeScsi::new()
            .inquiry_tpgs("sda", tpgs)
            .vpd("sda", 0xc9, c9(1, 0))
    };
    assert_eq!(det(&rdac(1), &sda), Some("alua"));
    assert_eq!(det(&rdac(3), &sda), Some("alua"));
    let explicit = rdac(2);
    assert_eq!(det(&explicit, &sda), Some("sysfs"));
    assert_eq!(explicit.count("sda", opcode::INQUIRY), 1);
    // NVMe: ana when the kernel reports an ANA state.
    let mut nvme = path("nvme0n1");
    nvme.protocol = "nvme:fc".into();
    assert_eq!(det(&FakeScsi::new(), &nvme), None);
    t.attr("nvme0n1", "ana_state", "optimized\n");
    assert_eq!(det(&FakeScsi::new(), &nvme), Some("ana"));
}

#[test]
fn tpg_ids() {
    let t = Tree::new();
    let env = |fake: &FakeScsi, p: &PathDev| tpg_id(p, &penv(&t, fake));
    let fake = FakeScsi::new().vpd("sda", 0x83, vpd83_with_tpg(0x101, 3));
    assert_eq!(env(&fake, &path("sda")), Some(0x101));
    assert_eq!(env(&FakeScsi::new(), &path("sda")), None);
    t.attr("sdb", "device/vpd_pg83", vpd83_with_tpg(7, 1));
    let none = FakeScsi::new();
    assert_eq!(env(&none, &path("sdb")), Some(7));
    assert!(none.calls().is_empty());
    assert_eq!(env(&none, &path("nvme0n1")), None);
}

/// Replies of every length and content, with and without the expected
/// page code: no prioritizer or checker may panic, and the results stay in
/// their ranges.
#[test]
fn garbage_replies_never_panic() {
    // Its own device name: the I/O-thread checkers and path_latency run
    // under per-path keys, and other tests use sda at the same time.
    let t = Tree::new();
    let mut seed = 0x9e37_79b9_u32;
    let mut noise = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect()
    };
    for len in (0..300).step_by(7) {
        let mut fake = FakeScsi::new()
            .inquiry("sdgarb", noise(len))
            .rtpg("sdgarb", noise(len))
            .reply("sdgarb", 0xc0, None, noise(len))
            .reply("sdgarb", opcode::READ_10, None, noise(len))
            .tur_ok("sdgarb");
        for page in [0x80u8, 0x83, 0xc0, 0xc1, 0xc9] {
            let mut d = noise(len);
            if len > 1 && len % 2 == 0 {
                d[1] = page;
            }
            fake = fake.vpd("sdgarb", page, d);
        }
        for name in KNOWN {
            let args = match *name {
                "datacore" => "preferredsds=x",
                "weightedpath" => "devname sdgarb 3",
                "iet" => "preferredip=10.0.0.1",
                _ => "",
            };
            let r = prio(name, args, &t, &fake, &path("sdgarb"));
            assert!((PRIO_UNDEF..=130).contains(&r), "{name}: {r}");
        }
        for name in crate::checker::KNOWN {
            let env = crate::checker::CheckEnv {
                root: &t.root,
                scsi: &fake,
                timeout_ms: 1000,
            };
            let _ = crate::checker::check(name, &path("sdgarb"), &env);
        }
        let _ = autodetect(&path("sdgarb"), &penv(&t, &fake));
        let _ = tpg_id(&path("sdgarb"), &penv(&t, &fake));
    }
}
