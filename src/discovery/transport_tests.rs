//! Transport wildcards on sysfs trees laid out as the kernel lays out FC,
//! iSCSI, SAS and `scsi_debug` hosts.

use super::*;
use crate::discovery::read_path;
use std::os::unix::fs::symlink;

struct Tree {
    _dir: tempfile::TempDir,
    root: SysRoot,
}

impl Tree {
    fn new() -> Tree {
        let dir = tempfile::tempdir().unwrap();
        let root = SysRoot::new(dir.path());
        fs::create_dir_all(root.join("/sys/bus/pci")).unwrap();
        fs::create_dir_all(root.join("/sys/block")).unwrap();
        Tree { _dir: dir, root }
    }

    fn file(&self, abs: &str, text: &str) {
        let p = self.root.join(abs);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn link(&self, abs: &str, target: &str) {
        let p = self.root.join(abs);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, p).unwrap();
    }

    /// `/sys/devices/<dir>` is a PCI function.
    fn pci(&self, dir: &str) {
        let depth = dir.matches('/').count() + 2;
        let up = "../".repeat(depth);
        self.link(
            &format!("/sys/devices/{dir}/subsystem"),
            &format!("{up}bus/pci"),
        );
    }

    /// SCSI host `h` at `/sys/devices/<parent>/host<h>`, with its
    /// `scsi_host` class device.
    fn host(&self, parent: &str, h: u32) {
        let dir = format!("/sys/devices/{parent}/host{h}");
        self.link(
            &format!("{dir}/scsi_host/host{h}/device"),
            &format!("../../../host{h}"),
        );
        self.link(
            &format!("/sys/class/scsi_host/host{h}"),
            &format!("../../devices/{parent}/host{h}/scsi_host/host{h}"),
        );
    }

    /// Disk `name` at `/sys/devices/<sdev>` (the SCSI device directory,
    /// ending in H:C:T:L).
    fn disk(&self, sdev: &str, name: &str) -> PathDev {
        let block = format!("/sys/devices/{sdev}/block/{name}");
        self.file(&format!("{block}/dev"), "8:32\n");
        self.file(&format!("{block}/size"), "131072\n");
        self.file(&format!("/sys/devices/{sdev}/vendor"), "VENDOR\n");
        self.link(&format!("{block}/device"), "../..");
        self.link(
            &format!("/sys/block/{name}"),
            &format!("../devices/{sdev}/block/{name}"),
        );
        read_path(&self.root, name, |_, _| String::new()).unwrap()
    }
}

fn all(t: &Tree, p: &PathDev) -> [String; 5] {
    [
        host_wwnn(&t.root, p),
        host_wwpn(&t.root, p),
        target_wwnn(p),
        target_wwpn(&t.root, p),
        host_adapter(&t.root, p),
    ]
}

#[test]
fn fc_names_and_the_hba_pci_name() {
    let t = Tree::new();
    let hba = "pci0000:00/0000:00:03.0/0000:03:00.0";
    t.pci("pci0000:00/0000:00:03.0");
    t.pci(hba);
    t.host(hba, 4);
    t.file("/sys/class/fc_host/host4/node_name", "0x200100e08ba0aea0\n");
    t.file("/sys/class/fc_host/host4/port_name", "0x210100e08ba0aea0\n");
    t.file(
        "/sys/class/fc_transport/target4:0:1/node_name",
        "0x50060e8000000001\n",
    );
    t.file(
        "/sys/class/fc_transport/target4:0:1/port_name",
        "0x50060e8000000002\n",
    );
    let p = t.disk(
        &format!("{hba}/host4/rport-4:0-1/target4:0:1/4:0:1:2"),
        "sdc",
    );
    assert_eq!(p.protocol, "scsi:fcp");
    assert_eq!(
        all(&t, &p),
        [
            "0x200100e08ba0aea0",
            "0x210100e08ba0aea0",
            "0x50060e8000000001",
            "0x50060e8000000002",
            "0000:03:00.0"
        ]
    );
    assert_eq!(
        wwn_names(&t.root, &p),
        "0x200100e08ba0aea0:0x210100e08ba0aea0:0x50060e8000000001:0x50060e8000000002"
    );

    // An FC path whose names sysfs does not have.
    fs::remove_file(t.root.join("/sys/class/fc_host/host4/port_name")).unwrap();
    fs::remove_dir_all(t.root.join("/sys/class/fc_transport")).unwrap();
    let p = read_path(&t.root, "sdc", |_, _| String::new()).unwrap();
    assert_eq!(
        all(&t, &p),
        [
            "0x200100e08ba0aea0",
            "[unknown]",
            "[undef]",
            "[unknown]",
            "0000:03:00.0"
        ]
    );
}

#[test]
fn iscsi_target_name_and_initiator_address() {
    let t = Tree::new();
    t.host("platform", 5);
    t.file("/sys/class/iscsi_host/host5/ipaddress", "192.168.1.10\n");
    t.file(
        "/sys/class/iscsi_session/session3/targetname",
        "iqn.2003-01.org.linux-iscsi.mpath-vm:target\n",
    );
    let p = t.disk("platform/host5/session3/target5:0:0/5:0:0:1", "sdd");
    assert_eq!(p.protocol, "scsi:iscsi");
    assert_eq!(
        all(&t, &p),
        [
            "[undef]",
            "[undef]",
            "iqn.2003-01.org.linux-iscsi.mpath-vm:target",
            "[undef]",
            "192.168.1.10"
        ]
    );
    // No address: no adapter.
    fs::remove_file(t.root.join("/sys/class/iscsi_host/host5/ipaddress")).unwrap();
    assert_eq!(host_adapter(&t.root, &p), "[undef]");
}

#[test]
fn sas_adapter_is_the_hba() {
    let t = Tree::new();
    let hba = "pci0000:00/0000:00:1f.0/0000:02:00.0";
    t.pci("pci0000:00/0000:00:1f.0");
    t.pci(hba);
    t.host(hba, 6);
    fs::create_dir_all(t.root.join("/sys/class/sas_host/host6")).unwrap();
    let p = t.disk(
        &format!("{hba}/host6/port-6:0/end_device-6:0/target6:0:0/6:0:0:0"),
        "sde",
    );
    assert_eq!(p.protocol, "scsi:sas");
    assert_eq!(
        all(&t, &p),
        ["[undef]", "[undef]", "[undef]", "[undef]", "0000:02:00.0"]
    );
}

#[test]
fn scsi_debug_has_none_and_reads_nothing() {
    let t = Tree::new();
    t.host("pseudo_0/adapter0", 0);
    // Present but not consulted: the path is not FC.
    t.file("/sys/class/fc_host/host9/node_name", "0x1\n");
    let p = t.disk("pseudo_0/adapter0/host0/target0:0:0/0:0:0:0", "sda");
    assert_eq!(p.protocol, "scsi:unspec");
    assert_eq!(all(&t, &p), ["[undef]"; 5]);
    // An FC-like host whose HBA is no PCI device.
    let mut q = p.clone();
    q.protocol = "scsi:fcp".into();
    assert_eq!(host_adapter(&t.root, &q), "[undef]");
    assert_eq!(host_wwnn(&t.root, &q), "[unknown]");
}
