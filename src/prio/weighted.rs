//! Prioritizers driven by configuration rather than by the array:
//! random, weightedpath, iet.

use super::{PrioEnv, PrioResult};
use crate::discovery::{transport, PathDev};
use crate::sysroot::SysRoot;
use regex::Regex;
use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};

/// A priority from 1 to 10.
pub(super) fn random() -> i32 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    (h.finish() % 10) as i32 + 1
}

/// Arguments `<hbtl|devname|serial|wwn> <regex> <prio> [<regex> <prio>]...`:
/// the priority after the first regex that matches the path's H:B:T:L,
/// device name, serial or `wwn` names (`%N:%R:%n:%r`, as the path
/// wildcards print them); 0 if none does.
pub(super) fn weightedpath(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let mut words = args.split_whitespace();
    let subject = match words.next() {
        Some("hbtl") => path.hcil.clone(),
        Some("devname") => path.dev.clone(),
        Some("serial") => path.serial.clone(),
        Some("wwn") => transport::wwn_names(env.root, path),
        Some(k) => return Err(format!("{dev}: weightedpath: unknown kind {k:?}")),
        None => return Err(format!("{dev}: weightedpath needs prio_args")),
    };
    let rest: Vec<&str> = words.collect();
    if rest.len() % 2 == 1 {
        tracing::debug!(path = %dev, "weightedpath: regex {:?} has no priority", rest[rest.len() - 1]);
    }
    for pair in rest.chunks_exact(2) {
        let re = Regex::new(pair[0])
            .map_err(|e| format!("{dev}: weightedpath: bad regex {:?}: {e}", pair[0]))?;
        if re.is_match(&subject) {
            return pair[1]
                .parse()
                .map_err(|_| format!("{dev}: weightedpath: bad priority {:?}", pair[1]));
        }
    }
    Ok(0)
}

/// The portal address of an iSCSI path, from its `/dev/disk/by-path` link
/// (`ip-<addr>:<port>-iscsi-<target>-lun-<n>`).
fn iscsi_portal(root: &SysRoot, dev: &str) -> Option<String> {
    let dir = fs::read_dir(root.join("/dev/disk/by-path")).ok()?;
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(at) = name.find("ip-") else { continue };
        if !name.contains("-iscsi-") {
            continue;
        }
        let Ok(target) = fs::read_link(entry.path()) else {
            continue;
        };
        if target.file_name().and_then(|f| f.to_str()) != Some(dev) {
            continue;
        }
        let addr = &name[at + 3..];
        let addr = match addr.strip_prefix('[') {
            Some(v6) => v6.split(']').next()?,
            None => addr.split(':').next()?,
        };
        return Some(addr.to_string());
    }
    None
}

/// Argument `preferredip=<a.b.c.d>`: 20 when the path's iSCSI portal has
/// that address, else 10.
pub(super) fn iet(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let ip = args
        .split_whitespace()
        .find_map(|a| a.strip_prefix("preferredip="))
        .ok_or_else(|| format!("{dev}: iet needs prio_args preferredip=<address>"))?;
    let ip: std::net::Ipv4Addr = ip
        .parse()
        .map_err(|_| format!("{dev}: iet: bad preferredip {ip:?}"))?;
    match iscsi_portal(env.root, dev) {
        Some(a) if a.parse::<std::net::Ipv4Addr>() == Ok(ip) => Ok(20),
        _ => Ok(10),
    }
}
