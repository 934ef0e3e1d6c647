//! The `nvme` foreign library: namespaces that the kernel multipaths itself
//! (`nvme_core.multipath=Y`).
//!
//! sysfs, as the kernel lays it out:
//!
//! ```text
//! /sys/block/nvme0n1 -> ../devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1   the head (a map)
//! /sys/devices/virtual/nvme-subsystem/nvme-subsys0/{subsysnqn,model,firmware_rev}
//! /sys/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0 -> ../../nvme-fabrics/ctl/nvme0   a controller
//! /sys/devices/virtual/nvme-fabrics/ctl/nvme0/state                                       live, connecting, ...
//! /sys/devices/virtual/nvme-fabrics/ctl/nvme0/nvme0c0n1/{ana_state,hidden}                 a path (hidden disk)
//! ```
//!
//! A head is named `nvme<S>n<N>` (subsystem instance S), its path through
//! controller `nvme<C>` is `nvme<S>c<C>n<N>`. What the listing prints, as
//! the reference (0.15.1) prints it:
//!
//! ```text
//! uuid.6ba7b810-... [nvme]:nvme0n1 NVMe,Linux,6.1.0-56
//! size=131072 features='n/a' hwhandler='ANA' wp=rw
//! |-+- policy='n/a' prio=50 status=optimized
//! | `- 0:0:1 nvme0c0n1 0:0 n/a optimized     live
//! `-+- policy='n/a' prio=10 status=non-optimized
//!   `- 0:1:1 nvme0c1n1 0:0 n/a non-optimized live
//! ```
//!
//! One path group per path, with the path's ANA state as its status; the
//! size is in sectors; a path's "H:C:T:L" is `S:C:N` and its dev_t `0:0`
//! (hidden disks have no device number); `%n` is `<subsysnqn>:nsid.<nsid>`.

use crate::discovery::block_devices;
use crate::print::{TopoGroup, TopoMap, TopoPath};
use crate::sysfs::read_trimmed;
use crate::SysRoot;
use std::fs;
use std::path::{Path, PathBuf};

/// A natively multipathed namespace (its head device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvmeMap {
    /// The head's block device: `nvme0n1`.
    pub dev: String,
    /// `<subsystem NQN>:nsid.<nsid>`.
    pub name: String,
    /// The head's `wwid` attribute (`uuid.…`, `eui.…`, `nvme.…`).
    pub wwid: String,
    /// `NVMe,<model>,<firmware revision>` of the subsystem.
    pub vendor_product: String,
    /// The subsystem's model, blanks trimmed (`%p`).
    pub model: String,
    /// The subsystem's firmware revision (`%e`).
    pub firmware_rev: String,
    /// 512-byte sectors.
    pub size: u64,
    pub read_only: bool,
    /// One per controller that has a path to the namespace, in controller
    /// name order.
    pub paths: Vec<NvmePath>,
}

/// The path to a namespace through one controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvmePath {
    /// `nvme0c1n1`.
    pub dev: String,
    /// `<subsystem>:<controller>:<namespace>` instance numbers from the names.
    pub hcil: String,
    /// `maj:min`; `0:0` for the hidden disks the kernel gives no number.
    pub dev_t: String,
    /// The `ana_state` attribute (`optimized`, `non-optimized`,
    /// `inaccessible`, `persistent-loss`, `change`); `None` without ANA.
    pub ana_state: Option<String>,
    /// The controller's `state`: `live`, `connecting`, `resetting`, ...
    pub ctrl_state: String,
    /// The controller's `serial` as sysfs has it, the kernel's blank
    /// padding kept (`%z` prints it so); the subsystem's without one.
    pub serial: String,
    /// The controller's transport `address`
    /// (`traddr=127.0.0.1,trsvcid=4421,src_addr=127.0.0.1`), empty without one.
    pub address: String,
    /// The controller's `transport` (`tcp`, `rdma`, `fc`, `loop`, `pcie`).
    pub transport: String,
}

/// The priority of a path (and of its group) from its ANA state.
pub fn ana_prio(state: Option<&str>) -> i32 {
    match state {
        Some("optimized") => 50,
        Some("non-optimized") => 10,
        _ => 0,
    }
}

impl NvmeMap {
    /// The map as the topology printer takes it.
    pub fn topology(&self) -> TopoMap {
        let ana = self.paths.iter().any(|p| p.ana_state.is_some());
        TopoMap {
            name: self.name.clone(),
            wwid: self.wwid.clone(),
            sysfs: self.dev.clone(),
            vendor_product: self.vendor_product.clone(),
            size: self.size,
            features: "n/a".into(),
            hwhandler: if ana { "ANA" } else { "n/a" }.into(),
            wp: if self.read_only { "ro" } else { "rw" }.into(),
            groups: self
                .paths
                .iter()
                .map(|p| {
                    let state = p.ana_state.clone().unwrap_or_else(|| "n/a".into());
                    TopoGroup {
                        selector: "n/a".into(),
                        prio: ana_prio(p.ana_state.as_deref()),
                        status: state.clone(),
                        paths: vec![TopoPath {
                            hcil: p.hcil.clone(),
                            dev: p.dev.clone(),
                            dev_t: p.dev_t.clone(),
                            dm_state: "n/a".into(),
                            chk_state: state,
                            dev_state: p.ctrl_state.clone(),
                        }],
                    }
                })
                .collect(),
        }
    }
}

/// What a wildcard the library does not render prints.
const NOT_AVAILABLE: &str = "n/a";

impl NvmeMap {
    /// Map wildcard `key` as the library renders it for `multipathd show
    /// maps format`: the size in sectors, `%G` the library's name, `%N`
    /// its paths; what it does not know is `n/a`.
    pub fn wildcard(&self, key: char) -> String {
        match key {
            'n' => self.name.clone(),
            'w' => self.wwid.clone(),
            'd' => self.dev.clone(),
            'N' => self.paths.len().to_string(),
            'r' => if self.read_only { "ro" } else { "rw" }.into(),
            'S' => self.size.to_string(),
            'h' => self.topology().hwhandler,
            's' => self.vendor_product.clone(),
            'v' => "NVMe".into(),
            'p' => self.model.clone(),
            'e' => self.firmware_rev.clone(),
            'G' => "nvme".into(),
            _ => NOT_AVAILABLE.into(),
        }
    }
}

impl NvmePath {
    /// Path wildcard `key` (of the path to namespace `map`) as the library
    /// renders it for `multipathd show paths format`: `%T` the ANA state,
    /// `%o` the controller's state, `%p` the priority from the ANA state,
    /// `%S` the namespace's size in sectors, `%m` the head, `%N`/`%R` (host
    /// WWNN/WWPN) the controller's `<transport>:<address>`, `%G` `[nvme]`;
    /// what it does not know is `n/a`.
    pub fn wildcard(&self, map: &NvmeMap, key: char) -> String {
        let ana = || {
            self.ana_state
                .clone()
                .unwrap_or_else(|| NOT_AVAILABLE.into())
        };
        match key {
            'w' => map.wwid.clone(),
            'i' => self.hcil.clone(),
            'd' => self.dev.clone(),
            'D' => self.dev_t.clone(),
            'T' => ana(),
            'o' => self.ctrl_state.clone(),
            'p' => ana_prio(self.ana_state.as_deref()).to_string(),
            's' => map.vendor_product.clone(),
            'S' => map.size.to_string(),
            'z' => self.serial.clone(),
            'm' => map.dev.clone(),
            'N' | 'R' => format!("{}:{}", self.transport, self.address),
            'G' => "[nvme]".into(),
            _ => NOT_AVAILABLE.into(),
        }
    }
}

/// `nvme<a>n<b>` -> (a, b).
fn head_numbers(name: &str) -> Option<(u32, u32)> {
    let (s, n) = name.strip_prefix("nvme")?.split_once('n')?;
    Some((s.parse().ok()?, n.parse().ok()?))
}

/// `nvme<c>` -> c.
fn controller_number(name: &str) -> Option<u32> {
    name.strip_prefix("nvme")?.parse().ok()
}

fn attr(dir: &Path, name: &str) -> Option<String> {
    read_trimmed(&dir.join(name))
}

/// An attribute without its newline, blanks kept.
fn raw_attr(dir: &Path, name: &str) -> Option<String> {
    let s = fs::read_to_string(dir.join(name)).ok()?;
    Some(s.strip_suffix('\n').unwrap_or(&s).to_string())
}

/// Every natively multipathed namespace under `root`, in udev's
/// enumeration order of their head devices.
pub fn maps(root: &SysRoot) -> Vec<NvmeMap> {
    block_devices(root)
        .iter()
        .filter(|d| !d.hidden)
        .filter_map(|d| read_head(root, &d.name, &root.join(&d.syspath)))
        .collect()
}

/// The head `name` whose sysfs directory is `dir`; `None` when it is not
/// a head (its parent is not an NVMe subsystem).
fn read_head(root: &SysRoot, name: &str, dir: &Path) -> Option<NvmeMap> {
    let (subsys_no, ns_no) = head_numbers(name)?;
    let subsys = dir.parent()?;
    let subsys_link = root.join(format!("/sys/class/nvme-subsystem/nvme-subsys{subsys_no}"));
    if fs::canonicalize(&subsys_link).ok()? != fs::canonicalize(subsys).ok()? {
        return None;
    }
    let nqn = attr(subsys, "subsysnqn").unwrap_or_default();
    let model = attr(subsys, "model").unwrap_or_default();
    let firmware_rev = attr(subsys, "firmware_rev").unwrap_or_default();
    let subsys_serial = raw_attr(subsys, "serial");
    let nsid = attr(dir, "nsid").unwrap_or_default();
    let mut controllers: Vec<(String, PathBuf)> = fs::read_dir(subsys)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| controller_number(n).is_some())
        .map(|n| (n.clone(), subsys.join(n)))
        .collect();
    controllers.sort();
    let paths = controllers
        .iter()
        .filter_map(|(c, ctrl)| {
            let c = controller_number(c)?;
            let dev = format!("nvme{subsys_no}c{c}n{ns_no}");
            let path = ctrl.join(&dev);
            path.is_dir().then(|| NvmePath {
                hcil: format!("{subsys_no}:{c}:{ns_no}"),
                dev_t: attr(&path, "dev").unwrap_or_else(|| "0:0".into()),
                ana_state: attr(&path, "ana_state"),
                ctrl_state: attr(ctrl, "state").unwrap_or_default(),
                address: attr(ctrl, "address").unwrap_or_default(),
                transport: attr(ctrl, "transport").unwrap_or_default(),
                serial: raw_attr(ctrl, "serial")
                    .or_else(|| subsys_serial.clone())
                    .unwrap_or_default(),
                dev,
            })
        })
        .collect();
    Some(NvmeMap {
        dev: name.to_string(),
        name: format!("{nqn}:nsid.{nsid}"),
        wwid: attr(dir, "wwid").unwrap_or_default(),
        vendor_product: format!("NVMe,{model},{firmware_rev}"),
        model,
        firmware_rev,
        size: attr(dir, "size").and_then(|s| s.parse().ok()).unwrap_or(0),
        read_only: attr(dir, "ro").is_some_and(|r| r == "1"),
        paths,
    })
}

#[cfg(test)]
#[path = "nvme_tests.rs"]
mod tests;
