//! The transport identities of a path, as the path wildcards print them:
//! host and target WWNN/WWPN (`%N %n %R %r`) and the host adapter (`%a`).
//! Also what the weightedpath prioritizer matches with `wwn`
//! (`%N:%R:%n:%r`).
//!
//! They are read from sysfs when asked for, never during the scan, so a
//! scan of thousands of paths reads nothing more for them:
//!
//! - FC (`scsi:fcp`): host WWNN and WWPN are `node_name` and `port_name` of
//!   `/sys/class/fc_host/host<H>`, the target WWPN is `port_name` of
//!   `/sys/class/fc_transport/target<H>:<C>:<T>` (values as sysfs has them,
//!   `0x200100e08ba0aea0`); `[unknown]` when sysfs lacks the attribute.
//!   Other transports print `[undef]`.
//! - The target WWNN is the target node name discovery records
//!   ([`PathDev::tgt_node_name`]: FC target WWNN, the SAS address of the end
//!   device (`sas_address` of `/sys/class/sas_device/end_device-<H>:<N>`),
//!   iSCSI target name, the USB interface of a USB-attached disk: `2-1:1.0`,
//!   as the reference prints it, VM scenario 80), or `[undef]`. SAS, SRP
//!   and USB paths have no host or target WWNN/WWPN of their own: `%N %R
//!   %r` print `[undef]` for them.
//! - The host adapter, for FC, SAS and iSCSI paths only: the iSCSI
//!   initiator's IP address (`/sys/class/iscsi_host/host<H>/ipaddress`),
//!   else the PCI name of the HBA (`0000:03:00.0`: the nearest PCI device
//!   above the SCSI host); `[undef]` when there is none, and for USB (VM
//!   scenario 80).

use super::{read_trim, PathDev};
use crate::sysroot::SysRoot;
use std::fs;
use std::path::Path;

/// What a transport wildcard prints when it does not apply to the path.
pub const UNDEF: &str = "[undef]";
/// What an FC wildcard prints when sysfs does not have the value.
pub const UNKNOWN: &str = "[unknown]";

const FCP: &str = "scsi:fcp";

/// `host`, `channel`, `target` of the path's H:C:T:L.
fn host_channel_target(p: &PathDev) -> Option<(&str, &str, &str)> {
    let mut it = p.hcil.split(':');
    let hct = (it.next()?, it.next()?, it.next()?);
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (numeric(hct.0) && numeric(hct.1) && numeric(hct.2)).then_some(hct)
}

/// An attribute of the path's FC host (`node_name`, `port_name`).
pub fn fc_host_attr(root: &SysRoot, p: &PathDev, attr: &str) -> Option<String> {
    let (h, _, _) = host_channel_target(p)?;
    read_trim(&root.join(format!("/sys/class/fc_host/host{h}/{attr}")))
}

/// An attribute of the path's FC remote target (`node_name`, `port_name`).
pub fn fc_target_attr(root: &SysRoot, p: &PathDev, attr: &str) -> Option<String> {
    let (h, c, t) = host_channel_target(p)?;
    read_trim(&root.join(format!("/sys/class/fc_transport/target{h}:{c}:{t}/{attr}")))
}

fn fc_only(p: &PathDev, read: impl FnOnce() -> Option<String>) -> String {
    if p.protocol != FCP {
        return UNDEF.into();
    }
    read().unwrap_or_else(|| UNKNOWN.into())
}

/// `%N`: the FC host's WWNN.
pub fn host_wwnn(root: &SysRoot, p: &PathDev) -> String {
    fc_only(p, || fc_host_attr(root, p, "node_name"))
}

/// `%R`: the FC host's WWPN.
pub fn host_wwpn(root: &SysRoot, p: &PathDev) -> String {
    fc_only(p, || fc_host_attr(root, p, "port_name"))
}

/// `%r`: the FC target's WWPN.
pub fn target_wwpn(root: &SysRoot, p: &PathDev) -> String {
    fc_only(p, || fc_target_attr(root, p, "port_name"))
}

/// `%n`: the target node name (FC WWNN, SAS end device address, iSCSI
/// target name).
pub fn target_wwnn(p: &PathDev) -> String {
    if p.tgt_node_name.is_empty() {
        UNDEF.into()
    } else {
        p.tgt_node_name.clone()
    }
}

/// `%N:%R:%n:%r`, what weightedpath's `wwn` matches.
pub fn wwn_names(root: &SysRoot, p: &PathDev) -> String {
    [
        host_wwnn(root, p),
        host_wwpn(root, p),
        target_wwnn(p),
        target_wwpn(root, p),
    ]
    .join(":")
}

/// `%a`: the host adapter.
pub fn host_adapter(root: &SysRoot, p: &PathDev) -> String {
    host_adapter_name(root, p).unwrap_or_else(|| UNDEF.into())
}

fn host_adapter_name(root: &SysRoot, p: &PathDev) -> Option<String> {
    let (h, _, _) = host_channel_target(p)?;
    match p.protocol.as_str() {
        "scsi:iscsi" => read_trim(&root.join(format!("/sys/class/iscsi_host/host{h}/ipaddress")))
            .filter(|a| !a.is_empty()),
        "scsi:fcp" | "scsi:sas" => host_pci_name(root, h),
        _ => None,
    }
}

/// The PCI name of the device the SCSI host `h` hangs off: the nearest
/// ancestor of `/sys/class/scsi_host/host<h>/device` whose subsystem is
/// `pci`.
fn host_pci_name(root: &SysRoot, h: &str) -> Option<String> {
    let host = fs::canonicalize(root.join(format!("/sys/class/scsi_host/host{h}/device"))).ok()?;
    let top = fs::canonicalize(root.join("/sys/devices")).ok()?;
    host.ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(&top) && *a != top)
        .find(|a| is_pci(a))
        .and_then(|a| a.file_name())
        .map(|n| n.to_string_lossy().into_owned())
}

fn is_pci(dir: &Path) -> bool {
    fs::read_link(dir.join("subsystem"))
        .ok()
        .is_some_and(|s| s.file_name().is_some_and(|n| n == "pci"))
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
