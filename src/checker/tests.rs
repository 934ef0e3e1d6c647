use super::*;
use crate::scsi::tests::{rtpg_data, vpd83_with_tpg};
use crate::scsi::{opcode, FakeFailure, FakeScsi};
use std::path::Path;

/// A fixture root in a temporary directory.
pub(crate) struct Tree {
    _dir: tempfile::TempDir,
    pub root: SysRoot,
}

impl Tree {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::new(dir.path());
        Tree { _dir: dir, root }
    }

    /// Write `<root><abs>`, creating parents.
    pub fn file(&self, abs: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.root.join(abs);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    /// Write `/sys/block/<dev>/<rel>`.
    pub fn attr(&self, dev: &str, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        self.file(&format!("/sys/block/{dev}/{rel}"), content)
    }

    pub fn symlink(&self, abs: &str, target: &str) -> &Self {
        let p = self.root.join(abs);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(Path::new(target), p).unwrap();
        self
    }
}

/// A SCSI path as discovery would report it.
pub(crate) fn path(dev: &str) -> PathDev {
    PathDev {
        dev: dev.into(),
        dev_t: "8:0".into(),
        hcil: "1:0:0:1".into(),
        state: "running".into(),
        protocol: "scsi:fcp".into(),
        ..PathDev::default()
    }
}

fn cenv<'a>(tree: &'a Tree, fake: &'a FakeScsi) -> CheckEnv<'a> {
    CheckEnv {
        root: &tree.root,
        scsi: fake,
        timeout_ms: 1000,
    }
}

fn run(name: &str, tree: &Tree, fake: &FakeScsi, dev: &str) -> (PathState, String) {
    check(name, &path(dev), &cenv(tree, fake))
}

fn tur_with(f: FakeFailure) -> (PathState, String) {
    run(
        "tur",
        &Tree::new(),
        &FakeScsi::new().tur_fail("sda", f),
        "sda",
    )
}

#[test]
fn state_names_are_upstreams_chk_st_words() {
    let names: Vec<_> = [
        PathState::Undef,
        PathState::Up,
        PathState::Down,
        PathState::Shaky,
        PathState::Ghost,
        PathState::Pending,
        PathState::Timeout,
        PathState::Delayed,
        PathState::Removed,
        PathState::Disconnected,
    ]
    .iter()
    .map(|s| s.name())
    .collect();
    assert_eq!(
        names,
        [
            "undef",
            "ready",
            "faulty",
            "shaky",
            "ghost",
            "i/o pending",
            "i/o timeout",
            "delayed",
            "undef",
            "disconnected"
        ]
    );
    assert!(PathState::Ghost.is_usable());
    assert!(!PathState::Pending.is_usable());
}

#[test]
fn tur_up_and_its_failures() {
    let fake = FakeScsi::new().tur_ok("sda");
    assert_eq!(
        run("tur", &Tree::new(), &fake, "sda"),
        (PathState::Up, "tur checker reports path is up".into())
    );
    let (s, m) = tur_with(FakeFailure::sense(2, 0x04, 0x0b));
    assert_eq!(s, PathState::Ghost);
    assert_eq!(m, "tur checker reports path is in standby state");
    assert_eq!(
        tur_with(FakeFailure::sense(2, 0x04, 0x0a)).0,
        PathState::Pending
    );
    let (s, m) = tur_with(FakeFailure::sense(5, 0x25, 0));
    assert_eq!(s, PathState::Disconnected);
    assert!(
        m.contains("sda: check condition sense key 0x5 asc 0x25"),
        "{m}"
    );
    // ALUA unavailable is not usable.
    assert_eq!(
        tur_with(FakeFailure::sense(2, 0x04, 0x0c)).0,
        PathState::Down
    );
    assert_eq!(tur_with(FakeFailure::Status(0x18)).0, PathState::Up);
    let (s, m) = tur_with(FakeFailure::Timeout);
    assert_eq!(s, PathState::Timeout);
    assert_eq!(m, "tur checker timed out: sda: timeout");
    let (s, m) = tur_with(FakeFailure::sense(3, 0x11, 0));
    assert_eq!(s, PathState::Down);
    assert_eq!(
        m,
        "tur checker reports path is down: sda: check condition sense key 0x3 asc 0x11 ascq 0x0"
    );
    let (s, m) = tur_with(FakeFailure::Host(1));
    assert_eq!(
        (s, m.as_str()),
        (
            PathState::Down,
            "tur checker reports path is down: sda: host status 0x1"
        )
    );
    let (s, m) = tur_with(FakeFailure::Errno(nix::libc::ENOTTY));
    assert_eq!(s, PathState::Undef, "{m}");
    let (s, m) = tur_with(FakeFailure::NoDevice);
    assert_eq!(s, PathState::Down);
    assert!(m.contains("sda: cannot open /dev/sda"), "{m}");
}

#[test]
fn tur_retries_unit_attention() {
    let fake = FakeScsi::new()
        .tur_fail("sda", FakeFailure::sense(6, 0x29, 0))
        .tur_fail("sda", FakeFailure::Host(0x0e))
        .tur_ok("sda");
    assert_eq!(run("tur", &Tree::new(), &fake, "sda").0, PathState::Up);
    assert_eq!(fake.count("sda", opcode::TEST_UNIT_READY), 3);
    // Endless UNIT ATTENTION: 1 try + 5 retries, then down.
    let fake = FakeScsi::new().tur_fail("sda", FakeFailure::sense(6, 0x29, 0));
    let (s, m) = run("tur", &Tree::new(), &fake, "sda");
    assert_eq!(s, PathState::Down);
    assert!(m.contains("sense key 0x6"), "{m}");
    assert_eq!(fake.count("sda", opcode::TEST_UNIT_READY), 6);
}

#[test]
fn sysfs_state_decides_before_any_io() {
    let fake = FakeScsi::new().tur_ok("sda").tur_ok("sdb");
    let tree = Tree::new();
    tree.attr("sda", "device/state", "offline\n");
    let (s, m) = run("tur", &tree, &fake, "sda");
    assert_eq!((s, m.as_str()), (PathState::Down, "path is offline"));
    tree.attr("sda", "device/state", "transport-offline\n");
    assert_eq!(run("tur", &tree, &fake, "sda").0, PathState::Down);
    tree.attr("sda", "device/state", "blocked\n");
    assert_eq!(run("tur", &tree, &fake, "sda").0, PathState::Pending);
    tree.attr("sda", "device/state", "deleted\n");
    assert_eq!(run("tur", &tree, &fake, "sda").0, PathState::Removed);
    assert!(fake.calls().is_empty());
    // /sys/block exists, the device does not.
    let (s, m) = run("tur", &tree, &fake, "sdb");
    assert_eq!((s, m.as_str()), (PathState::Removed, "device removed"));
    tree.attr("sda", "device/state", "running\n");
    assert_eq!(run("tur", &tree, &fake, "sda").0, PathState::Up);
    assert_eq!(fake.calls().len(), 1);
    // Checker "none" does no I/O at all.
    assert_eq!(
        run("none", &tree, &fake, "sda"),
        (PathState::Up, String::new())
    );
    let (s, m) = run("bogus", &tree, &fake, "sda");
    assert_eq!(
        (s, m.as_str()),
        (PathState::Undef, "unknown path checker bogus")
    );
}

#[test]
fn directio_reads_block_zero() {
    let tree = Tree::new();
    let fake = FakeScsi::new();
    tree.file("/dev/sda", vec![0u8; 8192]);
    tree.file("/dev/sdb", b"short");
    tree.attr("sda", "device/state", "running");
    tree.attr("sdb", "device/state", "running");
    tree.attr("sdc", "device/state", "running");
    assert_eq!(
        run("directio", &tree, &fake, "sda"),
        (PathState::Up, "directio checker reports path is up".into())
    );
    let (s, m) = run("directio", &tree, &fake, "sdb");
    assert_eq!(s, PathState::Down);
    assert_eq!(
        m,
        "directio checker reports path is down: sdb: short read (5 of 512 bytes)"
    );
    let (s, m) = run("directio", &tree, &fake, "sdc");
    assert_eq!(s, PathState::Down);
    assert!(m.contains("sdc: cannot open"), "{m}");
    // 4K logical blocks need 4096 bytes.
    tree.file("/dev/sdb", vec![0u8; 1024]);
    tree.attr("sdb", "queue/logical_block_size", "4096\n");
    let (s, m) = run("directio", &tree, &fake, "sdb");
    assert_eq!(s, PathState::Down, "{m}");
    assert!(m.contains("1024 of 4096"), "{m}");
    // A nonsensical block size falls back to 512.
    tree.attr("sdb", "queue/logical_block_size", "1000\n");
    assert_eq!(run("directio", &tree, &fake, "sdb").0, PathState::Up);
}

#[test]
fn bounded_runs_time_out_and_do_not_pile_up() {
    let key = "test:bounded";
    let slow = || {
        std::thread::sleep(Duration::from_millis(300));
        7
    };
    assert!(matches!(
        run_bounded(key, Duration::from_millis(20), slow),
        Bounded::TimedOut
    ));
    assert!(matches!(
        run_bounded(key, Duration::from_millis(20), || 1),
        Bounded::Busy
    ));
    std::thread::sleep(Duration::from_millis(600));
    assert!(matches!(
        run_bounded(key, Duration::from_secs(5), || 2),
        Bounded::Done(2)
    ));
}

#[test]
fn readsector0_sends_read_10() {
    let tree = Tree::new();
    tree.attr("sda", "queue/logical_block_size", "4096");
    let fake = FakeScsi::new().reply("sda", opcode::READ_10, None, vec![0u8; 4096]);
    assert_eq!(
        run("readsector0", &tree, &fake, "sda"),
        (
            PathState::Up,
            "readsector0 checker reports path is up".into()
        )
    );
    assert_eq!(fake.calls()[0].1, vec![0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    let fake = FakeScsi::new().fail("sdb", opcode::READ_10, None, FakeFailure::sense(3, 0x11, 0));
    tree.attr("sdb", "device/state", "running");
    let (s, m) = run("readsector0", &tree, &fake, "sdb");
    assert_eq!(s, PathState::Down);
    assert!(
        m.starts_with("readsector0 checker reports path is down: sdb: "),
        "{m}"
    );
    assert_eq!(fake.calls()[0].1[8], 8);
}

#[test]
fn hp_sw_checker() {
    let t = Tree::new();
    let vpd80 = vec![0, 0x80, 0, 4, b'S', b'N', b'0', b'1'];
    let up = FakeScsi::new()
        .vpd("sda", 0x80, vpd80.clone())
        .tur_ok("sda");
    assert_eq!(run("hp_sw", &t, &up, "sda").0, PathState::Up);
    let ghost = FakeScsi::new()
        .vpd("sda", 0x80, vpd80)
        .tur_fail("sda", FakeFailure::sense(2, 4, 2));
    assert_eq!(
        run("hp_sw", &t, &ghost, "sda"),
        (
            PathState::Ghost,
            "hp_sw checker reports path is ghost".into()
        )
    );
    let down = FakeScsi::new().fail_device("sda", FakeFailure::Host(1));
    let (s, m) = run("hp_sw", &t, &down, "sda");
    assert_eq!(
        (s, m.as_str()),
        (
            PathState::Down,
            "hp_sw checker reports path is down: sda: host status 0x1"
        )
    );
}

/// A VPD 0xC9 page: byte 8 (owner/ioship bits), byte 9 (preferred).
pub(crate) fn c9(byte8: u8, byte9: u8) -> Vec<u8> {
    let mut p = vec![0u8; 48];
    p[1] = 0xc9;
    p[3] = 0x2c;
    p[4..8].copy_from_slice(b"vac1");
    p[8] = byte8;
    p[9] = byte9;
    p
}

#[test]
fn rdac_checker() {
    let t = Tree::new();
    let owner = FakeScsi::new().vpd("sda", 0xc9, c9(0x01, 0));
    assert_eq!(
        run("rdac", &t, &owner, "sda"),
        (PathState::Up, "rdac checker reports path is up".into())
    );
    let ioship = FakeScsi::new().vpd("sda", 0xc9, c9(0x20, 0));
    assert_eq!(run("rdac", &t, &ioship, "sda").0, PathState::Up);
    let passive = FakeScsi::new().vpd("sda", 0xc9, c9(0, 0));
    assert_eq!(
        run("rdac", &t, &passive, "sda"),
        (
            PathState::Ghost,
            "rdac checker reports path is ghost".into()
        )
    );
    let mut bad = c9(1, 0);
    bad[4] = b'x';
    let (s, m) = run("rdac", &t, &FakeScsi::new().vpd("sda", 0xc9, bad), "sda");
    assert_eq!(s, PathState::Down);
    assert!(
        m.contains("sda: volume access control page in unknown format"),
        "{m}"
    );
    let short = FakeScsi::new().vpd("sda", 0xc9, vec![0, 0xc9, 0, 2, b'v', b'a']);
    assert_eq!(run("rdac", &t, &short, "sda").0, PathState::Down);
    let timeout = FakeScsi::new().fail_device("sda", FakeFailure::Timeout);
    assert_eq!(run("rdac", &t, &timeout, "sda").0, PathState::Timeout);
    // An ALUA group that cannot take I/O.
    let unavailable = FakeScsi::new()
        .vpd("sda", 0xc9, c9(1, 0))
        .vpd("sda", 0x83, vpd83_with_tpg(2, 1))
        .rtpg("sda", rtpg_data(&[(0, false, 1, &[]), (3, false, 2, &[1])]));
    let (s, m) = run("rdac", &t, &unavailable, "sda");
    assert_eq!(s, PathState::Down);
    assert!(
        m.ends_with("sda: target port group 2 is unavailable"),
        "{m}"
    );
}

/// A VPD 0xC0 page: LUN state, default SP, this path's SP, WWN fill byte.
pub(crate) fn c0(state: u8, default_sp: u8, sp: u8, wwn: u8) -> Vec<u8> {
    let mut p = vec![0u8; 60];
    p[1] = 0xc0;
    p[3] = 56;
    p[4] = state;
    p[5] = default_sp;
    p[8] = sp;
    p[10..26].fill(wwn);
    p
}

#[test]
fn emc_clariion_checker() {
    let t = Tree::new();
    let unbound = FakeScsi::new().vpd("sdk", 0xc0, c0(0, 0, 0, 1));
    let (s, m) = run("emc_clariion", &t, &unbound, "sdk");
    assert_eq!(s, PathState::Down);
    assert!(m.ends_with("sdk: logical unit is unbound or LUNZ"), "{m}");
    let passive = FakeScsi::new().vpd("sdl", 0xc0, c0(1, 0, 1, 1));
    assert_eq!(
        run("emc_clariion", &t, &passive, "sdl"),
        (
            PathState::Up,
            "emc_clariion checker reports path is up".into()
        )
    );
    assert_eq!(passive.count("sdl", opcode::READ_10), 0);
    let active = FakeScsi::new().vpd("sdm", 0xc0, c0(2, 0, 0, 1)).reply(
        "sdm",
        opcode::READ_10,
        None,
        vec![0u8; 512],
    );
    assert_eq!(run("emc_clariion", &t, &active, "sdm").0, PathState::Up);
    assert_eq!(active.count("sdm", opcode::READ_10), 1);
    let snapshot = FakeScsi::new().vpd("sdn", 0xc0, c0(2, 0, 0, 1)).fail(
        "sdn",
        opcode::READ_10,
        None,
        FakeFailure::sense(2, 4, 3),
    );
    let (s, m) = run("emc_clariion", &t, &snapshot, "sdn");
    assert_eq!(s, PathState::Down);
    assert!(
        m.contains("read on the active path failed: sdn: check condition"),
        "{m}"
    );
    // The LUN behind the path changed.
    let first = FakeScsi::new().vpd("sdo", 0xc0, c0(1, 0, 1, 1));
    assert_eq!(run("emc_clariion", &t, &first, "sdo").0, PathState::Up);
    let changed = FakeScsi::new().vpd("sdo", 0xc0, c0(1, 0, 1, 2));
    let (s, m) = run("emc_clariion", &t, &changed, "sdo");
    assert_eq!(s, PathState::Down);
    assert!(m.ends_with("sdo: logical unit WWN has changed"), "{m}");
    assert_eq!(run("emc_clariion", &t, &changed, "sdo").0, PathState::Up);
    let short = FakeScsi::new().vpd("sdp", 0xc0, vec![0, 0xc0, 0, 4, 2, 0, 0, 0]);
    let (s, m) = run("emc_clariion", &t, &short, "sdp");
    assert_eq!(s, PathState::Down);
    assert!(
        m.contains("sdp: unit path report page in unknown format"),
        "{m}"
    );
}

#[test]
fn cciss_tur_is_a_tur() {
    let fake = FakeScsi::new().tur_ok("sda");
    assert_eq!(
        run("cciss_tur", &Tree::new(), &fake, "sda"),
        (PathState::Up, "cciss_tur checker reports path is up".into())
    );
}

/// Ways a device can fail every command.
pub(crate) const DEAD_DEVICE: [FakeFailure; 4] = [
    FakeFailure::NoDevice,
    FakeFailure::Timeout,
    FakeFailure::Errno(nix::libc::EIO),
    FakeFailure::Sense(crate::scsi::Sense::new(4, 0x44, 0)),
];

#[test]
fn every_known_checker_survives_a_dead_device() {
    let t = Tree::new();
    for f in DEAD_DEVICE {
        let fake = FakeScsi::new().fail_device("sdq", f);
        for name in KNOWN {
            let (s, m) = run(name, &t, &fake, "sdq");
            if *name == "none" {
                assert_eq!(s, PathState::Up);
                continue;
            }
            assert!(!s.is_usable(), "{name} {f:?}: {s:?} {m}");
            assert!(m.contains("sdq"), "{name} {f:?}: {m}");
        }
    }
}

#[test]
fn checker_autodetect() {
    let t = Tree::new();
    let det = |fake: &FakeScsi| autodetect(&path("sda"), &cenv(&t, fake));
    assert_eq!(det(&FakeScsi::new().inquiry_tpgs("sda", 0)), None);
    assert_eq!(det(&FakeScsi::new().inquiry_tpgs("sda", 1)), Some("tur"));
    assert_eq!(det(&FakeScsi::new().inquiry_tpgs("sda", 3)), Some("tur"));
    let rdac = FakeScsi::new()
        .inquiry_tpgs("sda", 1)
        .vpd("sda", 0xc9, c9(1, 0));
    assert_eq!(det(&rdac), Some("rdac"));
    assert_eq!(det(&FakeScsi::new()), None);
    // The sysfs inquiry attribute answers without I/O.
    t.attr(
        "sda",
        "device/inquiry",
        crate::scsi::standard_inquiry("NETAPP", "LUN", 1),
    );
    let none = FakeScsi::new();
    assert_eq!(det(&none), Some("tur"));
    assert_eq!(none.count("sda", opcode::INQUIRY), 1); // the VPD 0xC9 probe only
    let mut nvme = path("nvme0n1");
    nvme.protocol = "nvme:tcp".into();
    assert_eq!(autodetect(&nvme, &cenv(&t, &none)), None);
}
