//! The nvme library on sysfs trees laid out as the kernel lays out NVMe
//! over fabrics with native multipath (and a PCI controller without it).

use super::*;
use crate::checker::tests::Tree as Fixture;
use crate::foreign::{self, nvme, Enabled};

const SUBSYS: &str = "/sys/devices/virtual/nvme-subsystem";
const CTL: &str = "/sys/devices/virtual/nvme-fabrics/ctl";

/// A fixture root with the kernel's NVMe sysfs objects.
struct Tree(Fixture);

impl Tree {
    fn new() -> Tree {
        Tree(Fixture::new())
    }

    fn root(&self) -> &SysRoot {
        &self.0.root
    }

    /// An attribute: the text and a newline.
    fn file(&self, abs: &str, text: &str) {
        self.0.file(abs, format!("{text}\n"));
    }

    fn link(&self, abs: &str, target: &str) {
        self.0.symlink(abs, target);
    }

    /// Subsystem `nvme-subsys<s>` as nvmet exports it.
    fn subsystem(&self, s: u32, nqn: &str) {
        let d = format!("{SUBSYS}/nvme-subsys{s}");
        self.file(&format!("{d}/subsysnqn"), nqn);
        // The kernel pads model and serial with blanks.
        self.file(
            &format!("{d}/model"),
            "Linux                                   ",
        );
        self.file(&format!("{d}/firmware_rev"), "6.1.0-56");
        self.file(&format!("{d}/serial"), "0123456789abcdef    ");
        self.link(
            &format!("/sys/class/nvme-subsystem/nvme-subsys{s}"),
            &format!("../../devices/virtual/nvme-subsystem/nvme-subsys{s}"),
        );
    }

    /// Controller `nvme<c>` of subsystem `s`, in `state`.
    fn controller(&self, s: u32, c: u32, state: &str) {
        self.file(&format!("{CTL}/nvme{c}/state"), state);
        self.file(&format!("{CTL}/nvme{c}/cntlid"), &(c + 1).to_string());
        self.link(
            &format!("{SUBSYS}/nvme-subsys{s}/nvme{c}"),
            &format!("../../nvme-fabrics/ctl/nvme{c}"),
        );
    }

    /// Namespace head `nvme<s>n<n>`.
    fn head(&self, s: u32, n: u32, nsid: u32, uuid: &str, sectors: u64) {
        let name = format!("nvme{s}n{n}");
        let d = format!("{SUBSYS}/nvme-subsys{s}/{name}");
        self.file(&format!("{d}/wwid"), &format!("uuid.{uuid}"));
        self.file(&format!("{d}/uuid"), uuid);
        self.file(&format!("{d}/nsid"), &nsid.to_string());
        self.file(&format!("{d}/size"), &sectors.to_string());
        self.file(&format!("{d}/ro"), "0");
        self.file(&format!("{d}/hidden"), "0");
        self.file(&format!("{d}/dev"), &format!("259:{}", 2 * n - 1));
        self.link(&format!("{d}/device"), &format!("../../nvme-subsys{s}"));
        self.link(
            &format!("/sys/block/{name}"),
            &format!("../devices/virtual/nvme-subsystem/nvme-subsys{s}/{name}"),
        );
    }

    /// The hidden path of head `nvme<s>n<n>` through controller `c`.
    fn path(&self, s: u32, c: u32, n: u32, ana: Option<&str>) {
        let name = format!("nvme{s}c{c}n{n}");
        let d = format!("{CTL}/nvme{c}/{name}");
        self.file(&format!("{d}/hidden"), "1");
        if let Some(a) = ana {
            self.file(&format!("{d}/ana_state"), a);
            self.file(&format!("{d}/ana_grpid"), "1");
        }
        self.link(
            &format!("/sys/block/{name}"),
            &format!("../devices/virtual/nvme-fabrics/ctl/nvme{c}/{name}"),
        );
    }

    /// nvmet in the VM (tests/vm 60-nvme-loop, with two of its ports): one
    /// subsystem reached through two controllers, namespace 1 (64 MiB), the
    /// second controller's port non-optimized.
    fn vm_topology() -> Tree {
        let t = Tree::new();
        t.subsystem(0, "nqn.2014-08.org.mpath-vm:nvme-target");
        t.controller(0, 0, "live");
        t.controller(0, 1, "live");
        t.head(0, 1, 1, "6ba7b810-9dad-11d1-80b4-00c04fd430c8", 131072);
        t.path(0, 0, 1, Some("optimized"));
        t.path(0, 1, 1, Some("non-optimized"));
        t
    }
}

#[test]
fn the_vm_topology_renders_as_the_reference_prints_it() {
    let t = Tree::vm_topology();
    let maps = foreign::maps(t.root(), &Enabled::All);
    assert_eq!(maps.len(), 1);
    assert_eq!(maps[0].name, "nqn.2014-08.org.mpath-vm:nvme-target:nsid.1");
    assert_eq!(maps[0].dev, "nvme0n1");
    // Captured from multipath-tools 0.15.1, `multipath -ll -e`.
    assert_eq!(
        maps[0].render(),
        "uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c8 [nvme]:nvme0n1 NVMe,Linux,6.1.0-56
size=131072 features='n/a' hwhandler='ANA' wp=rw
|-+- policy='n/a' prio=50 status=optimized
| `- 0:0:1 nvme0c0n1 0:0 n/a optimized     live
`-+- policy='n/a' prio=10 status=non-optimized
  `- 0:1:1 nvme0c1n1 0:0 n/a non-optimized live
"
    );
}

#[test]
fn disabled_libraries_read_nothing() {
    let t = Tree::vm_topology();
    assert!(foreign::maps(t.root(), &Enabled::from_pattern("NONE")).is_empty());
    assert!(foreign::maps(t.root(), &Enabled::from_pattern("scsi")).is_empty());
    assert_eq!(
        foreign::maps(t.root(), &Enabled::from_pattern("nvme")).len(),
        1
    );
}

#[test]
fn a_reconnecting_controller_pads_the_last_column() {
    // Captured from multipath-tools 0.15.1: tests/vm 60-nvme-loop with the
    // port of controller nvme1 removed from the target (`connecting`).
    let t = Tree::new();
    t.subsystem(0, "nqn.x");
    t.controller(0, 0, "live");
    t.controller(0, 1, "connecting");
    t.controller(0, 2, "live");
    t.head(0, 1, 1, "u1", 131072);
    t.path(0, 0, 1, Some("non-optimized"));
    t.path(0, 1, 1, Some("optimized"));
    t.path(0, 2, 1, Some("optimized"));
    let m = &nvme::maps(t.root())[0];
    assert_eq!(
        m.topology().render_foreign("nvme"),
        "uuid.u1 [nvme]:nvme0n1 NVMe,Linux,6.1.0-56
size=131072 features='n/a' hwhandler='ANA' wp=rw
|-+- policy='n/a' prio=10 status=non-optimized
| `- 0:0:1 nvme0c0n1 0:0 n/a non-optimized live      
|-+- policy='n/a' prio=50 status=optimized
| `- 0:1:1 nvme0c1n1 0:0 n/a optimized     connecting
`-+- policy='n/a' prio=50 status=optimized
  `- 0:2:1 nvme0c2n1 0:0 n/a optimized     live      
"
    );
}

#[test]
fn heads_in_udev_order_paths_in_controller_order_and_no_strangers() {
    let t = Tree::new();
    t.subsystem(0, "nqn.a");
    t.subsystem(1, "nqn.b");
    t.controller(0, 1, "live");
    t.controller(0, 0, "live");
    t.controller(1, 2, "live");
    // Namespace 5 is the second head of subsystem 0.
    t.head(0, 2, 5, "u2", 65536);
    t.head(0, 1, 1, "u1", 131072);
    t.head(1, 1, 1, "u3", 2048);
    t.path(0, 1, 2, Some("optimized"));
    t.path(0, 0, 2, Some("optimized"));
    t.path(0, 0, 1, Some("optimized"));
    t.path(1, 2, 1, Some("non-optimized"));
    // A PCI NVMe namespace without native multipath: a plain disk.
    t.file(
        "/sys/devices/pci0000:00/0000:00:04.0/nvme/nvme3/nvme3n1/size",
        "100",
    );
    t.link(
        "/sys/block/nvme3n1",
        "../devices/pci0000:00/0000:00:04.0/nvme/nvme3/nvme3n1",
    );
    // A SCSI disk.
    t.file(
        "/sys/devices/platform/host0/target0:0:0/0:0:0:0/block/sda/size",
        "8",
    );
    t.link(
        "/sys/block/sda",
        "../devices/platform/host0/target0:0:0/0:0:0:0/block/sda",
    );
    let maps = nvme::maps(t.root());
    let names: Vec<_> = maps
        .iter()
        .map(|m| (m.dev.as_str(), m.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("nvme0n1", "nqn.a:nsid.1"),
            ("nvme0n2", "nqn.a:nsid.5"),
            ("nvme1n1", "nqn.b:nsid.1")
        ]
    );
    let devs: Vec<_> = maps[1]
        .paths
        .iter()
        .map(|p| (p.dev.as_str(), p.hcil.as_str()))
        .collect();
    assert_eq!(devs, [("nvme0c0n2", "0:0:2"), ("nvme0c1n2", "0:1:2")]);
    // Controller nvme1 has no path to namespace 1.
    assert_eq!(maps[0].paths.len(), 1);
    assert_eq!(maps[2].paths[0].hcil, "1:2:1");
    assert_eq!(maps[2].topology().groups[0].prio, 10);
}

#[test]
fn read_only_namespace_and_no_ana() {
    let t = Tree::new();
    t.subsystem(0, "nqn.x");
    t.controller(0, 0, "live");
    t.head(0, 1, 1, "u1", 8);
    t.file(&format!("{SUBSYS}/nvme-subsys0/nvme0n1/ro"), "1");
    t.path(0, 0, 1, None);
    let topo = nvme::maps(t.root())[0].topology();
    assert_eq!(topo.wp, "ro");
    assert_eq!(topo.hwhandler, "n/a");
    assert_eq!(topo.groups[0].paths[0].chk_state, "n/a");
}

#[test]
fn ana_priorities() {
    assert_eq!(ana_prio(Some("optimized")), 50);
    assert_eq!(ana_prio(Some("non-optimized")), 10);
    for s in ["inaccessible", "persistent-loss", "change"] {
        assert_eq!(ana_prio(Some(s)), 0);
    }
    assert_eq!(ana_prio(None), 0);
}
