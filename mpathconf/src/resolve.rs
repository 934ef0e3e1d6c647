//! `--allow` arguments to WWIDs, through sysfs (joined onto the root).
//!
//! An argument is `maj:min`, a device-mapper name (`mpatha`,
//! `/dev/mapper/mpatha`), a `/dev` path (`/dev/dm-3`, `/dev/sdb1`), or else a
//! WWID taken as written. A multipath map gives the WWID from its DM UUID
//! (`mpath-<wwid>`), a kpartx partition from `part<N>-mpath-<wwid>`, and a
//! device stacked on multipath maps (LVM, dm-crypt) the WWIDs of the maps
//! under it. A path device (or its partition) gives the map holding it, or
//! its NAA identifier.

use std::fs;
use std::path::{Path, PathBuf};

fn read_trim(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok().map(|s| s.trim().to_string())
}

fn is_majmin(s: &str) -> bool {
    s.split_once(':').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

struct Sys<'a> {
    root: &'a Path,
}

impl Sys<'_> {
    /// The sysfs directory of block device `name` (kernel name like `dm-3`).
    fn block(&self, name: &str) -> Option<PathBuf> {
        ["sys/class/block", "sys/block"]
            .iter()
            .map(|d| self.root.join(d).join(name))
            .find(|p| p.is_dir())
    }

    /// The device-mapper device called `name`.
    fn dm_by_name(&self, name: &str) -> Option<PathBuf> {
        let dir = self.root.join("sys/block");
        let mut found: Vec<PathBuf> = fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| read_trim(&p.join("dm/name")).as_deref() == Some(name))
            .collect();
        found.sort();
        found.into_iter().next()
    }

    /// A `/dev/...` path: follow a symlink (`/dev/mapper/x -> ../dm-3`) to
    /// the kernel name, or use the name itself.
    fn dev_path(&self, path: &str) -> Option<PathBuf> {
        let rel = path.trim_start_matches('/');
        if let Some(name) = rel.strip_prefix("dev/mapper/") {
            if let Some(d) = self.dm_by_name(name) {
                return Some(d);
            }
        }
        let full = self.root.join(rel);
        let kernel_name = match fs::read_link(&full) {
            Ok(target) => target.file_name()?.to_string_lossy().into_owned(),
            Err(_) => full.file_name()?.to_string_lossy().into_owned(),
        };
        self.block(&kernel_name)
    }

    /// WWIDs for the device whose sysfs directory is `dir`.
    fn wwids(
        &self,
        dir: &Path,
        label: &str,
        depth: u32,
        out: &mut Vec<String>,
    ) -> Result<(), String> {
        if depth > 16 {
            return Err(format!("{label}: device stack too deep"));
        }
        if let Some(uuid) = read_trim(&dir.join("dm/uuid")) {
            if let Some(w) = mpath_wwid(&uuid) {
                out.push(w.to_string());
                return Ok(());
            }
            for slave in names(&dir.join("slaves")) {
                if let Some(d) = self.block(&slave) {
                    if d.join("dm/uuid").exists() {
                        self.wwids(&d, label, depth + 1, out)?;
                    }
                }
            }
            return Ok(());
        }
        // A path device: use the disk, not the partition.
        let disk = if dir.join("partition").exists() {
            fs::canonicalize(dir)
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or(dir.to_path_buf())
        } else {
            dir.to_path_buf()
        };
        let before = out.len();
        for holder in names(&disk.join("holders")) {
            if let Some(d) = self.block(&holder) {
                if let Some(w) = read_trim(&d.join("dm/uuid"))
                    .as_deref()
                    .and_then(mpath_wwid)
                {
                    out.push(w.to_string());
                }
            }
        }
        if out.len() > before {
            return Ok(());
        }
        let id = read_trim(&disk.join("device/wwid")).unwrap_or_default();
        match id.strip_prefix("naa.") {
            Some(naa) if !naa.is_empty() => {
                out.push(format!("3{}", naa.to_ascii_lowercase()));
                Ok(())
            }
            _ => Err(format!(
                "{label}: cannot determine its WWID; give the WWID instead"
            )),
        }
    }
}

/// File names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The WWID in a multipath map's (or kpartx partition's) DM UUID.
fn mpath_wwid(uuid: &str) -> Option<&str> {
    let rest = match uuid.strip_prefix("part") {
        Some(p) => {
            let digits = p.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            p[digits..].strip_prefix('-')?
        }
        None => uuid,
    };
    rest.strip_prefix("mpath-").filter(|w| !w.is_empty())
}

/// Resolve one `--allow` argument to the WWIDs to allow.
pub fn resolve(root: &Path, arg: &str) -> Result<Vec<String>, String> {
    let sys = Sys { root };
    let dir = if is_majmin(arg) {
        let d = root.join("sys/dev/block").join(arg);
        if !d.exists() {
            return Err(format!("{arg}: no such block device"));
        }
        Some(d)
    } else if arg.starts_with('/') {
        match sys.dev_path(arg) {
            Some(d) => Some(d),
            None => return Err(format!("{arg}: not a block device")),
        }
    } else {
        sys.dm_by_name(arg).or_else(|| {
            root.join("dev/mapper")
                .join(arg)
                .exists()
                .then(|| sys.dev_path(&format!("/dev/mapper/{arg}")))
                .flatten()
        })
    };
    let Some(dir) = dir else {
        // Taken as a WWID.
        if arg
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"')
        {
            return Err(format!("{arg}: not a valid WWID"));
        }
        return Ok(vec![arg.to_string()]);
    };
    let mut out = Vec::new();
    sys.wwids(&dir, arg, 0, &mut out)?;
    if out.is_empty() {
        return Err(format!("{arg}: not a multipath device, nor stacked on one"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dm_uuids() {
        assert_eq!(mpath_wwid("mpath-3600a"), Some("3600a"));
        assert_eq!(mpath_wwid("part1-mpath-3600a"), Some("3600a"));
        assert_eq!(mpath_wwid("part-mpath-3600a"), None);
        assert_eq!(mpath_wwid("LVM-abc"), None);
        assert_eq!(mpath_wwid("mpath-"), None);
        assert!(is_majmin("253:0") && !is_majmin("253:") && !is_majmin("3600a"));
    }
}
