use super::super::tests::{dev, map};
use super::*;
use crate::model::Path;
use mpath::config::PathInfo;
use mpath::discovery::{block_devices, PathDev};
use mpath::SysRoot;
use std::fs;
use std::os::unix::fs::symlink;
use std::time::Instant;

fn cfg(text: &str) -> Config {
    let c = Config::from_str_with("/etc/multipath.conf", text);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    c
}

/// A monitored path of map `wwid`.
fn path(name: &str, vendor: &str, product: &str, wwid: &str) -> Path {
    let d = PathDev {
        wwid: wwid.into(),
        ..dev(name, "8:0", "1:0:0:0", vendor, product)
    };
    super::super::tests::path(d, Some(wwid), 1, Instant::now())
}

/// The built-in `product_blacklist` rules, as the reference's `multipath -t`
/// lists them (tests/vm 15-sd-strict-wwids).
const DEFAULT_DEVICE_RULES: &str = "        (default rule)     SGI:Universal Xport
        (default rule)     ^DGC:LUNZ
        (default rule)     EMC:LUNZ
        (default rule)     DELL:Universal Xport
        (default rule)     FUJITSU:Universal Xport
        (default rule)     IBM:Universal Xport
        (default rule)     IBM:S/390 DASD ECKD
        (default rule)     IBM:S/390 DASD FBA
        (default rule)     LENOVO:Universal Xport
        (default rule)     (NETAPP|LSI|ENGENIO):Universal Xport
        (default rule)     STK:Universal Xport
        (default rule)     SUN:Universal Xport
        (default rule)     (Intel|INTEL):VTrak V-LUN
        (default rule)     Promise:VTrak V-LUN
        (default rule)     Promise:Vess V-LUN
        (default rule)     Quantum:cvfsctl
";

#[test]
fn blacklist_defaults_only() {
    let want = format!(
        "\
device node rules:
- blacklist:
        (default rule)     !^(sd[a-z]|dasd[a-z]|nvme[0-9])
- exceptions:
        <empty>
udev property rules:
- blacklist:
        <empty>
- exceptions:
        (default rule)     (SCSI_IDENT_|ID_WWN)
protocol rules:
- blacklist:
        <empty>
- exceptions:
        <empty>
wwid rules:
- blacklist:
        <empty>
- exceptions:
        <empty>
device rules:
- blacklist:
{DEFAULT_DEVICE_RULES}- exceptions:
        <empty>
"
    );
    assert_eq!(blacklist(&cfg("")), want);
}

#[test]
fn blacklist_config_rules_before_defaults() {
    let c = cfg(r#"
blacklist {
	devnode "^loop[0-9]"
	wwid "^3600a0b8"
	protocol "scsi:usb"
	property "ID_ATA"
	device {
		vendor "ACME"
		product "Tape"
	}
	device {
		vendor "NOPRODUCT"
	}
}
blacklist_exceptions {
	devnode "^sdz"
	wwid "3600a0b8000000001"
	protocol "scsi:fcp"
	property "ID_SERIAL"
	device {
		product "Disk"
	}
}
"#);
    let want = format!(
        "\
device node rules:
- blacklist:
        (config file rule) ^loop[0-9]
        (default rule)     !^(sd[a-z]|dasd[a-z]|nvme[0-9])
- exceptions:
        (config file rule) ^sdz
udev property rules:
- blacklist:
        (config file rule) ID_ATA
- exceptions:
        (config file rule) ID_SERIAL
        (default rule)     (SCSI_IDENT_|ID_WWN)
protocol rules:
- blacklist:
        (config file rule) scsi:usb
- exceptions:
        (config file rule) scsi:fcp
wwid rules:
- blacklist:
        (config file rule) ^3600a0b8
- exceptions:
        (config file rule) 3600a0b8000000001
device rules:
- blacklist:
        (config file rule) ACME:Tape
        (config file rule) NOPRODUCT:(null)
{DEFAULT_DEVICE_RULES}- exceptions:
        (config file rule) (null):Disk
"
    );
    assert_eq!(blacklist(&c), want);
}

/// A sysfs tree: `sda` (a path the daemon monitors) with partition `sda1`
/// on host 1, `sdb` (not monitored) on host 0, a hidden NVMe path device,
/// an NVMe namespace, `loop0` and `dm-0`.
fn block_tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let mk = |rel: &str| {
        let d = r.join(rel);
        fs::create_dir_all(&d).unwrap();
        d
    };
    let sda = mk("sys/devices/platform/host1/target1:0:0/1:0:0:0/block/sda");
    fs::write(
        mk(&format!("{}/sda1", sda.display())).join("partition"),
        "1\n",
    )
    .unwrap();
    mk("sys/devices/platform/host0/target0:0:0/0:0:0:0/block/sdb");
    let hidden = mk("sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0c0n1");
    fs::write(hidden.join("hidden"), "1\n").unwrap();
    mk("sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1");
    mk("sys/devices/virtual/block/loop0");
    mk("sys/devices/virtual/block/dm-0");
    mk("sys/block");
    for (name, target) in [
        ("sda", "platform/host1/target1:0:0/1:0:0:0/block/sda"),
        ("sdb", "platform/host0/target0:0:0/0:0:0:0/block/sdb"),
        ("nvme0c0n1", "pci0000:00/0000:00:04.0/nvme/nvme0/nvme0c0n1"),
        ("nvme0n1", "virtual/nvme-subsystem/nvme-subsys0/nvme0n1"),
        ("loop0", "virtual/block/loop0"),
        ("dm-0", "virtual/block/dm-0"),
    ] {
        symlink(
            format!("../devices/{target}"),
            r.join("sys/block").join(name),
        )
        .unwrap();
    }
    t
}

/// `show devices` on [`block_tree`] with `conf`, the daemon monitoring `paths`.
fn show_devices(conf: &str, paths: &[&str]) -> String {
    let t = block_tree();
    let mut st = State::new(1, mpath::SysRoot::default());
    for p in paths {
        st.paths.push(path(p, "Linux", "scsi_debug", "W1"));
    }
    let devs = block_devices(&SysRoot::new(t.path()));
    devices(&st, &Filter::new(&cfg(conf)), &devs)
}

#[test]
fn devices_statuses_in_udev_order() {
    assert_eq!(
        show_devices("", &["sda"]),
        "\
available block devices:
    nvme0c0n1 hidden, unmonitored
    sdb devnode whitelisted, unmonitored
    sda  devnode whitelisted, monitored
    sda1 devnode whitelisted, unmonitored
    loop0 devnode blacklisted, unmonitored
    nvme0n1 devnode whitelisted, unmonitored
    dm-0 devnode blacklisted, unmonitored
"
    );
}

#[test]
fn devices_follow_the_devnode_rules_and_exceptions() {
    let conf =
        "blacklist {\n\tdevnode \"^sdb\"\n}\nblacklist_exceptions {\n\tdevnode \"^loop\"\n}\n";
    assert_eq!(
        show_devices(conf, &[]),
        "\
available block devices:
    nvme0c0n1 hidden, unmonitored
    sdb devnode blacklisted, unmonitored
    sda devnode whitelisted, unmonitored
    sda1 devnode whitelisted, unmonitored
    loop0 devnode whitelisted, unmonitored
    nvme0n1 devnode whitelisted, unmonitored
    dm-0 devnode blacklisted, unmonitored
"
    );
}

#[test]
fn devices_without_sysfs() {
    let t = tempfile::tempdir().unwrap();
    let c = cfg("");
    let devs = block_devices(&SysRoot::new(t.path()));
    assert_eq!(
        devices(
            &State::new(1, mpath::SysRoot::default()),
            &Filter::new(&c),
            &devs
        ),
        "available block devices:\n"
    );
}

/// The daemon's paths (discovery order) and maps (its order) go to the
/// rendering shared with `multipath -T` (tested in mpath::config::local).
#[test]
fn config_local_is_dump_local_of_the_state() {
    let c = cfg("devices {\n\tdevice {\n\t\tvendor \"ACME\"\n\t\tproduct \"D\"\n\t}\n}\n");
    let mut st = State::new(1, mpath::SysRoot::default());
    st.paths.push(path("sdb", "Linux", "scsi_debug", "W2"));
    st.paths.push(path("sda", "ACME", "D", "W1"));
    st.maps.push(map("mpathb", "W2", 1, Vec::new()));
    st.maps.push(map("W1", "W1", 0, Vec::new()));
    let info = |vendor, product, wwid| PathInfo {
        vendor,
        product,
        revision: "0191",
        protocol: "scsi:unspec",
        wwid,
    };
    let want = dump_local(
        &c,
        &[info("Linux", "scsi_debug", "W2"), info("ACME", "D", "W1")],
        &[
            LocalMap {
                wwid: "W2",
                name: "mpathb",
            },
            LocalMap {
                wwid: "W1",
                name: "W1",
            },
        ],
    );
    assert!(want.contains("\tdevice {\n\t\tvendor \"ACME\"\n"), "{want}");
    assert!(want.ends_with("\t\twwid \"W2\"\n\t\t# alias \"mpathb\"\n\t}\n\tmultipath {\n\t\twwid \"W1\"\n\t}\n}\n"), "{want}");
    assert_eq!(config_local(&st, &c), want);
}
