//! Path discovery: SCSI block devices from sysfs and the udev database, read
//! through the [`SysRoot`] seam so tests run on fixture trees.
//!
//! A device that vanishes or an attribute that cannot be read during the scan
//! never stops it: the device is skipped or the field left empty, and the
//! problem is recorded in [`Scan::problems`] naming the device.

mod block;
pub mod transport;
mod wwid;

pub use block::{block_devices, max_sectors_kb, BlockDev};
pub use wwid::wwid_from_sysfs_designator;

use crate::sysfs::{self, Dir};
use crate::sysroot::SysRoot;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One path (a SCSI disk seen through one initiator/target port pair).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathDev {
    /// Kernel name: `sdb`.
    pub dev: String,
    /// `major:minor`.
    pub dev_t: String,
    /// `host:channel:target:lun`, `#:#:#:#` if unknown.
    pub hcil: String,
    pub vendor: String,
    pub product: String,
    pub revision: String,
    /// Size in 512-byte sectors.
    pub size: u64,
    /// SCSI device state: `running`, `offline`, `blocked`, ...
    pub state: String,
    /// Transport as upstream names it: `scsi:fcp`, `scsi:iscsi`, `scsi:sas`,
    /// `scsi:srp`, `scsi:usb` ([`USB_PROTOCOL`]), `scsi:unspec`.
    pub protocol: String,
    /// The WWID (empty if none could be found).
    pub wwid: String,
    /// Where the WWID came from: the udev property name, or `sysfs`.
    pub wwid_source: String,
    /// Unit serial number (VPD page 0x80) if the kernel exposes it.
    pub serial: String,
    /// ALUA access state from sysfs (`active/optimized`, ...), if any.
    pub access_state: Option<String>,
    /// ALUA `preferred_path` bit from sysfs.
    pub preferred_path: bool,
    /// The device's directory under `/sys/devices` (canonical, without the
    /// root prefix). Upstream enumerates paths sorted by it.
    pub syspath: String,
    /// The attached SCSI device handler (`dh_state`: `alua`, `rdac`, ...;
    /// `None` when detached or not exposed).
    pub dh_state: Option<String>,
    /// Target node name (group_by_node_name, `%n`): FC target WWNN, SAS
    /// address of the end device, iSCSI target name, or for a USB-attached
    /// device the USB interface it hangs off (`2-1:1.0`).
    pub tgt_node_name: String,
    /// The device's properties in the udev database.
    pub udev: Vec<(String, String)>,
}

impl PathDev {
    /// The value of udev property `key`, if the database has it.
    pub fn udev_prop(&self, key: &str) -> Option<&str> {
        self.udev
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The result of a scan: the paths found, and what went wrong on the way.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub paths: Vec<PathDev>,
    pub problems: Vec<String>,
}

fn read_trim(p: &Path) -> Option<String> {
    sysfs::read_trimmed(p)
}

/// Upstream only considers these block devices (the default devnode filter
/// decides later which are used).
fn is_scsi_disk_name(name: &str) -> bool {
    name.starts_with("sd") && name.len() > 2 && name[2..].bytes().all(|b| b.is_ascii_lowercase())
}

/// The properties of block device `dev_t` in the udev database.
pub fn udev_properties(root: &SysRoot, dev_t: &str) -> Vec<(String, String)> {
    let Some(text) = read_trim(&root.join(format!("/run/udev/data/b{dev_t}"))) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| l.strip_prefix("E:"))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The protocol of a SCSI disk attached through USB (usb-storage, uas).
pub const USB_PROTOCOL: &str = "scsi:usb";

/// What one scan reads once for many paths: the transport classes of a
/// SCSI host and the node name of a target are the same for each of its
/// LUNs.
#[derive(Default)]
struct Shared {
    exists: HashMap<PathBuf, bool>,
    attrs: HashMap<PathBuf, Option<String>>,
    /// Per SCSI host directory: the USB device above it, if any.
    usb: HashMap<PathBuf, Option<String>>,
}

impl Shared {
    fn exists(&mut self, p: PathBuf) -> bool {
        *self.exists.entry(p).or_insert_with_key(|p| p.exists())
    }

    fn attr(&mut self, p: PathBuf) -> Option<String> {
        self.attrs
            .entry(p)
            .or_insert_with_key(|p| read_trim(p))
            .clone()
    }
}

fn protocol_of(root: &SysRoot, host: &str, device_path: &Path, shared: &mut Shared) -> String {
    let class = |shared: &mut Shared, c: &str| {
        shared.exists(root.join(format!("/sys/class/{c}/host{host}")))
    };
    if class(shared, "fc_host") {
        "scsi:fcp".into()
    } else if class(shared, "iscsi_host") || device_path.to_string_lossy().contains("/session") {
        "scsi:iscsi".into()
    } else if shared.exists(device_path.join("sas_address")) {
        // SAS as upstream sees it: the SCSI device has its own `sas_address`
        // attribute (mpt2sas/mpt3sas). A host that only has the SAS
        // transport class (`sas_host`, `end_device-*`, e.g. mptsas) is
        // `scsi:unspec` to the reference (seen in the VM, scenario 70).
        "scsi:sas".into()
    } else if usb_interface(root, host, device_path, shared).is_some() {
        USB_PROTOCOL.into()
    } else {
        // SRP included: ib_srp's hosts have their own transport class
        // (`/sys/class/srp_host/host<H>`, remote ports in
        // `/sys/class/srp_remote_ports/port-<H>:1`), but the reference calls
        // their paths `scsi:unspec` (`%P`, `blacklist { protocol }`, the
        // SCSI timeouts message; seen in the VM, scenario 55).
        "scsi:unspec".into()
    }
}

/// The sysfs name of the nearest device of the `usb` subsystem above the
/// SCSI device `scsi_dir` of host `host` (for usb-storage, the USB
/// interface: `2-1:1.0`), or `None` when the device is not attached
/// through USB. The reference calls such a device `scsi:usb`, gives that
/// name as its target node name (`%n`) and names it when it skips the
/// device (VM scenario 80). Looked up once per SCSI host.
fn usb_interface(
    root: &SysRoot,
    host: &str,
    scsi_dir: &Path,
    shared: &mut Shared,
) -> Option<String> {
    let host_name = format!("host{host}");
    let start = scsi_dir
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| *n == *host_name))
        .unwrap_or(scsi_dir);
    shared
        .usb
        .entry(start.to_path_buf())
        .or_insert_with_key(|start| usb_ancestor(&root.join("/sys/devices"), start))
        .clone()
}

/// The name of the first directory from `start` upwards (`start` excluded,
/// `top` and above not looked at) whose `subsystem` link names `usb`.
pub(crate) fn usb_ancestor(top: &Path, start: &Path) -> Option<String> {
    start
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(top) && *a != top)
        .find(|a| {
            fs::read_link(a.join("subsystem"))
                .is_ok_and(|s| s.file_name().is_some_and(|n| n == "usb"))
        })
        .and_then(|a| a.file_name())
        .map(|n| n.to_string_lossy().into_owned())
}

/// The name of the nearest directory above the SCSI device `scsi_dir` whose
/// name starts with `prefix`.
fn ancestor_named<'a>(scsi_dir: &'a Path, prefix: &str) -> Option<&'a str> {
    scsi_dir
        .ancestors()
        .filter_map(|a| a.file_name()?.to_str())
        .find(|n| n.starts_with(prefix))
}

/// FC target WWNN (`fc_transport`), the SAS device's address, or iSCSI
/// target name (session); empty if none.
fn target_node_name(root: &SysRoot, hcil: &str, scsi_dir: &Path, shared: &mut Shared) -> String {
    let mut it = hcil.split(':');
    if let (Some(h), Some(c), Some(t)) = (it.next(), it.next(), it.next()) {
        let fc = root.join(format!(
            "/sys/class/fc_transport/target{h}:{c}:{t}/node_name"
        ));
        if let Some(n) = shared.attr(fc) {
            return n;
        }
    }
    // SAS: the SCSI device's own `sas_address` (mpt2sas/mpt3sas), as for
    // the protocol above; the transport class's end device address is not
    // used (the reference prints `[undef]` for mptsas, whose end devices
    // have one).
    if let Some(a) = shared.attr(scsi_dir.join("sas_address")) {
        return a;
    }
    // iSCSI: .../sessionN/targetH:C:T/H:C:T:L; the session's iscsi_session class dir
    if let Some(s) = ancestor_named(scsi_dir, "session") {
        if let Some(n) = shared.attr(root.join(format!("/sys/class/iscsi_session/{s}/targetname")))
        {
            return n;
        }
    }
    String::new()
}

/// `target`, a symlink's content, resolved lexically against the link's
/// directory `base` (sysfs directories are not symlinks, so `..` can be
/// taken literally). Much cheaper than `canonicalize`, which walks every
/// component.
fn lexical(base: &Path, target: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(target).components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Where the symlink `p` points, resolved lexically; `p` itself when it is
/// not a link.
fn follow(p: &Path) -> PathBuf {
    match fs::read_link(p) {
        Ok(t) => lexical(p.parent().unwrap_or(Path::new("")), &t),
        Err(_) => p.to_path_buf(),
    }
}

/// [`follow`] for entry `name` of the open directory `dir` (at `base`).
fn follow_in(dir: &Dir, base: &Path, name: &str) -> PathBuf {
    match dir.read_link(name) {
        Some(t) => lexical(base, &t),
        None => base.join(name),
    }
}

/// Read one SCSI disk. `uid_attribute_for(vendor, product)` names the udev
/// property holding its WWID (empty: use sysfs only). A device [`scan`]
/// would not consider (not `sdX`) is refused.
pub fn read_path(
    root: &SysRoot,
    name: &str,
    uid_attribute_for: impl Fn(&str, &str) -> String,
) -> Result<PathDev, String> {
    if !is_scsi_disk_name(name) {
        return Err(format!("{name}: not a SCSI disk"));
    }
    let block = follow(&root.join(format!("/sys/block/{name}")));
    read_path_at(
        root,
        name,
        &block,
        &uid_attribute_for,
        &mut Shared::default(),
    )
}

/// [`read_path`] with the device's resolved sysfs directory, the WWID
/// source chosen from vendor and product.
fn read_path_at(
    root: &SysRoot,
    name: &str,
    block: &Path,
    uid_attribute_for: &dyn Fn(&str, &str) -> String,
    shared: &mut Shared,
) -> Result<PathDev, String> {
    let vanished = || format!("{name}: cannot read dev (device vanished?)");
    let block_dir = Dir::open(block).ok_or_else(vanished)?;
    let dev_t = block_dir.read_trimmed("dev").ok_or_else(vanished)?;
    let scsi_dir = follow_in(&block_dir, block, "device");
    let device = Dir::open(&scsi_dir).ok_or_else(|| format!("{name}: no SCSI device link"))?;
    let hcil = scsi_dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hcil = if hcil.split(':').count() == 4 {
        hcil
    } else {
        "#:#:#:#".into()
    };
    let host = hcil.split(':').next().unwrap_or("");
    let attr = |a: &str| device.read_trimmed(a).unwrap_or_default();
    let syspath = block
        .strip_prefix(root.join("/"))
        .map(|r| format!("/{}", r.display()))
        .unwrap_or_default();
    let udev = udev_properties(root, &dev_t);
    let protocol = protocol_of(root, host, &scsi_dir, shared);
    let tgt_node_name = if protocol == USB_PROTOCOL {
        usb_interface(root, host, &scsi_dir, shared).unwrap_or_default()
    } else {
        target_node_name(root, &hcil, &scsi_dir, shared)
    };
    let mut p = PathDev {
        tgt_node_name,
        protocol,
        dev: name.to_string(),
        dev_t,
        vendor: attr("vendor"),
        product: attr("model"),
        revision: attr("rev"),
        size: block_dir
            .read_trimmed("size")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        state: attr("state"),
        hcil,
        // VPD page 0x80 as the kernel caches it (`vpd_pg80`, binary).
        serial: device
            .with_file("vpd_pg80", crate::scsi::vpd80_serial)
            .ok()
            .flatten()
            .unwrap_or_default(),
        access_state: device.read_trimmed("access_state"),
        preferred_path: attr("preferred_path") == "1",
        dh_state: device
            .read_trimmed("dh_state")
            .filter(|s| !s.is_empty() && s != "detached"),
        syspath,
        udev,
        ..PathDev::default()
    };
    let uid_attribute = uid_attribute_for(&p.vendor, &p.product);
    if !uid_attribute.is_empty() {
        if let Some(v) = p.udev_prop(&uid_attribute) {
            p.wwid = v.to_string();
            p.wwid_source = uid_attribute;
        }
    }
    if p.wwid.is_empty() {
        if let Some(w) = device
            .read_trimmed("wwid")
            .and_then(|d| wwid_from_sysfs_designator(&d))
        {
            p.wwid = w;
            p.wwid_source = "sysfs".into();
        }
    }
    Ok(p)
}

/// Scan every SCSI disk under `/sys/block`. `uid_attribute_for` gives the
/// udev property to use for a device's WWID, given its vendor and product.
pub fn scan(root: &SysRoot, uid_attribute_for: impl Fn(&str, &str) -> String) -> Scan {
    let mut s = Scan::default();
    let mut names: Vec<String> = match fs::read_dir(root.join("/sys/block")) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect(),
        Err(e) => {
            s.problems.push(format!("/sys/block: {e}"));
            return s;
        }
    };
    names.retain(|n| is_scsi_disk_name(n));
    // Upstream walks the devices in the order of their sysfs paths
    // (`.../0:0:0:1`, `.../0:0:0:10`, ..., `.../0:0:0:2`), which decides the
    // order maps are created in, and so their friendly names.
    let sys_block = root.join("/sys/block");
    let Some(dir) = Dir::open(&sys_block) else {
        s.problems.push("/sys/block: cannot open".into());
        return s;
    };
    let mut keyed: Vec<(PathBuf, String)> = names
        .into_iter()
        .map(|n| (follow_in(&dir, &sys_block, &n), n))
        .collect();
    keyed.sort();
    let mut shared = Shared::default();
    for (block, n) in keyed {
        match read_path_at(root, &n, &block, &uid_attribute_for, &mut shared) {
            Ok(p) => s.paths.push(p),
            Err(e) => s.problems.push(e),
        }
    }
    s
}

#[cfg(test)]
mod tests;
