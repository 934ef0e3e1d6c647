//! Transport wildcards on sysfs trees laid out as the kernel lays out FC,
//! iSCSI, SAS, SRP and `scsi_debug` hosts.

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

    /// SAS end device `/sys/devices/<dir>` (its name the last component,
    /// `end_device-H:N` or `end_device-H:E:N`) with its `sas_device` class
    /// entry holding `addr`.
    fn end_device(&self, dir: &str, addr: &str) {
        let name = dir.rsplit('/').next().unwrap();
        self.file(
            &format!("/sys/devices/{dir}/sas_device/{name}/sas_address"),
            &format!("{addr}\n"),
        );
        self.link(
            &format!("/sys/class/sas_device/{name}"),
            &format!("../../devices/{dir}/sas_device/{name}"),
        );
    }

    /// The SCSI device `/sys/devices/<sdev>`'s own `sas_address` attribute,
    /// as mpt2sas/mpt3sas give it (mptsas does not).
    fn sas_address(&self, sdev: &str, addr: &str) {
        self.file(
            &format!("/sys/devices/{sdev}/sas_address"),
            &format!("{addr}\n"),
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
    let sdev = format!("{hba}/host6/port-6:0/end_device-6:0/target6:0:0/6:0:0:0");
    t.end_device(
        &format!("{hba}/host6/port-6:0/end_device-6:0"),
        "0x5000c500a1b2c3d4",
    );
    // mptsas: the SAS transport class but no `sas_address` on the SCSI
    // device. The reference calls it scsi:unspec and prints no adapter or
    // node name (VM scenario 70, two emulated LSI SAS1068 HBAs).
    let p = t.disk(&sdev, "sde");
    assert_eq!(p.protocol, "scsi:unspec");
    assert_eq!(p.tgt_node_name, "");
    assert_eq!(all(&t, &p), ["[undef]"; 5]);
    // mpt3sas: the device's own address makes it SAS.
    t.sas_address(&sdev, "0x5000c500a1b2c3d4");
    let p = read_path(&t.root, "sde", |_, _| String::new()).unwrap();
    assert_eq!(p.protocol, "scsi:sas");
    assert_eq!(
        all(&t, &p),
        [
            "[undef]",
            "[undef]",
            "0x5000c500a1b2c3d4",
            "[undef]",
            "0000:02:00.0"
        ]
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

/// An mpt3sas HBA `host<h>` in PCI function `hba`, cabled to an expander
/// (a SAS switch) that reaches the two controller ports of a SAS array:
/// `.../host<h>/port-<h>:0/expander-<h>:0/port-<h>:0:<n>/end_device-<h>:0:<n>/target<h>:0:<n>/<h>:0:<n>:<lun>`.
/// Returns the SCSI device directories of LUN `lun` behind each port.
fn sas_switched_host(t: &Tree, hba: &str, h: u32, ports: &[&str], lun: u32) -> Vec<String> {
    t.pci(hba);
    t.host(hba, h);
    fs::create_dir_all(t.root.join(format!("/sys/class/sas_host/host{h}"))).unwrap();
    let exp = format!("{hba}/host{h}/port-{h}:0/expander-{h}:0");
    ports
        .iter()
        .enumerate()
        .map(|(n, addr)| {
            let end = format!("{exp}/port-{h}:0:{n}/end_device-{h}:0:{n}");
            t.end_device(&end, addr);
            let sdev = format!("{end}/target{h}:0:{n}/{h}:0:{n}:{lun}");
            t.sas_address(&sdev, addr);
            sdev
        })
        .collect()
}

#[test]
fn sas_target_node_name_is_the_devices_address() {
    let t = Tree::new();
    t.pci("pci0000:00/0000:00:1f.0");
    // Behind an expander, as mpt3sas lays it out.
    let dirs = sas_switched_host(
        &t,
        "pci0000:00/0000:00:1f.0/0000:03:00.0",
        7,
        &["0x500c0ff0aaaa0000", "0x500c0ff0bbbb0000"],
        3,
    );
    let p = t.disk(&dirs[1], "sdf");
    assert_eq!(p.hcil, "7:0:1:3");
    assert_eq!(p.protocol, "scsi:sas");
    assert_eq!(target_wwnn(&p), "0x500c0ff0bbbb0000");
    assert_eq!(host_adapter(&t.root, &p), "0000:03:00.0");
    assert_eq!(
        wwn_names(&t.root, &p),
        "[undef]:[undef]:0x500c0ff0bbbb0000:[undef]"
    );
    // The end device's transport class entry is not what is read.
    fs::remove_file(t.root.join("/sys/class/sas_device/end_device-7:0:1")).unwrap();
    let p = read_path(&t.root, "sdf", |_, _| String::new()).unwrap();
    assert_eq!(target_wwnn(&p), "0x500c0ff0bbbb0000");
}

#[test]
fn group_by_node_name_groups_sas_paths_by_end_device() {
    use crate::assemble::{PathFacts, PgPolicy};
    let t = Tree::new();
    t.pci("pci0000:00/0000:00:1c.0");
    // Two HBAs, each seeing both controller ports of the array.
    let ports = ["0x500c0ff0aaaa0000", "0x500c0ff0bbbb0000"];
    let a = sas_switched_host(&t, "pci0000:00/0000:00:1c.0/0000:04:00.0", 6, &ports, 1);
    let b = sas_switched_host(&t, "pci0000:00/0000:00:1c.0/0000:05:00.0", 7, &ports, 1);
    let paths: Vec<PathDev> = [
        (&a[0], "sda"),
        (&a[1], "sdb"),
        (&b[0], "sdc"),
        (&b[1], "sdd"),
    ]
    .into_iter()
    .map(|(d, n)| t.disk(d, n))
    .collect();
    let names: Vec<&str> = paths.iter().map(|p| p.tgt_node_name.as_str()).collect();
    assert_eq!(names, [ports[0], ports[1], ports[0], ports[1]]);
    let facts: Vec<PathFacts> = paths.into_iter().map(PathFacts::unprobed).collect();
    // One group per controller port, each with its path through each HBA.
    assert_eq!(
        PgPolicy::GroupByNodeName.group(&facts),
        [vec![0, 2], vec![1, 3]]
    );
    // Without the devices' addresses all paths share the empty name.
    let mut bare = facts.clone();
    for f in &mut bare {
        f.dev.tgt_node_name.clear();
    }
    assert_eq!(PgPolicy::GroupByNodeName.group(&bare), [vec![0, 1, 2, 3]]);
}

/// An ib_srp initiator as the kernel lays it out (seen in VM scenario 55):
/// the SCSI host under the parent of the RDMA device (the HCA's PCI
/// function; `platform` for soft RoCE), the remote port `port-<h>:1` and
/// the target directly under the host, with the `srp_host` and
/// `srp_remote_ports` transport classes and the remote port's timeouts.
fn srp_host(t: &Tree, parent: &str, h: u32) {
    t.host(parent, h);
    t.file(
        &format!("/sys/devices/{parent}/host{h}/scsi_host/host{h}/proc_name"),
        "ib_srp\n",
    );
    t.file(
        &format!("/sys/devices/{parent}/host{h}/scsi_host/host{h}/eh_deadline"),
        "off\n",
    );
    fs::create_dir_all(
        t.root
            .join(format!("/sys/devices/{parent}/host{h}/srp_host/host{h}")),
    )
    .unwrap();
    t.link(
        &format!("/sys/class/srp_host/host{h}"),
        &format!("../../devices/{parent}/host{h}/srp_host/host{h}"),
    );
    let rport = format!("{parent}/host{h}/port-{h}:1/srp_remote_ports/port-{h}:1");
    for (attr, v) in [
        ("port_id", "00:00:00:ff:fe:00:55:01:00:00:00:ff:fe:00:55:01"),
        ("fast_io_fail_tmo", "15"),
        ("dev_loss_tmo", "600"),
        ("reconnect_delay", "10"),
    ] {
        t.file(&format!("/sys/devices/{rport}/{attr}"), &format!("{v}\n"));
    }
    t.link(
        &format!("/sys/class/srp_remote_ports/port-{h}:1"),
        &format!("../../devices/{rport}"),
    );
}

const HCA: &str = "pci0000:00/0000:00:02.0/0000:81:00.0";

/// An SRP path behind a PCI HCA (host 8) and one over soft RoCE (host 0).
fn srp_paths(t: &Tree) -> (PathDev, PathDev) {
    t.pci("pci0000:00/0000:00:02.0");
    t.pci(HCA);
    srp_host(t, HCA, 8);
    srp_host(t, "platform", 0);
    let hca = t.disk(&format!("{HCA}/host8/target8:0:0/8:0:0:1"), "sdg");
    let rxe = t.disk("platform/host0/target0:0:0/0:0:0:0", "sda");
    (hca, rxe)
}

#[test]
fn srp_paths_are_scsi_unspec_without_adapter() {
    // The reference has no SRP transport: `%P` says scsi:unspec and `%a`
    // (looked up for FC, SAS and iSCSI only) [undef], whether the host
    // hangs off a PCI HCA or not.
    let t = Tree::new();
    let (hca, rxe) = srp_paths(&t);
    for p in [&hca, &rxe] {
        assert_eq!(p.protocol, "scsi:unspec", "{}", p.dev);
        assert_eq!(p.tgt_node_name, "", "{}", p.dev);
        assert_eq!(all(&t, p), ["[undef]"; 5].map(String::from), "{}", p.dev);
    }
}

#[test]
fn blacklist_protocol_of_srp_paths_is_scsi_unspec() {
    use crate::filter::{self, Criterion, Verdict};
    use crate::Config;
    let t = Tree::new();
    let (srp, _) = srp_paths(&t);
    let hba = "pci0000:00/0000:00:02.0/0000:82:00.0";
    t.pci(hba);
    t.host(hba, 9);
    fs::create_dir_all(t.root.join("/sys/class/sas_host/host9")).unwrap();
    t.sas_address(
        &format!("{hba}/host9/port-9:0/end_device-9:0/target9:0:0/9:0:0:1"),
        "0x5000c500a1b2c3d5",
    );
    let sas = t.disk(
        &format!("{hba}/host9/port-9:0/end_device-9:0/target9:0:0/9:0:0:1"),
        "sdh",
    );
    // `protocol "scsi:srp"` is a valid value that no path has.
    let cfg = Config::from_str_with("test.conf", "blacklist {\n\tprotocol \"scsi:srp\"\n}\n");
    assert!(!cfg.is_fatal(), "{:?}", cfg.diagnostics);
    assert_eq!(filter::path(&cfg, &srp, &[], ""), Verdict::Allowed);
    let cfg = Config::from_str_with("test.conf", "blacklist {\n\tprotocol \"scsi:unspec\"\n}\n");
    let v = filter::path(&cfg, &srp, &[], "");
    assert_eq!(v.criterion(), Some(Criterion::Protocol));
    assert_eq!(
        v.log_message("sdg").as_deref(),
        Some("sdg: protocol scsi:unspec blacklisted")
    );
    assert_eq!(filter::path(&cfg, &sas, &[], ""), Verdict::Allowed);

    // An exception for scsi:srp does not save it from `protocol "scsi"`.
    let cfg = Config::from_str_with(
        "test.conf",
        "blacklist {\n\tprotocol \"scsi\"\n}\nblacklist_exceptions {\n\tprotocol \"scsi:srp\"\n}\n",
    );
    assert!(filter::path(&cfg, &srp, &[], "").is_blacklisted());
    assert!(filter::path(&cfg, &sas, &[], "").is_blacklisted());
}

#[test]
fn srp_paths_get_eh_deadline_and_max_retries_but_no_port_timeouts() {
    use crate::assemble::{assemble, AssembleOpts, PathFacts};
    use crate::checker::PathState;
    use crate::configure::scsi_tmo::set_map_tmo;
    use crate::Config;
    // As the reference does in VM scenario 55: the host's eh_deadline and
    // the disk's max_retries are written, the SRP remote port keeps its
    // fast_io_fail_tmo and dev_loss_tmo, and the first path is named with
    // protocol scsi:unspec.
    let t = Tree::new();
    let (_, rxe) = srp_paths(&t);
    t.file("/sys/class/scsi_disk/0:0:0:0/max_retries", "5\n");
    let cfg = Config::from_str_with(
        "test.conf",
        "defaults {\n\tfast_io_fail_tmo 7\n\tdev_loss_tmo 80\n\teh_deadline 10\n\tmax_retries 2\n}\n",
    );
    let mut f = PathFacts::unprobed(PathDev {
        wwid: "w1".into(),
        ..rxe
    });
    f.state = PathState::Up;
    let plan = assemble(&cfg, "w1", vec![f], &AssembleOpts::default());
    let o = set_map_tmo(&t.root, &cfg, "mpatha", &plan);
    assert_eq!(
        o.unsupported.as_deref(),
        Some("sda: setting scsi timeouts is unsupported for protocol scsi:unspec")
    );
    let read = |abs: &str| fs::read_to_string(t.root.join(abs)).unwrap();
    assert_eq!(read("/sys/class/scsi_host/host0/eh_deadline"), "10");
    assert_eq!(read("/sys/class/scsi_disk/0:0:0:0/max_retries"), "2");
    let port = "/sys/class/srp_remote_ports/port-0:1";
    assert_eq!(read(&format!("{port}/fast_io_fail_tmo")), "15\n");
    assert_eq!(read(&format!("{port}/dev_loss_tmo")), "600\n");
    assert_eq!(read(&format!("{port}/reconnect_delay")), "10\n");
}

/// The sysfs layout of QEMU's usb-storage on an xHCI controller, as in VM
/// scenario 80: PCI function, root hub `usb2`, device `2-<port>`, interface
/// `2-<port>:1.0` (all three of the `usb` subsystem), then the SCSI host.
fn usb_storage_disk(t: &Tree, port: u32, h: u32, name: &str) -> PathDev {
    let hc = "pci0000:00/0000:00:07.0";
    if fs::symlink_metadata(t.root.join(format!("/sys/devices/{hc}/subsystem"))).is_err() {
        t.pci(hc);
    }
    let mut dir = hc.to_string();
    for usb in [
        "usb2".to_string(),
        format!("2-{port}"),
        format!("2-{port}:1.0"),
    ] {
        dir = format!("{dir}/{usb}");
        if fs::symlink_metadata(t.root.join(format!("/sys/devices/{dir}/subsystem"))).is_ok() {
            continue;
        }
        let up = "../".repeat(dir.matches('/').count() + 2);
        t.link(
            &format!("/sys/devices/{dir}/subsystem"),
            &format!("{up}bus/usb"),
        );
    }
    t.host(&dir, h);
    t.disk(&format!("{dir}/host{h}/target{h}:0:0/{h}:0:0:0"), name)
}

#[test]
fn usb_storage_is_scsi_usb_named_by_its_interface() {
    use crate::filter::{self, Verdict};
    use crate::Config;
    let t = Tree::new();
    let a = usb_storage_disk(&t, 1, 0, "sda");
    let b = usb_storage_disk(&t, 2, 1, "sdb");
    // The reference: protocol scsi:usb, target node name the USB interface
    // (`multipathd show paths format "%P %n"`, VM scenario 80).
    assert_eq!(
        (a.protocol.as_str(), a.tgt_node_name.as_str()),
        ("scsi:usb", "2-1:1.0")
    );
    assert_eq!(
        (b.protocol.as_str(), b.tgt_node_name.as_str()),
        ("scsi:usb", "2-2:1.0")
    );
    assert_eq!(target_wwnn(&b), "2-2:1.0");
    assert_eq!(
        all(&t, &a),
        ["[undef]", "[undef]", "2-1:1.0", "[undef]", "[undef]"]
    );
    assert_eq!(
        crate::filter::usb_parent(&t.root, "sdb").as_deref(),
        Some("2-2:1.0")
    );
    // Skipped by default, the interface named; allowed with
    // allow_usb_devices (then only the lists decide).
    let v = filter::path(&Config::builtin(), &a, &[], "");
    assert_eq!(
        v.log_message("sda").as_deref(),
        Some("sda: skip USB device 2-1:1.0")
    );
    let yes = Config::from_str_with("test.conf", "defaults {\n\tallow_usb_devices yes\n}\n");
    assert_eq!(filter::path(&yes, &a, &[], ""), Verdict::Allowed);
}

#[test]
fn a_scan_finds_usb_once_per_host() {
    let t = Tree::new();
    usb_storage_disk(&t, 1, 0, "sda");
    t.host("pseudo_0/adapter0", 3);
    t.disk("pseudo_0/adapter0/host3/target3:0:0/3:0:0:0", "sdc");
    let s = crate::discovery::scan(&t.root, |_, _| String::new());
    let got: Vec<_> = s
        .paths
        .iter()
        .map(|p| {
            (
                p.dev.as_str(),
                p.protocol.as_str(),
                p.tgt_node_name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("sda", "scsi:usb", "2-1:1.0"), ("sdc", "scsi:unspec", "")]
    );
}
